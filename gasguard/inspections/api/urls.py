from django.urls import path
from rest_framework.routers import DefaultRouter

from gasguard.inspections.api import views

app_name = "inspections_api"

router = DefaultRouter()
router.register("batches", views.BatchViewSet, basename="batch")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("inspections", views.InspectionViewSet, basename="inspection")

urlpatterns = [path("coverage/", views.coverage, name="coverage"), *router.urls]
