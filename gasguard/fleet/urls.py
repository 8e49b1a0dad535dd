from django.urls import path

from gasguard.fleet import views

app_name = "fleet"
urlpatterns = [
    path("", views.vehicle_list, name="vehicle_list"),
    path("workers/", views.worker_list, name="worker_list"),
]
