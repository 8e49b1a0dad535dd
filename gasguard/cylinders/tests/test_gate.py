"""The pre-fill gate: every deny reason, idempotency, clock skew, other-station scans, escalation."""

import datetime
import uuid

import pytest
from django.utils import timezone

from gasguard.core.errors import Conflict, PermissionDenied, ValidationFailed
from gasguard.cylinders.codes import make_code
from gasguard.cylinders.models import FillAttempt, GateEscalation
from gasguard.cylinders.rules import add_years
from gasguard.cylinders.tests.factories import cylinder
from gasguard.hazards.models import Hazard
from gasguard.products.models import BlacklistEntry, ProductModel
from gasguard.registry.models import Certificate, Licence
from gasguard.registry.tests.factories import EnterpriseFactory, StaffFactory

pytestmark = pytest.mark.django_db


def codes(result):
    return {r["code"] for r in result.reasons}


def years_ago(n, extra_days=10):
    # add_years, not date.replace: on 29 February there is no such day n years back.
    return add_years(timezone.localdate(), -n) - datetime.timedelta(days=extra_days)


def test_good_cylinder_is_allowed_and_recorded(unit, gate):
    c = cylinder(unit.enterprise)
    result = gate(c.code)
    assert result.decision == "allow" and result.reasons == []
    attempt = FillAttempt.objects.get(pk=result.attempt_id)
    assert (
        attempt.cylinder == c
        and attempt.decision == "allow"
        and attempt.region_code == unit.station.region_code
    )


def test_malformed_code_is_denied_and_recorded(gate):
    result = gate("GG1-440305-NOTACODE-X")
    assert result.decision == "deny" and codes(result) == {"malformed_code"}
    assert FillAttempt.objects.filter(pk=result.attempt_id, decision="deny").exists()


def test_wrong_check_character_is_malformed(unit, gate):
    c = cylinder(unit.enterprise)
    typo = c.code[:-1] + ("0" if c.code[-1] != "0" else "1")
    assert codes(gate(typo)) == {"malformed_code"}


def test_unknown_code_is_denied(gate):
    result = gate(make_code("440305"))
    assert codes(result) == {"unknown_code"}


def test_another_units_cylinder_is_denied_naming_the_owner(unit, unit_b, gate):
    c = cylinder(unit_b.enterprise)
    result = gate(c.code)
    assert codes(result) == {"not_own_cylinder"}
    assert unit_b.enterprise.name in result.reasons[0]["message"]


def test_overdue_inspection_is_denied(unit, gate):
    c = cylinder(unit.enterprise, next_inspection_due=timezone.localdate() - datetime.timedelta(days=1))
    assert codes(gate(c.code)) == {"inspection_overdue"}


def test_past_design_life_without_extension_is_denied(unit, gate):
    made = years_ago(9)
    c = cylinder(
        unit.enterprise,
        manufactured_on=made,
        next_inspection_due=timezone.localdate() + datetime.timedelta(days=300),
    )
    assert codes(gate(c.code)) == {"design_life_exceeded"}


def test_past_design_life_with_inspection_extension_is_allowed(unit, gate):
    made = years_ago(9)
    c = cylinder(
        unit.enterprise,
        manufactured_on=made,
        next_inspection_due=timezone.localdate() + datetime.timedelta(days=300),
        life_extended_until=made.replace(year=made.year + 12),
    )
    assert gate(c.code).decision == "allow"


def test_past_extension_limit_is_denied_with_both_reasons(unit, gate):
    made = years_ago(13)
    c = cylinder(
        unit.enterprise,
        manufactured_on=made,
        next_inspection_due=timezone.localdate() + datetime.timedelta(days=30),
        life_extended_until=made.replace(year=made.year + 12),
    )
    assert codes(gate(c.code)) == {"design_life_exceeded", "extension_limit_exceeded"}


@pytest.mark.parametrize(
    "status,reason",
    [
        ("scrapped", "scrapped"),
        ("sealed", "sealed"),
        ("lost", "lost"),
        ("awaiting_inspection", "awaiting_inspection"),
    ],
)
def test_status_reasons(unit, gate, status, reason):
    c = cylinder(unit.enterprise, status=status)
    assert codes(gate(c.code)) == {reason}


def test_refurbished_and_two_phase_are_denied(unit, gate):
    c = cylinder(unit.enterprise, refurbished=True)
    assert codes(gate(c.code)) == {"refurbished"}
    c2 = cylinder(unit.enterprise, spec="YSP118-II", is_two_phase=True)
    assert codes(gate(c2.code)) == {"two_phase"}


def test_blacklisted_model_and_maker_are_denied(unit, gate, city):
    maker = EnterpriseFactory(region=city.street_a, name="劣质钢瓶厂")
    pm = ProductModel.objects.create(kind="cylinder", model="YSP35.5-X", maker=maker, maker_name=maker.name)
    c = cylinder(unit.enterprise, product_model=pm, manufacturer=maker)
    assert gate(c.code).decision == "allow"
    BlacklistEntry.objects.create(
        product_model=pm, reason="抽查不合格", source="spot_check", listed_on=timezone.localdate()
    )
    BlacklistEntry.objects.create(
        maker=maker, reason="无证生产", source="inspection", listed_on=timezone.localdate()
    )
    from gasguard.products.selectors import blacklist_cache_clear

    blacklist_cache_clear()
    assert codes(gate(c.code)) == {"model_blacklisted", "maker_blacklisted"}


def test_invalid_station_licence_is_denied(unit, gate):
    Licence.objects.filter(enterprise=unit.enterprise).update(
        valid_to=timezone.localdate() - datetime.timedelta(days=1)
    )
    c = cylinder(unit.enterprise)
    assert codes(gate(c.code)) == {"station_licence_invalid"}


def test_invalid_operator_certificate_is_denied(unit, gate):
    Certificate.objects.filter(staff=unit.operator).update(
        valid_to=timezone.localdate() - datetime.timedelta(days=1)
    )
    c = cylinder(unit.enterprise)
    result = gate(c.code)
    assert codes(result) == {"operator_certificate_invalid"}
    assert unit.operator.name in result.reasons[0]["message"]


def test_operator_of_another_unit_is_denied(unit, unit_b, gate):
    c = cylinder(unit.enterprise)
    assert codes(gate(c.code, operator=unit_b.operator)) == {"operator_unknown"}


def test_every_applicable_reason_is_given_at_once(unit, unit_b, gate):
    Licence.objects.filter(enterprise=unit.enterprise).update(status="suspended")
    Certificate.objects.filter(staff=unit.operator).update(passed=False)
    made = years_ago(13)
    c = cylinder(
        unit_b.enterprise,
        manufactured_on=made,
        next_inspection_due=made.replace(year=made.year + 4),
        status="sealed",
        refurbished=True,
        spec="YSP118-II",
        is_two_phase=True,
    )
    assert codes(gate(c.code)) == {
        "not_own_cylinder",
        "sealed",
        "inspection_overdue",
        "design_life_exceeded",
        "extension_limit_exceeded",
        "refurbished",
        "two_phase",
        "station_licence_invalid",
        "operator_certificate_invalid",
    }


def test_replayed_request_returns_the_original_decision_and_is_not_counted_twice(unit, gate):
    c = cylinder(unit.enterprise)
    first = gate(c.code, key="scan-0001-abc")
    again = gate(c.code, key="scan-0001-abc")
    assert again.replayed and again.attempt_id == first.attempt_id and again.decision == first.decision
    assert FillAttempt.objects.count() == 1


def test_replayed_key_with_a_different_code_is_a_conflict(unit, gate):
    c = cylinder(unit.enterprise)
    gate(c.code, key="scan-0002-abc")
    with pytest.raises(Conflict):
        gate(cylinder(unit.enterprise).code, key="scan-0002-abc")


def test_clock_skew_beyond_the_limit_is_refused_with_a_clear_message(unit, gate, settings):
    settings.GASGUARD_GATE_MAX_CLOCK_SKEW_MINUTES = 5
    c = cylinder(unit.enterprise)
    with pytest.raises(ValidationFailed) as exc:
        gate(c.code, scanned_at=timezone.now() - datetime.timedelta(minutes=12))
    assert exc.value.field == "scanned_at" and "校准" in exc.value.message
    assert not FillAttempt.objects.exists()
    ok = gate(c.code, scanned_at=(timezone.now() + datetime.timedelta(minutes=3)).isoformat())
    attempt = FillAttempt.objects.get(pk=ok.attempt_id)
    assert ok.decision == "allow"
    assert attempt.created_at < attempt.scanned_at  # server time stored separately from the station's


def test_scan_at_another_station_a_minute_ago_is_denied(unit, unit_b, gate):
    c = cylinder(unit.enterprise)
    elsewhere = gate(c.code, u=unit_b)  # another unit's station scans it (denied: not own)
    FillAttempt.objects.filter(pk=elsewhere.attempt_id).update(
        created_at=timezone.now() - datetime.timedelta(seconds=70)
    )
    result = gate(c.code)
    assert codes(result) == {"recently_scanned_elsewhere"}
    assert result.reasons[0]["message"] == f"该气瓶1分钟前在{unit_b.station.name}扫码"


def test_scan_elsewhere_outside_the_window_does_not_count(unit, unit_b, gate, settings):
    c = cylinder(unit.enterprise)
    elsewhere = gate(c.code, u=unit_b)
    FillAttempt.objects.filter(pk=elsewhere.attempt_id).update(
        created_at=timezone.now()
        - datetime.timedelta(minutes=settings.GASGUARD_GATE_OTHER_STATION_MINUTES + 1)
    )
    assert gate(c.code).decision == "allow"


def test_repeated_denials_register_one_hazard(unit, unit_b, gate, settings):
    settings.GASGUARD_GATE_REPEAT_DENY_COUNT = 3
    c = cylinder(unit_b.enterprise)
    for _ in range(2):
        gate(c.code)
    assert not Hazard.objects.exists()
    gate(c.code)
    gate(c.code)
    hazard = Hazard.objects.get()
    assert hazard.source == "filling_gate" and hazard.lead_department_kind == "market"
    assert hazard.facility_id == unit.station.pk and c.code in hazard.description
    assert GateEscalation.objects.get().hazard == hazard
    assert FillAttempt.objects.filter(hazard=hazard).count() == 1


def test_replays_do_not_count_towards_escalation(unit, unit_b, gate, settings):
    settings.GASGUARD_GATE_REPEAT_DENY_COUNT = 2
    c = cylinder(unit_b.enterprise)
    gate(c.code, key="same-key-123")
    gate(c.code, key="same-key-123")
    assert not Hazard.objects.exists()


def test_user_of_another_enterprise_may_not_use_the_station(unit, unit_b, gate):
    c = cylinder(unit.enterprise)
    from gasguard.cylinders.services import cylinder_check_for_filling

    with pytest.raises(PermissionDenied):
        cylinder_check_for_filling(
            actor=unit_b.user,
            station=unit.station,
            code=c.code,
            operator_staff=unit.operator,
            idempotency_key=uuid.uuid4().hex,
            scanned_at=timezone.now(),
        )


def test_bad_idempotency_key_and_missing_operator_are_refused(unit, gate):
    c = cylinder(unit.enterprise)
    with pytest.raises(ValidationFailed) as exc:
        gate(c.code, key="x")
    assert exc.value.field == "idempotency_key"
    from gasguard.cylinders.services import cylinder_check_for_filling

    with pytest.raises(ValidationFailed) as exc:
        cylinder_check_for_filling(
            actor=unit.user,
            station=unit.station,
            code=c.code,
            operator_staff=None,
            idempotency_key=uuid.uuid4().hex,
            scanned_at=timezone.now(),
        )
    assert exc.value.field == "operator"


def test_inactive_operator_is_denied(unit, gate):
    other = StaffFactory(enterprise=unit.enterprise, post="se_operator", is_active=False)
    c = cylinder(unit.enterprise)
    assert codes(gate(c.code, operator=other)) == {"operator_unknown"}
