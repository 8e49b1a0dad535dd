"""Sending notifications. Callers use `notify`; delivery never blocks or undoes their action."""

from collections.abc import Iterable

from django.db import transaction

from gasguard.notifications.models import Notification


def notify(
    *, recipients: Iterable, kind: str, subject: str, body: str = "", link: str = ""
) -> list[Notification]:
    """Put a message in each recipient's inbox (same transaction as the caller's change).

    Outbound channels (e-mail, webhook robots) are scheduled after commit, so a failing
    channel can never roll back or lose the action that caused the message.
    """
    users = {u.pk: u for u in recipients if u is not None and getattr(u, "pk", None)}
    rows = [
        Notification(recipient_id=pk, kind=kind, subject=subject[:200], body=body, link=link[:300])
        for pk in users
    ]
    created = Notification.objects.bulk_create(rows)
    transaction.on_commit(lambda: _dispatch_outbound([n.pk for n in created if n.pk]))
    return created


def _dispatch_outbound(notification_ids: list[int]) -> None:
    """Hook for outbound channels (filled in by the notifications channel layer)."""
    return None
