from django.apps import AppConfig


class FleetConfig(AppConfig):
    name = "gasguard.fleet"
    label = "fleet"
    verbose_name = "配送人员与车辆"
