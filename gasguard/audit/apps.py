from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gasguard.audit"
    label = "audit"
    verbose_name = "审计链"
