"""Celery tasks of the outbound channels (eager when REDIS_URL is unset)."""

from celery import shared_task


@shared_task(name="notifications.deliver")
def deliver_notifications(delivery_ids: list[int] | None = None) -> dict:
    """Send due deliveries (all due ones, or just these ids)."""
    from gasguard.notifications.services import deliver_due

    return deliver_due(ids=delivery_ids)
