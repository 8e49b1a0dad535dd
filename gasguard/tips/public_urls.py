"""All UI routes of the tips app, mounted at the site root (config/urls.py includes it with "").

Public pages (no login): /report/, /report/done/, /report/status/ and Open311 under
/open311/v2/. Staff pages live under /tips/ in the same `tips` namespace, so both
`tips:public_report` and `tips:tip_list` reverse (two includes sharing one namespace would
hide one of them; hence there is no separate urls.py).
"""

from django.urls import path, re_path

from gasguard.tips import open311, public_views, views

app_name = "tips"
urlpatterns = [
    # public
    path("report/", public_views.public_report, name="public_report"),
    path("report/done/", public_views.public_done, name="public_done"),
    path("report/status/", public_views.public_status, name="public_status"),
    re_path(r"^open311/v2/services\.(?P<fmt>json|xml)$", open311.services, name="open311_services"),
    re_path(
        r"^open311/v2/services/(?P<code>[\w-]+)\.(?P<fmt>json|xml)$",
        open311.service_definition,
        name="open311_service",
    ),
    re_path(r"^open311/v2/requests\.(?P<fmt>json|xml)$", open311.requests_view, name="open311_requests"),
    re_path(
        r"^open311/v2/requests/(?P<code>[\w-]+)\.(?P<fmt>json|xml)$",
        open311.request_detail,
        name="open311_request",
    ),
    # staff
    path("tips/", views.tip_list, name="tip_list"),
    path("tips/new/", views.tip_create, name="tip_create"),
    path("tips/<int:pk>/", views.tip_detail, name="tip_detail"),
    path("tips/<int:pk>/route/", views.tip_route_view, name="tip_route"),
    path("tips/<int:pk>/start/", views.tip_start_view, name="tip_start"),
    path("tips/<int:pk>/verify/", views.tip_verify_view, name="tip_verify"),
    path("tips/<int:pk>/contact/", views.tip_contact_view, name="tip_contact"),
    path("tips/<int:pk>/reward/", views.reward_propose_view, name="reward_propose"),
    path("tips/photos/<int:pk>/", views.tip_photo, name="tip_photo"),
    path("tips/rewards/", views.reward_list_view, name="reward_list"),
    path("tips/rewards/<int:pk>/approve/", views.reward_approve_view, name="reward_approve"),
    path("tips/rewards/<int:pk>/reject/", views.reward_reject_view, name="reward_reject"),
    path("tips/rewards/<int:pk>/pay/", views.reward_pay_view, name="reward_pay"),
    path("tips/reward-rules/", views.reward_rules, name="reward_rules"),
    path("tips/poster/", views.poster, name="poster"),
    path("tips/poster/<str:code>.png", views.poster_png, name="poster_png"),
]
