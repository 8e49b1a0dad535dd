"""Statistics of the campaign (统计看板): scoped aggregate queries over the ledger and its sources.

Every figure on the dashboard, in the API and in the monthly report (月度工作进展报告) comes
from these functions, so a number means the same thing wherever it is shown. All queries are
aggregates (COUNT … FILTER / GROUP BY on region-code prefixes); no function loops over rows.

Definitions, for a period [start, end] (dates, Asia/Shanghai) and its closing instant
`as_of` = end + 1 day 00:00 (or now, for a period that has not ended):
- found (排查发现): found_at in [start, as_of)
- found_closed (已整改): found in the period and closed before as_of; rectification rate = found_closed / found
- closed (销号): closed_at in [start, as_of), whenever found
- open (未销号): found before as_of and not closed before as_of (动态清零 means open → 0)
- overdue (逾期): open at as_of and deadline before the as_of date
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr, TruncMonth, TruncWeek
from django.utils import timezone

from gasguard.core.errors import NotFound
from gasguard.core.listing import prefix_range
from gasguard.core.scope import Scope
from gasguard.dashboard import sources
from gasguard.hazards.choices import HazardSourceChoices, HazardStatusChoices, HazardTargetTypeChoices
from gasguard.hazards.models import Hazard
from gasguard.org.choices import REGION_CODE_LENGTH, DepartmentKindChoices
from gasguard.org.models import Region
from gasguard.rules.choices import CategoryChoices, SeverityChoices

MEASURES = (
    "found",
    "found_closed",
    "closed",
    "open",
    "overdue",
    "supervised_open",
    "total",
    "major_found",
    "major_found_closed",
    "major_open",
)
DIMENSIONS = {
    "lead_department_id": None,
    "category": CategoryChoices,
    "severity": SeverityChoices,
    "lead_department_kind": DepartmentKindChoices,
    "source": HazardSourceChoices,
    "target_type": HazardTargetTypeChoices,
}
MAJOR = SeverityChoices.MAJOR
MAX_CODE = 15
MAX_CUBE_CHILD = 9  # the cube's totals are per street (rollup.TOTALS_DIGITS)


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_start(day: date) -> datetime:
    """00:00 of a local calendar day as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=local_tz())


@dataclass(frozen=True)
class Period:
    """A statistics period: inclusive local dates; None = open-ended."""

    start: date | None = None
    end: date | None = None

    def start_at(self) -> datetime | None:
        return day_start(self.start) if self.start else None

    def as_of(self, now: datetime | None = None) -> datetime:
        """The instant the figures are taken at: the end of `end`, or now if that is later."""
        now = now or timezone.now()
        if self.end is None:
            return now
        return min(day_start(self.end + timedelta(days=1)), now)

    def as_of_date(self, now: datetime | None = None) -> date:
        return timezone.localtime(self.as_of(now), local_tz()).date()

    def last_day(self, now: datetime | None = None) -> date:
        """The last calendar day the figures include."""
        return timezone.localtime(self.as_of(now) - timedelta(microseconds=1), local_tz()).date()

    def is_complete(self, now: datetime | None = None) -> bool:
        """Whether the period has ended (all its days are in the past)."""
        now = now or timezone.now()
        return self.end is not None and day_start(self.end + timedelta(days=1)) <= now


# --- regions ---------------------------------------------------------------------------------


def region_prefix_q(field: str, code: str) -> Q:
    """Rows whose region code starts with `code`, written as a range as well so PostgreSQL can
    use a plain btree index whatever the collation (codes are digits only)."""
    if not code:
        return Q()
    return Q(
        **{f"{field}__gte": code, f"{field}__lte": code.ljust(MAX_CODE, "9"), f"{field}__startswith": code}
    )


def default_region_code(scope: Scope) -> str:
    """The region a user's dashboard opens on: their (first) region, or everything."""
    if scope.is_global or not scope.region_prefixes:
        return ""
    return scope.region_prefixes[0]


def resolve_region(*, scope: Scope, code: str | None) -> Region | None:
    """The requested region if the user may see it; None means "all regions" (global users or
    enterprise users, whose figures are already limited to their enterprise)."""
    code = (code or "").strip()
    if not code:
        code = default_region_code(scope)
    if not code:
        if scope.is_global or scope.enterprise_ids:
            return None
        raise NotFound("没有可查看的区划")
    if not code.isdigit() or not scope.covers_region(code):
        raise NotFound("未找到该区划，或不在您的数据权限范围内。")
    region = Region.objects.filter(code=code).select_related("parent").first()
    if region is None:
        raise NotFound("未找到该区划，或不在您的数据权限范围内。")
    return region


def breadcrumb(*, scope: Scope, region: Region | None) -> list[dict]:
    """Ancestors of a region the user may open (from the top of their scope down)."""
    if region is None:
        return []
    codes = [region.code[:n] for n in sorted(set(REGION_CODE_LENGTH.values())) if n <= len(region.code)]
    rows = Region.objects.filter(code__in=codes).order_by("level").values("code", "name")
    return [r for r in rows if scope.covers_region(r["code"])]


def child_regions(region: Region | None) -> QuerySet:
    if region is None:
        return Region.objects.filter(parent__isnull=True).order_by("code")
    return region.children.order_by("code")


def child_code_length(region: Region | None) -> int:
    """Length of the codes one level below `region` (skipping levels that have no regions)."""
    if region is None:
        return REGION_CODE_LENGTH[1]
    child = region.children.order_by("code").values_list("code", flat=True).first()
    if child:
        return len(child)
    lengths = sorted(v for v in REGION_CODE_LENGTH.values() if v > len(region.code))
    return lengths[0] if lengths else len(region.code)


# --- the ledger ------------------------------------------------------------------------------


def in_region(
    queryset: QuerySet, *, scope: Scope, region_code: str, field: str = "region_code", enterprise_field=None
) -> QuerySet:
    """Rows of a region the user may see. When the whole region lies inside the user's scope the
    region filter alone is the scope (one indexed range instead of two prefix matches)."""
    if not (region_code and scope.covers_region(region_code) and not scope.is_global):
        queryset = scope.apply(queryset, region_field=field, enterprise_field=enterprise_field)
    return queryset.filter(region_prefix_q(field, region_code))


def hazard_scope_qs(*, scope: Scope, region_code: str) -> QuerySet:
    """Hazards the user may see inside one region (the base of every hazard figure)."""
    return in_region(
        Hazard.objects.all(), scope=scope, region_code=region_code, enterprise_field="enterprise_id"
    )


def _measure_filters(period: Period, now: datetime | None = None) -> dict[str, Q]:
    as_of = period.as_of(now)
    start = period.start_at()
    as_of_day = timezone.localtime(as_of, local_tz()).date()
    in_period = Q(found_at__lt=as_of) & (Q(found_at__gte=start) if start else Q())
    closed_by = Q(closed_at__lt=as_of)
    open_q = Q(found_at__lt=as_of) & (Q(closed_at__isnull=True) | Q(closed_at__gte=as_of))
    closed_in = closed_by & (Q(closed_at__gte=start) if start else Q())
    return {
        "found": in_period,
        "found_closed": in_period & closed_by,
        "closed": closed_in,
        "open": open_q,
        "overdue": open_q & Q(deadline__lt=as_of_day),
        "supervised_open": open_q & Q(is_supervised=True),
        "total": Q(found_at__lt=as_of),
        "major_found": in_period & Q(severity=MAJOR),
        "major_found_closed": in_period & closed_by & Q(severity=MAJOR),
        "major_open": open_q & Q(severity=MAJOR),
    }


def _annotations(period: Period, now: datetime | None = None, prefix: str = "") -> dict:
    return {f"{prefix}{name}": Count("id", filter=q) for name, q in _measure_filters(period, now).items()}


def _empty() -> dict[str, int]:
    return dict.fromkeys(MEASURES, 0)


def _rates(row: dict) -> dict:
    row["rectification_rate"] = _pct(row["found_closed"], row["found"])
    row["major_cleared_rate"] = _pct(row["major_found_closed"], row["major_found"])
    return row


def _pct(part: int | float, whole: int | float) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    if not whole:
        return None
    return round(100.0 * part / whole, 1)


def hazard_groupings(
    *, qs: QuerySet, period: Period, now: datetime | None = None, child_length: int | None = None
) -> dict:
    """One scan of the ledger grouped by each breakdown dimension (and by child region).

    On PostgreSQL this is a single `GROUP BY GROUPING SETS ((category), (severity), …, ())`,
    so the dashboard reads a million-row ledger once; elsewhere one GROUP BY per dimension.
    Returns {"total": measures, "<dimension>": {key: measures}, "child": {code: measures}}.
    """
    from django.db import connection
    from django.db.models import F, Value
    from django.db.models.functions import Coalesce

    base = qs.filter(found_at__lt=period.as_of(now)).order_by()
    ann = _annotations(period, now)
    # Coalesce so a real NULL never looks like "not this grouping set".
    dims = {d: F(d) for d in DIMENSIONS if d != "lead_department_id"}
    dims["lead_department_id"] = Coalesce(F("lead_department_id"), Value(0))
    if child_length:
        dims["child"] = Substr("region_code", 1, child_length)
    names = list(dims)
    aliased = base.annotate(**{f"g_{n}": expr for n, expr in dims.items()})
    out: dict = {n: {} for n in names}
    out["total"] = _empty()
    if connection.vendor == "postgresql":
        import re

        # Inner: one (parallelisable) GROUP BY over every dimension with the FILTERed counts;
        # outer: GROUPING SETS over that small cube, so each ledger row is evaluated once.
        inner = aliased.values(*[f"g_{n}" for n in names]).annotate(**ann)
        sql, params = inner.query.sql_with_params()
        if re.search(r" GROUP BY [0-9, ]+$", sql):
            cols = ", ".join(f'"g_{n}"' for n in names)
            sums = ", ".join(f'SUM("{m}")::bigint AS "{m}"' for m in MEASURES)
            sets = ", ".join(f'("g_{n}")' for n in names)
            outer = f"SELECT {cols}, {sums} FROM ({sql}) AS cube GROUP BY GROUPING SETS ({sets}, ())"
            with connection.cursor() as cursor:
                cursor.execute(outer, params)
                columns = [c.name for c in cursor.description]
                rows = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
            for row in rows:
                keys = [n for n in names if row[f"g_{n}"] is not None]
                measures = {m: int(row[m] or 0) for m in MEASURES}
                if not keys:
                    out["total"] = measures
                else:
                    out[keys[0]][row[f"g_{keys[0]}"]] = measures
            return out
    for n in names:
        for row in aliased.values(f"g_{n}").annotate(**ann):
            out[n][row.pop(f"g_{n}")] = {m: row[m] for m in MEASURES}
    out["total"] = {m: v or 0 for m, v in base.aggregate(**ann).items()}
    return out


# --- the count cube (PostgreSQL): the same figures without scanning the ledger ----------------


def _cube_usable(
    *, scope: Scope, region_code: str, period: Period, now=None, digits: int | None = None
) -> bool:
    """Whether the hazard figures of this region and period can come from the count cube
    (gasguard/hazards/rollup.py): figures as of now over the whole history, a region no finer
    than the cube's cells, and a scope that covers the whole region (so the region is the scope)."""
    from gasguard.hazards import rollup

    return (
        rollup.enabled()
        and now is None
        and period.start is None
        and (period.end is None or period.end >= timezone.localdate())
        and len(region_code) <= (digits or rollup.BREAKDOWN_DIGITS)
        and (scope.is_global or bool(region_code and scope.covers_region(region_code)))
    )


def _add_cell(acc: dict, status: str, severity: str, supervised: bool, n: int) -> None:
    """Add n hazards of one cube cell to the measures of the default period (everything up to now)."""
    closed = status == HazardStatusChoices.CLOSED
    acc["found"] += n
    acc["total"] += n
    if severity == MAJOR:
        acc["major_found"] += n
        acc["major_found_closed" if closed else "major_open"] += n
    if closed:
        acc["found_closed"] += n
        acc["closed"] += n
    else:
        acc["open"] += n
        acc["overdue"] += n  # minus the not-yet-due ones below
        if supervised:
            acc["supervised_open"] += n


def _not_due(*, region_code: str, group: dict) -> list[dict]:
    """Open hazards whose deadline is today or later, counted per `group` (partial index).

    Overdue is open − these rather than a count of overdue rows: the not-yet-due hazards are the
    recent ones, the overdue backlog grows with the campaign (docs/ledger.md)."""
    qs = Hazard.objects.filter(deadline__gte=timezone.localdate()).exclude(status=HazardStatusChoices.CLOSED)
    if region_code:
        qs = qs.filter(**prefix_range("region_code", region_code))
    return list(qs.annotate(**group).order_by().values(*group).annotate(n=Count("id")))


def cube_groupings(*, region_code: str, child_length: int | None = None) -> dict:
    """hazard_groupings() of the default period, from the count cube: same shape, same numbers."""
    from django.db.models import F, Value
    from django.db.models.functions import Coalesce

    from gasguard.hazards import rollup

    names = [*DIMENSIONS, *(["child"] if child_length else [])]
    out: dict = {n: {} for n in names}
    out["total"] = _empty()
    cell = ("status", "severity", "is_supervised")
    group = (("child",) if child_length else ()) + cell
    for r in rollup.cube_sum(region_prefix=region_code, dims=("",), group=group, child_length=child_length):
        _add_cell(out["total"], r["status"], r["severity"], r["is_supervised"], r["n"])
        _add_cell(
            out["severity"].setdefault(r["severity"], _empty()),
            r["status"],
            r["severity"],
            r["is_supervised"],
            r["n"],
        )
        if child_length:
            _add_cell(
                out["child"].setdefault(r["child"], _empty()),
                r["status"],
                r["severity"],
                r["is_supervised"],
                r["n"],
            )
    for r in rollup.cube_sum(
        region_prefix=region_code, dims=rollup.BREAKDOWNS, group=("dim", "value", *cell)
    ):
        key = (int(r["value"]) if r["value"] else 0) if r["dim"] == "lead_department_id" else r["value"]
        _add_cell(
            out[r["dim"]].setdefault(key, _empty()), r["status"], r["severity"], r["is_supervised"], r["n"]
        )
    dims = {f"g_{d}": F(d) for d in DIMENSIONS if d != "lead_department_id"}
    dims["g_lead_department_id"] = Coalesce(F("lead_department_id"), Value(0))
    if child_length:
        dims["g_child"] = Substr("region_code", 1, child_length)
    for r in _not_due(region_code=region_code, group=dims):
        out["total"]["overdue"] -= r["n"]
        for n in names:
            out[n][r[f"g_{n}"]]["overdue"] -= r["n"]
    return out


def cube_by_prefix(*, code: str, length: int) -> dict[str, dict]:
    """hazards_by_prefix() of the default period, from the count cube."""
    from gasguard.hazards import rollup

    out: dict[str, dict] = {}
    for r in rollup.cube_sum(
        region_prefix=code,
        dims=("",),
        group=("child", "status", "severity", "is_supervised"),
        child_length=length,
    ):
        _add_cell(
            out.setdefault(r["child"], _empty()), r["status"], r["severity"], r["is_supervised"], r["n"]
        )
    for r in _not_due(region_code=code, group={"child": Substr("region_code", 1, length)}):
        out[r["child"]]["overdue"] -= r["n"]
    return {k: _rates(v) for k, v in out.items()}


def _labelled(dimension: str, groups: dict, names: dict | None = None) -> list[dict]:
    labels = DIMENSIONS[dimension]
    out = []
    for key, acc in groups.items():
        if not any(acc.values()):
            continue
        if dimension == "lead_department_id":
            key = key or None
            label = (names or {}).get(key) or "未指定部门"
        elif dimension == "lead_department_kind" and key:
            label = DepartmentKindChoices.short(key)
        else:
            try:
                label = labels(key).label
            except ValueError:
                label = key or "未分类"
        out.append(_rates({"key": key, "label": label, **acc}))
    out.sort(key=lambda r: (-r["found"], -r["open"], str(r["key"])))
    return out


def hazard_figures(
    *,
    scope: Scope,
    region_code: str,
    period: Period,
    now: datetime | None = None,
    child_length: int | None = None,
) -> dict:
    """Hazard totals plus breakdowns by category, severity, department, source and target type
    (and, with `child_length`, the raw measures per child region) from one scan."""
    from gasguard.org.models import Department

    if _cube_usable(scope=scope, region_code=region_code, period=period, now=now) and (
        not child_length or child_length <= MAX_CUBE_CHILD
    ):
        g = cube_groupings(region_code=region_code, child_length=child_length)
    else:
        g = hazard_groupings(
            qs=hazard_scope_qs(scope=scope, region_code=region_code),
            period=period,
            now=now,
            child_length=child_length,
        )
    ids = [k for k in g["lead_department_id"] if k]
    names = dict(Department.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    result = {
        "summary": _rates(dict(g["total"])),
        "major": _rates(dict(g["severity"].get(MAJOR) or _empty())),
        "by_category": _labelled("category", g["category"]),
        "by_severity": _labelled("severity", g["severity"]),
        "by_department_kind": _labelled("lead_department_kind", g["lead_department_kind"]),
        "by_department": _labelled("lead_department_id", g["lead_department_id"], names),
        "by_source": _labelled("source", g["source"]),
        "by_target_type": _labelled("target_type", g["target_type"]),
    }
    if child_length:
        result["_children"] = {k: _rates(dict(v)) for k, v in g["child"].items()}
    return result


def hazard_children(
    *, scope: Scope, region: Region | None, period: Period, now: datetime | None = None
) -> dict[str, dict]:
    """Hazard measures per child region (code prefix one level down) in one GROUP BY."""
    return hazards_by_prefix(
        scope=scope,
        code=region.code if region else "",
        length=child_code_length(region),
        period=period,
        now=now,
    )


def hazards_by_prefix(*, scope: Scope, code: str, length: int, period: Period, now=None) -> dict[str, dict]:
    """Hazard measures grouped by the first `length` digits of the region code, inside `code`."""
    if length <= MAX_CUBE_CHILD and _cube_usable(
        scope=scope, region_code=code, period=period, now=now, digits=MAX_CUBE_CHILD
    ):
        return cube_by_prefix(code=code, length=length)
    rows = (
        hazard_scope_qs(scope=scope, region_code=code)
        .filter(found_at__lt=period.as_of(now))
        .annotate(child=Substr("region_code", 1, length))
        .order_by()
        .values("child")
        .annotate(**_annotations(period, now))
    )
    return {r.pop("child"): _rates(r) for r in rows}


def major_hazards(
    *, scope: Scope, region_code: str, period: Period, limit: int = 20, now: datetime | None = None
) -> dict:
    """Open major hazards (重大隐患) with their 督办 status, most urgent first, and counts by 督办 level."""
    filters = _measure_filters(period, now)
    qs = hazard_scope_qs(scope=scope, region_code=region_code).filter(filters["open"], severity=MAJOR)
    if _cube_usable(scope=scope, region_code=region_code, period=period, now=now, digits=MAX_CUBE_CHILD):
        from gasguard.hazards import rollup

        rows = rollup.cube_sum(
            region_prefix=region_code,
            dims=("",),
            group=("escalation_level",),
            where="severity = %s AND status <> %s",
            params=[MAJOR, HazardStatusChoices.CLOSED],
        )
        levels = {r["escalation_level"]: r["n"] for r in rows if r["n"]}
    else:
        levels = {
            r["escalation_level"]: r["n"]
            for r in qs.order_by().values("escalation_level").annotate(n=Count("id"))
        }
    items = list(
        qs.select_related("lead_department")
        .only(
            "id",
            "code",
            "title",
            "target_name",
            "region_code",
            "deadline",
            "status",
            "is_supervised",
            "escalation_level",
            "lead_department_kind",
            "lead_department__name",
            "found_at",
        )
        .order_by("deadline", "id")[:limit]
    )
    return {
        "items": items,
        "by_escalation_level": levels,
        "supervised": sum(1 for h in items if h.is_supervised),
    }


def hazard_trend(
    *,
    scope: Scope,
    region_code: str,
    interval: str = "month",
    start: date | None = None,
    end: date | None = None,
    use_cache: bool = True,
    refresh: bool = False,
) -> dict:
    """动态清零 trend: per week or month, hazards found, closed, and open at the bucket's end.

    Cached per (scope, region, interval, range, day): the history does not change within a day
    except for today's bucket, which the cache lifetime bounds.
    """
    interval = "week" if interval == "week" else "month"
    today = timezone.localdate()
    end = min(end or today, today)
    if start is None:
        start = (end - timedelta(weeks=25)) if interval == "week" else date(end.year - 1, end.month, 1)
    if interval == "week":
        start = start - timedelta(days=start.weekday())
    else:
        start = start.replace(day=1)
    key = _cache_key("trend", scope, region_code, interval, start, end, today)
    ttl = settings.GASGUARD_DASHBOARD_CACHE_SECONDS
    if use_cache and not refresh and ttl:
        hit = cache.get(key)
        if hit is not None:
            return hit
    if _cube_usable(scope=scope, region_code=region_code, period=Period()):
        found, closed, baseline = _cube_trend(
            region_code=region_code, interval=interval, start=start, end=end
        )
    else:
        found, closed, baseline = _live_trend(
            scope=scope, region_code=region_code, interval=interval, start=start, end=end
        )
    labels, new_series, closed_series, open_series = [], [], [], []
    cursor, open_now = start, baseline
    while cursor <= end:
        n_new, n_closed = found.get(cursor, 0), closed.get(cursor, 0)
        open_now += n_new - n_closed
        labels.append(cursor.isoformat())
        new_series.append(n_new)
        closed_series.append(n_closed)
        open_series.append(open_now)
        if interval == "week":
            cursor += timedelta(days=7)
        else:
            cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    result = {
        "interval": interval,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "buckets": labels,
        "found": new_series,
        "closed": closed_series,
        "open": open_series,
        "open_at_start": baseline,
    }
    if (use_cache or refresh) and ttl:
        cache.set(key, result, ttl * (2 if refresh else 1))
    return result


def _bucket_of(day: date, interval: str) -> date:
    return day - timedelta(days=day.weekday()) if interval == "week" else day.replace(day=1)


def _cube_trend(*, region_code: str, interval: str, start: date, end: date) -> tuple[dict, dict, int]:
    """Found and closed per bucket from the cube's per-county days; the open count at `start` is
    today's open count minus what was found since and plus what was closed since."""
    from gasguard.hazards import rollup

    found: dict[date, int] = {}
    closed: dict[date, int] = {}
    since = 0
    rows = rollup.cube_sum(
        region_prefix=region_code,
        dims=("found_day", "closed_day"),
        group=("dim", "value"),
        where="value >= %s",
        params=[start.isoformat()],
    )
    for r in rows:
        day, n = date.fromisoformat(r["value"]), r["n"]
        since += n if r["dim"] == "found_day" else -n
        if day <= end:
            target = found if r["dim"] == "found_day" else closed
            bucket = _bucket_of(day, interval)
            target[bucket] = target.get(bucket, 0) + n
    open_now = sum(
        r["n"]
        for r in rollup.cube_sum(
            region_prefix=region_code, dims=("",), where="status <> %s", params=[HazardStatusChoices.CLOSED]
        )
    )
    return found, closed, open_now - since


def _live_trend(
    *, scope: Scope, region_code: str, interval: str, start: date, end: date
) -> tuple[dict, dict, int]:
    tz = local_tz()
    trunc = TruncWeek if interval == "week" else TruncMonth
    qs = hazard_scope_qs(scope=scope, region_code=region_code)
    start_at, end_at = day_start(start), day_start(end + timedelta(days=1))
    found = dict(
        qs.filter(found_at__gte=start_at, found_at__lt=end_at)
        .annotate(bucket=trunc("found_at", tzinfo=tz))
        .order_by()
        .values("bucket")
        .annotate(n=Count("id"))
        .values_list("bucket", "n")
    )
    closed = dict(
        qs.filter(closed_at__gte=start_at, closed_at__lt=end_at)
        .annotate(bucket=trunc("closed_at", tzinfo=tz))
        .order_by()
        .values("bucket")
        .annotate(n=Count("id"))
        .values_list("bucket", "n")
    )
    baseline = (
        qs.filter(found_at__lt=start_at)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start_at))
        .count()
    )
    found = {_bucket_date(k): v for k, v in found.items()}
    closed = {_bucket_date(k): v for k, v in closed.items()}
    return found, closed, baseline


def _bucket_date(value) -> date:
    if isinstance(value, datetime):
        return (timezone.localtime(value, local_tz()) if timezone.is_aware(value) else value).date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def hazard_points(*, scope: Scope, region_code: str, limit: int = 5000) -> dict:
    """Open hazards at premises with coordinates, as a GeoJSON FeatureCollection (map layer)."""
    rows = (
        hazard_scope_qs(scope=scope, region_code=region_code)
        .exclude(status=HazardStatusChoices.CLOSED)
        .filter(premises__lon__isnull=False, premises__lat__isnull=False)
        .order_by("-severity", "deadline", "id")
        .values(
            "id",
            "code",
            "title",
            "target_name",
            "severity",
            "status",
            "deadline",
            "category",
            "premises__lon",
            "premises__lat",
        )[:limit]
    )
    today = timezone.localdate()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r["premises__lon"], r["premises__lat"]]},
            "properties": {
                "id": r["id"],
                "code": r["code"] or "",
                "title": r["title"],
                "target": r["target_name"],
                "severity": r["severity"],
                "status": r["status"],
                "category": r["category"],
                "overdue": r["deadline"] < today,
                "url": f"/hazards/{r['id']}/",
            },
        }
        for r in rows
    ]
    return {"type": "FeatureCollection", "features": features, "truncated": len(features) >= limit}


# --- registry, inspections, reports, enforcement ---------------------------------------------


def revisit_figures(*, scope: Scope, region_code: str, period: Period, now=None, by_child: int | None = None):
    """回头看: closed hazards drawn for re-inspection due in the period, done, and rebounds (改后反弹)."""
    model = sources.revisit_model()
    if model is None:
        return None
    qs = in_region(model.objects.all(), scope=scope, region_code=region_code)
    qs = qs.filter(due_on__lte=period.last_day(now))
    if period.start:
        qs = qs.filter(due_on__gte=period.start)
    ann = {
        "sampled": Count("id"),
        "done": Count("id", filter=~Q(status="pending")),
        "reappeared": Count("id", filter=Q(status="reappeared")),
    }
    if by_child:
        rows = (
            qs.annotate(child=Substr("region_code", 1, by_child)).order_by().values("child").annotate(**ann)
        )
        return {r.pop("child"): {**r, "done_rate": _pct(r["done"], r["sampled"])} for r in rows}
    row = qs.order_by().aggregate(**ann)
    return {**row, "done_rate": _pct(row["done"], row["sampled"])}


def _premises_qs(scope: Scope, region_code: str) -> QuerySet:
    from gasguard.registry.models import Premises

    qs = in_region(
        Premises.objects.all(), scope=scope, region_code=region_code, enterprise_field="enterprise_id"
    )
    return qs.exclude(status="closed")


def coverage_figures(*, scope: Scope, region_code: str, period: Period, now=None) -> dict:
    """全覆盖: registered premises (not closed), how many of them have a sealed inspection in the
    period, and how many sealed inspections of them there were."""
    return _coverage(scope=scope, code=region_code, length=None, period=period, now=now)[None]


def coverage_children(*, scope: Scope, region: Region | None, period: Period, now=None) -> dict[str, dict]:
    return coverage_by_prefix(
        scope=scope,
        code=region.code if region else "",
        length=child_code_length(region),
        period=period,
        now=now,
    )


def coverage_by_prefix(*, scope: Scope, code: str, length: int, period: Period, now=None) -> dict[str, dict]:
    """Registered vs inspected premises grouped by the first `length` digits of the region code."""
    return _coverage(scope=scope, code=code, length=length, period=period, now=now)


def _coverage(*, scope: Scope, code: str, length: int | None, period: Period, now=None) -> dict:
    """{child or None: {registered, inspected, inspections, coverage_rate}}; from the premises
    count cube (registry/rollup.py) for the default period, else from the registry itself."""
    from gasguard.registry import rollup as premises_rollup

    src = sources.inspection_source()
    if src is None or not src.premises_field:
        return _coverage_registered_only(scope=scope, code=code, length=length)
    counts: dict = {}
    if (length or 0) <= premises_rollup.DIGITS and _cube_usable(
        scope=scope, region_code=code, period=period, now=now, digits=premises_rollup.DIGITS
    ):
        rows = premises_rollup.CUBE.sum(
            region_prefix=code,
            group=(("child",) if length else ()) + ("inspected",),
            where="status <> %s",
            params=["closed"],
            child_length=length,
        )
        for r in rows:
            acc = counts.setdefault(r.get("child"), [0, 0, 0])
            acc[0] += r["n"]
            acc[1] += r["n"] if r["inspected"] else 0
            acc[2] += r["inspections"]
    else:
        from django.db.models import Exists, OuterRef

        inspections = src.model.objects.filter(**src.sealed_filter, **{src.premises_field: OuterRef("pk")})
        if src.date_field:
            inspections = inspections.filter(**{f"{src.date_field}__lt": period.as_of(now)})
            if period.start:
                inspections = inspections.filter(**{f"{src.date_field}__gte": period.start_at()})
        premises = _premises_qs(scope, code)
        grouped = premises.annotate(child=Substr("region_code", 1, length)) if length else premises
        keys = ("child",) if length else ()
        ann = {"n": Count("id"), "inspected": Count("id", filter=Exists(inspections))}
        rows = grouped.order_by().values(*keys).annotate(**ann) if keys else [grouped.aggregate(**ann)]
        for r in rows:
            counts[r.get("child")] = [r["n"], r["inspected"], 0]
        per_premises = (
            src.model.objects.filter(**{f"{src.premises_field}__in": premises.values("pk")})
            .filter(**src.sealed_filter)
            .filter(**{f"{src.date_field}__lt": period.as_of(now)})
        )
        if period.start:
            per_premises = per_premises.filter(**{f"{src.date_field}__gte": period.start_at()})
        if length:
            field = f"{src.premises_field}__region_code"
            for r in (
                per_premises.annotate(child=Substr(field, 1, length))
                .order_by()
                .values("child")
                .annotate(n=Count("id"))
            ):
                counts.setdefault(r["child"], [0, 0, 0])[2] = r["n"]
        else:
            counts.setdefault(None, [0, 0, 0])[2] = per_premises.count()
    if length is None:
        counts.setdefault(None, [0, 0, 0])
    return {
        child: {
            "registered": reg,
            "inspected": ins,
            "inspections": n,
            "coverage_rate": _pct(ins, reg),
        }
        for child, (reg, ins, n) in counts.items()
    }


def _coverage_registered_only(*, scope: Scope, code: str, length: int | None) -> dict:
    premises = _premises_qs(scope, code)
    if length is None:
        return {
            None: {
                "registered": premises.count(),
                "inspected": None,
                "inspections": None,
                "coverage_rate": None,
            }
        }
    rows = (
        premises.annotate(child=Substr("region_code", 1, length))
        .order_by()
        .values("child")
        .annotate(n=Count("id"))
    )
    return {
        r["child"]: {"registered": r["n"], "inspected": None, "inspections": None, "coverage_rate": None}
        for r in rows
    }


def tip_figures(*, scope: Scope, region_code: str, period: Period, now=None, by_child: int | None = None):
    """群众举报: received, verified (查实), rewarded, reward amount — None when tips are not built.

    Two queries: plain counts over the reports, then the (few) rewarded ones through the reward
    join, so the large table is never joined or de-duplicated."""
    src = sources.tip_source()
    if src is None:
        return None
    qs = in_region(src.model.objects.all(), scope=scope, region_code=region_code)
    qs = qs.filter(**{f"{src.date_field}__lt": period.as_of(now)})
    if period.start:
        qs = qs.filter(**{f"{src.date_field}__gte": period.start_at()})
    ann = {"received": Count("id")}
    if src.verified_filter:
        ann["verified"] = Count("id", filter=Q(**src.verified_filter))
    reward_ann = {}
    if src.rewarded_filter:
        reward_ann["rewarded"] = Count("id", distinct=True)
        if src.reward_amount_field:
            reward_ann["reward_amount"] = Sum(src.reward_amount_field)
    rewarded = qs.filter(**src.rewarded_filter) if src.rewarded_filter else None
    if by_child:
        child = Substr("region_code", 1, by_child)
        rows = {
            r.pop("child"): r for r in qs.annotate(child=child).order_by().values("child").annotate(**ann)
        }
        if rewarded is not None:
            for r in rewarded.annotate(child=child).order_by().values("child").annotate(**reward_ann):
                rows.setdefault(r.pop("child"), {"received": 0}).update(r)
        return {k: _tip_row(_with_rewards(r, reward_ann)) for k, r in rows.items()}
    row = qs.order_by().aggregate(**ann)
    if rewarded is not None:
        row.update(rewarded.order_by().aggregate(**reward_ann))
    return _tip_row(_with_rewards(row, reward_ann))


def _with_rewards(row: dict, reward_ann: dict) -> dict:
    """Rewarded measures default to 0 (not None) when rewards exist but none match."""
    for key in reward_ann:
        if key == "rewarded":
            row.setdefault(key, 0)
            row[key] = row[key] or 0
    return row


def _tip_row(row: dict) -> dict:
    out = {
        "received": row.get("received") or 0,
        "verified": row.get("verified"),
        "rewarded": row.get("rewarded"),
        "reward_amount": float(row["reward_amount"]) if row.get("reward_amount") is not None else None,
    }
    if out["verified"] is None and "verified" not in row:
        out["verified"] = None
    out["verified_rate"] = (
        _pct(out["verified"] or 0, out["received"]) if out["verified"] is not None else None
    )
    return out


def enforcement_figures(*, scope: Scope, region_code: str, period: Period, now=None) -> dict | None:
    """执法: enforcement actions recorded in the period and their fines (元)."""
    src = sources.enforcement_source()
    if src is None:
        return None
    qs = in_region(src.model.objects.all(), scope=scope, region_code=region_code, field=src.region_field)
    if src.date_field and src.date_is_day:
        qs = qs.filter(**{f"{src.date_field}__lte": period.last_day(now)})
        if period.start:
            qs = qs.filter(**{f"{src.date_field}__gte": period.start})
    elif src.date_field:
        qs = qs.filter(**{f"{src.date_field}__lt": period.as_of(now)})
        if period.start:
            qs = qs.filter(**{f"{src.date_field}__gte": period.start_at()})
    ann = {"count": Count("id")}
    if src.fine_field:
        ann["fines"] = Sum(src.fine_field)
    kind_field = "kind" if any(f.name == "kind" for f in src.model._meta.fields) else None
    agg = qs.order_by().aggregate(**ann)
    by_kind = []
    if kind_field:
        choices = dict(src.model._meta.get_field(kind_field).choices or [])
        by_kind = [
            {"key": r[kind_field], "label": str(choices.get(r[kind_field], r[kind_field])), "count": r["n"]}
            for r in qs.order_by().values(kind_field).annotate(n=Count("id")).order_by("-n")
        ]
    return {"count": agg["count"], "fines": float(agg.get("fines") or 0), "by_kind": by_kind}


# --- the whole dashboard ---------------------------------------------------------------------


def _cache_key(kind: str, scope: Scope, code: str, *parts) -> str:
    """Per (scope, region, …, day). Everyone whose scope covers the whole region sees the same
    figures (the region filter is then the scope, see `in_region`), so they share one entry."""
    if code and scope.covers_region(code) and not scope.is_global:
        who = ("region",)
    else:
        who = (scope.is_global, scope.region_prefixes, scope.enterprise_ids)
    raw = repr((kind, who, code, parts))
    return "gg:dash:" + hashlib.sha1(raw.encode()).hexdigest()


def dashboard_figures(
    *,
    scope: Scope,
    region: Region | None,
    period: Period,
    use_cache: bool = True,
    refresh: bool = False,
    now: datetime | None = None,
) -> dict:
    """Every figure of the dashboard for one region and period, plus one row per child region.

    Cached for GASGUARD_DASHBOARD_CACHE_SECONDS; `refresh=True` recomputes and re-caches (the
    warm-up task does this for the top regions so their first viewer never waits)."""
    code = region.code if region else ""
    ttl = settings.GASGUARD_DASHBOARD_CACHE_SECONDS
    key = _cache_key("figures", scope, code, period.start, period.end, timezone.localdate())
    if use_cache and not refresh and ttl and now is None:
        hit = cache.get(key)
        if hit is not None:
            return hit
    result = _dashboard_figures(scope=scope, region=region, period=period, now=now)
    if (use_cache or refresh) and ttl and now is None:
        cache.set(key, result, ttl * (2 if refresh else 1))
    return result


def _dashboard_figures(*, scope: Scope, region: Region | None, period: Period, now=None) -> dict:
    code = region.code if region else ""
    hazards = hazard_figures(
        scope=scope, region_code=code, period=period, now=now, child_length=child_code_length(region)
    )
    hazard_children_map = hazards.pop("_children")
    coverage = coverage_figures(scope=scope, region_code=code, period=period, now=now)
    tips = tip_figures(scope=scope, region_code=code, period=period, now=now)
    enforcement = enforcement_figures(scope=scope, region_code=code, period=period, now=now)
    revisit = revisit_figures(scope=scope, region_code=code, period=period, now=now)
    children = children_figures(
        scope=scope, region=region, period=period, now=now, hazards=hazard_children_map
    )
    result = {
        "region": {
            "code": code,
            "name": region.name if region else "全部",
            "level": region.level if region else 0,
        },
        "period": {
            "start": period.start.isoformat() if period.start else None,
            "end": period.end.isoformat() if period.end else None,
            "as_of": period.as_of(now).isoformat(),
            "complete": period.is_complete(now),
        },
        "coverage": coverage,
        "hazards": hazards,
        "tips": tips,
        "enforcement": enforcement,
        "revisit": revisit,
        "children": children,
    }
    return result


def children_figures(
    *, scope: Scope, region: Region | None, period: Period, now=None, hazards: dict | None = None
) -> list[dict]:
    """One row per child region: coverage, hazards found/closed/open/overdue, tips."""
    length = child_code_length(region)
    if hazards is None:
        hazards = hazard_children(scope=scope, region=region, period=period, now=now)
    coverage = coverage_children(scope=scope, region=region, period=period, now=now)
    code = region.code if region else ""
    tips = tip_figures(scope=scope, region_code=code, period=period, now=now, by_child=length) or {}
    names = dict(child_regions(region).values_list("code", "name"))
    rows = []
    for child in sorted(set(names) | set(hazards) | set(coverage)):
        if not scope.covers_region(child) and not scope.enterprise_ids:
            continue
        h = hazards.get(child) or _rates(_empty())
        rows.append(
            {
                "code": child,
                "name": names.get(child) or ("本级" if region and child == region.code else child),
                "drillable": child in names and child != code and scope.covers_region(child),
                "hazards": h,
                "coverage": coverage.get(child, {"registered": 0, "inspected": None, "coverage_rate": None}),
                "tips": tips.get(child),
            }
        )
    return rows


def dashboard_warm(*, max_level: int = 2) -> list[tuple[str, float]]:
    """Recompute and re-cache the default figures and trend of every region down to `max_level`
    (province and cities by default), so the views with the most rows are always served warm.
    Run it more often than GASGUARD_DASHBOARD_CACHE_SECONDS (warmed entries live twice that)."""
    import time as _time

    timings = []
    for region in Region.objects.filter(level__lte=max_level).order_by("level", "code"):
        started = _time.perf_counter()
        scope = Scope(region_prefixes=(region.code,))
        dashboard_figures(scope=scope, region=region, period=Period(), refresh=True)
        for interval in ("month", "week"):
            hazard_trend(scope=scope, region_code=region.code, interval=interval, refresh=True)
        timings.append((region.code, _time.perf_counter() - started))
    return timings
