import datetime

import pytest

from gasguard.audit.models import AuditEvent
from gasguard.core.errors import PermissionDenied, ValidationFailed
from gasguard.registry import services
from gasguard.registry.models import Enterprise, Licence, Premises
from gasguard.registry.tests.factories import LicenceFactory, StaffFactory
from gasguard.registry.uscc import make_uscc

pytestmark = pytest.mark.django_db


def _enterprise(city, actor=None, **extra):
    data = {
        "name": "南山新燃气有限公司",
        "uscc": make_uscc("440305", 777001),
        "region": city.street_a,
        "address": "南头街道1号",
    }
    data.update(extra)
    return services.enterprise_create(actor=actor or city.inspector_a, roles=["bottled_lpg"], **data)


def test_enterprise_create_normalises_uscc_and_audits(city):
    code = make_uscc("440305", 777001)
    enterprise = _enterprise(city, uscc=f" {code.lower()} ")
    assert enterprise.uscc == code
    assert enterprise.region_code == city.street_a.code
    assert enterprise.role_values == ["bottled_lpg"]
    event = AuditEvent.objects.get(event_type="ENTERPRISE_CREATED", object_id=str(enterprise.pk))
    assert event.region_code == city.street_a.code


@pytest.mark.parametrize("bad", ["91440300", "91440300MA5FXXXXXI"])
def test_malformed_uscc_is_refused(city, bad):
    with pytest.raises(ValidationFailed) as exc:
        _enterprise(city, uscc=bad)
    assert "uscc" in exc.value.errors
    assert not Enterprise.objects.filter(name="南山新燃气有限公司").exists()


def test_wrong_check_character_is_refused(city):
    good = make_uscc("440305", 777002)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationFailed) as exc:
        _enterprise(city, uscc=bad)
    assert "校验位" in exc.value.errors["uscc"][0]


def test_duplicate_uscc_names_the_holder(city):
    with pytest.raises(ValidationFailed) as exc:
        _enterprise(city, uscc=city.enterprise_a.uscc)
    assert exc.value.errors["uscc"] == [f"统一社会信用代码已被{city.enterprise_a.name}企业使用"]


def test_html_in_names_is_refused(city):
    with pytest.raises(ValidationFailed) as exc:
        _enterprise(city, name="<script>alert(1)</script>燃气")
    assert "<" in exc.value.errors["name"][0] or "HTML" in exc.value.errors["name"][0]
    with pytest.raises(ValidationFailed):
        services.premises_create(
            actor=city.inspector_a, name="饭店<b>", kind="restaurant", region=city.grid_a, address="x"
        )


def test_enterprise_outside_scope_is_refused(city):
    with pytest.raises(PermissionDenied) as exc:
        _enterprise(city, region=city.street_b)
    assert exc.value.field == "region"


def test_leader_cannot_write(city):
    with pytest.raises(PermissionDenied):
        _enterprise(city, actor=city.leader)
    with pytest.raises(PermissionDenied):
        services.premises_update(actor=city.leader, premises=city.premises_a, name="改名")


def test_enterprise_update_records_changed_fields_and_moves_licences(city):
    licence = LicenceFactory(enterprise=city.enterprise_a)
    services.enterprise_update(actor=city.inspector_a, enterprise=city.enterprise_a, region=city.grid_a)
    licence.refresh_from_db()
    assert licence.region_code == city.grid_a.code
    event = AuditEvent.objects.filter(event_type="ENTERPRISE_UPDATED").latest("seq")
    assert '"region"' in event.payload_json and city.grid_a.code in event.payload_json


def test_enterprise_set_roles(city):
    services.enterprise_set_roles(
        actor=city.supervisor_a, enterprise=city.enterprise_a, roles=["pipeline_gas", "bottled_lpg"]
    )
    assert sorted(city.enterprise_a.roles.values_list("role", flat=True)) == ["bottled_lpg", "pipeline_gas"]
    with pytest.raises(ValidationFailed):
        services.enterprise_set_roles(actor=city.supervisor_a, enterprise=city.enterprise_a, roles=["nope"])


def test_licence_ending_before_it_starts_is_refused(city):
    with pytest.raises(ValidationFailed) as exc:
        services.licence_create(
            actor=city.inspector_a,
            enterprise=city.enterprise_a,
            kind="gas_operation",
            number="粤燃经001",
            issuer="深圳市住房和建设局",
            issuing_level="city",
            valid_from=datetime.date(2024, 1, 1),
            valid_to=datetime.date(2023, 12, 31),
        )
    assert "valid_to" in exc.value.errors
    assert not Licence.objects.filter(number="粤燃经001").exists()


def test_licence_create_and_update(city):
    licence = services.licence_create(
        actor=city.inspector_a,
        enterprise=city.enterprise_a,
        kind="gas_operation",
        number="粤燃经002",
        issuer="深圳市住房和建设局",
        issuing_level="city",
        valid_from="2024-01-01",
        valid_to="2028年12月31日",
    )
    assert licence.valid_to == datetime.date(2028, 12, 31)
    services.licence_update(actor=city.inspector_a, licence=licence, status="suspended")
    assert AuditEvent.objects.filter(event_type="LICENCE_UPDATED", object_id=str(licence.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.licence_update(actor=city.inspector_b, licence=licence, status="valid")


def test_enterprise_user_edits_own_staff_only(city):
    staff = services.staff_create(
        actor=city.enterprise_user_a, enterprise=city.enterprise_a, name="张三", post="safety_manager"
    )
    cert = services.certificate_create(
        actor=city.enterprise_user_a, staff=staff, kind="safety_assessment", issued_on="2024/3/1"
    )
    assert cert.issued_on == datetime.date(2024, 3, 1)
    with pytest.raises(PermissionDenied):
        services.staff_update(actor=city.enterprise_user_b, staff=staff, phone="123")
    with pytest.raises(PermissionDenied):
        services.licence_create(
            actor=city.enterprise_user_a,
            enterprise=city.enterprise_a,
            kind="gas_operation",
            number="X1",
            issuer="x",
            issuing_level="city",
            valid_from="2024-01-01",
            valid_to="2025-01-01",
        )


def test_certificate_expiring_before_issue_is_refused(city):
    staff = StaffFactory(enterprise=city.enterprise_a)
    with pytest.raises(ValidationFailed) as exc:
        services.certificate_create(
            actor=city.inspector_a,
            staff=staff,
            kind="se_operator",
            issued_on="2024-05-01",
            valid_to="2024-04-01",
        )
    assert "valid_to" in exc.value.errors


def _premises(city, actor=None, **extra):
    data = {"name": "新川菜馆", "kind": "restaurant", "region": city.grid_a, "address": "南头路8号"}
    data.update(extra)
    return services.premises_create(actor=actor or city.inspector_a, **data)


def test_premises_create_in_scope(city):
    premises = _premises(city, lon=113.92, lat=22.53, gas_lpg=True)
    assert premises.region_code == city.grid_a.code
    assert AuditEvent.objects.filter(event_type="PREMISES_CREATED", object_id=str(premises.pk)).exists()


def test_premises_outside_scope_names_region(city):
    with pytest.raises(PermissionDenied) as exc:
        _premises(city, region=city.street_b)
    assert exc.value.field == "region"
    assert "不在您的管辖范围内" in exc.value.message
    assert not Premises.objects.filter(name="新川菜馆").exists()


def test_moving_premises_out_of_scope_is_refused(city):
    with pytest.raises(PermissionDenied):
        services.premises_update(actor=city.inspector_a, premises=city.premises_a, region=city.street_b)
    city.premises_a.refresh_from_db()
    assert city.premises_a.region_code == city.grid_a.code


def test_swapped_coordinates_are_reported(city):
    with pytest.raises(ValidationFailed) as exc:
        _premises(city, lon=22.53, lat=113.92)
    assert "填反" in exc.value.errors["lon"][0]


def test_coordinates_outside_china_are_reported(city):
    with pytest.raises(ValidationFailed) as exc:
        _premises(city, lon=2.35, lat=48.85)
    assert "lon" in exc.value.errors


def test_premises_update_audits_only_changed_fields(city):
    services.premises_update(
        actor=city.inspector_a, premises=city.premises_a, name="南山川菜馆(新)", kind="restaurant"
    )
    event = AuditEvent.objects.filter(event_type="PREMISES_UPDATED").latest("seq")
    assert "name" in event.payload_json and "kind" not in event.payload_json


def test_enterprise_user_may_edit_own_premises_not_others(city):
    services.premises_update(
        actor=city.enterprise_user_a, premises=city.premises_a, contact_phone="13800000000"
    )
    with pytest.raises(PermissionDenied):
        services.premises_update(actor=city.enterprise_user_b, premises=city.premises_a, contact_phone="1")
    with pytest.raises(PermissionDenied):
        services.premises_update(
            actor=city.enterprise_user_a, premises=city.premises_a, enterprise=city.enterprise_b
        )


def test_facility_geometry_is_validated(city):
    ok = services.facility_create(
        actor=city.inspector_a,
        kind="pipeline_segment",
        name="南头中压管段1",
        enterprise=city.enterprise_a,
        region=city.street_a,
        geometry={"type": "LineString", "coordinates": [[113.92, 22.53], [113.93, 22.54]]},
    )
    assert ok.pk
    for bad in (
        {"type": "LineString", "coordinates": [[22.53, 113.92], [22.54, 113.93]]},
        {
            "type": "Polygon",
            "coordinates": [[[113.9, 22.5], [113.95, 22.55], [113.95, 22.5], [113.9, 22.55], [113.9, 22.5]]],
        },
        {"type": "Circle"},
        "{not json",
    ):
        with pytest.raises(ValidationFailed) as exc:
            services.facility_create(
                actor=city.inspector_a,
                kind="pipeline_segment",
                name="坏管段",
                enterprise=city.enterprise_a,
                region=city.street_a,
                geometry=bad,
            )
        assert "geometry" in exc.value.errors


def test_unknown_fields_are_refused(city):
    with pytest.raises(ValidationFailed):
        services.premises_update(actor=city.inspector_a, premises=city.premises_a, region_code="440306")


def test_unique_race_becomes_field_error(city):
    clone = Enterprise(
        name="抢注", uscc=city.enterprise_a.uscc, region=city.street_a, region_code=city.street_a.code
    )
    with pytest.raises(ValidationFailed) as exc:
        services._save_unique(clone, field="uscc", message="已被使用")
    assert exc.value.errors == {"uscc": ["已被使用"]}
