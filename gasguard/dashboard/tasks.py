"""Celery tasks of the dashboard (scheduled by Celery beat in production)."""

from celery import shared_task


@shared_task(name="dashboard.warm")
def warm_dashboard(max_level: int = 2) -> int:
    """Every 30–60 s: recompute the province/city dashboards into the cache; returns how many."""
    from gasguard.dashboard.selectors import dashboard_warm

    return len(dashboard_warm(max_level=max_level))
