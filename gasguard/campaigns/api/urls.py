from rest_framework.routers import DefaultRouter

from gasguard.campaigns.api import views

app_name = "campaigns_api"

router = DefaultRouter()
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("reports", views.MonthlyReportViewSet, basename="report")
router.register("notices", views.NoticeViewSet, basename="notice")
router.register("interviews", views.InterviewViewSet, basename="interview")
router.register("warnings", views.WarningViewSet, basename="warning")
router.register("accidents", views.AccidentViewSet, basename="accident")

urlpatterns = router.urls
