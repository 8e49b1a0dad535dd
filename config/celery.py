"""Celery application and the periodic schedule (celery -A config beat).

Without REDIS_URL tasks run inline (CELERY_TASK_ALWAYS_EAGER); the same work can then be run
from cron with the management commands named beside each entry.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
app = Celery("gasguard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # gasguard notifications deliver — outbound e-mail / webhook retries with backoff
    "notifications-deliver": {"task": "notifications.deliver", "schedule": 30.0},
    # gasguard escalate — ledger reminders, supervisor escalation, 督办
    "hazards-escalate": {"task": "hazards.escalate", "schedule": crontab(minute=5)},
    # gasguard hazard_rollup — fold the ledger count cube's deltas (PostgreSQL)
    "hazards-rollup-compact": {"task": "hazards.rollup_compact", "schedule": 60.0},
    # gasguard monitoring check_offline / escalate — device offline alarms, unacknowledged alarms
    "monitoring-check-offline": {"task": "monitoring.check_offline", "schedule": 60.0},
    "monitoring-escalate": {"task": "monitoring.escalate", "schedule": 30.0},
    # gasguard warm_dashboard — keeps province/city dashboards precomputed
    "dashboard-warm": {"task": "dashboard.warm", "schedule": 60.0},
    # gasguard remind_reports — monthly report reminders before the cut-off day
    "campaigns-remind-reports": {"task": "campaigns.remind_reports", "schedule": crontab(hour=9, minute=0)},
}
