from django.urls import path

from gasguard.rules.api import views

app_name = "rules_api"
urlpatterns = [
    path("rules/", views.RuleListAPIView.as_view(), name="rule-list"),
    path("rules/<slug:rule_id>/", views.RuleDetailAPIView.as_view(), name="rule-detail"),
    path("version/", views.CatalogVersionAPIView.as_view(), name="version"),
    path("checklist/", views.ChecklistAPIView.as_view(), name="checklist"),
]
