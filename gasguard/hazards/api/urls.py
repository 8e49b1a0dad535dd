from rest_framework.routers import DefaultRouter

from gasguard.hazards.api import views

app_name = "hazards_api"

router = DefaultRouter()
router.register("hazards", views.HazardViewSet, basename="hazard")
router.register("referrals", views.ReferralViewSet, basename="referral")
router.register("enforcement", views.EnforcementViewSet, basename="enforcement")
router.register("revisits", views.RevisitViewSet, basename="revisit")

urlpatterns = router.urls
