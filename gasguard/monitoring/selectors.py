"""Scoped reads for monitoring: every list, detail, chart and API query goes through here."""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import quantiles

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gasguard.accounts.selectors import user_scope
from gasguard.core.errors import NotFound
from gasguard.monitoring.choices import OPEN_STATUSES
from gasguard.monitoring.models import (
    Alarm,
    AlarmRule,
    DeadLetter,
    Device,
    MonitoredSpace,
    Reading,
    ReadingHourly,
)


def device_list(*, user, filters: dict | None = None) -> QuerySet[Device]:
    """Devices the user may see (region or owning enterprise), with filters q/type/state/enterprise."""
    scope = user_scope(user=user)
    qs = scope.apply(Device.objects.all(), enterprise_field="enterprise_id").select_related(
        "enterprise", "space", "facility", "premises"
    )
    f = filters or {}
    if q := (f.get("q") or "").strip():
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if f.get("type"):
        qs = qs.filter(device_type=f["type"])
    if f.get("state"):
        qs = qs.filter(state=f["state"])
    if str(f.get("enterprise") or "").isdigit():
        qs = qs.filter(enterprise_id=int(f["enterprise"]))
    if f.get("region"):
        qs = qs.filter(region_code__startswith=f["region"])
    return qs.order_by("region_code", "code")


def device_get(*, user, pk: int) -> Device:
    try:
        return device_list(user=user).get(pk=pk)
    except (Device.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("设备不存在，或不在您的数据权限范围内") from exc


def space_list(*, user) -> QuerySet[MonitoredSpace]:
    scope = user_scope(user=user)
    return scope.apply(MonitoredSpace.objects.select_related("facility"))


def map_points(*, user) -> list[dict]:
    """Devices with coordinates for the live map (small dicts, one query)."""
    return [
        {"id": d[0], "code": d[1], "name": d[2], "type": d[3], "state": d[4], "lon": d[5], "lat": d[6]}
        for d in device_list(user=user)
        .filter(lon__isnull=False, lat__isnull=False)
        .values_list("id", "code", "name", "device_type", "state", "lon", "lat")
    ]


def state_counts(*, user) -> dict[str, int]:
    return dict(device_list(user=user).order_by().values_list("state").annotate(n=Count("id")))


def readings(
    *, user, device: Device, metric: str | None, since: datetime, until: datetime, limit: int = 5000
):
    """Raw readings of a visible device in [since, until], oldest first (capped)."""
    qs = Reading.objects.filter(device_id=device.pk, ts__gte=since, ts__lte=until)
    if metric:
        qs = qs.filter(metric=metric)
    rows = list(qs.order_by("-ts").values_list("metric", "ts", "value")[:limit])
    rows.reverse()
    return rows


def hourly(*, user, device: Device, metric: str | None, since: datetime, until: datetime):
    qs = ReadingHourly.objects.filter(device_id=device.pk, hour__gte=since, hour__lte=until)
    if metric:
        qs = qs.filter(metric=metric)
    return list(qs.order_by("hour").values_list("metric", "hour", "vmin", "vmax", "vsum", "count"))


def rule_list(*, user) -> QuerySet[AlarmRule]:
    scope = user_scope(user=user)
    qs = AlarmRule.objects.select_related("device")
    if scope.is_global:
        return qs
    visible = device_list(user=user).values("pk")
    return qs.filter(Q(device__isnull=True) | Q(device__in=visible))


def alarm_list(*, user, filters: dict | None = None) -> QuerySet[Alarm]:
    scope = user_scope(user=user)
    qs = scope.apply(Alarm.objects.all(), enterprise_field="enterprise_id").select_related(
        "device", "rule", "enterprise"
    )
    f = filters or {}
    status = f.get("status")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if str(f.get("level") or "").isdigit():
        qs = qs.filter(level=int(f["level"]))
    if str(f.get("device") or "").isdigit():
        qs = qs.filter(device_id=int(f["device"]))
    if f.get("since"):
        from django.utils.dateparse import parse_datetime

        since = parse_datetime(str(f["since"]))
        if since is not None:
            qs = qs.filter(last_seen_at__gte=since if since.tzinfo else timezone.make_aware(since))
    return qs.order_by("-raised_at", "-id")


def alarm_get(*, user, pk: int) -> Alarm:
    try:
        return alarm_list(user=user).get(pk=pk)
    except (Alarm.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("报警不存在，或不在您的数据权限范围内") from exc


def dead_letter_list(*, user) -> QuerySet[DeadLetter]:
    """Dead letters: of devices in the user's regions, plus unattributed ones for centre roles."""
    scope = user_scope(user=user)
    if scope.is_global:
        return DeadLetter.objects.all()
    q = scope.q(region_field="region_code")
    if scope.has_role("taskforce_admin", "monitor_operator"):
        q |= Q(region_code="")
    if scope.enterprise_ids:
        codes = Device.objects.filter(enterprise_id__in=scope.enterprise_ids).values("code")
        q |= Q(device_code__in=codes)
    return DeadLetter.objects.filter(q)


def _pct(values: list[float], p: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(quantiles(values, n=100, method="inclusive")[p - 1], 1)


def response_stats(*, user, days: int = 30) -> list[dict]:
    """Per owning unit: alarms, ack / dispatch / arrival minutes (p50, p90) over the last `days`."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        alarm_list(user=user)
        .filter(raised_at__gte=since)
        .values_list(
            "enterprise_id",
            "enterprise__name",
            "raised_at",
            "acked_at",
            "dispatched_at",
            "arrived_at",
            "judgement",
        )
    )
    units: dict[int, dict] = {}
    for ent_id, name, raised, acked, dispatched, arrived, judgement in rows:
        u = units.setdefault(
            ent_id,
            {
                "enterprise_id": ent_id,
                "enterprise": name,
                "alarms": 0,
                "real": 0,
                "false": 0,
                "_ack": [],
                "_dispatch": [],
                "_arrive": [],
            },
        )
        u["alarms"] += 1
        if judgement in ("real", "false"):
            u[judgement] += 1
        if acked:
            u["_ack"].append((acked - raised).total_seconds() / 60)
        if dispatched:
            u["_dispatch"].append((dispatched - raised).total_seconds() / 60)
        if arrived and dispatched:
            u["_arrive"].append((arrived - dispatched).total_seconds() / 60)
    out = []
    for u in units.values():
        for key in ("ack", "dispatch", "arrive"):
            values = u.pop(f"_{key}")
            u[f"{key}_n"] = len(values)
            u[f"{key}_p50_min"] = _pct(values, 50)
            u[f"{key}_p90_min"] = _pct(values, 90)
        out.append(u)
    return sorted(out, key=lambda u: -u["alarms"])
