from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "gasguard.registry"
    label = "registry"
    verbose_name = "基础台账"
