"""Ledger pages under /hazards/."""

from django.urls import path

from gasguard.hazards import views

app_name = "hazards"

urlpatterns = [
    path("", views.hazard_list_view, name="hazard_list"),
    path("export.xlsx", views.hazard_export_view, name="hazard_export"),
    path("import/", views.hazard_import_view, name="hazard_import"),
    path("import/template.xlsx", views.import_template_view, name="import_template"),
    path("<int:pk>/", views.hazard_detail_view, name="hazard_detail"),
    path("<int:pk>/do/<slug:action>/", views.hazard_action_view, name="hazard_action"),
    path("evidence/<int:pk>/", views.evidence_file_view, name="evidence_file"),
    path("referrals/", views.referral_list_view, name="referral_list"),
    path("referrals/<int:pk>/<slug:decision>/", views.referral_decide_view, name="referral_decide"),
    path("enforcement/", views.enforcement_list_view, name="enforcement_list"),
    path("revisits/", views.revisit_list_view, name="revisit_list"),
    path("revisits/<int:pk>/record/", views.revisit_record_view, name="revisit_record"),
]
