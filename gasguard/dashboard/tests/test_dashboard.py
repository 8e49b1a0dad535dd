"""Dashboard figures per scope, drill-down, links to the lists behind the numbers, API, query pins."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict
from django.utils import timezone

from gasguard.accounts.selectors import user_scope
from gasguard.dashboard import selectors as stats
from gasguard.dashboard.tests.factories import at, make_hazard
from gasguard.hazards.selectors import hazard_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(city):
    t = timezone.localdate()
    a, b = city.premises_a, city.premises_b
    make_hazard(premises=a, found=t - timedelta(days=60), closed=t - timedelta(days=30))
    make_hazard(premises=a, found=t - timedelta(days=50), deadline=t - timedelta(days=5))  # overdue
    make_hazard(premises=a, found=t - timedelta(days=10), severity="major", category="pipeline")
    make_hazard(premises=b, found=t - timedelta(days=20))
    make_hazard(premises=b, found=t - timedelta(days=20), closed=t - timedelta(days=2), source="report")
    return t


def _figures(user, code=None, period=None):
    scope = user_scope(user=user)
    region = stats.resolve_region(scope=scope, code=code)
    return stats.dashboard_figures(
        scope=scope, region=region, period=period or stats.Period(), use_cache=False
    )


def test_district_inspector_sees_only_district_numbers(city, ledger):
    f = _figures(city.inspector_a)
    assert f["region"]["code"] == "440305"
    assert f["hazards"]["summary"]["found"] == 3 and f["hazards"]["summary"]["overdue"] == 1
    with pytest.raises(Exception) as exc:
        _figures(city.inspector_a, "440306")
    assert exc.value.__class__.__name__ == "NotFound"


def test_task_force_sees_city_with_children(city, ledger):
    f = _figures(city.taskforce_admin)
    assert f["region"]["code"] == "4403"
    s = f["hazards"]["summary"]
    assert (s["found"], s["found_closed"], s["open"], s["overdue"], s["major_open"]) == (5, 2, 3, 1, 1)
    assert s["rectification_rate"] == 40.0
    children = {c["code"]: c for c in f["children"]}
    assert children["440305"]["hazards"]["found"] == 3 and children["440306"]["hazards"]["found"] == 2
    assert sum(c["hazards"]["open"] for c in f["children"]) == s["open"]
    cats = {r["key"]: r["found"] for r in f["hazards"]["by_category"]}
    assert cats == {"hose": 4, "pipeline": 1}
    assert {r["key"]: r["found"] for r in f["hazards"]["by_source"]} == {"inspection": 4, "report": 1}


def test_period_filters_found_and_closed(city, ledger):
    t = ledger
    f = _figures(city.taskforce_admin, period=stats.Period(start=t - timedelta(days=25), end=t))
    s = f["hazards"]["summary"]
    assert s["found"] == 3 and s["closed"] == 1 and s["open"] == 3


def test_enterprise_user_sees_own_enterprise_only(city, ledger):
    f = _figures(city.enterprise_user_b)
    assert f["hazards"]["summary"]["found"] == 2


def test_every_number_links_to_the_same_count_in_the_ledger(city, ledger, login):
    c = login(city.taskforce_admin)
    r = c.get("/dashboard/")
    assert r.status_code == 200
    cards = r.context["cards"]
    for card in cards:
        query = QueryDict(urlsplit(card["url"]).query)
        assert urlsplit(card["url"]).path == "/hazards/"
        assert hazard_list(user=city.taskforce_admin, filters=query).count() == card["value"], card
    for child in r.context["children"]:
        for measure in ("found", "open", "overdue"):
            query = QueryDict(urlsplit(child["links"][measure]).query)
            assert hazard_list(user=city.taskforce_admin, filters=query).count() == child["hazards"][measure]
    for row in r.context["hazards"]["by_category"]:
        query = QueryDict(urlsplit(row["links"]["open"]).query)
        assert hazard_list(user=city.taskforce_admin, filters=query).count() == row["open"]


def test_drill_down_page_and_breadcrumb(city, ledger, login):
    c = login(city.taskforce_admin)
    r = c.get("/dashboard/?region=440305")
    assert r.status_code == 200
    assert [b["code"] for b in r.context["breadcrumb"]] == ["4403", "440305"]  # province not in scope
    assert [ch["code"] for ch in r.context["children"]] == ["440305001"]
    assert login(city.inspector_b).get("/dashboard/?region=440305").status_code == 404


def test_coverage_tips_enforcement(city, ledger):
    from gasguard.hazards.models import EnforcementAction, Hazard
    from gasguard.inspections.models import Inspection

    Inspection.objects.create(
        region_code=city.premises_a.region_code,
        target_type="premises",
        premises=city.premises_a,
        target_name=city.premises_a.name,
        created_by=city.inspector_a,
        catalog_version="1",
        status="sealed",
        submitted_at=at(ledger - timedelta(days=3)),
    )
    Inspection.objects.create(  # drafts do not count
        region_code=city.premises_b.region_code,
        target_type="premises",
        premises=city.premises_b,
        target_name=city.premises_b.name,
        created_by=city.inspector_b,
        catalog_version="1",
        status="draft",
    )
    hazard = Hazard.objects.filter(premises=city.premises_a).first()
    EnforcementAction.objects.create(
        hazard=hazard,
        region_code=hazard.region_code,
        kind="fine",
        fine_amount=Decimal("5000"),
        decided_on=ledger,
    )
    from gasguard.tips.tests.factories import submit

    tip = submit(city)
    type(tip).objects.filter(pk=tip.pk).update(outcome="confirmed", status="confirmed")
    submit(city, target_name="另一家")
    f = _figures(city.taskforce_admin)
    assert f["coverage"] == {"registered": 2, "inspected": 1, "inspections": 1, "coverage_rate": 50.0}
    assert f["enforcement"]["count"] == 1 and f["enforcement"]["fines"] == 5000.0
    assert f["tips"]["received"] == 2 and f["tips"]["verified"] == 1
    children = {c["code"]: c for c in f["children"]}
    assert (
        children["440305"]["coverage"]["inspected"] == 1 and children["440306"]["coverage"]["inspected"] == 0
    )
    assert children["440305"]["tips"]["received"] == 2


def test_trend_counts_found_closed_and_open(city, ledger):
    scope = user_scope(user=city.taskforce_admin)
    trend = stats.hazard_trend(scope=scope, region_code="4403", interval="week", use_cache=False)
    assert sum(trend["found"]) == 5 and sum(trend["closed"]) == 2
    assert trend["open"][-1] == 3
    monthly = stats.hazard_trend(scope=scope, region_code="4403", interval="month", use_cache=False)
    assert monthly["open"][-1] == 3 and len(monthly["buckets"]) == 13


def test_geojson_is_scoped(city, ledger, login, api):
    data = login(city.inspector_a).get("/dashboard/geojson/").json()
    assert {f["properties"]["target"] for f in data["features"]} == {"南山川菜馆"}
    assert api(city.inspector_a).get("/api/dashboard/geojson/?region=440306").status_code == 404


def test_api_summary_trend_children(city, ledger, api):
    a = api(city.taskforce_admin)
    r = a.get("/api/dashboard/summary/?region=4403")
    assert r.status_code == 200 and r.json()["hazards"]["summary"]["found"] == 5
    r = a.get(f"/api/dashboard/summary/?from={ledger - timedelta(days=25)}&to={ledger}")
    assert r.json()["hazards"]["summary"]["found"] == 3
    r = a.get("/api/dashboard/trend/?interval=week")
    assert r.status_code == 200 and r.json()["interval"] == "week"
    r = a.get("/api/dashboard/children/")
    assert [row["code"] for row in r.json()["results"]] == ["440305", "440306"]
    r = a.get("/api/dashboard/summary/?from=2024-13-01")
    assert r.status_code == 400 and "from" in r.json()["error"]["fields"]
    assert api(city.inspector_a).get("/api/dashboard/summary/?region=4403").status_code == 404
    assert api().get("/api/dashboard/summary/").status_code in (401, 403)


def test_dashboard_query_counts_are_pinned(city, ledger, login, api, django_assert_max_num_queries):
    for i in range(10):
        make_hazard(premises=city.premises_b, found=ledger - timedelta(days=i + 1), category="cylinder")
    c = login(city.taskforce_admin)
    # Constant, not per row: on SQLite one GROUP BY per breakdown; on PostgreSQL one GROUPING SETS.
    with django_assert_max_num_queries(36):
        assert c.get("/dashboard/").status_code == 200
    a = api(city.taskforce_admin)
    with django_assert_max_num_queries(30):
        assert a.get("/api/dashboard/summary/").status_code == 200


def test_cache_is_used_within_the_day(city, ledger, settings):
    settings.GASGUARD_DASHBOARD_CACHE_SECONDS = 60
    from django.core.cache import cache

    cache.clear()
    scope = user_scope(user=city.taskforce_admin)
    region = stats.resolve_region(scope=scope, code="4403")
    first = stats.dashboard_figures(scope=scope, region=region, period=stats.Period())
    make_hazard(premises=city.premises_a, found=ledger - timedelta(days=1))
    assert stats.dashboard_figures(scope=scope, region=region, period=stats.Period()) == first
    fresh = stats.dashboard_figures(scope=scope, region=region, period=stats.Period(), use_cache=False)
    assert fresh["hazards"]["summary"]["found"] == 6
    cache.clear()


def test_phone_layout_has_responsive_tables(city, ledger, login):
    body = login(city.taskforce_admin).get("/dashboard/").content.decode()
    assert (
        "table-responsive" in body
        and 'id="dash-charts"' in body
        and "<script>" not in body.replace("<script src=", "")
    )


def test_warm_task_fills_the_cache_for_every_viewer_of_the_region(city, ledger, settings):
    from django.core.cache import cache

    from gasguard.dashboard.tasks import warm_dashboard

    settings.GASGUARD_DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    assert warm_dashboard.apply().get() == 2  # 44 and 4403
    make_hazard(premises=city.premises_a, found=ledger - timedelta(days=1))
    # The task-force admin (scope 4403) and a superuser-free city viewer share the warmed entry.
    warmed = _figures_cached(city.taskforce_admin, "4403")
    assert warmed["hazards"]["summary"]["found"] == 5
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("warm_dashboard", stdout=out)
    assert "4403" in out.getvalue()
    assert _figures_cached(city.taskforce_admin, "4403")["hazards"]["summary"]["found"] == 6
    cache.clear()


def _figures_cached(user, code):
    scope = user_scope(user=user)
    region = stats.resolve_region(scope=scope, code=code)
    return stats.dashboard_figures(scope=scope, region=region, period=stats.Period())


def test_bad_date_on_the_page_shows_an_error_not_a_404(city, ledger, login):
    r = login(city.inspector_a).get("/dashboard/?from=2024-02-30")
    assert r.status_code == 200 and "from" in r.context["error"]
    assert r.context["region"].code == "440305"
