from django.urls import path

from gasguard.monitoring.api import views

app_name = "monitoring_api"

urlpatterns = [
    path("devices/", views.DeviceListView.as_view(), name="api_device_list"),
    path("devices/<int:pk>/", views.DeviceDetailView.as_view(), name="api_device_detail"),
    path("devices/<int:pk>/rotate-credential/", views.DeviceRotateView.as_view(), name="api_device_rotate"),
    path("spaces/", views.SpaceListView.as_view(), name="api_space_list"),
    path("readings/", views.ReadingsView.as_view(), name="api_readings"),
    path("rules/", views.RuleListView.as_view(), name="api_rule_list"),
    path("rules/<int:pk>/", views.RuleDetailView.as_view(), name="api_rule_detail"),
    path("alarms/", views.AlarmListView.as_view(), name="api_alarm_list"),
    path("alarms/<int:pk>/", views.AlarmDetailView.as_view(), name="api_alarm_detail"),
    path("alarms/<int:pk>/actions/", views.AlarmActionView.as_view(), name="api_alarm_action"),
    path("dead-letters/", views.DeadLetterListView.as_view(), name="api_dead_letters"),
    path("stats/", views.StatsView.as_view(), name="api_stats"),
    path("map/", views.MapView.as_view(), name="api_map"),
    path("ingest/", views.IngestView.as_view(), name="api_ingest"),
]
