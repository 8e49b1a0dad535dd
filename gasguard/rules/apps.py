from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "gasguard.rules"
    label = "rules"
    verbose_name = "检查规则库"
