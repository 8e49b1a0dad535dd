# Load the Celery app with Django so @shared_task uses the configured broker (Redis when set).
from config.celery import app as celery_app

__all__ = ("celery_app",)
