"""Scope of the inspection selectors, persona by persona."""

import pytest
from django.utils import timezone

from gasguard.core.errors import NotFound, PermissionDenied
from gasguard.inspections import selectors, services
from gasguard.inspections.tests.conftest import all_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(city, sign_both):
    out = {}
    for key, user, premises in (
        ("a", city.inspector_a, city.premises_a),
        ("b", city.inspector_b, city.premises_b),
    ):
        insp = services.inspection_start(actor=user, target_type="premises", target_id=premises.pk)
        services.inspection_record_answers(actor=user, inspection_id=insp.pk, answers=all_answers(insp))
        sign_both(insp, user)
        out[key] = services.inspection_seal(actor=user, inspection_id=insp.pk)
    out["draft_a"] = services.inspection_start(
        actor=city.inspector_a, target_type="premises", target_id=city.premises_a.pk
    )
    return out


def visible(user):
    return set(selectors.inspection_list(user=user).values_list("number", flat=True))


def test_each_persona_sees_exactly_its_records(city, records):
    a, b, draft = records["a"].number, records["b"].number, records["draft_a"].number
    assert visible(city.inspector_a) == {a, draft}
    assert visible(city.supervisor_a) == {a, draft}
    assert visible(city.market_inspector_a) == {a, draft}
    assert visible(city.inspector_b) == {b}
    assert visible(city.taskforce_admin) == {a, b, draft}
    assert visible(city.leader) == {a, b, draft}
    assert visible(city.enterprise_user_a) == {a}  # own, sealed only
    assert visible(city.enterprise_user_b) == {b}


def test_get_outside_scope_is_not_found(city, records):
    with pytest.raises(NotFound):
        selectors.inspection_get(user=city.inspector_b, pk=records["a"].pk)
    with pytest.raises(NotFound):
        selectors.inspection_get(user=city.enterprise_user_a, pk=records["draft_a"].pk)
    assert selectors.inspection_get(user=city.leader, pk=records["a"].pk, full=True).answers.exists()


def test_leader_is_read_only(city, records):
    with pytest.raises(PermissionDenied):
        services.inspection_start(actor=city.leader, target_type="premises", target_id=city.premises_a.pk)
    with pytest.raises(PermissionDenied):
        services.batch_create(
            actor=city.leader,
            name="x",
            kind="campaign",
            region_code="440305",
            target_type="premises",
            due_date=timezone.localdate(),
        )
    assert not selectors.can_edit(user=city.leader, inspection=records["draft_a"])


def test_tasks_and_coverage_are_for_government_users(city, records):
    for user in (city.enterprise_user_a, city.enterprise_user_b):
        with pytest.raises(PermissionDenied):
            selectors.task_list(user=user)
        with pytest.raises(PermissionDenied):
            selectors.coverage(user=user)


def test_coverage_by_scope_adds_up(city, records):
    whole = selectors.coverage(user=city.taskforce_admin, level="district")
    assert (whole.premises_total.registered, whole.premises_total.inspected) == (2, 2)
    assert {r.key: (r.registered, r.inspected) for r in whole.premises_by_region} == {
        "440305": (1, 1),
        "440306": (1, 1),
    }
    district_b = selectors.coverage(user=city.inspector_b)
    assert (district_b.premises_total.registered, district_b.premises_total.inspected) == (1, 1)
    assert district_b.enterprises_total.registered == 1 and district_b.enterprises_total.inspected == 0


def test_timeline_scope(city, records):
    target, entries = selectors.timeline(
        user=city.enterprise_user_a, target_type="premises", target_id=city.premises_a.pk
    )
    assert target == city.premises_a
    assert any(e.kind == "inspection" for e in entries)
    assert not any(records["draft_a"].number in e.title for e in entries)  # drafts not shown to the party
    with pytest.raises(NotFound):
        selectors.timeline(user=city.enterprise_user_b, target_type="premises", target_id=city.premises_a.pk)
    with pytest.raises(NotFound):
        selectors.timeline(user=city.inspector_a, target_type="facility", target_id=1)
