"""The dashboard's figures from the count cube equal the figures computed from the ledger.

On PostgreSQL the default period's figures and the trend come from the cube (hazards/rollup.py)
and the not-yet-due index; switching the cube off must not change a single number."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from gasguard.accounts.selectors import user_scope
from gasguard.dashboard import selectors as stats
from gasguard.dashboard.tests.factories import make_hazard
from gasguard.hazards import rollup
from gasguard.hazards.models import Hazard
from gasguard.hazards.selectors import hazard_visible, overdue_q

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(city):
    """Forty hazards in both districts: every category mix, open, closed, overdue, due later,
    supervised, one with no lead department, found over the last ten months."""
    rng = random.Random(7)
    t = timezone.localdate()
    for i in range(40):
        found = t - timedelta(days=rng.randint(0, 300))
        closed = found + timedelta(days=rng.randint(0, 20)) if i % 3 == 0 else None
        make_hazard(
            premises=city.premises_a if i % 2 else city.premises_b,
            found=found,
            closed=closed if closed and closed <= t else None,
            deadline=t + timedelta(days=rng.randint(-40, 40)),
            severity="major" if i % 5 == 0 else "general",
            category=["hose", "valve", "cylinder", "pipeline"][i % 4],
            lead=["fire", "market", "housing"][i % 3],
            source=["inspection", "report", "self_check"][i % 3],
            supervised=i % 5 == 0,
            escalation_level=i % 3,
        )
    rollup.compact()


def figures(user, code=None):
    scope = user_scope(user=user)
    region = stats.resolve_region(scope=scope, code=code)
    out = stats.dashboard_figures(scope=scope, region=region, period=stats.Period(), use_cache=False)
    out["period"].pop("as_of")
    trends = [
        stats.hazard_trend(
            scope=scope, region_code=region.code if region else "", interval=i, use_cache=False
        )
        for i in ("week", "month")
    ]
    children = stats.children_figures(scope=scope, region=region, period=stats.Period())
    major = stats.major_hazards(scope=scope, region_code=region.code if region else "", period=stats.Period())
    major["items"] = [h.pk for h in major["items"]]
    return out, trends, children, major


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("taskforce_admin", None),
        ("taskforce_admin", "4403"),
        ("taskforce_admin", "440305"),
        ("taskforce_admin", "440305001"),
        ("inspector_a", None),
        ("enterprise_user_a", None),
    ],
)
def test_cube_figures_equal_ledger_figures(city, ledger, persona, code):
    user = getattr(city, persona)
    from_cube = figures(user, code)
    with override_settings(GASGUARD_HAZARD_ROLLUP=False):
        from_ledger = figures(user, code)
    assert from_cube == from_ledger
    assert from_cube[0]["hazards"]["summary"]["found"] > 0


def test_cube_is_used_on_postgresql(city, ledger, django_assert_max_num_queries):
    scope = user_scope(user=city.taskforce_admin)
    region = stats.resolve_region(scope=scope, code="4403")
    if connection.vendor != "postgresql":
        assert not stats._cube_usable(scope=scope, region_code="4403", period=stats.Period())
        return
    assert stats._cube_usable(scope=scope, region_code="4403", period=stats.Period())
    # A period with a start, a past end, or a region finer than a county reads the ledger.
    t = timezone.localdate()
    assert not stats._cube_usable(scope=scope, region_code="4403", period=stats.Period(start=t))
    assert not stats._cube_usable(
        scope=scope, region_code="4403", period=stats.Period(end=t - timedelta(days=1))
    )
    assert not stats._cube_usable(scope=scope, region_code="440305001", period=stats.Period())
    with django_assert_max_num_queries(4):
        stats.hazard_figures(scope=scope, region_code=region.code, period=stats.Period(), child_length=6)


def test_coverage_from_the_premises_cube_equals_the_registry(city, ledger):
    """Sealed inspections keep premises.last_inspected_at/inspection_count (triggers on both
    databases); on PostgreSQL the coverage figures come from the premises cube."""
    from gasguard.inspections.models import Inspection
    from gasguard.registry import rollup as premises_rollup
    from gasguard.registry.tests.factories import PremisesFactory

    never = PremisesFactory(region=city.grid_a, name="从未检查的小吃店")
    closed = PremisesFactory(region=city.grid_a, name="已关停餐馆", status="closed")
    fields = {
        "target_type": "premises",
        "target_name": "x",
        "region_code": city.premises_a.region_code,
        "created_by": city.inspector_a,
        "catalog_version": "test",
    }
    Inspection.objects.create(
        premises=city.premises_a, status="sealed", submitted_at=timezone.now(), **fields
    )
    Inspection.objects.create(
        premises=city.premises_a, status="sealed", submitted_at=timezone.now(), **fields
    )
    draft = Inspection.objects.create(premises=city.premises_b, status="draft", **fields)
    Inspection.objects.create(premises=closed, status="sealed", submitted_at=timezone.now(), **fields)
    city.premises_a.refresh_from_db()
    assert city.premises_a.inspection_count == 2 and city.premises_a.last_inspected_at
    never.refresh_from_db()
    assert never.inspection_count == 0 and never.last_inspected_at is None
    Inspection.objects.filter(pk=draft.pk).update(status="sealed", submitted_at=timezone.now())
    city.premises_b.refresh_from_db()
    assert city.premises_b.inspection_count == 1
    assert premises_rollup.check() == []
    for persona, code in (("taskforce_admin", "4403"), ("taskforce_admin", "440305"), ("inspector_a", None)):
        from_cube = figures(getattr(city, persona), code)
        with override_settings(GASGUARD_HAZARD_ROLLUP=False):
            from_registry = figures(getattr(city, persona), code)
        assert from_cube == from_registry
    cov = figures(city.taskforce_admin, "4403")[0]["coverage"]
    # premises_a, premises_b, never (closed premises are not registered for coverage)
    assert cov == {"registered": 3, "inspected": 2, "inspections": 3, "coverage_rate": 66.7}


BREAKDOWN_FIELDS = {
    "by_category": "category",
    "by_severity": "severity",
    "by_department_kind": "lead_department_kind",
    "by_department": "lead_department_id",
    "by_source": "source",
    "by_target_type": "target_type",
}


@pytest.mark.parametrize(
    ("persona", "code", "child_length"), [("taskforce_admin", "4403", 6), ("inspector_a", "440305", 9)]
)
def test_breakdown_overdue_is_the_ledgers_overdue(city, ledger, persona, code, child_length):
    """逾期 per category, department, source, type and child region (on PostgreSQL from the cube
    as open − not yet due) is exactly the ledger's own overdue (hazards.selectors.overdue_q)."""
    Hazard.objects.filter(category="hose").update(lead_department=city.housing_a)
    Hazard.objects.filter(category="valve").update(lead_department=city.market_a)
    user = getattr(city, persona)
    overdue = hazard_visible(user=user).filter(overdue_q(), region_code__startswith=code)
    figures = stats.hazard_figures(
        scope=user_scope(user=user), region_code=code, period=stats.Period(), child_length=child_length
    )
    assert figures["summary"]["overdue"] == overdue.count() > 0
    for name, field in BREAKDOWN_FIELDS.items():
        shown = {r["key"]: r["overdue"] for r in figures[name] if r["overdue"]}
        assert shown == dict(Counter(overdue.values_list(field, flat=True))), name
    assert len({r["key"] for r in figures["by_department"] if r["overdue"]}) >= 2
    children = {k: v["overdue"] for k, v in figures["_children"].items() if v["overdue"]}
    assert children == dict(Counter(c[:child_length] for c in overdue.values_list("region_code", flat=True)))
