"""Referral, enforcement, 回头看, 改后反弹 and escalation."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from gasguard.audit.services import audit_verify
from gasguard.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from gasguard.hazards import services
from gasguard.hazards.models import Hazard, HazardEscalation, RevisitSample
from gasguard.hazards.selectors import enforcement_list, enforcement_totals, hazard_list, referral_list
from gasguard.hazards.tests.factories import make_hazard, png_upload
from gasguard.notifications.models import Notification


def close(hazard, city):
    services.hazard_submit_rectification(
        actor=city.enterprise_user_a,
        hazard_id=hazard.pk,
        measures="已更换合格软管",
        evidence_files=[png_upload()],
    )
    return services.hazard_verify(actor=city.supervisor_a, hazard_id=hazard.pk, passed=True)


@pytest.mark.django_db
def test_referral_to_market_supervision_and_acceptance(city, hazard):
    referral = services.hazard_refer(
        actor=city.inspector_a, hazard_id=hazard.pk, to_kind="market", reason="问题软管移送市场监管部门溯源"
    )
    assert referral.to_department == city.market_a and referral.status == "pending"
    assert referral.from_department == city.housing_a
    assert referral_list(user=city.market_inspector_a).filter(pk=referral.pk).exists()
    assert hazard_list(user=city.market_inspector_a).filter(pk=hazard.pk).exists()
    assert not referral_list(user=city.inspector_b).filter(pk=referral.pk).exists()
    with pytest.raises(PermissionDenied):
        services.referral_accept(actor=city.inspector_a, referral_id=referral.pk)
    with pytest.raises(NotFound):
        services.referral_accept(actor=city.inspector_b, referral_id=referral.pk)
    with pytest.raises(ValidationFailed):
        services.referral_return(actor=city.market_inspector_a, referral_id=referral.pk, response="")
    accepted = services.referral_accept(
        actor=city.market_inspector_a, referral_id=referral.pk, response="已立案溯源"
    )
    assert accepted.status == "accepted" and accepted.handled_by == city.market_inspector_a
    with pytest.raises(Conflict):
        services.referral_return(actor=city.market_inspector_a, referral_id=referral.pk, response="重复")
    assert Notification.objects.filter(recipient=city.market_inspector_a, kind="hazard_referral").exists()
    assert audit_verify().ok


def _refer_to_market_a(city, hazard):
    """A referral of `hazard` (district B) straight to district A's market department."""
    from gasguard.hazards.models import HazardReferral

    return HazardReferral.objects.create(
        hazard=hazard,
        region_code=hazard.region_code,
        to_kind="market",
        to_department=city.market_a,
        to_region_code=city.market_a.region_code,
        reason="跨区溯源",
    )


@pytest.mark.django_db
def test_referral_receiver_outside_region_sees_the_hazard(city):
    from gasguard.accounts.tests.factories import MembershipFactory, UserFactory

    hazard = make_hazard(city.inspector_b, city.premises_b)
    city_market = city.depts[("4403", "market")]
    Hazard.objects.filter(pk=hazard.pk)  # noqa: B018
    user = UserFactory(username="market_city_like")
    # a department elsewhere (district A market) — referral routes to the hazard's own district normally
    MembershipFactory(user=user, role="inspector", department=city.market_a)
    assert not hazard_list(user=user).filter(pk=hazard.pk).exists()
    _refer_to_market_a(city, hazard)
    assert hazard_list(user=user).filter(pk=hazard.pk).exists()
    assert city_market.region_code == "4403"


@pytest.mark.django_db
def test_many_referrals_from_outside_are_all_visible(city, monkeypatch):
    """Past the id-list cap the referred hazards come as a subquery, never a truncated list."""
    from gasguard.accounts.tests.factories import MembershipFactory, UserFactory
    from gasguard.hazards import selectors

    hazards = [make_hazard(city.inspector_b, city.premises_b) for _ in range(3)]
    user = UserFactory(username="market_many_referrals")
    MembershipFactory(user=user, role="inspector", department=city.market_a)
    for hazard in hazards:
        _refer_to_market_a(city, hazard)
    wanted = {h.pk for h in hazards}
    assert set(selectors.referred_outside(user=user)) == wanted
    monkeypatch.setattr(selectors, "REFERRED_LIST_MAX", 2)
    assert wanted <= set(hazard_list(user=user).values_list("pk", flat=True))
    assert selectors.cube_prefixes(user=user) is None  # still "not a union of regions"


@pytest.mark.django_db
def test_referral_to_unknown_kind_is_refused(city, hazard):
    with pytest.raises(ValidationFailed):
        services.hazard_refer(actor=city.inspector_a, hazard_id=hazard.pk, to_kind="nope", reason="x")


@pytest.mark.django_db
def test_enforcement_records_and_totals(city, hazard):
    with pytest.raises(ValidationFailed) as exc:
        services.enforcement_record(actor=city.inspector_a, hazard_id=hazard.pk, kind="fine")
    assert "fine_amount" in exc.value.errors
    with pytest.raises(ValidationFailed):
        services.enforcement_record(
            actor=city.inspector_a, hazard_id=hazard.pk, kind="fine", fine_amount="-1"
        )
    with pytest.raises(ValidationFailed):
        services.enforcement_record(
            actor=city.inspector_a, hazard_id=hazard.pk, kind="fine", fine_amount="abc"
        )
    services.enforcement_record(
        actor=city.inspector_a,
        hazard_id=hazard.pk,
        kind="fine",
        fine_amount="5000",
        decision_number="深南建罚〔2023〕1号",
    )
    services.enforcement_record(actor=city.inspector_a, hazard_id=hazard.pk, kind="order_rectify")
    services.enforcement_record(
        actor=city.inspector_a, hazard_id=hazard.pk, kind="fine", fine_amount=Decimal("1500.50")
    )
    totals = enforcement_totals(qs=enforcement_list(user=city.supervisor_a))
    assert totals["total"] == 3 and totals["fines"] == Decimal("6500.50") and totals["by_kind"]["fine"] == 2
    assert enforcement_list(user=city.inspector_b).count() == 0
    with pytest.raises(PermissionDenied):
        services.enforcement_record(actor=city.enterprise_user_a, hazard_id=hazard.pk, kind="order_rectify")


@pytest.mark.django_db
def test_major_hazards_are_always_sampled_for_revisit(city, settings):
    settings.GASGUARD_REVISIT_GENERAL_SHARE = 0.0
    major = make_hazard(city.inspector_a, city.premises_a, severity="major", title="重大隐患A")
    assert major.is_supervised
    general = make_hazard(city.inspector_a, city.premises_a, title="一般隐患B")
    close(major, city)
    close(general, city)
    sample = RevisitSample.objects.get(hazard=major)
    closed_on = timezone.localdate(Hazard.objects.get(pk=major.pk).closed_at)
    assert sample.due_on == closed_on + datetime.timedelta(days=settings.GASGUARD_REVISIT_AFTER_DAYS)
    assert not RevisitSample.objects.filter(hazard=general).exists()


@pytest.mark.django_db
def test_general_share_sampling_is_deterministic(city, settings):
    settings.GASGUARD_REVISIT_GENERAL_SHARE = 0.5
    hazards = [make_hazard(city.inspector_a, city.premises_a, title=f"隐患{i}") for i in range(40)]
    first = [services.revisit_selected(h)[0] for h in hazards]
    assert first == [services.revisit_selected(h)[0] for h in hazards]
    assert 8 <= sum(first) <= 32
    settings.GASGUARD_REVISIT_GENERAL_SHARE = 1.0
    assert all(services.revisit_selected(h)[0] for h in hazards)


@pytest.mark.django_db
def test_reappearance_at_same_target_is_flagged_and_counted(city):
    first = make_hazard(city.inspector_a, city.premises_a)
    open_duplicate = make_hazard(city.inspector_a, city.premises_a)
    assert open_duplicate.reappeared_from is None  # the first one is not closed yet
    close(first, city)
    again = make_hazard(city.inspector_a, city.premises_a)
    assert again.reappeared_from_id == first.pk
    first.refresh_from_db()
    assert first.reappear_count == 1
    other_problem = make_hazard(
        city.inspector_a, city.premises_a, title="未安装报警器", category="environment"
    )
    assert other_problem.reappeared_from is None
    other_place = make_hazard(city.inspector_b, city.premises_b)
    assert other_place.reappeared_from is None
    assert hazard_list(user=city.supervisor_a, filters={"reappeared": "1"}).count() == 1


@pytest.mark.django_db
def test_revisit_outcomes(city, settings):
    settings.GASGUARD_REVISIT_GENERAL_SHARE = 1.0
    a = make_hazard(city.inspector_a, city.premises_a, title="隐患甲")
    b = make_hazard(city.inspector_a, city.premises_a, title="隐患乙")
    close(a, city)
    close(b, city)
    sa, sb = RevisitSample.objects.get(hazard=a), RevisitSample.objects.get(hazard=b)
    ok = services.revisit_record(actor=city.inspector_a, sample_id=sa.pk, reappeared=False, note="复查正常")
    assert ok.status == "ok"
    with pytest.raises(Conflict):
        services.revisit_record(actor=city.inspector_a, sample_id=sa.pk, reappeared=True)
    bad = services.revisit_record(actor=city.inspector_a, sample_id=sb.pk, reappeared=True, note="软管又老化")
    assert bad.status == "reappeared" and bad.new_hazard.reappeared_from_id == b.pk
    b.refresh_from_db()
    assert b.reappear_count == 1
    with pytest.raises(NotFound):
        services.revisit_record(actor=city.inspector_b, sample_id=sb.pk, reappeared=False)
    assert audit_verify().ok


@pytest.mark.django_db
def test_escalation_ladder_is_idempotent(city, settings):
    settings.GASGUARD_ESCALATION_REMIND_DAYS = 3
    settings.GASGUARD_ESCALATION_SUPERVISOR_DAYS = 0
    settings.GASGUARD_ESCALATION_TASKFORCE_DAYS = 7
    today = timezone.localdate()
    soon = make_hazard(
        city.inspector_a, city.premises_a, deadline=today + datetime.timedelta(days=2), title="将到期"
    )
    late = make_hazard(
        city.inspector_a, city.premises_a, deadline=today - datetime.timedelta(days=1), title="逾期"
    )
    very_late = make_hazard(
        city.inspector_a, city.premises_a, deadline=today - datetime.timedelta(days=10), title="严重逾期"
    )
    far = make_hazard(
        city.inspector_a, city.premises_a, deadline=today + datetime.timedelta(days=30), title="远"
    )
    result = services.hazard_escalate_due(today=today)
    assert result == {"reminded": 3, "escalated": 2, "supervised": 1}
    assert services.hazard_escalate_due(today=today) == {"reminded": 0, "escalated": 0, "supervised": 0}
    assert set(HazardEscalation.objects.filter(hazard=soon).values_list("level", flat=True)) == {1}
    assert set(HazardEscalation.objects.filter(hazard=late).values_list("level", flat=True)) == {1, 2}
    very_late.refresh_from_db()
    assert very_late.is_supervised and very_late.escalation_level == 3
    assert not HazardEscalation.objects.filter(hazard=far).exists()
    assert (
        Notification.objects.filter(recipient=city.enterprise_user_a, kind="hazard_escalation").count() == 3
    )
    assert Notification.objects.filter(recipient=city.supervisor_a, kind="hazard_escalation").count() == 2
    assert Notification.objects.filter(recipient=city.taskforce_admin, kind="hazard_escalation").count() == 1
    assert audit_verify().ok


@pytest.mark.django_db
def test_escalate_command_runs(city):
    from io import StringIO

    from django.core.management import call_command

    make_hazard(city.inspector_a, city.premises_a, deadline=timezone.localdate() - datetime.timedelta(days=8))
    out = StringIO()
    call_command("escalate", stdout=out)
    assert "督办 1 条" in out.getvalue()
    from gasguard.hazards.tasks import escalate_hazards

    assert escalate_hazards() == {"reminded": 0, "escalated": 0, "supervised": 0}


@pytest.mark.django_db
def test_overdue_is_derived(city):
    today = timezone.localdate()
    late = make_hazard(
        city.inspector_a, city.premises_a, deadline=today - datetime.timedelta(days=1), title="逾期"
    )
    make_hazard(city.inspector_a, city.premises_a, deadline=today, title="今天到期")
    qs = hazard_list(user=city.supervisor_a, filters={"overdue": "1"})
    assert list(qs.values_list("pk", flat=True)) == [late.pk]
    assert all(h.is_overdue == (h.pk == late.pk) for h in hazard_list(user=city.supervisor_a))
