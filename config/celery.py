"""Celery application; tasks run inline (eager) when REDIS_URL is not set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
app = Celery("gasguard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
