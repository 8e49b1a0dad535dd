"""Registration, fills, gas quality, inspection, seizure and scrapping, deliveries, 随瓶安检."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from gasguard.audit.models import AuditEvent
from gasguard.core.errors import Conflict, PermissionDenied, ValidationFailed
from gasguard.cylinders import services
from gasguard.cylinders.codes import make_code
from gasguard.cylinders.models import Cylinder, CylinderCustody, CylinderEvent, Fill, FillAttempt, GasBatch
from gasguard.cylinders.tests.factories import cylinder, inspection_body
from gasguard.fleet.models import DeliveryWorker, Vehicle, VehicleAssignment
from gasguard.hazards.models import Hazard
from gasguard.registry.tests.factories import EnterpriseFactory, EnterpriseRoleFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def row(**kw):
    base = {"serial": "A0001", "spec": "YSP-15", "manufactured_on": "2022-03-01", "maker_name": "某钢瓶厂"}
    base.update(kw)
    return base


# --- registration -----------------------------------------------------------------------------


def test_bulk_registration_generates_codes_events_and_audit(unit):
    result = services.cylinder_register_bulk(
        actor=unit.user, owner=unit.enterprise, rows=[row(serial=f"A{i}") for i in range(5)]
    )
    assert result.created == 5
    cyl = Cylinder.objects.get(code=result.codes[0])
    assert cyl.spec == "YSP35.5" and cyl.owner == unit.enterprise and cyl.design_life_years == 8
    assert cyl.next_inspection_due == datetime.date(2026, 3, 1)  # manufacture + 4 years (default)
    assert CylinderEvent.objects.filter(kind="registered").count() == 5
    audit = AuditEvent.objects.get(event_type="CYLINDERS_REGISTERED")
    assert sorted(row[1] for row in audit.payload["cylinders"]) == sorted(result.codes)


def test_code_held_by_another_unit_is_refused_naming_row_and_unit(unit, unit_b):
    c = cylinder(unit_b.enterprise)
    with pytest.raises(ValidationFailed) as exc:
        services.cylinder_register_bulk(
            actor=unit.user, owner=unit.enterprise, rows=[row(serial="X1"), row(code=c.code, serial="X2")]
        )
    assert "第2行" in exc.value.errors
    assert unit_b.enterprise.name in exc.value.errors["第2行"][0]
    assert Cylinder.objects.count() == 1  # all-or-nothing: the good row was not registered either


def test_valid_only_registers_the_good_rows(unit, unit_b):
    c = cylinder(unit_b.enterprise)
    result = services.cylinder_register_bulk(
        actor=unit.user, owner=unit.enterprise, rows=[row(serial="X1"), row(code=c.code)], valid_only=True
    )
    assert result.created == 1 and list(result.errors) == ["第2行"]


def test_future_manufacture_and_inspection_before_manufacture_are_refused(unit):
    future = (TODAY() + datetime.timedelta(days=3)).isoformat()
    with pytest.raises(ValidationFailed) as exc:
        services.cylinder_register_bulk(
            actor=unit.user,
            owner=unit.enterprise,
            rows=[
                row(manufactured_on=future),
                row(manufactured_on="2022-03-01", next_inspection_due="2021-01-01"),
            ],
        )
    assert "晚于今天" in exc.value.errors["第1行"][0]
    assert "早于制造日期" in exc.value.errors["第2行"][0]


def test_malformed_code_spec_and_duplicate_rows_are_refused(unit):
    code = make_code("440305")
    with pytest.raises(ValidationFailed) as exc:
        services.cylinder_register_bulk(
            actor=unit.user,
            owner=unit.enterprise,
            rows=[row(code="GG1-BAD"), row(spec="YSP-99"), row(code=code), row(code=code)],
        )
    assert set(exc.value.errors) == {"第1行", "第2行", "第4行"}


def test_database_refuses_a_second_cylinder_with_the_same_code(unit, unit_b):
    from django.db import IntegrityError, transaction

    c = cylinder(unit.enterprise)
    with pytest.raises(IntegrityError), transaction.atomic():
        cylinder(unit_b.enterprise, code=c.code)


def test_only_filling_units_own_cylinders_and_only_their_users_register(unit, unit_b, city):
    with pytest.raises(PermissionDenied):
        services.cylinder_register_bulk(actor=unit_b.user, owner=unit.enterprise, rows=[row()])
    with pytest.raises(ValidationFailed):
        services.cylinder_register_bulk(actor=city.enterprise_user_a, owner=city.enterprise_a, rows=[row()])


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(list(services.XLSX_COLUMNS))
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("c.xlsx", buf.getvalue())


def test_excel_import_reports_sheet_row_numbers(unit):
    upload = _xlsx(
        [
            ["", "B1", "YSP35.5", "某厂", datetime.date(2021, 5, 1), 8, None, None, "否", "否"],
            ["", "B2", "YSP35.5", "某厂", datetime.date(2099, 5, 1), 8, None, None, "否", "否"],
        ]
    )
    with pytest.raises(ValidationFailed) as exc:
        services.cylinder_import_xlsx(actor=unit.user, owner=unit.enterprise, upload=upload)
    assert list(exc.value.errors) == ["第3行"]
    ok = _xlsx([["", "B1", "YSP118-II", "某厂", "2021-05-01", 8, "", "", "", ""]])
    result = services.cylinder_import_xlsx(actor=unit.user, owner=unit.enterprise, upload=ok)
    assert result.created == 1 and Cylinder.objects.get().is_two_phase


def test_transfer_is_explicit_audited_and_regulator_only(unit, unit_b, city):
    c = cylinder(unit.enterprise)
    with pytest.raises(PermissionDenied):
        services.cylinder_transfer(actor=unit.user, cylinder=c, to_owner=unit_b.enterprise, reason="收购")
    admin = city.taskforce_admin
    services.cylinder_transfer(actor=admin, cylinder=c, to_owner=unit_b.enterprise, reason="企业合并")
    c.refresh_from_db()
    assert c.owner == unit_b.enterprise and c.region_code == unit_b.enterprise.region_code
    assert AuditEvent.objects.filter(event_type="CYLINDER_TRANSFERRED").exists()


# --- fills ------------------------------------------------------------------------------------


def _allowed(unit, gate, **kw):
    c = cylinder(unit.enterprise, **kw)
    result = gate(c.code)
    assert result.decision == "allow"
    return c, FillAttempt.objects.get(pk=result.attempt_id)


def test_fill_is_recorded_after_allow(unit, gate):
    c, attempt = _allowed(unit, gate)
    fill = services.fill_record(
        actor=unit.user,
        attempt=attempt,
        net_mass_kg="14.5",
        scale_id="S-01",
        pre_check={"valve": True},
        post_check={"leak": True},
    )
    assert fill.net_mass_kg == Decimal("14.5") and fill.operator == unit.operator
    c.refresh_from_db()
    assert c.last_filled_at is not None
    assert AuditEvent.objects.filter(event_type="FILL_RECORDED").exists()


def test_fill_above_permitted_fill_is_refused(unit, gate):
    _, attempt = _allowed(unit, gate)
    with pytest.raises(ValidationFailed) as exc:
        services.fill_record(actor=unit.user, attempt=attempt, net_mass_kg="14.6")
    assert exc.value.field == "net_mass_kg" and "14.5" in exc.value.message
    assert not Fill.objects.exists()


def test_permitted_fill_table_is_configurable(unit, gate, settings):
    settings.GASGUARD_CYLINDER_MAX_FILL_KG = "YSP35.5=15.0"
    _, attempt = _allowed(unit, gate)
    services.fill_record(actor=unit.user, attempt=attempt, net_mass_kg="14.9")


def test_fill_after_deny_failed_precheck_or_twice_is_refused(unit, unit_b, gate):
    other = cylinder(unit_b.enterprise)
    denied = FillAttempt.objects.get(pk=gate(other.code).attempt_id)
    with pytest.raises(ValidationFailed):
        services.fill_record(actor=unit.user, attempt=denied, net_mass_kg="10")
    _, attempt = _allowed(unit, gate)
    with pytest.raises(ValidationFailed):
        services.fill_record(actor=unit.user, attempt=attempt, net_mass_kg="10", pre_check={"valve": False})
    with pytest.raises(ValidationFailed):
        services.fill_record(actor=unit.user, attempt=attempt, net_mass_kg="0")
    services.fill_record(actor=unit.user, attempt=attempt, net_mass_kg="10")
    with pytest.raises(Conflict):
        services.fill_record(actor=unit.user, attempt=attempt, net_mass_kg="10")


# --- gas quality ------------------------------------------------------------------------------


def _batch(unit, city):
    producer = EnterpriseFactory(region=city.street_b, name="某石化液化气厂")
    EnterpriseRoleFactory(enterprise=producer, role="lpg_producer")
    return services.gas_batch_create(
        actor=unit.user, filler=unit.enterprise, supplier=producer, batch_no="B-2024-001", received_on=TODAY()
    )


def test_failing_batch_registers_hazards_and_lists_every_cylinder(unit, gate, city, delivery_setup):
    batch = _batch(unit, city)
    c, attempt = _allowed(unit, gate)
    services.fill_record(actor=unit.user, attempt=attempt, net_mass_kg="14", gas_batch=batch)
    delivery_setup["deliver"]([c.code])
    sample = services.gas_sample_record(
        actor=city.market_inspector_a, batch=batch, sampled_on=TODAY(), dme_pct="18.6", odour_ok=False
    )
    assert not sample.passed and len(sample.failures) == 2
    batch.refresh_from_db()
    assert batch.status == "failed"
    hazards = Hazard.objects.filter(source="gas_quality")
    assert {h.lead_department_kind for h in hazards} == {"emergency", "market"}
    from gasguard.cylinders.selectors import batch_recall

    rows = batch_recall(batch=batch)
    assert [r["code"] for r in rows] == [c.code] and rows[0]["premises"] == city.premises_a.name


def test_passing_sample_and_limits_are_configurable(unit, city, settings):
    batch = _batch(unit, city)
    settings.GASGUARD_GAS_DME_MAX_PCT = 1.0
    s = services.gas_sample_record(
        actor=city.market_inspector_a,
        batch=batch,
        sampled_on=TODAY(),
        dme_pct="0.8",
        odour_ok=True,
        vapour_pressure_kpa="1200",
    )
    assert s.passed and s.limits["dme_pct"] == 1.0


def test_failed_batch_cannot_be_used_for_a_fill(unit, gate, city):
    batch = _batch(unit, city)
    GasBatch.objects.filter(pk=batch.pk).update(status="failed")
    batch.refresh_from_db()
    _, attempt = _allowed(unit, gate)
    with pytest.raises(ValidationFailed):
        services.fill_record(actor=unit.user, attempt=attempt, net_mass_kg="14", gas_batch=batch)


# --- inspection, seizure, scrap ---------------------------------------------------------------


def test_periodic_inspection_sets_next_due(unit, city):
    body = inspection_body(city.street_a)
    c = cylinder(unit.enterprise, status="awaiting_inspection")
    services.periodic_inspection_record(
        actor=city.taskforce_admin, cylinder=c, body=body, inspected_on=TODAY(), result="pass", report_no="R1"
    )
    c.refresh_from_db()
    assert c.status == "in_use" and c.last_inspected_on == TODAY()
    assert c.next_inspection_due == TODAY().replace(year=TODAY().year + 4)


def test_seizure_moves_custody_and_scrap_voids_the_code_for_ever(unit, unit_b, city, gate):
    body = inspection_body(city.street_a)
    c = cylinder(unit.enterprise, spec="YSP118-II", is_two_phase=True)
    custody = services.cylinder_seize(
        actor=city.market_inspector_a, cylinder=c, body=body, reason="餐饮场所查获双相瓶"
    )
    assert c.status == "sealed" and custody.holder == body and custody.until is None
    with pytest.raises(Conflict):
        services.periodic_inspection_record(
            actor=city.taskforce_admin, cylinder=c, body=body, inspected_on=TODAY(), result="pass"
        )
    services.cylinder_scrap(actor=city.market_inspector_a, cylinder=c, reason="报废")
    c.refresh_from_db()
    assert c.status == "scrapped"
    assert CylinderCustody.objects.get().until is not None
    with pytest.raises(Conflict):
        services.cylinder_set_status(actor=city.taskforce_admin, cylinder=c, status="in_use", reason="x")
    with pytest.raises(ValidationFailed) as exc:
        services.cylinder_register_bulk(actor=unit_b.user, owner=unit_b.enterprise, rows=[row(code=c.code)])
    assert unit.enterprise.name in exc.value.errors["第1行"][0]
    assert {r["code"] for r in gate(c.code).reasons} == {"scrapped", "two_phase"}


def test_seizure_is_for_regulators_only(unit, city):
    body = inspection_body(city.street_a)
    c = cylinder(unit.enterprise)
    with pytest.raises(PermissionDenied):
        services.cylinder_seize(actor=unit.user, cylinder=c, body=body, reason="x")
    with pytest.raises(PermissionDenied):
        services.cylinder_seize(
            actor=city.inspector_a, cylinder=c, body=body, reason="x"
        )  # 住建, not 市场监管


# --- deliveries -------------------------------------------------------------------------------


def test_delivery_outside_the_licensed_area_is_refused(unit, city, delivery_setup):
    c = cylinder(unit.enterprise)
    with pytest.raises(ValidationFailed) as exc:
        delivery_setup["deliver"]([c.code], premises=city.premises_b)
    assert "premises" in exc.value.errors and "许可经营区域" in exc.value.errors["premises"][0]
    assert city.premises_b.name not in exc.value.errors["premises"][0]  # an id must not reveal whose it is


def test_delivery_inside_area_records_items_and_timeline(unit, city, delivery_setup):
    c = cylinder(unit.enterprise)
    empty = cylinder(unit.enterprise)
    d = delivery_setup["deliver"]([c.code], returns=[empty.code])
    assert d.items.count() == 2 and d.region_code == city.premises_a.region_code
    assert CylinderEvent.objects.filter(cylinder=c, kind="delivered").exists()
    assert CylinderEvent.objects.filter(cylinder=empty, kind="returned").exists()


def test_delivery_of_a_refused_cylinder_or_without_vehicle_binding_is_refused(unit, delivery_setup):
    bad = cylinder(unit.enterprise, refurbished=True)
    with pytest.raises(ValidationFailed) as exc:
        delivery_setup["deliver"]([bad.code])
    assert "翻新" in exc.value.errors["out_codes"][0]
    VehicleAssignment.objects.all().delete()
    with pytest.raises(ValidationFailed) as exc:
        delivery_setup["deliver"]([cylinder(unit.enterprise).code])
    assert "vehicle" in exc.value.errors


def test_delivery_check_failures_become_hazards_for_the_premises(unit, city, delivery_setup):
    d = delivery_setup["deliver"]([cylinder(unit.enterprise).code])
    items = services.delivery_checklist(city.premises_a)
    assert items
    answers = {i["id"]: safe_answer(i) for i in items}
    with pytest.raises(ValidationFailed):
        services.delivery_check_record(actor=unit.user, delivery=d, answers={})
    bool_item = next(i for i in items if i["type"] == "bool")
    answers[bool_item["id"]] = "否" if safe_answer(bool_item) == "是" else "是"
    check = services.delivery_check_record(actor=unit.user, delivery=d, answers=answers)
    assert len(check.hazard_ids) >= 1
    h = Hazard.objects.get(pk=check.hazard_ids[0])
    assert (
        h.source == "delivery_check" and h.premises == city.premises_a and h.source_ref == f"delivery:{d.pk}"
    )
    with pytest.raises(Conflict):
        services.delivery_check_record(actor=unit.user, delivery=d, answers=answers)


def safe_answer(item):
    """An answer that is NOT a hazard for this checklist item."""
    rule = item["rule"]
    if rule is None:
        return "是"
    from gasguard.rules.catalog import evaluate

    if item["type"] == "bool":
        return "否" if evaluate(rule, True) else "是"
    if item["type"] == "number":
        return "0" if not evaluate(rule, 0.0) else str(rule.answer.effective_threshold() + 1)
    return next(c for c in item["choices"] if not evaluate(rule, c))


@pytest.fixture
def delivery_setup(unit, city):
    worker = DeliveryWorker.objects.create(
        enterprise=unit.enterprise, name="张送气", region_code=unit.enterprise.region_code
    )
    vehicle = Vehicle.objects.create(
        enterprise=unit.enterprise, plate="粤B12345", region_code=unit.enterprise.region_code
    )
    VehicleAssignment.objects.create(
        worker=worker, vehicle=vehicle, valid_from=TODAY() - datetime.timedelta(days=30)
    )

    def deliver(codes, *, premises=None, returns=None):
        return services.delivery_record(
            actor=unit.user,
            enterprise=unit.enterprise,
            premises=premises or city.premises_a,
            worker=worker,
            vehicle=vehicle,
            out_codes=codes,
            return_codes=returns or [],
        )

    return {"worker": worker, "vehicle": vehicle, "deliver": deliver}
