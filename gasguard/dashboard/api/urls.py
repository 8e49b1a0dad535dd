from django.urls import path

from gasguard.dashboard.api import views

app_name = "dashboard_api"

urlpatterns = [
    path("summary/", views.summary, name="summary"),
    path("trend/", views.trend, name="trend"),
    path("children/", views.children, name="children"),
    path("geojson/", views.geojson, name="geojson"),
]
