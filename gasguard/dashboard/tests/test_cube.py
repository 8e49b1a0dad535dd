"""The dashboard's figures from the count cube equal the figures computed from the ledger.

On PostgreSQL the default period's figures and the trend come from the cube (hazards/rollup.py)
and the not-yet-due index; switching the cube off must not change a single number."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from gasguard.accounts.selectors import user_scope
from gasguard.dashboard import selectors as stats
from gasguard.dashboard.tests.factories import make_hazard
from gasguard.hazards import rollup

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
    return out, trends, children


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
