from django.urls import path

from gasguard.tips.api import views

app_name = "tips_api"
urlpatterns = [
    path("tips/", views.TipListView.as_view(), name="tip_list"),
    path("tips/<int:pk>/", views.TipDetailView.as_view(), name="tip_detail"),
    path("tips/<int:pk>/route/", views.tip_route_api, name="tip_route"),
    path("tips/<int:pk>/start/", views.tip_start_api, name="tip_start"),
    path("tips/<int:pk>/verify/", views.tip_verify_api, name="tip_verify"),
    path("tips/<int:pk>/duplicates/", views.tip_duplicates_api, name="tip_duplicates"),
    path("tips/<int:pk>/contact/", views.tip_contact_api, name="tip_contact"),
    path("tips/<int:pk>/eligibility/", views.tip_eligibility_api, name="tip_eligibility"),
    path("tips/<int:pk>/reward/", views.reward_propose_api, name="reward_propose"),
    path("rewards/", views.RewardListView.as_view(), name="reward_list"),
    path("rewards/<int:pk>/approve/", views.reward_approve_api, name="reward_approve"),
    path("rewards/<int:pk>/reject/", views.reward_reject_api, name="reward_reject"),
    path("rewards/<int:pk>/pay/", views.reward_pay_api, name="reward_pay"),
    path("public/", views.public_submit, name="public_submit"),
    path("public/status/<str:code>/", views.public_status, name="public_status"),
]
