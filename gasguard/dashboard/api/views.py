"""Dashboard figures as JSON: the same selectors as the page (and the monthly report)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from gasguard.accounts.selectors import user_scope
from gasguard.core.errors import ValidationFailed
from gasguard.dashboard import selectors as stats
from gasguard.dashboard.views import parse_date, parse_request

COMMON = [
    OpenApiParameter("region", OpenApiTypes.STR, description="区划代码（默认：本人所属区划）"),
    OpenApiParameter("from", OpenApiTypes.DATE, description="统计期起（含）"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="统计期止（含）"),
]


@extend_schema(parameters=COMMON, responses=OpenApiTypes.OBJECT, summary="统计看板全部数字")
@api_view(["GET"])
def summary(request):
    """All figures for one region and period: coverage, hazards with breakdowns, tips,
    enforcement, 回头看, and one row per child region."""
    scope, region, period = parse_request(request)
    return Response(stats.dashboard_figures(scope=scope, region=region, period=period))


@extend_schema(
    parameters=[*COMMON, OpenApiParameter("interval", OpenApiTypes.STR, enum=["week", "month"])],
    responses=OpenApiTypes.OBJECT,
    summary="动态清零趋势",
)
@api_view(["GET"])
def trend(request):
    """Per week or month: hazards found, closed, and open at the end of the bucket."""
    scope = user_scope(user=request.user)
    region = stats.resolve_region(scope=scope, code=request.query_params.get("region"))
    start = parse_date(request.query_params.get("from"), "from")
    end = parse_date(request.query_params.get("to"), "to")
    interval = request.query_params.get("interval") or "month"
    if interval not in ("week", "month"):
        raise ValidationFailed("interval 须为 week 或 month", field="interval")
    data = stats.hazard_trend(
        scope=scope,
        region_code=region.code if region else "",
        interval=interval,
        start=start,
        end=end,
    )
    return Response(data)


@extend_schema(parameters=COMMON, responses=OpenApiTypes.OBJECT, summary="下级地区数字")
@api_view(["GET"])
def children(request):
    """One row per child region (drill-down table)."""
    scope, region, period = parse_request(request)
    rows = stats.children_figures(scope=scope, region=region, period=period)
    return Response({"region": region.code if region else "", "results": rows})


@extend_schema(parameters=COMMON[:1], responses=OpenApiTypes.OBJECT, summary="未销号隐患点位(GeoJSON)")
@api_view(["GET"])
def geojson(request):
    scope = user_scope(user=request.user)
    region = stats.resolve_region(scope=scope, code=request.query_params.get("region"))
    return Response(stats.hazard_points(scope=scope, region_code=region.code if region else ""))
