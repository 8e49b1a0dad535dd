"""Reads of the hazard ledger (隐患台账), always restricted to what the user may see.

The UI list, the API, the Excel export and the totals all start from `hazard_list`, so a
figure on the page, in the API and in the spreadsheet is the same figure.
"""

from datetime import timedelta

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Subquery, Sum, Value, When
from django.utils import timezone

from gasguard.accounts.selectors import user_scope
from gasguard.core.errors import NotFound, ValidationFailed
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


def hazard_scope_q(*, user, referred: list[int] | Subquery | None = None) -> Q | None:
    """The filter of hazards a user may see; None means everything (superuser).

    `referred` is `referred_outside(user=user)` when the caller has already looked it up."""
    scope = user_scope(user=user)
    if scope.is_global:
        return None
    q = Q(pk__in=[])
    for prefix in scope.region_prefixes:
        q |= Q(**prefix_range("region_code", prefix))  # index-friendly form of startswith
    if scope.enterprise_ids:
        q |= Q(enterprise_id__in=scope.enterprise_ids)
    if referred is None:
        referred = referred_outside(user=user)
    if referred:
        q |= Q(pk__in=referred)
    return q


# Above this many referred hazards `referred_outside` answers with a subquery instead of ids.
REFERRED_LIST_MAX = 5000


def referred_outside(*, user) -> list[int] | Subquery:
    """Hazards referred (移送) to the user's departments from outside the user's regions.

    One query; ids, or past REFERRED_LIST_MAX of them a Subquery (truthy, usable in `pk__in`).
    A page that needs both the visible ledger and its totals looks it up once and
    passes it to `hazard_visible` and `hazard_totals_for`."""
    scope = user_scope(user=user)
    departments = _referral_department_ids(user) if scope.region_prefixes else ()
    if not departments:
        return []
    # A receiving department sees what was referred to it, even outside its region. The few
    # referred ids are fetched first so the main query stays an index range scan.
    outside = Q(pk__in=[])
    for prefix in scope.region_prefixes:
        outside |= Q(**prefix_range("region_code", prefix))
    received = (
        HazardReferral.objects.filter(to_department_id__in=departments)
        .exclude(status=ReferralStatusChoices.RETURNED)
        .exclude(outside)
    )
    ids = list(received.values_list("hazard_id", flat=True)[: REFERRED_LIST_MAX + 1])
    if len(ids) > REFERRED_LIST_MAX:
        # Too many for a literal list: the same set as a subquery (never a truncated list,
        # which would silently hide referred hazards from the receiving department).
        return Subquery(received.values("hazard_id"))
    return ids


def cube_prefixes(
    *, user, region: str = "", referred: list[int] | Subquery | None = None
) -> tuple[str, ...] | None:
    """Region prefixes whose hazards are exactly what the user sees inside `region`, or None
    when the visible set is not a union of regions (enterprise users, referrals received from
    outside, the superuser's view is ('',)). `referred` as in `hazard_scope_q`."""
    scope = user_scope(user=user)
    if not scope.is_global:
        if scope.enterprise_ids or not scope.region_prefixes:
            return None
        if referred is None:
            referred = referred_outside(user=user)
        if referred:
            return None
    if scope.is_global or (region and scope.covers_region(region)):
        return (region,)
    prefixes = sorted(p for p in scope.region_prefixes if p.startswith(region))
    # Drop prefixes inside another one, so no hazard is counted twice.
    return tuple(p for p in prefixes if not any(p != o and p.startswith(o) for o in prefixes))


def hazard_visible(*, user, referred: list[int] | Subquery | None = None) -> QuerySet:
    """Every hazard the user may see, unannotated (`referred` as in `hazard_scope_q`)."""
    q = hazard_scope_q(user=user, referred=referred)
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
    return _totals_result(qs.order_by().aggregate(**aggregates))


# Filters the count cube can answer (with at most one of the breakdown filters), see rollup.py.
CUBE_CELL_FILTERS = ("status", "severity", "supervised", "reappeared")
CUBE_BREAKDOWN_FILTERS = {
    "category": "category",
    "source": "source",
    "target_type": "target_type",
    "department": "lead_department_id",
}


def hazard_totals_for(*, user, filterset, today=None, referred: list[int] | Subquery | None = None) -> dict:
    """Ledger totals for the user's scope and the values of a HazardFilterSet the caller has
    already parsed (unbound: no filters; invalid: ValidationFailed naming each bad field).

    From the count cube (PostgreSQL, rollup.py) when the filters are ones it holds — region,
    status, severity, 逾期, 挂牌督办, 改后反弹 and one of category/source/target type/department;
    otherwise from the ledger itself. Both give the same figures (tests/test_rollup.py).
    Overdue moves with the date, so it is not in the cube's totals: it is the open hazards due
    before this week's Monday ('due_week' cells) plus those due since, from the partial
    open-deadline index; with a breakdown filter (no 'due_week' cells) it is open − not yet due,
    "not yet due" (open, deadline today or later) read from the same index. `referred` as in
    `hazard_scope_q`."""
    from gasguard.hazards import rollup

    if filterset.is_bound and not filterset.is_valid():
        errors = {
            name: [e["message"] for e in errs] for name, errs in filterset.errors.get_json_data().items()
        }
        message = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
        raise ValidationFailed(message, errors=errors)
    today = today or timezone.localdate()
    if referred is None:
        referred = referred_outside(user=user)
    parsed = filterset.form.cleaned_data if filterset.is_bound else {}
    active = {k: v for k, v in parsed.items() if v not in ("", None, [])}
    region = active.pop("region", "")
    overdue = active.pop("overdue", None)
    breakdown = [k for k in active if k in CUBE_BREAKDOWN_FILTERS]
    digits = rollup.BREAKDOWN_DIGITS if breakdown else rollup.TOTALS_DIGITS
    usable = (
        rollup.enabled()
        and set(active) <= set(CUBE_CELL_FILTERS) | set(CUBE_BREAKDOWN_FILTERS)
        and len(breakdown) <= 1
        and (region == "" or region.isdigit())
        and len(region) <= digits
    )
    prefixes = cube_prefixes(user=user, region=region, referred=referred) if usable else None
    if prefixes is None or any(len(p) > digits for p in prefixes):
        visible = hazard_visible(user=user, referred=referred)
        qs = filterset.filter_queryset(visible) if filterset.is_bound else visible
        return hazard_totals(qs=qs, today=today)
    where, params, cell_q = [], [], Q()
    if active.get("status"):
        statuses = list(active["status"])
        where.append("status = ANY(%s)")
        params.append(statuses)
        cell_q &= Q(status__in=statuses)
    if active.get("severity"):
        where.append("severity = %s")
        params.append(active["severity"])
        cell_q &= Q(severity=active["severity"])
    if active.get("supervised"):
        where.append("is_supervised = %s")
        params.append(active["supervised"] == "1")
        cell_q &= Q(is_supervised=active["supervised"] == "1")
    if active.get("reappeared"):
        where.append("reappeared = %s")
        params.append(active["reappeared"] == "1")
        cell_q &= Q(reappeared_from__isnull=active["reappeared"] != "1")
    dim = ""
    if breakdown:
        name = breakdown[0]
        dim = CUBE_BREAKDOWN_FILTERS[name]
        where.append("value = %s")
        params.append(str(active[name]))
        cell_q &= Q(**{dim: active[name]})
    keyed = ("status", "severity", "is_supervised", "reappeared")
    use_due_weeks = not breakdown and all(len(p) <= rollup.BREAKDOWN_DIGITS for p in prefixes)
    monday = today - timedelta(days=today.weekday())
    # One read: the cells of the filters and, without a breakdown, the open hazards due before
    # this week's Monday ('due_week' cells), which are overdue whatever day of the week it is.
    dims, cube_where, cube_params = (dim,), list(where), list(params)
    if use_due_weeks:
        dims = ("", "due_week")
        cube_where.append("(dim = '' OR value < %s)")
        cube_params.append(monday.isoformat())
    cells: dict[tuple, int] = {}
    overdue_cells: dict[tuple, int] = {}
    for prefix in prefixes:
        for r in rollup.cube_sum(
            region_prefix=prefix,
            dims=dims,
            group=("dim", *keyed),
            where=" AND ".join(cube_where),
            params=cube_params,
        ):
            key = tuple(r[g] for g in keyed)
            target = overdue_cells if r["dim"] == "due_week" else cells
            target[key] = target.get(key, 0) + r["n"]
    region_q = Q() if "" in prefixes else Q(pk__in=[])
    for prefix in prefixes if "" not in prefixes else ():
        region_q |= Q(**prefix_range("region_code", prefix))
    reappeared = Case(When(reappeared_from__isnull=False, then=Value(True)), default=Value(False))
    open_live = Hazard.objects.filter(region_q, cell_q).exclude(status=HazardStatusChoices.CLOSED)
    if use_due_weeks:
        # ... plus those due from Monday up to yesterday (a few days of deadlines, from the index).
        for r in (
            open_live.filter(deadline__gte=monday, deadline__lt=today)
            .annotate(reappeared=reappeared)
            .order_by()
            .values(*keyed)
            .annotate(n=Count("pk"))
        ):
            key = tuple(r[g] for g in keyed)
            overdue_cells[key] = overdue_cells.get(key, 0) + r["n"]
    else:
        # No 'due_week' cells for breakdowns: overdue = open − not yet due.
        not_due = {
            tuple(r[g] for g in keyed): r["n"]
            for r in open_live.filter(deadline__gte=today)
            .annotate(reappeared=reappeared)
            .order_by()
            .values(*keyed)
            .annotate(n=Count("pk"))
        }
        overdue_cells = {
            key: n - not_due.get(key, 0) for key, n in cells.items() if key[0] != HazardStatusChoices.CLOSED
        }
    if overdue == "1":
        cells = overdue_cells
    elif overdue == "0":
        cells = {key: n - overdue_cells.get(key, 0) for key, n in cells.items()}
    row = dict.fromkeys(
        ["total", "supervised_open", "reappeared"]
        + [f"status_{s.value}" for s in HazardStatusChoices]
        + [f"severity_{s.value}" for s in SeverityChoices],
        0,
    )
    for (status, severity, supervised, reappeared), n in cells.items():
        row["total"] += n
        row[f"status_{status}"] = row.get(f"status_{status}", 0) + n
        row[f"severity_{severity}"] = row.get(f"severity_{severity}", 0) + n
        row["supervised_open"] += n if supervised and status in OPEN_STATUSES else 0
        row["reappeared"] += n if reappeared else 0
    if overdue == "0":
        row["overdue"] = row["overdue_major"] = 0
    else:
        row["overdue"] = sum(overdue_cells.values())
        row["overdue_major"] = sum(n for k, n in overdue_cells.items() if k[1] == SeverityChoices.MAJOR)
    return _totals_result(row)


def _totals_result(row: dict) -> dict:
    open_count = sum(row[f"status_{s.value}"] for s in OPEN_STATUSES)
    return {
        "total": row["total"],
        "by_status": [
            {"value": s.value, "label": s.label, "count": row[f"status_{s.value}"]}
            for s in HazardStatusChoices
        ],
        "by_severity": [
            {"value": s.value, "label": s.label, "count": row[f"severity_{s.value}"]} for s in SeverityChoices
        ],
        "open": open_count,
        "closed": row[f"status_{HazardStatusChoices.CLOSED.value}"],
        "overdue": row["overdue"],
        "overdue_major": row["overdue_major"],
        "not_overdue_open": open_count - row["overdue"],
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
