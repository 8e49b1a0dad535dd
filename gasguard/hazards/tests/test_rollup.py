"""The ledger's count cube (rollup.py) always equals the ledger, whatever writes it.

The cube is maintained by PostgreSQL triggers; on SQLite every figure comes from the ledger, so
the comparisons there only check that the fallback answers the same question."""

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gasguard.core.errors import ValidationFailed
from gasguard.core.tests.filter_asserts import assert_api_refuses
from gasguard.hazards import rollup, selectors, services
from gasguard.hazards.filtersets import HazardFilterSet
from gasguard.hazards.models import Hazard, HazardReferral
from gasguard.hazards.tests.factories import make_hazard, png_upload


def live_totals(user, filters):
    qs = HazardFilterSet(filters, queryset=selectors.hazard_visible(user=user), user=user).qs
    return selectors.hazard_totals(qs=qs)


def totals_for(user, filters, **kwargs):
    """hazard_totals_for as the ledger page and the API call it: with the FilterSet they parsed."""
    return selectors.hazard_totals_for(user=user, filterset=HazardFilterSet(filters, user=user), **kwargs)


@pytest.fixture
def ledger(city):
    """Hazards in both districts, in several states, some overdue, one supervised major."""
    today = timezone.localdate()
    out = []
    for i in range(4):
        out.append(make_hazard(city.inspector_a, city.premises_a, title=f"软管{i}"))
    out.append(make_hazard(city.inspector_a, city.premises_a, severity="major", category="cylinder"))
    out.append(make_hazard(city.inspector_b, city.premises_b, category="valve"))
    out.append(make_hazard(city.inspector_b, city.premises_b, severity="major"))
    services.hazard_start(actor=city.enterprise_user_a, hazard_id=out[0].pk)
    services.hazard_submit_rectification(
        actor=city.enterprise_user_a, hazard_id=out[1].pk, measures="已更换", evidence_files=[png_upload()]
    )
    services.hazard_verify(actor=city.supervisor_a, hazard_id=out[1].pk, passed=True)
    # Two overdue: deadlines moved into the past (as an import of old rows would have them).
    Hazard.objects.filter(pk__in=[out[2].pk, out[5].pk]).update(deadline=today - datetime.timedelta(days=3))
    Hazard.objects.filter(pk=out[3].pk).update(deadline=today - datetime.timedelta(days=10))
    Hazard.objects.filter(pk=out[6].pk).update(deadline=today - datetime.timedelta(days=1))
    return out


FILTERS = [
    {},
    {"severity": "major"},
    {"status": ["pending", "rectifying"]},
    {"region": "440305"},
    {"region": "4403", "category": "hose"},
    {"category": "cylinder"},
    {"source": "inspection", "severity": "general"},
    {"supervised": "1"},
    {"supervised": "0", "reappeared": "0"},
    {"overdue": "1"},
    {"overdue": "0"},
    {"overdue": "1", "severity": "major", "region": "440305"},
    {"overdue": "1", "category": "hose", "status": ["pending"]},
    {"region": "440305001001", "category": "hose"},  # finer than the cube: from the ledger
    {"q": "软管"},
]


def test_cube_equals_ledger_after_every_kind_of_write(city, ledger):
    if connection.vendor != "postgresql":
        assert not rollup.enabled() and rollup.check() == []
        return
    assert rollup.check() == []
    # A bulk UPDATE of a breakdown column, a DELETE, a bulk INSERT: all through the triggers.
    Hazard.objects.filter(pk=ledger[3].pk).update(category="valve", source="self_check")
    assert rollup.check() == []
    assert rollup.compact() > 0
    assert rollup.check() == []
    Hazard.objects.filter(pk=ledger[3].pk).delete()
    clone = Hazard.objects.get(pk=ledger[4].pk)
    clone.pk, clone.code, clone.import_key = None, None, None
    Hazard.objects.bulk_create([clone])
    assert rollup.check() == []
    rollup.compact()
    assert rollup.check() == []
    # A lost cube is rebuilt from the ledger.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM hazards_hazardcount")
    assert rollup.check() != []
    rollup.rebuild()
    assert rollup.check() == []


@pytest.mark.parametrize("persona", ["taskforce_admin", "inspector_a", "supervisor_a", "enterprise_user_a"])
def test_totals_from_cube_equal_totals_from_ledger(city, ledger, persona):
    user = getattr(city, persona)
    for filters in FILTERS:
        assert totals_for(user, filters) == live_totals(user, filters), filters
    rollup.compact()
    for filters in FILTERS:
        assert totals_for(user, filters) == live_totals(user, filters), filters


def test_department_filter_and_referrals_received_from_outside(city, ledger):
    """A department that received a referral sees a hazard outside its region: the cube (which
    only knows regions) must not be used for it."""
    filters = {"department": str(city.housing_a.pk)}
    assert totals_for(city.taskforce_admin, filters) == live_totals(city.taskforce_admin, filters)
    HazardReferral.objects.create(
        hazard=ledger[5], region_code=ledger[5].region_code, to_kind="market", to_department=city.market_a,
        to_region_code=city.market_a.region.code, reason="溯源",
    )  # fmt: skip
    user = city.market_inspector_a
    assert selectors.cube_prefixes(user=user) is None
    assert totals_for(user, {}) == live_totals(user, {})
    assert totals_for(user, {})["total"] == 6


def test_totals_api_uses_the_same_figures(city, ledger, api):
    client = api(city.taskforce_admin)
    response = client.get("/api/hazards/hazards/totals/?severity=major&page=2")
    assert response.status_code == 200
    assert response.json() == live_totals(city.taskforce_admin, {"severity": "major"})
    assert client.get("/api/hazards/hazards/totals/?severity=huge").status_code == 400


def test_totals_read_the_values_the_filterset_parsed(city, ledger):
    """The cube is asked for the department id the FilterSet parsed, so "07" or " 7 " (which the
    list accepts as 7) count the same hazards as the list, not none."""
    user, pk = city.taskforce_admin, city.housing_a.pk
    expected = live_totals(user, {"department": str(pk)})
    assert expected["total"] == 5 and expected["overdue"] == 2
    for raw in (f"0{pk}", f" {pk} "):
        assert totals_for(user, {"department": raw}) == expected, raw
        assert totals_for(user, {"department": raw, "overdue": "1"}) == live_totals(
            user, {"department": str(pk), "overdue": "1"}
        )


def test_totals_refuse_invalid_filters_naming_each_field(city, ledger, api):
    with pytest.raises(ValidationFailed) as exc:
        totals_for(city.taskforce_admin, {"severity": "huge", "department": "abc", "category": "hose"})
    assert set(exc.value.errors) == {"severity", "department"}
    assert "severity: " in exc.value.message and "department: " in exc.value.message
    client = api(city.taskforce_admin)
    for params, field in (({"department": "abc"}, "department"), ({"overdue": "maybe"}, "overdue")):
        response = client.get("/api/hazards/hazards/totals/", params)
        assert_api_refuses(response, field, f"{field}: ")
        # The same error envelope as the list endpoint's for the same filter.
        assert response.json() == client.get("/api/hazards/hazards/", params).json()


@pytest.mark.parametrize("persona", ["supervisor_a", "market_inspector_a"])
def test_totals_api_looks_up_referrals_once(city, ledger, api, persona):
    """The referrals a department received from outside its region are read once per request,
    whether the totals then come from the cube or (they exist) from the ledger."""
    HazardReferral.objects.create(
        hazard=ledger[5], region_code=ledger[5].region_code, to_kind="market", to_department=city.market_a,
        to_region_code=city.market_a.region.code, reason="溯源",
    )  # fmt: skip
    user = getattr(city, persona)
    client = api(user)
    for params in ({}, {"severity": "major"}, {"category": "hose"}, {"q": "软管"}):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/hazards/hazards/totals/", params)
        assert response.json() == live_totals(user, params), params
        referral_reads = [q for q in queries.captured_queries if "hazards_hazardreferral" in q["sql"]]
        assert len(referral_reads) == 1, params
        assert len(queries.captured_queries) <= 6, params


@override_settings(GASGUARD_HAZARD_ROLLUP=False)
def test_rollup_switch_off_reads_the_ledger(city, ledger):
    assert not rollup.enabled() and rollup.compact() == 0 and rollup.rebuild() == 0
    assert totals_for(city.taskforce_admin, {}) == live_totals(city.taskforce_admin, {})


def test_command_compacts_checks_and_rebuilds(city, ledger):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("hazard_rollup", "--check", stdout=out)
    call_command("hazard_rollup", "--rebuild", "--check", stdout=out)
    assert ("核对一致" in out.getvalue()) == (connection.vendor == "postgresql")


@pytest.mark.parametrize("persona", ["taskforce_admin", "inspector_a"])
def test_overdue_from_the_cube_on_every_weekday(city, ledger, persona):
    """Overdue = due-week cells before this Monday + this week's days from the index: check
    every day of two weeks around the deadlines against the ledger's own count."""
    user = getattr(city, persona)
    qs = selectors.hazard_visible(user=user)
    for offset in range(-12, 5):
        day = timezone.localdate() + datetime.timedelta(days=offset)
        for filters in ({}, {"severity": "major"}, {"region": "440305"}, {"status": ["pending"]}):
            filtered = HazardFilterSet(filters, queryset=qs, user=user).qs
            assert totals_for(user, filters, today=day) == selectors.hazard_totals(qs=filtered, today=day), (
                day,
                filters,
            )
