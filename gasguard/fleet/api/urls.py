from django.urls import path

from gasguard.fleet.api import views

app_name = "fleet_api"
urlpatterns = [
    path("workers/", views.workers, name="worker_list"),
    path("vehicles/", views.vehicles, name="vehicle_list"),
    path("assignments/", views.assignments, name="assignment_create"),
    path("areas/", views.areas, name="area_list"),
]
