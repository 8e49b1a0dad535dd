"""Campaign pages under /campaigns/."""

from django.urls import path

from gasguard.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("create-default/", views.campaign_create_default, name="campaign_create_default"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/download.<str:fmt>", views.report_download, name="report_download"),
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/notices/<int:pk>/download.docx", views.notice_download, name="notice_download"),
    path("accidents/new/", views.accident_create, name="accident_create"),
    path("accidents/<int:pk>/", views.accident_detail, name="accident_detail"),
]
