"""统计看板: one page per scope with drill-down, charts, a map, and a link behind every number."""

from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from gasguard.accounts.choices import GOVERNMENT_ROLES
from gasguard.accounts.selectors import user_scope
from gasguard.core.errors import NotFound, ValidationFailed
from gasguard.core.filters import PageFilters
from gasguard.dashboard import links
from gasguard.dashboard import selectors as stats
from gasguard.tips.selectors import can_see_tips

TREND_INTERVALS = [("month", "按月"), ("week", "按周")]

CARD_MEASURES = (
    ("found", "排查发现隐患", "bi-search"),
    ("found_closed", "已整改", "bi-check2-circle"),
    ("open", "未销号", "bi-hourglass-split"),
    ("overdue", "逾期未整改", "bi-alarm"),
    ("major_open", "重大隐患未销号", "bi-exclamation-octagon"),
    ("supervised_open", "挂牌督办中", "bi-flag"),
)


def parse_date(value: str | None, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{field}日期格式应为 YYYY-MM-DD：{value}", field=field) from None


def parse_request(request) -> tuple:
    """(scope, region, period) from ?region=&from=&to=, refusing regions outside the scope."""
    scope = user_scope(user=request.user)
    region = stats.resolve_region(scope=scope, code=request.GET.get("region"))
    start = parse_date(request.GET.get("from"), "from")
    end = parse_date(request.GET.get("to"), "to")
    if start and end and end < start:
        raise ValidationFailed("截止日期不能早于开始日期", field="to")
    return scope, region, stats.Period(start=start, end=end)


def _link(measure: str, code: str, period: stats.Period, **filters) -> str:
    return links.measure_url(
        measure, region=code, period_start=period.start, period_end=period.end, **filters
    )


def _decorate(rows: list[dict], code: str, period: stats.Period, filter_name: str | None) -> list[dict]:
    """Attach the list link of each measure to breakdown rows."""
    for row in rows:
        if filter_name and row["key"] in (None, ""):
            row["links"] = {}
            continue
        extra = {filter_name: row["key"]} if filter_name else {}
        row["links"] = {
            m: _link(m, code, period, **extra) for m in ("found", "found_closed", "open", "overdue")
        }
    return rows


@login_required
@require_GET
def index(request):
    try:
        scope, region, period = parse_request(request)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except ValidationFailed as exc:
        # A bad date shows the whole-period figures with the error, not an empty page.
        scope, period, error = user_scope(user=request.user), stats.Period(), exc.message
        try:
            region = stats.resolve_region(scope=scope, code=request.GET.get("region"))
        except NotFound as not_found:
            raise Http404(not_found.message) from None
    else:
        error = ""
    if region is None and not (scope.is_global or scope.enterprise_ids):
        raise Http404("没有可查看的区划")
    code = region.code if region else ""
    # An unknown ?interval= is shown next to the 趋势粒度 field and no trend is drawn (it used to
    # become "month" silently); the other figures do not depend on it.
    filters = PageFilters()
    interval = filters.choice(request.GET.get("interval"), "interval", TREND_INTERVALS, label="趋势粒度")
    interval = interval or "month"
    figures = stats.dashboard_figures(scope=scope, region=region, period=period)
    hazards = figures["hazards"]
    summary = hazards["summary"]
    cards = [
        {"label": label, "icon": icon, "value": summary[m], "url": _link(m, code, period)}
        for m, label, icon in CARD_MEASURES
    ]
    _decorate(hazards["by_category"], code, period, "category")
    _decorate(hazards["by_severity"], code, period, "severity")
    _decorate(hazards["by_source"], code, period, "source")
    _decorate(hazards["by_department"], code, period, "department")
    for child in figures["children"]:
        h = child["hazards"]
        child["links"] = {
            m: _link(m, child["code"], period)
            for m in ("found", "found_closed", "open", "overdue", "major_open")
        }
        child["drill_url"] = (
            f"?region={child['code']}"
            + (f"&from={period.start}" if period.start else "")
            + (f"&to={period.end}" if period.end else "")
        )
        child["rate"] = h["rectification_rate"]
    trend = (
        stats.hazard_trend(scope=scope, region_code=code, interval=interval, end=period.end)
        if filters.valid
        else {"interval": interval, "buckets": [], "found": [], "closed": [], "open": []}
    )
    major = stats.major_hazards(scope=scope, region_code=code, period=period, limit=15)
    charts = {
        "category": [
            {"name": r["label"], "found": r["found"], "open": r["open"]} for r in hazards["by_category"]
        ],
        "severity": [{"name": r["label"], "value": r["found"]} for r in hazards["by_severity"]],
        "department": [
            {"name": r["label"], "found": r["found"], "open": r["open"]}
            for r in hazards["by_department_kind"]
        ],
        "source": [{"name": r["label"], "value": r["found"]} for r in hazards["by_source"]],
        "trend": trend,
    }
    query = request.GET.copy()
    query.pop("region", None)
    context = {
        "page_title": "统计看板",
        "region": region,
        "error": error,
        "period": period,
        "interval": interval,
        "filter_errors": filters.errors,
        "figures": figures,
        "summary": summary,
        "cards": cards,
        "hazards": hazards,
        "children": figures["children"],
        "breadcrumb": stats.breadcrumb(scope=scope, region=region),
        "major": major,
        "charts": charts,
        "coverage": figures["coverage"],
        "tips": figures["tips"],
        "enforcement": figures["enforcement"],
        "revisit": figures["revisit"],
        "links": {
            "premises": links.simple_url("registry:premises_list", "/registry/premises/", region=code),
            "coverage": links.simple_url(
                "inspections:coverage",
                "/inspections/coverage/",
                region=code,
                level={2: "district", 3: "street", 4: "community", 5: "grid"}.get(
                    region.level if region else 0
                ),
                date_from=period.start,
                date_to=period.end,
            ),
            "inspections": links.simple_url(
                "inspections:inspection_list",
                "/inspections/",
                region=code,
                status="sealed",
                date_from=period.start,
                date_to=period.end,
            ),
            "tips": links.simple_url(
                "tips:tip_list", "/tips/", region=code, date_from=period.start, date_to=period.end
            ),
            "tips_confirmed": links.simple_url(
                "tips:tip_list",
                "/tips/",
                region=code,
                status="confirmed",
                date_from=period.start,
                date_to=period.end,
            ),
            "enforcement": links.simple_url("hazards:enforcement_list", "/hazards/enforcement/", region=code),
            "revisits": links.simple_url("hazards:revisit_list", "/hazards/revisits/", region=code),
            "major": _link("major_open", code, period),
            "supervision": links.simple_url("campaigns:supervision", "/campaigns/supervision/", region=code),
        },
        "map": {
            "geojson_url": f"/dashboard/geojson/?region={code}",
            "tile_url": settings.GASGUARD_MAP_TILE_URL,
            "attribution": settings.GASGUARD_MAP_TILE_ATTRIBUTION,
            "center": [region.center_lat, region.center_lon] if region and region.center_lat else None,
        },
        "today": stats.Period().last_day(),
        "as_of": timezone.localtime(period.as_of()).strftime("%Y-%m-%d %H:%M"),
    }
    # Only links the user can follow: coverage, tips and supervision are government pages.
    government = scope.has_role(*GOVERNMENT_ROLES) and (scope.is_global or bool(scope.region_prefixes))
    if not government:
        for key in ("coverage", "supervision"):
            context["links"][key] = ""
    if not can_see_tips(request.user):
        context["links"]["tips"] = context["links"]["tips_confirmed"] = ""
    return render(request, "dashboard/index.html", context)


@login_required
@require_GET
def geojson(request):
    """Open hazards with coordinates in the requested scope (map layer)."""
    scope = user_scope(user=request.user)
    try:
        region = stats.resolve_region(scope=scope, code=request.GET.get("region"))
    except NotFound as exc:
        return JsonResponse(
            {"error": {"code": "not_found", "message": exc.message, "fields": {}}}, status=404
        )
    data = stats.hazard_points(scope=scope, region_code=region.code if region else "")
    return JsonResponse(data)
