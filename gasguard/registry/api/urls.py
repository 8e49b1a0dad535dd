from django.urls import path
from rest_framework.routers import DefaultRouter

from gasguard.registry.api import views

app_name = "registry_api"

router = DefaultRouter()
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("enterprise-roles", views.EnterpriseRoleViewSet, basename="enterprise-role")
router.register("licences", views.LicenceViewSet, basename="licence")
router.register("staff", views.StaffViewSet, basename="staff")
router.register("certificates", views.CertificateViewSet, basename="certificate")
router.register("premises", views.PremisesViewSet, basename="premises")
router.register("facilities", views.FacilityViewSet, basename="facility")

urlpatterns = [path("import/", views.ImportView.as_view(), name="import"), *router.urls]
