from django.apps import AppConfig


class CylindersConfig(AppConfig):
    name = "gasguard.cylinders"
    label = "cylinders"
    verbose_name = "一瓶一码"

    def ready(self):
        from gasguard.cylinders.gate_cache import connect_invalidation

        connect_invalidation()
