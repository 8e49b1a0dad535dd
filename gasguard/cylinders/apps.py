from django.apps import AppConfig


class CylindersConfig(AppConfig):
    name = "gasguard.cylinders"
    label = "cylinders"
    verbose_name = "一瓶一码"
