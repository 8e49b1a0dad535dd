from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "gasguard.hazards"
    label = "hazards"
    verbose_name = "隐患台账"
