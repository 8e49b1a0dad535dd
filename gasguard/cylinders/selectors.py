"""Reads of 一瓶一码, every one restricted to the user's scope (region prefix or own enterprise)."""

from django.db.models import Prefetch, Q

from gasguard.accounts.selectors import user_scope
from gasguard.core.errors import NotFound, PermissionDenied
from gasguard.core.filters import text_error
from gasguard.cylinders.choices import GateDecisionChoices
from gasguard.cylinders.models import (
    Cylinder,
    CylinderCustody,
    CylinderEvent,
    Delivery,
    DeliveryItem,
    Fill,
    FillAttempt,
    GasBatch,
    GasQualitySample,
)
from gasguard.cylinders.permissions import market_prefixes


def cylinder_list(
    *, user, q: str = "", status: str = "", spec: str = "", owner_id=None, overdue=None, arrived=False
):
    """Cylinders the user may see: owner's region for departments, own cylinders for enterprises.

    arrived: instead, the cylinders owned outside the department's regions that were delivered to
    premises or filled at a station inside them (外地气瓶; each opens read only, see cylinder_get)."""
    scope = user_scope(user=user)
    if arrived:
        if not scope.region_prefixes:
            return Cylinder.objects.none()
        came = DeliveryItem.objects.filter(scope.q(region_field="delivery__region_code")).values(
            "cylinder_id"
        )
        filled = Fill.objects.filter(scope.q()).values("cylinder_id")
        qs = (
            Cylinder.objects.select_related("owner")
            .filter(Q(pk__in=came) | Q(pk__in=filled))
            .exclude(scope.q(enterprise_field="owner_id"))
        )
    else:
        qs = scope.apply(Cylinder.objects.select_related("owner"), enterprise_field="owner_id")
    if q:
        qs = qs.filter(Q(code=q.strip().upper()) | Q(serial__icontains=q.strip()))
    if status:
        qs = qs.filter(status=status)
    if spec:
        qs = qs.filter(spec=spec)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if overdue:
        from django.utils import timezone

        qs = qs.filter(next_inspection_due__lt=timezone.localdate())
    return qs.order_by("region_code", "code")


def cylinder_get(*, user, code: str = "", pk=None) -> Cylinder:
    """One cylinder in scope, by code or id; NotFound otherwise."""
    if not pk and (len(code) > 80 or text_error(code)):
        # No cylinder has such a code; PostgreSQL would refuse the NUL in the query (a 500).
        raise NotFound("气瓶不存在，或不在您的数据权限范围内")
    qs = cylinder_list(user=user).select_related("manufacturer", "product_model")
    obj = qs.filter(pk=pk).first() if pk else qs.filter(code=code).first()
    if obj is None:
        obj = _cylinder_that_came_into_regions(user=user, code=code, pk=pk)
    if obj is None:
        raise NotFound("气瓶不存在，或不在您的数据权限范围内")
    return obj


def _cylinder_that_came_into_regions(*, user, code: str, pk) -> Cylinder | None:
    """A department may open (read only) a cylinder owned elsewhere that was delivered to premises
    or filled at a station in its regions: the 溯源 of a cylinder found at a restaurant in the
    district starts from it, whoever owns it. The list stays by owner's region."""
    scope = user_scope(user=user)
    if not scope.region_prefixes:
        return None  # enterprises see their own cylinders only; global scope already saw all
    base = Cylinder.objects.select_related("owner", "manufacturer", "product_model")
    obj = base.filter(pk=pk).first() if pk else base.filter(code=code).first()
    if obj is None:
        return None
    # The same test as cylinder_list(arrived=True), written per cylinder: two indexed exists() on
    # this cylinder's deliveries and fills, not the list's subqueries over the whole region.
    delivered = DeliveryItem.objects.filter(
        scope.q(region_field="delivery__region_code"), cylinder=obj
    ).exists()
    if delivered or Fill.objects.filter(scope.q(), cylinder=obj).exists():
        return obj
    return None


def cylinder_timeline(*, cylinder: Cylinder) -> list[dict]:
    """A cylinder's whole life: events plus refused fills, oldest first."""
    rows = []
    for ev in CylinderEvent.objects.filter(cylinder=cylinder).select_related(
        "enterprise", "facility", "premises", "actor"
    ):
        rows.append(
            {
                "at": ev.occurred_at,
                "kind": ev.kind,
                "label": ev.get_kind_display(),
                "summary": ev.summary,
                "enterprise": ev.enterprise.name if ev.enterprise else "",
                "facility": ev.facility.name if ev.facility else "",
                "premises": ev.premises.name if ev.premises else "",
                "actor": getattr(ev.actor, "display_name", "") if ev.actor else "",
            }
        )
    for at in FillAttempt.objects.filter(cylinder=cylinder, decision=GateDecisionChoices.DENY).select_related(
        "station"
    ):
        rows.append(
            {
                "at": at.created_at,
                "kind": "fill_denied",
                "label": "充装拒绝",
                "summary": "；".join(at.reason_messages),
                "enterprise": "",
                "facility": at.station.name,
                "premises": "",
                "actor": "",
            }
        )
    rows.sort(key=lambda r: r["at"])
    return rows


def cylinder_custody(*, cylinder: Cylinder):
    return CylinderCustody.objects.filter(cylinder=cylinder).select_related("holder")


def fill_list(*, user):
    scope = user_scope(user=user)
    qs = Fill.objects.select_related("cylinder", "station", "operator", "gas_batch")
    return scope.apply(qs, enterprise_field="enterprise_id")


def attempt_list(*, user):
    scope = user_scope(user=user)
    qs = FillAttempt.objects.select_related("station", "operator", "cylinder")
    return scope.apply(qs, enterprise_field="enterprise_id")


def violation_list(*, user):
    """Denied gate attempts (违规充装), for 市场监管 and the task force of the region, or the
    enterprise's own; other departments may not see them."""
    qs = FillAttempt.objects.filter(decision=GateDecisionChoices.DENY).select_related(
        "station", "operator", "cylinder", "enterprise", "hazard"
    )
    prefixes = market_prefixes(user)
    if prefixes is None:
        return qs
    scope = user_scope(user=user)
    condition = Q(pk__in=[])
    for p in prefixes:
        condition |= Q(region_code__startswith=p)
    if scope.enterprise_ids:
        condition |= Q(enterprise_id__in=scope.enterprise_ids)
    if not prefixes and not scope.enterprise_ids:
        raise PermissionDenied("违规充装记录仅对市场监管部门、专班和企业本身开放")
    return qs.filter(condition)


def delivery_list(*, user):
    """Deliveries: premises' region for departments; the operator's own for enterprises."""
    scope = user_scope(user=user)
    qs = Delivery.objects.select_related("enterprise", "premises", "worker", "vehicle", "supply_station")
    return scope.apply(qs, enterprise_field="enterprise_id")


def delivery_get(*, user, pk) -> Delivery:
    obj = (
        delivery_list(user=user)
        .filter(pk=pk)
        .prefetch_related(Prefetch("items", queryset=DeliveryItem.objects.select_related("cylinder")))
        .first()
    )
    if obj is None:
        raise NotFound("配送记录不存在，或不在您的数据权限范围内")
    return obj


def gas_batch_list(*, user):
    scope = user_scope(user=user)
    return scope.apply(GasBatch.objects.select_related("supplier", "filler"), enterprise_field="filler_id")


def gas_batch_get(*, user, pk) -> GasBatch:
    obj = gas_batch_list(user=user).filter(pk=pk).first()
    if obj is None:
        raise NotFound("气源批次不存在，或不在您的数据权限范围内")
    return obj


def gas_sample_list(*, user):
    scope = user_scope(user=user)
    return scope.apply(GasQualitySample.objects.select_related("batch", "batch__supplier"))


def _last_delivery_after(cylinder_ids, since_by_cylinder=None):
    """For each cylinder id, the deliveries (out) to customers, newest first."""
    items = (
        DeliveryItem.objects.filter(cylinder_id__in=cylinder_ids, direction="out")
        .select_related(
            "delivery__premises", "delivery__worker", "delivery__enterprise", "delivery__vehicle", "cylinder"
        )
        .order_by("cylinder_id", "-delivery__delivered_at")
    )
    out = {}
    for item in items:
        since = (since_by_cylinder or {}).get(item.cylinder_id)
        if since and item.delivery.delivered_at < since:
            continue
        out.setdefault(item.cylinder_id, item)
    return out


def batch_recall(*, batch: GasBatch) -> list[dict]:
    """Every cylinder filled from a batch, and the customer that received it afterwards."""
    fills = list(
        Fill.objects.filter(gas_batch=batch).select_related("cylinder", "station").order_by("filled_at")
    )
    since = {f.cylinder_id: f.filled_at for f in fills}
    deliveries = _last_delivery_after(list(since), since)
    rows = []
    for f in fills:
        d = deliveries.get(f.cylinder_id)
        rows.append(_recall_row(f.cylinder, d, filled_at=f.filled_at, station=f.station.name))
    return rows


def _recall_row(cylinder, item, *, filled_at=None, station="") -> dict:
    delivery = item.delivery if item else None
    return {
        "code": cylinder.code,
        "spec": cylinder.get_spec_display(),
        "filled_at": filled_at,
        "station": station,
        "premises": delivery.premises.name if delivery else "",
        "premises_address": delivery.premises.address if delivery else "",
        "premises_region": delivery.premises.region_code if delivery else "",
        "delivered_at": delivery.delivered_at if delivery else None,
        "operator": delivery.enterprise.name if delivery else "",
        "worker": delivery.worker.name if delivery else "",
    }


def model_recall(
    *, user, product_model=None, maker=None, two_phase: bool = False, limit: int = 5000
) -> list[dict]:
    """Every customer that received a cylinder of a blacklisted model / maker (or two-phase)."""
    qs = cylinder_list(user=user).exclude(status="scrapped")
    if product_model is not None:
        qs = qs.filter(product_model=product_model)
    if maker is not None:
        qs = qs.filter(manufacturer=maker)
    if two_phase:
        qs = qs.filter(is_two_phase=True)
    cylinders = list(qs[:limit])
    deliveries = _last_delivery_after([c.pk for c in cylinders])
    return [_recall_row(c, deliveries.get(c.pk)) for c in cylinders]


def premises_cylinders(*, user, premises) -> list[dict]:
    """Which cylinders a premises received, and from whom (operator, worker, filling unit)."""
    scope = user_scope(user=user)
    if not (scope.covers_region(premises.region_code) or premises.enterprise_id in scope.enterprise_ids):
        raise NotFound("场所不存在，或不在您的数据权限范围内")
    # Whoever covers the premises' region may open every cylinder delivered there (cylinder_get);
    # the premises' own enterprise only the cylinders it owns.
    opens_all = scope.covers_region(premises.region_code)
    items = (
        DeliveryItem.objects.filter(delivery__premises=premises)
        .select_related("cylinder__owner", "delivery__enterprise", "delivery__worker", "delivery__vehicle")
        .order_by("-delivery__delivered_at")
    )
    return [
        {
            "code": i.cylinder.code,
            "spec": i.cylinder.get_spec_display(),
            "direction": i.get_direction_display(),
            "delivered_at": i.delivery.delivered_at,
            "operator": i.delivery.enterprise.name,
            "worker": i.delivery.worker.name,
            "vehicle": i.delivery.vehicle.plate if i.delivery.vehicle else "",
            "owner": i.cylinder.owner.name,
            "two_phase": i.cylinder.is_two_phase,
            "can_open": opens_all or i.cylinder.owner_id in scope.enterprise_ids,
        }
        for i in items
    ]


def trace_cylinder(*, user, cylinder: Cylinder) -> dict:
    """溯源: for a cylinder found at a restaurant, the filling unit, gas supplier and delivery
    worker behind it (the last fill and the last delivery)."""
    last_fill = (
        Fill.objects.filter(cylinder=cylinder)
        .select_related("station", "enterprise", "operator", "gas_batch__supplier")
        .order_by("-filled_at")
        .first()
    )
    last_item = (
        DeliveryItem.objects.filter(cylinder=cylinder, direction="out")
        .select_related("delivery__premises", "delivery__enterprise", "delivery__worker", "delivery__vehicle")
        .order_by("-delivery__delivered_at")
        .first()
    )
    return {
        "cylinder": cylinder,
        "owner": cylinder.owner,
        "maker": cylinder.manufacturer.name if cylinder.manufacturer else cylinder.maker_name,
        "fill": last_fill,
        "supplier": last_fill.gas_batch.supplier if last_fill and last_fill.gas_batch else None,
        "delivery": last_item.delivery if last_item else None,
    }
