"""Celery tasks (schedule them with beat every minute; see docs/monitoring.md)."""

from celery import shared_task


@shared_task(name="monitoring.escalate")
def escalate() -> int:
    from gasguard.monitoring.services import alarms_escalate

    return alarms_escalate()


@shared_task(name="monitoring.check_offline")
def check_offline() -> int:
    from gasguard.monitoring.services import devices_check_offline

    return devices_check_offline()
