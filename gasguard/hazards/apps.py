from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "gasguard.hazards"
    label = "hazards"
    verbose_name = "隐患台账"

    def ready(self) -> None:
        # Celery beat runs the escalation ladder hourly (idempotent; `gasguard escalate` via cron
        # does the same where beat is not used).
        from config.celery import app

        schedule = dict(app.conf.beat_schedule or {})
        schedule.setdefault("hazards-escalate-hourly", {"task": "hazards.escalate", "schedule": 3600.0})
        app.conf.beat_schedule = schedule
