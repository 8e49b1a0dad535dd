from django.apps import AppConfig


class TipsConfig(AppConfig):
    name = "gasguard.tips"
    label = "tips"
    verbose_name = "群众举报"
