"""Reads of public reports, always within the user's scope. Enterprise users see no reports."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from gasguard.accounts.choices import GOVERNMENT_ROLES
from gasguard.accounts.selectors import user_scope
from gasguard.core.errors import NotFound
from gasguard.tips.choices import DEFAULT_PUBLIC_REPLY, TipStatusChoices
from gasguard.tips.geo import bbox, haversine_m
from gasguard.tips.models import Reward, Tip
from gasguard.tips.security import normalize_code

T = TipStatusChoices


def _government_scope(user):
    scope = user_scope(user=user)
    if scope.is_global:
        return scope
    # The reported party must never see reports: only government roles with a region grant.
    if not scope.region_prefixes or not scope.has_role(*GOVERNMENT_ROLES):
        return None
    return scope


def can_see_tips(user) -> bool:
    return _government_scope(user) is not None


def tip_list(*, user, filters: dict | None = None) -> QuerySet:
    """Reports in the user's regions, newest first, with optional filters.

    filters: status, category, channel, region (code prefix), department, date_from, date_to
    (dates), q (code or target name).
    """
    scope = _government_scope(user)
    if scope is None:
        return Tip.objects.none()
    qs = scope.apply(Tip.objects.all()).select_related("region", "department")
    f = filters or {}
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("category"):
        qs = qs.filter(category=f["category"])
    if f.get("channel"):
        qs = qs.filter(channel=f["channel"])
    if f.get("region"):
        qs = qs.filter(region_code__startswith=f["region"])
    if f.get("department"):
        qs = qs.filter(department_id=f["department"])
    if f.get("mine"):
        from gasguard.accounts.selectors import user_departments

        qs = qs.filter(department__in=user_departments(user=user))
    tz = timezone.get_current_timezone()
    if f.get("date_from"):
        qs = qs.filter(created_at__gte=datetime.combine(f["date_from"], time.min, tzinfo=tz))
    if f.get("date_to"):
        qs = qs.filter(created_at__lt=datetime.combine(f["date_to"] + timedelta(days=1), time.min, tzinfo=tz))
    if f.get("q"):
        q = f["q"].strip()
        qs = qs.filter(
            Q(code__iexact=normalize_code(q) or q) | Q(target_name__icontains=q) | Q(address__icontains=q)
        )
    return qs


def tip_get(*, user, pk) -> Tip:
    """One report in scope, or NotFound (another district's report looks like a missing one)."""
    try:
        return tip_list(user=user).select_related("hazard", "verified_by", "duplicate_of").get(pk=pk)
    except (Tip.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("未找到该举报，或不在您的数据权限范围内") from exc


def duplicate_candidates(*, tip: Tip, user=None, limit: int = 10) -> list[dict]:
    """Possible duplicates: same premises, or within the radius and day window (50 m / 30 days).

    Each candidate carries why it matched and the distance in metres when both have a point.
    """
    radius = settings.GASGUARD_TIP_DEDUPE_RADIUS_M
    window = timedelta(days=settings.GASGUARD_TIP_DEDUPE_DAYS)
    base = Tip.objects.exclude(pk=tip.pk).exclude(status=T.DUPLICATE)
    if user is not None:
        scope = _government_scope(user)
        base = scope.apply(base) if scope is not None else base.none()
    base = base.filter(created_at__gte=tip.created_at - window, created_at__lte=tip.created_at + window)
    found: dict[int, dict] = {}
    if tip.premises_id:
        for other in base.filter(premises_id=tip.premises_id)[:limit]:
            found[other.pk] = {"tip": other, "reasons": ["同一场所"], "distance_m": None}
    if tip.target_name:
        for other in base.filter(
            target_name__iexact=tip.target_name.strip(), region_code__startswith=tip.region_code[:6]
        )[:limit]:
            found.setdefault(other.pk, {"tip": other, "reasons": [], "distance_m": None})["reasons"].append(
                "被举报对象同名"
            )
    if tip.has_location:
        min_lon, max_lon, min_lat, max_lat = bbox(tip.lon, tip.lat, radius)
        near = base.filter(lon__gte=min_lon, lon__lte=max_lon, lat__gte=min_lat, lat__lte=max_lat)
        for other in near[: limit * 5]:
            d = haversine_m(tip.lon, tip.lat, other.lon, other.lat)
            if d <= radius:
                entry = found.setdefault(other.pk, {"tip": other, "reasons": [], "distance_m": None})
                entry["reasons"].append(f"{settings.GASGUARD_TIP_DEDUPE_DAYS} 天内相距 {d:.0f} 米")
                entry["distance_m"] = round(d, 1)
    ranked = sorted(
        found.values(), key=lambda e: (e["distance_m"] is None, e["distance_m"] or 0, -e["tip"].pk)
    )
    return ranked[:limit]


def target_suggestions(*, tip: Tip, user, limit: int = 8) -> list[dict]:
    """Registry premises the report may be about: same name, or near the reported point."""
    from gasguard.registry.models import Premises

    scope = user_scope(user=user)
    qs = scope.apply(Premises.objects.all()).select_related("enterprise")
    out: dict[int, dict] = {}
    if tip.target_name:
        for p in qs.filter(name__icontains=tip.target_name.strip()[:50])[:limit]:
            out[p.pk] = {"premises": p, "distance_m": None}
    if tip.has_location:
        min_lon, max_lon, min_lat, max_lat = bbox(tip.lon, tip.lat, 300)
        for p in qs.filter(lon__gte=min_lon, lon__lte=max_lon, lat__gte=min_lat, lat__lte=max_lat)[
            : limit * 3
        ]:
            d = haversine_m(tip.lon, tip.lat, p.lon, p.lat)
            out.setdefault(p.pk, {"premises": p, "distance_m": None})["distance_m"] = round(d)
    return sorted(out.values(), key=lambda e: (e["distance_m"] is None, e["distance_m"] or 0))[:limit]


def reward_list(*, user, status: str = "") -> QuerySet:
    scope = _government_scope(user)
    if scope is None:
        return Reward.objects.none()
    qs = scope.apply(Reward.objects.all()).select_related("tip", "proposed_by", "approved_by")
    if status:
        qs = qs.filter(status=status)
    return qs


def reward_get(*, user, pk) -> Reward:
    try:
        return reward_list(user=user).get(pk=pk)
    except (Reward.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("未找到该奖励记录") from exc


# --- the reporter's view -----------------------------------------------------------------------


def tip_public_status(*, code: str) -> dict | None:
    """What the holder of a tracking code may read: progress and outcome, nothing personal.

    Returns None for a malformed or unknown code (the caller shows one generic message).
    """
    code = normalize_code(code)
    if not code:
        return None
    tip = Tip.objects.filter(code=code).select_related("region", "hazard", "department").first()
    if tip is None:
        return None
    steps = [
        {"at": h.created_at, "text": h.public_text}
        for h in tip.history.exclude(public_text="").order_by("created_at", "id")
    ]
    hazard = tip.hazard
    stage = tip.get_status_display()
    if tip.status == T.ASSIGNED:
        stage = "已受理，待核查"
    if tip.status == T.CONFIRMED and hazard is not None:
        if hazard.status == "closed":
            stage = "已查实，已整改销号"
            if hazard.closed_at:
                steps.append({"at": hazard.closed_at, "text": "隐患已整改销号"})
        else:
            stage = "已查实，隐患整改中"
    steps.sort(key=lambda s: s["at"])
    reward = getattr(tip, "reward", None) if hasattr(tip, "reward") else None
    reward_text = ""
    if reward is not None and reward.status in ("approved", "paid"):
        reward_text = "奖励已发放" if reward.status == "paid" else "奖励已审批，待发放"
    final = tip.status not in (T.RECEIVED, T.ASSIGNED, T.VERIFYING)
    return {
        "code": tip.code,
        "category": tip.get_category_display(),
        "submitted_at": tip.created_at,
        "region": tip.region.name if tip.region_id else "",
        "status": tip.status,
        "stage": stage,
        "closed": bool(hazard and hazard.status == "closed")
        or tip.status in (T.UNFOUNDED, T.DUPLICATE, T.NOT_ACCEPTED),
        "reply": (tip.public_reply or DEFAULT_PUBLIC_REPLY.get(tip.outcome, "")) if final else "",
        "steps": steps,
        "reward": reward_text,
    }


def tip_counts(*, user=None, region_code: str = "", start=None, end=None) -> dict:
    """Report figures for dashboards and monthly reports (received in [start, end) by region prefix).

    Returns received, by-status counts, confirmed, rewards proposed/approved/paid and the paid
    amount. With `user`, only that user's scope counts (enterprise users get zeros).
    """
    from django.db.models import Count, Sum

    qs = Tip.objects.all()
    if user is not None:
        scope = _government_scope(user)
        qs = scope.apply(qs) if scope is not None else qs.none()
    if region_code:
        qs = qs.filter(region_code__startswith=region_code)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lt=end)
    by_status = dict(qs.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    rewards = Reward.objects.filter(tip__in=qs)
    by_reward = dict(rewards.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    paid = rewards.filter(status="paid").aggregate(total=Sum("amount"))["total"] or 0
    return {
        "received": sum(by_status.values()),
        "by_status": {s: by_status.get(s, 0) for s in T.values},
        "open": sum(by_status.get(s, 0) for s in (T.RECEIVED, T.ASSIGNED, T.VERIFYING)),
        "confirmed": by_status.get(T.CONFIRMED, 0),
        "rewards": {s: by_reward.get(s, 0) for s in ("proposed", "approved", "paid", "rejected")},
        "reward_paid_amount": paid,
    }
