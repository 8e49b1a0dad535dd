from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "gasguard.inspections"
    label = "inspections"
    verbose_name = "排查检查"
