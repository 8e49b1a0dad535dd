from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gasguard.core"
    label = "core"
    verbose_name = "基础"
