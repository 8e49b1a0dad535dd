from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "gasguard.monitoring"
    label = "monitoring"
    verbose_name = "城市生命线监测"
