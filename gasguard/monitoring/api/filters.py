"""Filters of the alarm and dead-letter lists (报警、死信), shared by the API and the pages: a bad
value is an error naming its field (400 on the API, shown next to the filter on a page), never
ignored or passed raw to the database."""

from datetime import datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from gasguard.core.errors import ValidationFailed
from gasguard.core.filters import parse_choice, parse_id
from gasguard.monitoring.choices import AlarmLevelChoices, AlarmStatusChoices, DeadLetterReasonChoices

ALARM_STATUSES = [("open", "未关闭"), *AlarmStatusChoices.choices]


def parse_since(value, field: str = "since", *, label: str = "起始时间") -> datetime | None:
    """An ISO 8601 time (2025-03-01T08:00, with or without offset) or a date (its 00:00, Asia/Shanghai)."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    try:
        moment = parse_datetime(text)
        if moment is None and (day := parse_date(text)) is not None:
            moment = datetime.combine(day, time.min)
    except ValueError:
        moment = None
    if moment is None:
        shown = text if len(text) <= 50 else text[:50] + "…"
        raise ValidationFailed(
            f"{label}应为时间（如 2025-03-01T08:00）或日期（如 2025-03-01），“{shown}”无效", field=field
        )
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _collect(errors: dict | None, parser, *args, **kwargs):
    """Parse one value: without `errors` (the API) a bad value raises; with it (a page) it is kept."""
    try:
        return parser(*args, **kwargs)
    except ValidationFailed as exc:
        if errors is None:
            raise
        errors.update(exc.errors)
        return None


def alarm_filters(params, *, errors: dict | None = None) -> dict:
    """The alarm list filters `status` (or `open`), `level` (1–4), `device` (id) and `since`,
    checked and in the form `selectors.alarm_list` reads. Every bad field is reported: kept in
    `errors` (a page), or one 400 naming them all (the API)."""
    found: dict[str, list[str]] = {} if errors is None else errors
    status = _collect(found, parse_choice, params.get("status"), "status", ALARM_STATUSES, label="状态")
    level = _collect(found, parse_choice, params.get("level"), "level", AlarmLevelChoices, label="等级")
    device = _collect(found, parse_id, params.get("device"), "device")
    since = _collect(found, parse_since, params.get("since"), "since")
    if errors is None and found:
        raise ValidationFailed("；".join(m for messages in found.values() for m in messages), errors=found)
    filters = {"status": status, "level": level, "device": device, "since": since and since.isoformat()}
    return {key: value for key, value in filters.items() if value is not None}


def dead_letter_reason(value, *, errors: dict | None = None) -> str | None:
    """The dead-letter list's `reason`: one of the rejection reasons, or None for all."""
    return _collect(errors, parse_choice, value, "reason", DeadLetterReasonChoices, label="原因")
