"""Fleet: workers linked to staff, vehicles, person–vehicle bindings, delivery areas; scope."""

import datetime

import pytest

from gasguard.core.errors import Conflict, PermissionDenied, ValidationFailed
from gasguard.fleet import services
from gasguard.registry.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_worker_vehicle_binding_and_area(city):
    ent = city.enterprise_a
    staff = StaffFactory(enterprise=ent, post="delivery", name="王送气")
    worker = services.delivery_worker_create(actor=city.enterprise_user_a, enterprise=ent, staff=staff)
    assert worker.name == "王送气"
    with pytest.raises(ValidationFailed):
        services.delivery_worker_create(
            actor=city.enterprise_user_a, enterprise=ent, staff=StaffFactory(enterprise=ent, post="driver")
        )
    vehicle = services.vehicle_create(
        actor=city.enterprise_user_a,
        enterprise=ent,
        plate="粤b 12345",
        dg_permit_no="粤交运管深字440300123456号",
    )
    assert vehicle.plate == "粤B12345"
    with pytest.raises(Conflict):
        services.vehicle_create(actor=city.enterprise_user_a, enterprise=ent, plate="粤B12345")
    with pytest.raises(ValidationFailed):
        services.vehicle_create(actor=city.enterprise_user_a, enterprise=ent, plate="123")
    a = services.vehicle_assign(
        actor=city.enterprise_user_a, worker=worker, vehicle=vehicle, valid_from=datetime.date(2024, 1, 1)
    )
    assert a.is_valid_on(datetime.date(2025, 1, 1))
    with pytest.raises(PermissionDenied):
        services.vehicle_create(actor=city.enterprise_user_b, enterprise=ent, plate="粤B99999")
    with pytest.raises(PermissionDenied):
        services.delivery_area_set(
            actor=city.enterprise_user_a, enterprise=ent, name="x", region_codes=["440305"]
        )
    with pytest.raises(ValidationFailed):
        services.delivery_area_set(
            actor=city.taskforce_admin, enterprise=ent, name="x", region_codes=["44030X"]
        )
    area = services.delivery_area_set(
        actor=city.taskforce_admin, enterprise=ent, name="南山", region_codes=["440305"]
    )
    assert area.region_codes == ["440305"]


def test_fleet_scope_per_persona(city, api):
    services.vehicle_create(actor=city.enterprise_user_a, enterprise=city.enterprise_a, plate="粤B11111")
    services.vehicle_create(actor=city.enterprise_user_b, enterprise=city.enterprise_b, plate="粤B22222")

    def plates(user):
        return {v["plate"] for v in api(user).get("/api/fleet/vehicles/").json()["results"]}

    assert plates(city.enterprise_user_a) == {"粤B11111"}
    assert plates(city.inspector_b) == {"粤B22222"}
    assert plates(city.taskforce_admin) == {"粤B11111", "粤B22222"}


def test_vehicle_page_registers_and_binds(city, login):
    from gasguard.fleet.models import DeliveryWorker, Vehicle, VehicleAssignment

    client = login(city.enterprise_user_a)
    client.post("/fleet/", {"form": "vehicle", "enterprise": city.enterprise_a.pk, "plate": "粤B55555"})
    vehicle = Vehicle.objects.get(plate="粤B55555")
    worker = DeliveryWorker.objects.create(
        enterprise=city.enterprise_a, name="钱送气", region_code=city.enterprise_a.region_code
    )
    client.post("/fleet/", {"form": "assign", "worker": worker.pk, "vehicle": vehicle.pk})
    assert VehicleAssignment.objects.filter(worker=worker, vehicle=vehicle).exists()
    other = login(city.enterprise_user_b)
    other.post("/fleet/", {"form": "vehicle", "enterprise": city.enterprise_a.pk, "plate": "粤B66666"})
    assert not Vehicle.objects.filter(plate="粤B66666").exists()
