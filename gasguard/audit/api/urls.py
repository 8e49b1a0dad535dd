from rest_framework.routers import DefaultRouter

from gasguard.audit.api import views

app_name = "audit_api"

router = DefaultRouter()
router.register("events", views.AuditEventViewSet, basename="event")

urlpatterns = router.urls
