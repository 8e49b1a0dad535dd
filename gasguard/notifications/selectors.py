"""Reads of the inbox: a user only ever sees their own messages."""

from django.db.models import QuerySet

from gasguard.core.errors import NotFound
from gasguard.notifications.models import Notification


def notification_list(*, user, unread_only: bool = False) -> QuerySet:
    """The user's inbox, newest first."""
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def notification_get(*, user, pk: int) -> Notification:
    try:
        return Notification.objects.get(recipient=user, pk=pk)
    except Notification.DoesNotExist as exc:
        raise NotFound("未找到该消息") from exc


def unread_count(*, user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
