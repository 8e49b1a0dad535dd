"""查实重奖: eligibility, amounts by local rule, four-eyes approval, payment."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from gasguard.accounts.tests.factories import MembershipFactory, UserFactory
from gasguard.audit.models import AuditEvent
from gasguard.core.errors import Conflict, PermissionDenied, ValidationFailed
from gasguard.hazards.services import hazard_close_on_spot, hazard_register
from gasguard.registry.tests.factories import StaffFactory
from gasguard.tips.models import Reward
from gasguard.tips.services import (
    reward_approve,
    reward_eligibility,
    reward_pay,
    reward_propose,
    reward_reject,
    reward_rule_set,
    tip_verify,
)
from gasguard.tips.tests.factories import jpeg, submit

pytestmark = pytest.mark.django_db


def confirmed(city, *, phone="13912345678", anonymous=False, severity=""):
    tip = submit(
        city, is_anonymous=anonymous, reporter_name="" if anonymous else "举报人", reporter_phone=phone
    )
    return tip_verify(
        actor=city.market_inspector_a,
        tip_id=tip.pk,
        outcome="confirmed",
        target_type="premises",
        target_id=city.premises_a.pk,
        severity=severity,
    )


@pytest.fixture
def second_admin(city):
    user = UserFactory(username="taskforce_admin2")
    MembershipFactory(user=user, role="taskforce_admin", task_force=city.task_force)
    return user


def test_eligible_report_gets_default_amount_and_full_flow(city, second_admin):
    tip = confirmed(city)
    e = reward_eligibility(tip)
    assert e["eligible"] and e["suggested_amount"] == "300"
    reward = reward_propose(actor=city.taskforce_admin, tip_id=tip.pk)
    assert reward.amount == Decimal("300.00") and reward.status == "proposed"
    reward = reward_approve(actor=second_admin, reward_id=reward.pk)
    assert reward.status == "approved"
    with pytest.raises(ValidationFailed):
        reward_pay(
            actor=second_admin,
            reward_id=reward.pk,
            paid_on=timezone.localdate() + timedelta(days=1),
            reference="X",
        )
    reward = reward_pay(
        actor=city.taskforce_admin,
        reward_id=reward.pk,
        paid_on=timezone.localdate(),
        reference="财付2023-001",
    )
    assert reward.status == "paid" and reward.payment_reference == "财付2023-001"
    events = set(AuditEvent.objects.filter(object_type="reward").values_list("event_type", flat=True))
    assert events == {"REWARD_PROPOSED", "REWARD_APPROVED", "REWARD_PAID"}


def test_approval_by_the_proposer_is_refused(city):
    tip = confirmed(city)
    reward = reward_propose(actor=city.taskforce_admin, tip_id=tip.pk)
    with pytest.raises(PermissionDenied, match="提出人"):
        reward_approve(actor=city.taskforce_admin, reward_id=reward.pk)
    with pytest.raises(PermissionDenied):
        reward_reject(actor=city.taskforce_admin, reward_id=reward.pk, reason="x")
    assert Reward.objects.get(pk=reward.pk).status == "proposed"
    # the database refuses it too
    with pytest.raises(IntegrityError), transaction.atomic():
        Reward.objects.filter(pk=reward.pk).update(approved_by=city.taskforce_admin, status="approved")


def test_not_rewarded_if_hazard_already_on_ledger_before_report(city):
    hazard_register(
        actor=city.inspector_a,
        target=city.premises_a,
        source="inspection",
        description="软管超长",
        title="软管问题",
        category="hose",
        lead_department_kind="market",
        found_at=timezone.now() - timedelta(days=3),
    )
    tip = confirmed(city)
    e = reward_eligibility(tip)
    assert not e["eligible"] and not e["checks"]["not_already_on_ledger"]
    with pytest.raises(ValidationFailed, match="已在台账"):
        reward_propose(actor=city.taskforce_admin, tip_id=tip.pk)


def test_earlier_hazard_of_other_category_or_closed_before_does_not_count(city):
    from gasguard.hazards.models import Hazard

    h = hazard_register(
        actor=city.inspector_a,
        target=city.premises_a,
        source="inspection",
        description="x",
        title="阀门",
        category="valve",
        lead_department_kind="market",
        found_at=timezone.now() - timedelta(days=9),
    )
    h2 = hazard_register(
        actor=city.inspector_a,
        target=city.premises_a,
        source="inspection",
        description="x",
        title="软管",
        category="hose",
        lead_department_kind="market",
        found_at=timezone.now() - timedelta(days=9),
    )
    hazard_close_on_spot(actor=city.inspector_a, hazard_id=h2.pk, evidence_files=[jpeg()])
    Hazard.objects.filter(pk=h2.pk).update(closed_at=timezone.now() - timedelta(days=2))
    assert h.pk
    assert reward_eligibility(confirmed(city))["eligible"]


def test_not_rewarded_if_reporter_is_target_staff(city):
    StaffFactory(enterprise=city.enterprise_a, phone="139-1234-5678")
    tip = confirmed(city, phone="13912345678")
    e = reward_eligibility(tip)
    assert not e["eligible"] and not e["checks"]["not_target_staff"]


def test_anonymous_and_unconfirmed_are_not_eligible(city):
    assert not reward_eligibility(confirmed(city, anonymous=True))["eligible"]
    tip = submit(city)
    assert reward_eligibility(tip)["reasons"][0].startswith("举报未查实")


def test_local_rule_sets_amounts_and_limits(city, second_admin):
    reward_rule_set(
        actor=city.taskforce_admin,
        region=city.district_a,
        general_amount=500,
        major_amount=5000,
        min_amount=500,
        max_amount=50000,
        requires_real_name=True,
    )
    tip = confirmed(city, severity="major")
    assert reward_eligibility(tip)["suggested_amount"] == "5000.00"
    with pytest.raises(ValidationFailed, match="500.00–50000.00"):
        reward_propose(actor=city.taskforce_admin, tip_id=tip.pk, amount="100")
    reward = reward_propose(actor=city.taskforce_admin, tip_id=tip.pk, amount="8000")
    reward = reward_reject(actor=second_admin, reward_id=reward.pk, reason="金额偏高")
    reward = reward_propose(actor=city.taskforce_admin, tip_id=tip.pk, amount="5000")
    assert reward.status == "proposed" and reward.amount == Decimal("5000.00")
    with pytest.raises(Conflict):
        reward_propose(actor=city.taskforce_admin, tip_id=tip.pk)
    with pytest.raises(ValidationFailed):
        reward_rule_set(
            actor=city.taskforce_admin,
            region=city.district_a,
            general_amount=1,
            major_amount=2,
            min_amount=10,
            max_amount=5,
        )
    with pytest.raises(PermissionDenied):
        reward_rule_set(
            actor=city.inspector_a,
            region=city.district_a,
            general_amount=1,
            major_amount=1,
            min_amount=1,
            max_amount=1,
        )


def test_inspectors_cannot_propose(city):
    tip = confirmed(city)
    with pytest.raises(PermissionDenied):
        reward_propose(actor=city.inspector_a, tip_id=tip.pk)


def test_reward_lists_query_count(city, second_admin, login, api, django_assert_max_num_queries):
    from gasguard.registry.tests.factories import PremisesFactory

    for phone in ("13900000001", "13900000002", "13900000003"):
        place = PremisesFactory(region=city.grid_a, enterprise=city.enterprise_a)
        tip = submit(city, is_anonymous=False, reporter_name="甲", reporter_phone=phone)
        tip_verify(
            actor=city.market_inspector_a,
            tip_id=tip.pk,
            outcome="confirmed",
            target_type="premises",
            target_id=place.pk,
        )
        reward_propose(actor=city.taskforce_admin, tip_id=tip.pk)
    c = login(city.taskforce_admin)
    with django_assert_max_num_queries(10):
        r = c.get("/tips/rewards/")
    assert r.status_code == 200 and r.content.decode().count("¥300") == 3
    client = api(second_admin)
    with django_assert_max_num_queries(8):
        r = client.get("/api/tips/rewards/")
    assert r.json()["count"] == 3
