"""Services of the delivery fleet: workers, vehicles, person–vehicle bindings, delivery areas."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from gasguard.audit.services import audit_record
from gasguard.core.errors import Conflict, ValidationFailed
from gasguard.cylinders.permissions import require_owner_or_regulator
from gasguard.fleet.models import DeliveryArea, DeliveryWorker, Vehicle, VehicleAssignment


def delivery_worker_create(
    *, actor, enterprise, name: str = "", staff=None, phone: str = "", work_card_no: str = ""
) -> DeliveryWorker:
    """Register a 送气工, linked to the registry staff row (post 送气工) when given."""
    require_owner_or_regulator(actor, enterprise.pk, enterprise.region_code)
    if staff is not None:
        if staff.enterprise_id != enterprise.pk:
            raise ValidationFailed("人员不属于该企业", field="staff")
        if staff.post != "delivery":
            raise ValidationFailed("人员岗位须为送气工", field="staff")
        name = name or staff.name
        phone = phone or staff.phone
    if not (name or "").strip():
        raise ValidationFailed("姓名不能为空", field="name")
    try:
        with transaction.atomic():
            worker = DeliveryWorker.objects.create(
                enterprise=enterprise,
                staff=staff,
                name=name.strip(),
                phone=phone,
                work_card_no=work_card_no,
                region_code=enterprise.region_code,
            )
            audit_record(
                event_type="DELIVERY_WORKER_CREATED",
                object_type="delivery_worker",
                object_id=worker.pk,
                actor=actor,
                region_code=enterprise.region_code,
                payload={"enterprise": enterprise.pk, "staff": getattr(staff, "pk", None)},
            )
    except IntegrityError as exc:
        raise Conflict("该人员已登记为送气工", field="staff") from exc
    return worker


def vehicle_create(
    *,
    actor,
    enterprise,
    plate: str,
    dg_permit_no: str = "",
    permit_valid_to: date | None = None,
    kind: str = "",
) -> Vehicle:
    """Register a delivery vehicle of an enterprise."""
    require_owner_or_regulator(actor, enterprise.pk, enterprise.region_code)
    plate = (plate or "").strip().upper().replace(" ", "")
    if not 7 <= len(plate) <= 8:
        raise ValidationFailed(f"车牌号“{plate}”格式错误", field="plate")
    try:
        with transaction.atomic():
            vehicle = Vehicle.objects.create(
                enterprise=enterprise,
                plate=plate,
                dg_permit_no=dg_permit_no,
                permit_valid_to=permit_valid_to,
                kind=kind,
                region_code=enterprise.region_code,
            )
            audit_record(
                event_type="VEHICLE_CREATED",
                object_type="vehicle",
                object_id=vehicle.pk,
                actor=actor,
                region_code=enterprise.region_code,
                payload={"plate": plate, "permit": dg_permit_no},
            )
    except IntegrityError as exc:
        raise Conflict(f"车牌号 {plate} 已登记", field="plate") from exc
    return vehicle


def vehicle_assign(
    *, actor, worker: DeliveryWorker, vehicle: Vehicle, valid_from: date, valid_to: date | None = None
) -> VehicleAssignment:
    """Bind a worker to a vehicle (人车绑定) for a period; both must be of the same enterprise."""
    require_owner_or_regulator(actor, vehicle.enterprise_id, vehicle.region_code)
    if worker.enterprise_id != vehicle.enterprise_id:
        raise ValidationFailed("送气工与车辆不属于同一企业", field="worker")
    if valid_to and valid_to < valid_from:
        raise ValidationFailed("绑定止日期不能早于起日期", field="valid_to")
    with transaction.atomic():
        a = VehicleAssignment.objects.create(
            worker=worker, vehicle=vehicle, valid_from=valid_from, valid_to=valid_to
        )
        audit_record(
            event_type="VEHICLE_ASSIGNED",
            object_type="vehicle",
            object_id=vehicle.pk,
            actor=actor,
            region_code=vehicle.region_code,
            payload={"worker": worker.pk, "from": valid_from, "to": valid_to},
        )
    return a


def delivery_area_set(*, actor, enterprise, name: str, region_codes: list[str]) -> DeliveryArea:
    """Record an operator's licensed delivery area (regulators only)."""
    from gasguard.cylinders.permissions import require_regulator

    require_regulator(actor, enterprise.region_code)
    codes = [str(c).strip() for c in region_codes or [] if str(c).strip()]
    bad = [c for c in codes if not c.isdigit() or len(c) not in (2, 4, 6, 9, 12, 15)]
    if not codes or bad:
        raise ValidationFailed(f"区划代码有误：{'、'.join(bad) or '（空）'}", field="region_codes")
    with transaction.atomic():
        area = DeliveryArea.objects.create(
            enterprise=enterprise,
            name=name or "配送区域",
            region_codes=codes,
            region_code=enterprise.region_code,
        )
        audit_record(
            event_type="DELIVERY_AREA_SET",
            object_type="delivery_area",
            object_id=area.pk,
            actor=actor,
            region_code=enterprise.region_code,
            payload={"codes": codes},
        )
    return area


def today() -> date:
    return timezone.localdate()
