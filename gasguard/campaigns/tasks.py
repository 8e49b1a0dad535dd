"""Celery tasks of the campaign app (scheduled daily by Celery beat in production)."""

from celery import shared_task


@shared_task(name="campaigns.remind_reports")
def remind_reports() -> int:
    """Daily: remind regions whose monthly report is due or overdue; returns how many."""
    from gasguard.campaigns.services import monthly_report_remind

    return len(monthly_report_remind())
