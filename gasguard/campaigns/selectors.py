"""Reads of the campaign app, scoped to the user; figures come from `gasguard.dashboard.selectors`
so a monthly report shows exactly what the dashboard and the ledger show for the same scope."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from gasguard.accounts.selectors import user_scope
from gasguard.campaigns.choices import CAMPAIGN_DEFAULT_START, MonthlyReportStatusChoices
from gasguard.campaigns.models import (
    Accident,
    Campaign,
    CampaignTarget,
    Interview,
    MonthlyReport,
    RevisitWave,
    SupervisionNotice,
    WarningAdvice,
)
from gasguard.core.errors import NotFound
from gasguard.core.scope import Scope
from gasguard.dashboard import selectors as stats
from gasguard.org.choices import REGION_CODE_LENGTH
from gasguard.org.models import Region

# --- regions ---------------------------------------------------------------------------------


def _ancestor_codes(code: str) -> list[str]:
    return [code[:n] for n in sorted(set(REGION_CODE_LENGTH.values())) if n < len(code)]


def _visible_or_ancestor_q(scope: Scope, field: str = "region_code") -> Q:
    """Rows in the user's regions, or of a region above them (a district sees the city's campaign)."""
    if scope.is_global:
        return Q()
    ancestors = {a for p in scope.region_prefixes for a in _ancestor_codes(p)}
    return scope.q(region_field=field) | Q(**{f"{field}__in": sorted(ancestors)})


def region_scope(region_code: str) -> Scope:
    """The scope of a region's own official figures (used by reports and notices)."""
    return Scope(region_prefixes=(region_code,)) if region_code else Scope(is_global=True)


# --- campaigns -------------------------------------------------------------------------------


def campaign_list(*, user) -> QuerySet:
    """Campaigns of the user's regions and of the regions above them."""
    scope = user_scope(user=user)
    if scope.is_empty:
        return Campaign.objects.none()
    return (
        Campaign.objects.filter(_visible_or_ancestor_q(scope))
        .select_related("region")
        .prefetch_related("phases")
        .order_by("region_code", "-start_date", "id")
    )


def campaign_get(*, user, pk: int) -> Campaign:
    campaign = campaign_list(user=user).filter(pk=pk).first()
    if campaign is None:
        raise NotFound("未找到该专项整治，或不在您的数据权限范围内。")
    return campaign


def campaign_for_region(*, region_code: str, day: date | None = None) -> Campaign | None:
    """The campaign that covers a region: its own, else the nearest one above it (latest start)."""
    codes = [*_ancestor_codes(region_code), region_code]
    qs = Campaign.objects.filter(region_code__in=codes)
    if day:
        qs = qs.filter(start_date__lte=day)
    return max(qs, key=lambda c: (len(c.region_code), c.start_date), default=None)


def current_phase(campaign: Campaign, day: date | None = None):
    day = day or timezone.localdate()
    return next((p for p in campaign.phases.all() if p.contains(day)), None)


def campaign_progress(*, user, campaign: Campaign, now: datetime | None = None) -> list[dict]:
    """Per target region: actual vs target for coverage, rectification, major cleared, 回头看.

    Cumulative since the campaign start; one grouped query per figure for all targets of
    the same level, restricted to what the user may see.
    """
    scope = user_scope(user=user)
    period = stats.Period(start=campaign.start_date)
    targets = [t for t in campaign.targets.select_related("region") if scope.covers_region(t.region_code)]
    by_len: dict[int, list[CampaignTarget]] = {}
    for t in targets:
        by_len.setdefault(len(t.region_code), []).append(t)
    rows = []
    for length, group in by_len.items():
        parent_code = campaign.region_code if len(campaign.region_code) < length else ""
        hazards = stats.hazards_by_prefix(
            scope=scope, code=parent_code, length=length, period=period, now=now
        )
        coverage = stats.coverage_by_prefix(
            scope=scope, code=parent_code, length=length, period=period, now=now
        )
        revisit = stats.revisit_figures(
            scope=scope, region_code=parent_code, period=period, now=now, by_child=length
        )
        for t in group:
            h = hazards.get(t.region_code) or stats._rates(stats._empty())
            c = coverage.get(t.region_code) or {"registered": 0, "inspected": None, "coverage_rate": None}
            r = (revisit or {}).get(t.region_code) if revisit is not None else None
            actual = {
                "coverage_pct": c["coverage_rate"],
                "rectification_pct": h["rectification_rate"],
                "major_cleared_pct": h["major_cleared_rate"],
                "revisit_pct": r["done_rate"] if r else None,
            }
            checks = {}
            for name, value in actual.items():
                goal = float(getattr(t, name))
                checks[name] = {"target": goal, "actual": value, "met": value is not None and value >= goal}
            rows.append(
                {
                    "target": t,
                    "region_code": t.region_code,
                    "region_name": t.region.name,
                    "hazards": h,
                    "coverage": c,
                    "revisit": r,
                    "checks": checks,
                    "behind": [k for k, v in checks.items() if v["actual"] is not None and not v["met"]],
                }
            )
    rows.sort(key=lambda r: r["region_code"])
    return rows


def wave_progress(*, user, wave: RevisitWave, now=None) -> dict | None:
    scope = user_scope(user=user)
    period = stats.Period(start=wave.start_date, end=wave.end_date)
    return stats.revisit_figures(scope=scope, region_code=wave.region_code, period=period, now=now)


def wave_batches(*, wave: RevisitWave) -> list[dict]:
    """Inspection batches of kind 回头看 in the wave's region and window, with task counts
    (read from the inspections app when it is installed)."""
    from django.apps import apps
    from django.db.models import Count

    try:
        batch_model = apps.get_model("inspections", "InspectionBatch")
    except LookupError:
        return []
    try:
        qs = (
            batch_model.objects.filter(
                stats.region_prefix_q("region_code", wave.region_code),
                kind="revisit",
                due_date__gte=wave.start_date,
                due_date__lte=wave.end_date + timedelta(days=31),
            )
            .annotate(tasks_total=Count("tasks", distinct=True))
            .order_by("due_date", "id")
        )
        return [{"id": b.pk, "name": b.name, "due_date": b.due_date, "tasks": b.tasks_total} for b in qs[:20]]
    except Exception:  # noqa: BLE001 - a changed inspections schema must not break the campaign page
        return []


# --- monthly reports -------------------------------------------------------------------------


def month_start(value: date) -> date:
    return value.replace(day=1)


def cutoff_for(month: date) -> date:
    return month_start(month).replace(day=settings.GASGUARD_REPORT_CUTOFF_DAY)


def report_period(month: date) -> tuple[date, date]:
    """(previous cut-off + 1 day, this cut-off): the statistics period of a month's report."""
    cutoff = cutoff_for(month)
    previous = cutoff_for(month_start(month) - timedelta(days=1))
    return previous + timedelta(days=1), cutoff


def report_is_final(month: date, today: date | None = None) -> bool:
    """Whether the cut-off has been reached (submission is allowed from the cut-off day on)."""
    today = today or timezone.localdate()
    return today >= cutoff_for(month)


def _own_level(scope: Scope, region_code: str) -> bool:
    return scope.is_global or region_code in scope.region_prefixes


def monthly_report_list(*, user) -> QuerySet:
    """Reports of the user's own region (any status) and submitted reports of regions below it."""
    scope = user_scope(user=user)
    if scope.is_empty or scope.enterprise_ids and not scope.region_prefixes:
        return MonthlyReport.objects.none()
    qs = MonthlyReport.objects.select_related("region", "submitted_by")
    if scope.is_global:
        return qs
    own = Q(region_code__in=scope.region_prefixes)
    below = scope.q(region_field="region_code") & Q(status=MonthlyReportStatusChoices.SUBMITTED)
    return qs.filter(own | below)


def monthly_report_get(*, user, pk: int) -> MonthlyReport:
    report = monthly_report_list(user=user).filter(pk=pk).first()
    if report is None:
        raise NotFound("未找到该月度报告，或不在您的数据权限范围内。")
    return report


def expected_reporters(*, region: Region, month: date) -> list[Region]:
    """Regions that report to `region` for a month: the target regions of its campaign, else its
    direct children that have a task force (专班)."""
    campaign = (
        Campaign.objects.filter(region=region, start_date__lte=cutoff_for(month))
        .order_by("-start_date")
        .first()
    )
    if campaign is not None:
        regions = [t.region for t in campaign.targets.select_related("region").order_by("region_code")]
        if regions:
            return regions
    return list(region.children.filter(task_force__isnull=False).order_by("code"))


def submission_status(*, user, region: Region, month: date) -> dict:
    """For an upper level: submitted reports of its reporters, who has not submitted, merged sums."""
    scope = user_scope(user=user)
    if not scope.covers_region(region.code):
        raise NotFound("未找到该区划，或不在您的数据权限范围内。")
    month = month_start(month)
    reporters = expected_reporters(region=region, month=month)
    reports = {
        r.region_code: r
        for r in MonthlyReport.objects.filter(
            month=month,
            region_code__in=[x.code for x in reporters],
            status=MonthlyReportStatusChoices.SUBMITTED,
        ).select_related("region", "submitted_by")
    }
    submitted = [reports[r.code] for r in reporters if r.code in reports]
    missing = [r for r in reporters if r.code not in reports]
    return {
        "month": month,
        "cutoff": cutoff_for(month),
        "overdue": timezone.localdate() > cutoff_for(month),
        "reporters": reporters,
        "submitted": submitted,
        "missing": missing,
        "merged": merge_snapshots([r.snapshot for r in submitted]),
    }


def merge_snapshots(snapshots: list[dict]) -> dict | None:
    """The upper level's merged summary: sums of the submitted reports' figures, rates recomputed."""
    snapshots = [s for s in snapshots if s]
    if not snapshots:
        return None

    def add(into: dict, other: dict) -> None:
        for key, value in other.items():
            if isinstance(value, bool):
                continue
            if isinstance(value, int | float) and not key.endswith("_rate"):
                into[key] = (into.get(key) or 0) + value
            elif isinstance(value, dict):
                add(into.setdefault(key, {}), value)

    merged: dict = {"period_figures": {}, "cumulative_figures": {}}
    for snap in snapshots:
        for part in ("period_figures", "cumulative_figures"):
            add(merged[part], snap.get(part) or {})
    for part in merged.values():
        _recompute_rates(part)
    merged["count"] = len(snapshots)
    return merged


def _recompute_rates(figures: dict) -> None:
    h = figures.get("hazards")
    if h:
        h["rectification_rate"] = stats._pct(h.get("found_closed", 0), h.get("found", 0))
        h["major_cleared_rate"] = stats._pct(h.get("major_found_closed", 0), h.get("major_found", 0))
    c = figures.get("coverage")
    if c and c.get("inspected") is not None:
        c["coverage_rate"] = stats._pct(c["inspected"], c.get("registered", 0))
    t = figures.get("tips")
    if t and t.get("verified") is not None:
        t["verified_rate"] = stats._pct(t["verified"], t.get("received", 0))
    r = figures.get("revisit")
    if r:
        r["done_rate"] = stats._pct(r.get("done", 0), r.get("sampled", 0))


def report_figures(*, region: Region, month: date, campaign: Campaign | None = None, now=None) -> dict:
    """Every figure of a monthly report, computed live from the dashboard selectors.

    Period: previous cut-off + 1 to this cut-off; cumulative: campaign start to this cut-off.
    """
    month = month_start(month)
    start, cutoff = report_period(month)
    campaign = campaign or campaign_for_region(region_code=region.code, day=cutoff)
    cumulative_start = campaign.start_date if campaign else CAMPAIGN_DEFAULT_START
    scope = region_scope(region.code)
    period = stats.Period(start=start, end=cutoff)
    cumulative = stats.Period(start=cumulative_start, end=cutoff)

    child_length = stats.child_code_length(region)

    def block(p: stats.Period) -> dict:
        hazards = stats.hazard_figures(
            scope=scope, region_code=region.code, period=p, now=now, child_length=child_length
        )
        return {
            "hazards": hazards["summary"],
            "major": hazards["major"],
            "coverage": stats.coverage_figures(scope=scope, region_code=region.code, period=p, now=now),
            "tips": stats.tip_figures(scope=scope, region_code=region.code, period=p, now=now),
            "enforcement": stats.enforcement_figures(scope=scope, region_code=region.code, period=p, now=now),
            "revisit": stats.revisit_figures(scope=scope, region_code=region.code, period=p, now=now),
            "_breakdowns": hazards,
        }

    period_block, cumulative_block = block(period), block(cumulative)
    tables = {}
    for dim in ("by_category", "by_department_kind", "by_department", "by_source", "by_severity"):
        period_rows = {r["key"]: r for r in period_block["_breakdowns"][dim]}
        rows = []
        for r in cumulative_block["_breakdowns"][dim]:
            p = period_rows.get(r["key"], {})
            rows.append(
                {
                    "key": r["key"],
                    "label": r["label"],
                    "period_found": p.get("found", 0),
                    "period_closed": p.get("closed", 0),
                    "found": r["found"],
                    "found_closed": r["found_closed"],
                    "open": r["open"],
                    "overdue": r["overdue"],
                    "rectification_rate": r["rectification_rate"],
                }
            )
        tables[dim] = rows
    period_children = {
        c["code"]: c
        for c in stats.children_figures(
            scope=scope,
            region=region,
            period=period,
            now=now,
            hazards=period_block["_breakdowns"]["_children"],
        )
    }
    by_region = []
    for c in stats.children_figures(
        scope=scope,
        region=region,
        period=cumulative,
        now=now,
        hazards=cumulative_block["_breakdowns"]["_children"],
    ):
        p = period_children.get(c["code"], {}).get("hazards", {})
        by_region.append(
            {
                "code": c["code"],
                "name": c["name"],
                "registered": c["coverage"]["registered"],
                "inspected": c["coverage"]["inspected"],
                "coverage_rate": c["coverage"]["coverage_rate"],
                "period_found": p.get("found", 0),
                "period_closed": p.get("closed", 0),
                "found": c["hazards"]["found"],
                "found_closed": c["hazards"]["found_closed"],
                "open": c["hazards"]["open"],
                "overdue": c["hazards"]["overdue"],
                "major_open": c["hazards"]["major_open"],
                "rectification_rate": c["hazards"]["rectification_rate"],
            }
        )
    tables["by_region"] = by_region
    majors = stats.major_hazards(scope=scope, region_code=region.code, period=cumulative, limit=50, now=now)
    for blk in (period_block, cumulative_block):
        blk.pop("_breakdowns")
    return {
        "version": 1,
        "region": {"code": region.code, "name": region.name, "full_name": region.full_name},
        "month": month.strftime("%Y-%m"),
        "campaign": campaign.name if campaign else "",
        "period": {"start": start.isoformat(), "end": cutoff.isoformat()},
        "cumulative": {"start": cumulative_start.isoformat(), "end": cutoff.isoformat()},
        "as_of": period.as_of(now).isoformat(),
        "draft": not report_is_final(month, timezone.localdate(now) if now else None),
        "period_figures": period_block,
        "cumulative_figures": cumulative_block,
        "tables": tables,
        "major_list": [
            {
                "code": h.code or str(h.pk),
                "title": h.title,
                "target": h.target_name,
                "department": h.lead_department.name if h.lead_department_id else "",
                "deadline": h.deadline.isoformat(),
                "status": h.get_status_display(),
                "supervised": h.is_supervised,
                "escalation_level": h.escalation_level,
            }
            for h in majors["items"]
        ],
        "generated_at": timezone.now().isoformat(),
    }


def report_figures_for(report: MonthlyReport, *, now=None) -> dict:
    """The frozen snapshot of a submitted report, else live figures."""
    if report.is_submitted and report.snapshot:
        return report.snapshot
    return report_figures(region=report.region, month=report.month, campaign=report.campaign, now=now)


# --- supervision -----------------------------------------------------------------------------


def _scoped(model, *, user) -> QuerySet:
    scope = user_scope(user=user)
    if scope.is_empty or (scope.enterprise_ids and not scope.region_prefixes and not scope.is_global):
        return model.objects.none()
    return scope.apply(model.objects.all(), region_field="region_code")


def supervision_notice_list(*, user) -> QuerySet:
    """通报 of the user's regions and of the regions above them (a district reads the city's 通报)."""
    scope = user_scope(user=user)
    if scope.is_empty or (scope.enterprise_ids and not scope.region_prefixes and not scope.is_global):
        return SupervisionNotice.objects.none()
    return SupervisionNotice.objects.filter(_visible_or_ancestor_q(scope)).select_related(
        "region", "issued_by"
    )


def supervision_notice_get(*, user, pk: int) -> SupervisionNotice:
    obj = supervision_notice_list(user=user).filter(pk=pk).first()
    if obj is None:
        raise NotFound("未找到该通报，或不在您的数据权限范围内。")
    return obj


def interview_list(*, user) -> QuerySet:
    return _scoped(Interview, user=user).select_related("region", "hazard")


def warning_advice_list(*, user) -> QuerySet:
    return _scoped(WarningAdvice, user=user).select_related("region")


def accident_list(*, user) -> QuerySet:
    return _scoped(Accident, user=user).select_related("region", "premises", "enterprise")


def accident_get(*, user, pk: int) -> Accident:
    obj = accident_list(user=user).filter(pk=pk).first()
    if obj is None:
        raise NotFound("未找到该事故记录，或不在您的数据权限范围内。")
    return obj


def supervision_lists(*, user, region: Region | None, limit: int = 50) -> dict:
    """督办 lists: overdue and open major hazards, counted by department and by child region."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    scope = user_scope(user=user)
    code = region.code if region else ""
    period = stats.Period()
    f = stats._measure_filters(period)
    base = stats.hazard_scope_qs(scope=scope, region_code=code)
    pressing = base.filter(f["overdue"] | f["major_open"])
    by_department = list(
        pressing.order_by()
        .values("lead_department_id", "lead_department__name", "lead_department_kind")
        .annotate(overdue=Count("id", filter=f["overdue"]), major_open=Count("id", filter=f["major_open"]))
        .order_by("-overdue", "-major_open")
    )
    length = stats.child_code_length(region)
    names = dict(stats.child_regions(region).values_list("code", "name"))
    by_region = [
        {**r, "name": names.get(r["child"], r["child"])}
        for r in pressing.annotate(child=Substr("region_code", 1, length))
        .order_by()
        .values("child")
        .annotate(overdue=Count("id", filter=f["overdue"]), major_open=Count("id", filter=f["major_open"]))
        .order_by("-overdue", "-major_open")
    ]
    items = list(pressing.select_related("lead_department").order_by("deadline", "id")[:limit])
    return {
        "by_department": by_department,
        "by_region": by_region,
        "items": items,
        "today": timezone.localdate(),
    }


def behind_schedule(*, region: Region, period: stats.Period, campaign: Campaign | None = None) -> dict:
    """Who is behind (for a 通报): child regions below their targets or with overdue hazards,
    and departments with overdue hazards, with their figures."""
    from django.db.models import Count

    scope = region_scope(region.code)
    children = stats.children_figures(scope=scope, region=region, period=period)
    targets = {}
    if campaign is not None:
        targets = {t.region_code: t for t in campaign.targets.all()}
    regions = []
    for c in children:
        h = c["hazards"]
        t = targets.get(c["code"])
        reasons = []
        if h["overdue"]:
            reasons.append(f"逾期未整改隐患{h['overdue']}项")
        if (
            t is not None
            and h["rectification_rate"] is not None
            and h["rectification_rate"] < float(t.rectification_pct)
        ):
            reasons.append(f"整改率{h['rectification_rate']}%低于目标{t.rectification_pct}%")
        cov = c["coverage"]["coverage_rate"]
        if t is not None and cov is not None and cov < float(t.coverage_pct):
            reasons.append(f"排查覆盖率{cov}%低于目标{t.coverage_pct}%")
        if h["major_open"]:
            reasons.append(f"重大隐患未清零{h['major_open']}项")
        if reasons:
            regions.append(
                {
                    "code": c["code"],
                    "name": c["name"],
                    "found": h["found"],
                    "open": h["open"],
                    "overdue": h["overdue"],
                    "major_open": h["major_open"],
                    "rectification_rate": h["rectification_rate"],
                    "coverage_rate": cov,
                    "reasons": reasons,
                }
            )
    f = stats._measure_filters(period)
    departments = [
        {
            "department": r["lead_department__name"] or r["lead_department_kind"],
            "overdue": r["overdue"],
            "major_open": r["major_open"],
        }
        for r in stats.hazard_scope_qs(scope=scope, region_code=region.code)
        .filter(f["overdue"])
        .order_by()
        .values("lead_department__name", "lead_department_kind")
        .annotate(overdue=Count("id"), major_open=Count("id", filter=f["major_open"]))
        .order_by("-overdue")
    ]
    return {
        "region": {"code": region.code, "name": region.name},
        "period": {
            "start": period.start.isoformat() if period.start else None,
            "end": period.end.isoformat() if period.end else None,
        },
        "regions": regions,
        "departments": departments,
    }
