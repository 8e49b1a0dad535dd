"""Celery tasks of the hazard ledger."""

from celery import shared_task


@shared_task(name="hazards.escalate")
def escalate_hazards() -> dict:
    """Periodic run of the escalation ladder (schedule it hourly with celery beat)."""
    from gasguard.hazards.services import hazard_escalate_due

    return hazard_escalate_due()


@shared_task(name="hazards.rollup_compact")
def rollup_compact() -> int:
    """Fold the count cubes' deltas (every minute; readers are exact either way)."""
    from gasguard.hazards import rollup
    from gasguard.registry import rollup as premises_rollup

    return rollup.compact() + premises_rollup.compact()
