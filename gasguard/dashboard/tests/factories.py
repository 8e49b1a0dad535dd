"""Ledger rows for statistics tests, created directly (the figures only read the ledger)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from gasguard.hazards.models import Hazard

TZ = ZoneInfo("Asia/Shanghai")
_counter = {"n": 0}


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


def make_hazard(
    *,
    premises=None,
    enterprise=None,
    region_code: str | None = None,
    found: date,
    closed: date | None = None,
    deadline: date | None = None,
    severity: str = "general",
    category: str = "hose",
    lead: str = "fire",
    source: str = "inspection",
    supervised: bool | None = None,
    verifier=None,
    **extra,
) -> Hazard:
    """One hazard found on `found` (10:00 local), optionally closed on `closed`."""
    _counter["n"] += 1
    target = premises or enterprise
    fields = {
        "code": f"T{_counter['n']:06d}",
        "target_type": "premises" if premises else "enterprise",
        "premises": premises,
        "enterprise": enterprise if enterprise else (premises.enterprise if premises else None),
        "target_name": target.name if target else "测试对象",
        "region_code": region_code or target.region_code,
        "category": category,
        "title": "测试隐患",
        "description": "测试隐患描述",
        "severity": severity,
        "lead_department_kind": lead,
        "deadline": deadline or (found + timedelta(days=30)),
        "status": "closed" if closed else "pending",
        "source": source,
        "found_at": at(found),
        "closed_at": at(closed, 15) if closed else None,
        "is_supervised": severity == "major" if supervised is None else supervised,
    }
    if closed:
        fields["evidence_count"] = 1
        fields["verified_by"] = verifier or _verifier()
    fields.update(extra)
    return Hazard.objects.create(**fields)


def today() -> date:
    return timezone.localdate()


def _verifier():
    from gasguard.accounts.models import User

    user, _ = User.objects.get_or_create(username="stats_verifier", defaults={"real_name": "验收人"})
    return user
