from django.urls import path

from gasguard.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.centre_view, name="centre"),
    path("devices/", views.device_list_view, name="device_list"),
    path("devices/new/", views.device_create_view, name="device_create"),
    path("devices/<int:pk>/", views.device_detail_view, name="device_detail"),
    path("devices/<int:pk>/rotate/", views.device_rotate_view, name="device_rotate"),
    path("alarms/", views.alarm_list_view, name="alarm_list"),
    path("alarms/<int:pk>/", views.alarm_detail_view, name="alarm_detail"),
    path("alarms/<int:pk>/<str:action>/", views.alarm_action_view, name="alarm_action"),
    path("stats/", views.stats_view, name="stats"),
    path("dead-letters/", views.dead_letter_list_view, name="dead_letters"),
    path("rules/", views.rule_list_view, name="rules"),
    path("rules/new/", views.rule_create_view, name="rule_create"),
    path("rules/<int:pk>/toggle/", views.rule_toggle_view, name="rule_toggle"),
    path("spaces/", views.space_list_view, name="space_list"),
]
