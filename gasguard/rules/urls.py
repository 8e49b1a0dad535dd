from django.urls import path

from gasguard.rules import views

app_name = "rules"
urlpatterns = [
    path("", views.rule_list_view, name="rule_list"),
    path("export.xlsx", views.rule_export_view, name="rule_export"),
    path("<slug:rule_id>/", views.rule_detail_view, name="rule_detail"),
]
