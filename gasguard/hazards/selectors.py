"""Reads of the hazard ledger (隐患台账), always restricted to what the user may see.

The UI list, the API, the Excel export and the totals all start from `hazard_list`, so a
figure on the page, in the API and in the spreadsheet is the same figure.
"""

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from gasguard.accounts.selectors import user_scope
from gasguard.core.errors import NotFound
from gasguard.core.listing import prefix_range
from gasguard.hazards.choices import (
    OPEN_STATUSES,
    HazardStatusChoices,
    ReferralStatusChoices,
)
from gasguard.hazards.models import (
    EnforcementAction,
    Hazard,
    HazardReferral,
    RevisitSample,
)
from gasguard.rules.choices import SeverityChoices


def _referral_department_ids(user) -> tuple[int, ...]:
    """Departments the user belongs to (cached on the user), for referrals sent to them."""
    cached = getattr(user, "_gasguard_dept_ids", None)
    if cached is None:
        if not getattr(user, "is_authenticated", False):
            cached = ()
        else:
            cached = tuple(
                user.memberships.filter(is_active=True, department__isnull=False).values_list(
                    "department_id", flat=True
                )
            )
        user._gasguard_dept_ids = cached
    return cached


def hazard_scope_q(*, user) -> Q | None:
    """The filter of hazards a user may see; None means everything (superuser)."""
    scope = user_scope(user=user)
    if scope.is_global:
        return None
    q = Q(pk__in=[])
    for prefix in scope.region_prefixes:
        q |= Q(**prefix_range("region_code", prefix))  # index-friendly form of startswith
    if scope.enterprise_ids:
        q |= Q(enterprise_id__in=scope.enterprise_ids)
    departments = _referral_department_ids(user) if scope.region_prefixes else ()
    if departments:
        # A receiving department sees what was referred to it (移送), even outside its region.
        # The few referred ids are fetched first so the main query stays an index range scan.
        outside = Q(pk__in=[])
        for prefix in scope.region_prefixes:
            outside |= Q(**prefix_range("region_code", prefix))
        referred = list(
            HazardReferral.objects.filter(to_department_id__in=departments)
            .exclude(status=ReferralStatusChoices.RETURNED)
            .exclude(outside)
            .values_list("hazard_id", flat=True)[:5000]
        )
        if referred:
            q |= Q(pk__in=referred)
    return q


def hazard_visible(*, user) -> QuerySet:
    """Every hazard the user may see, unannotated."""
    q = hazard_scope_q(user=user)
    qs = Hazard.objects.all()
    return qs if q is None else qs.filter(q)


def overdue_q(today=None) -> Q:
    """Overdue (逾期) is derived: past the deadline and not yet closed."""
    today = today or timezone.localdate()
    return Q(deadline__lt=today) & ~Q(status=HazardStatusChoices.CLOSED)


def annotate_overdue(qs: QuerySet, today=None) -> QuerySet:
    return qs.annotate(
        is_overdue=Case(
            When(overdue_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def hazard_ordering(filters) -> tuple[str, ...]:
    """List order: newest first; the overdue list by deadline (longest overdue first).

    Overdue hazards are the old ones, so walking the found_at index from the newest row would
    read most of a district before finding a page of them."""
    if filters is not None and filters.get("overdue") == "1":
        return ("deadline", "id")
    return ("-found_at", "-id")


def hazard_list(*, user, filters: dict | None = None) -> QuerySet:
    """The scoped ledger, filtered (see HazardFilterSet) and annotated with `is_overdue`."""
    from gasguard.hazards.filtersets import HazardFilterSet

    qs = hazard_visible(user=user)
    if filters is not None:
        fs = HazardFilterSet(filters, queryset=qs, user=user)
        qs = fs.qs
    return annotate_overdue(qs).select_related("lead_department", "supervisor")


def hazard_get(*, user, hazard_id) -> Hazard:
    """One hazard the user may see, or NotFound (another district's hazard by id is a 404)."""
    try:
        return (
            annotate_overdue(hazard_visible(user=user))
            .select_related(
                "lead_department",
                "supervisor",
                "premises",
                "enterprise",
                "facility",
                "found_by",
                "rectified_by",
                "verified_by",
                "reappeared_from",
            )
            .get(pk=hazard_id)
        )
    except (Hazard.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("隐患不存在，或不在您的数据权限范围内") from exc


def hazard_totals(*, qs: QuerySet, today=None) -> dict:
    """Totals that add up: by status, by severity and overdue, computed in one query."""
    today = today or timezone.localdate()
    aggregates = {"total": Count("pk")}
    for status in HazardStatusChoices:
        aggregates[f"status_{status.value}"] = Count("pk", filter=Q(status=status))
    for severity in SeverityChoices:
        aggregates[f"severity_{severity.value}"] = Count("pk", filter=Q(severity=severity))
    aggregates["overdue"] = Count("pk", filter=overdue_q(today))
    aggregates["overdue_major"] = Count("pk", filter=overdue_q(today) & Q(severity=SeverityChoices.MAJOR))
    aggregates["supervised_open"] = Count("pk", filter=Q(is_supervised=True, status__in=OPEN_STATUSES))
    aggregates["reappeared"] = Count("pk", filter=Q(reappeared_from__isnull=False))
    row = qs.order_by().aggregate(**aggregates)
    return {
        "total": row["total"],
        "by_status": [
            {"value": s.value, "label": s.label, "count": row[f"status_{s.value}"]}
            for s in HazardStatusChoices
        ],
        "by_severity": [
            {"value": s.value, "label": s.label, "count": row[f"severity_{s.value}"]} for s in SeverityChoices
        ],
        "open": sum(row[f"status_{s.value}"] for s in OPEN_STATUSES),
        "closed": row[f"status_{HazardStatusChoices.CLOSED.value}"],
        "overdue": row["overdue"],
        "overdue_major": row["overdue_major"],
        "not_overdue_open": sum(row[f"status_{s.value}"] for s in OPEN_STATUSES) - row["overdue"],
        "supervised_open": row["supervised_open"],
        "reappeared": row["reappeared"],
    }


def referral_list(*, user, status: str | None = None) -> QuerySet:
    """Referrals the user may see: those of hazards in scope, and those sent to their department."""
    scope = user_scope(user=user)
    qs = HazardReferral.objects.select_related("hazard", "from_department", "to_department", "referred_by")
    if not scope.is_global:
        q = scope.q(region_field="region_code", enterprise_field="hazard__enterprise_id")
        departments = _referral_department_ids(user)
        if departments:
            q |= Q(to_department_id__in=departments)
        qs = qs.filter(q)
    if status:
        qs = qs.filter(status=status)
    return qs


def referral_get(*, user, referral_id) -> HazardReferral:
    try:
        return referral_list(user=user).get(pk=referral_id)
    except (HazardReferral.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("移送记录不存在，或不在您的数据权限范围内") from exc


def enforcement_list(*, user, kind: str | None = None) -> QuerySet:
    """Enforcement records of hazards the user may see."""
    scope = user_scope(user=user)
    qs = EnforcementAction.objects.select_related("hazard", "department", "actor")
    qs = scope.apply(qs, region_field="region_code", enterprise_field="hazard__enterprise_id")
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def enforcement_totals(*, qs: QuerySet) -> dict:
    """Count per kind and the sum of fines (罚款) for the given records."""
    row = qs.order_by().aggregate(total=Count("pk"), fines=Sum("fine_amount"))
    by_kind = {r["kind"]: r["n"] for r in qs.order_by().values("kind").annotate(n=Count("pk"))}
    return {"total": row["total"], "fines": row["fines"] or 0, "by_kind": by_kind}


def revisit_list(*, user, status: str | None = None, due_only: bool = False) -> QuerySet:
    """回头看 samples of hazards the user may see."""
    scope = user_scope(user=user)
    qs = RevisitSample.objects.select_related("hazard", "revisited_by", "new_hazard")
    qs = scope.apply(qs, region_field="region_code", enterprise_field="hazard__enterprise_id")
    if status:
        qs = qs.filter(status=status)
    if due_only:
        qs = qs.filter(due_on__lte=timezone.localdate())
    return qs


def revisit_get(*, user, sample_id) -> RevisitSample:
    try:
        return revisit_list(user=user).get(pk=sample_id)
    except (RevisitSample.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("回头看记录不存在，或不在您的数据权限范围内") from exc
