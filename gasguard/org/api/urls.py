from rest_framework.routers import DefaultRouter

from gasguard.org.api import views

app_name = "org_api"

router = DefaultRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("task-forces", views.TaskForceViewSet, basename="task-force")

urlpatterns = router.urls
