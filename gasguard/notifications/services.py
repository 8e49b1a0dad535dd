"""Sending notifications. Callers use `notify`; delivery never blocks or undoes their action.

`notify` writes inbox rows inside the caller's transaction. After commit, `dispatch_outbound`
records one `Delivery` per matching outbound channel (e-mail, DingTalk, WeCom robots) and asks
the worker to send them; `deliver_due` (Celery task, `gasguard notifications deliver`) sends
what is due and retries failures with exponential backoff. Any error there is recorded on the
delivery row and never propagates to the action that caused the message.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gasguard.core.errors import NotFound
from gasguard.notifications.channels import ChannelError, OutboundMessage, channel_for
from gasguard.notifications.models import (
    Delivery,
    DeliveryStatusChoices,
    Notification,
    NotificationChannel,
)

log = logging.getLogger(__name__)
S = DeliveryStatusChoices


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
    ids = [n.pk for n in created if n.pk]
    if not ids and users:
        # Backends that do not return bulk-insert keys: look the rows up again.
        ids = list(
            Notification.objects.filter(recipient_id__in=users, kind=kind, subject=subject[:200])
            .order_by("-id")
            .values_list("id", flat=True)[: len(users)]
        )
    transaction.on_commit(lambda: _dispatch_outbound(ids))
    return created


def _dispatch_outbound(notification_ids: list[int]) -> None:
    """After commit: record deliveries and hand them to the worker; never raise."""
    try:
        delivery_ids = dispatch_outbound(notification_ids=notification_ids)
    except Exception:  # noqa: BLE001 - the caller's action is committed; a log line is all we owe
        log.exception("notifications: could not record outbound deliveries")
        return
    if delivery_ids and settings.GASGUARD_NOTIFY_SEND_ON_COMMIT:
        try:
            if settings.CELERY_TASK_ALWAYS_EAGER:
                # Embedded mode (no broker): send now; errors are recorded on the rows.
                deliver_due(ids=delivery_ids)
            else:
                from gasguard.notifications.tasks import deliver_notifications

                deliver_notifications.delay(delivery_ids)
        except Exception:  # noqa: BLE001 - broker down: the `deliver` command picks them up
            log.exception("notifications: could not enqueue deliveries; they stay pending")


def _unit_codes(user_ids: Iterable[int]) -> dict[int, tuple[set[int], set[str]]]:
    """Per user: the department ids and the region codes of their government units."""
    from gasguard.accounts.models import Membership

    out: dict[int, tuple[set[int], set[str]]] = {}
    rows = Membership.objects.filter(user_id__in=list(user_ids), is_active=True).select_related(
        "department", "task_force"
    )
    for m in rows:
        depts, codes = out.setdefault(m.user_id, (set(), set()))
        if m.department_id:
            depts.add(m.department_id)
            codes.add(m.department.region_code)
        elif m.task_force_id:
            codes.add(m.task_force.region_code)
    return out


def channels_for_user(
    *, channels: list[NotificationChannel], departments: set[int], codes: set[str], kind: str
):
    """The channels that carry a message of `kind` to a user of these departments/regions."""
    for ch in channels:
        if ch.kinds and kind not in ch.kinds:
            continue
        if ch.department_id:
            if ch.department_id in departments:
                yield ch
        elif any(code.startswith(ch.region_code) for code in codes):
            yield ch


def dispatch_outbound(*, notification_ids: list[int]) -> list[int]:
    """Create the Delivery rows for these inbox messages; a robot gets one copy per message."""
    if not notification_ids:
        return []
    notes = list(Notification.objects.filter(pk__in=notification_ids).select_related("recipient"))
    channels = list(NotificationChannel.objects.filter(is_active=True))
    if not notes or not channels:
        return []
    units = _unit_codes({n.recipient_id for n in notes})
    base = settings.GASGUARD_PUBLIC_BASE_URL.rstrip("/")
    rows: list[Delivery] = []
    seen: set[tuple] = set()
    for note in notes:
        depts, codes = units.get(note.recipient_id, (set(), set()))
        link = f"{base}{note.link}" if base and note.link.startswith("/") else note.link
        for ch in channels_for_user(channels=channels, departments=depts, codes=codes, kind=note.kind):
            to = ""
            if ch.kind == "email" and not ch.address:
                to = note.recipient.email
                if not to:
                    continue
            key = (ch.pk, to, note.kind, note.subject, note.body)
            if key in seen:  # the same message to 5 members of one group chat is sent once
                continue
            seen.add(key)
            rows.append(
                Delivery(
                    channel=ch,
                    notification=note,
                    to_address=to,
                    kind=note.kind,
                    subject=note.subject,
                    body=note.body,
                    link=link[:300],
                    next_attempt_at=timezone.now(),
                )
            )
    with transaction.atomic():
        created = Delivery.objects.bulk_create(rows)
    return [d.pk for d in created if d.pk]


def backoff_delay(attempts: int) -> timedelta:
    """Wait before retry number `attempts` + 1: base × 2^(attempts − 1), capped."""
    base = settings.GASGUARD_NOTIFY_BACKOFF_SECONDS
    cap = settings.GASGUARD_NOTIFY_BACKOFF_MAX_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def delivery_attempt(*, delivery: Delivery, now: datetime | None = None) -> bool:
    """Try one send of a pending delivery; True if sent. Claims the row first (race-safe)."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(pk=delivery.pk, status=S.PENDING, attempts=delivery.attempts).update(
        attempts=delivery.attempts + 1,
        next_attempt_at=now + timedelta(seconds=settings.GASGUARD_NOTIFY_TIMEOUT_SECONDS * 4 + 60),
    )
    if not claimed:
        return False
    attempts = delivery.attempts + 1
    message = OutboundMessage(
        subject=delivery.subject, body=delivery.body, link=delivery.link, to_address=delivery.to_address
    )
    try:
        channel_for(delivery.channel).send(message)
    except ChannelError as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - an unexpected bug in a channel is still a failed send
        log.exception("notifications: channel %s crashed", delivery.channel_id)
        error = f"{exc.__class__.__name__}: {exc}"
    else:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=S.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None
        )
        return True
    if attempts >= settings.GASGUARD_NOTIFY_MAX_ATTEMPTS:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=S.FAILED, last_error=error[:2000], next_attempt_at=None
        )
    else:
        Delivery.objects.filter(pk=delivery.pk).update(
            last_error=error[:2000], next_attempt_at=now + backoff_delay(attempts)
        )
    return False


def deliver_due(*, now: datetime | None = None, limit: int = 200, ids: list[int] | None = None) -> dict:
    """Send every pending delivery whose time has come; returns counts {sent, failed_attempts}."""
    now = now or timezone.now()
    qs = Delivery.objects.filter(status=S.PENDING, next_attempt_at__lte=now).select_related("channel")
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    sent = failed = 0
    for delivery in list(qs.order_by("next_attempt_at", "id")[:limit]):
        if delivery_attempt(delivery=delivery, now=now):
            sent += 1
        else:
            failed += 1
    return {"sent": sent, "failed_attempts": failed}


def delivery_retry(*, delivery_id: int) -> Delivery:
    """Put a finally failed delivery back in the queue (an operator fixed the channel)."""
    updated = Delivery.objects.filter(pk=delivery_id, status=S.FAILED).update(
        status=S.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if not updated:
        raise NotFound("没有该失败的外发记录")
    return Delivery.objects.get(pk=delivery_id)


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's messages read (all unread ones when no ids are given); returns the count."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def channel_create(
    *, actor, name: str, kind: str, region, department=None, address: str = "", secret: str = "", kinds=()
) -> NotificationChannel:
    """Configure an outbound channel (audited; the secret is stored encrypted)."""
    from gasguard.audit.services import audit_record
    from gasguard.core.errors import ValidationFailed

    errors = {}
    if kind not in ("email", "dingtalk", "wecom"):
        errors["kind"] = [f"未知渠道类型：{kind}"]
    if kind in ("dingtalk", "wecom") and not address.startswith(("http://", "https://")):
        errors["address"] = ["机器人渠道须填写 http(s) Webhook 地址"]
    if department is not None and not department.region_code.startswith(region.code):
        errors["department"] = ["部门不在该区划内"]
    if errors:
        raise ValidationFailed("通知渠道配置有误", errors=errors)
    with transaction.atomic():
        channel = NotificationChannel(
            name=name, kind=kind, region=region, department=department, address=address, kinds=list(kinds)
        )
        channel.secret = secret
        channel.save()
        audit_record(
            event_type="NOTIFICATION_CHANNEL_CREATED",
            object_type="notification_channel",
            object_id=channel.pk,
            actor=actor,
            region_code=channel.region_code,
            payload={"name": name, "kind": kind, "department": department.pk if department else None},
        )
    return channel
