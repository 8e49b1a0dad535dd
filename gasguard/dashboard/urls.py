"""Dashboard pages under /dashboard/."""

from django.urls import path

from gasguard.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("geojson/", views.geojson, name="geojson"),
]
