from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "gasguard.dashboard"
    label = "dashboard"
    verbose_name = "统计看板"
