"""API of 一瓶一码 (/api/cylinders/): thin shells over services and selectors."""

from datetime import UTC, datetime, time

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, parser_classes
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from gasguard.accounts.selectors import user_scope
from gasguard.core.api import StandardPagination
from gasguard.core.errors import NotFound, ValidationFailed
from gasguard.core.filters import (
    EARLIEST_DATE,
    body_date,
    body_decimal,
    body_object,
    body_text,
    parse_bool,
    parse_choice,
    parse_id,
    parse_text,
)
from gasguard.core.schema import OBJECT, paginated, query, results_of
from gasguard.cylinders import selectors, services
from gasguard.cylinders.api import serializers as s
from gasguard.cylinders.choices import CylinderSpecChoices, CylinderStatusChoices
from gasguard.cylinders.epcis import epcis_document, events_for_export
from gasguard.registry.models import Enterprise, Facility, Premises, Staff


def _page(request, qs, serializer_class):
    paginator = StandardPagination()
    page = paginator.paginate_queryset(qs, request)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


def _valid(serializer_class, data):
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


def _int_or_400(value, field):
    return parse_id(value, field)


def _enterprise(user, pk, field="owner") -> Enterprise:
    if pk not in (None, ""):
        pk = _int_or_400(pk, field)
    obj = Enterprise.objects.filter(pk=pk).first()
    if obj is None:
        raise NotFound("企业不存在", field=field)
    return obj


@extend_schema(
    methods=["GET"],
    parameters=[
        query("q", description="编码/条码"),
        query("status"),
        query("spec"),
        query("owner", OpenApiTypes.INT, description="产权单位 ID"),
        query("overdue", OpenApiTypes.BOOL, description="检验逾期"),
        query(
            "arrived",
            OpenApiTypes.BOOL,
            description="外地气瓶：产权单位在本辖区以外、配送到或充装于本辖区的气瓶（仅部门用户）",
        ),
    ],
    responses=paginated(s.CylinderSerializer),
)
@extend_schema(methods=["POST"], request=s.CylinderRegisterSerializer, responses={201: s.CylinderSerializer})
@api_view(["GET", "POST"])
def cylinder_collection(request):
    if request.method == "GET":
        p = request.query_params
        qs = selectors.cylinder_list(
            user=request.user,
            q=parse_text(p.get("q"), "q", max_length=80),
            status=parse_choice(p.get("status"), "status", CylinderStatusChoices) or "",
            spec=parse_choice(p.get("spec"), "spec", CylinderSpecChoices) or "",
            owner_id=_int_or_400(p["owner"], "owner") if p.get("owner") else None,
            overdue=bool(parse_bool(p.get("overdue"), "overdue")),
            arrived=bool(parse_bool(p.get("arrived"), "arrived")),
        )
        return _page(request, qs, s.CylinderSerializer)
    data = _valid(s.CylinderRegisterSerializer, request.data)
    owner = _enterprise(request.user, data.pop("owner"))
    cylinder = services.cylinder_register(actor=request.user, owner=owner, **data)
    return Response(s.CylinderSerializer(cylinder).data, status=201)


@extend_schema(request=s.BulkRegisterSerializer, responses={201: OBJECT})
@api_view(["POST"])
def cylinder_bulk(request):
    data = _valid(s.BulkRegisterSerializer, request.data)
    owner = _enterprise(request.user, data["owner"])
    result = services.cylinder_register_bulk(
        actor=request.user, owner=owner, rows=data["rows"], valid_only=data["valid_only"]
    )
    return Response({"created": result.created, "codes": result.codes, "errors": result.errors}, status=201)


@extend_schema(
    request=inline_serializer(
        "CylinderImportInput",
        {
            "file": serializers.FileField(),
            "owner": serializers.IntegerField(),
            "valid_only": serializers.BooleanField(required=False),
        },
    ),
    responses={201: OBJECT},
)
@api_view(["POST"])
@parser_classes([MultiPartParser, FormParser])
def cylinder_import(request):
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationFailed("请选择 Excel 文件", field="file")
    owner = _enterprise(request.user, request.data.get("owner"))
    result = services.cylinder_import_xlsx(
        actor=request.user,
        owner=owner,
        upload=upload,
        valid_only=request.data.get("valid_only") in ("1", "true"),
    )
    return Response({"created": result.created, "errors": result.errors}, status=201)


@extend_schema(responses=OBJECT, operation_id="cylinders_cylinder_detail")
@api_view(["GET"])
def cylinder_detail(request, code):
    cylinder = selectors.cylinder_get(user=request.user, code=code)
    body = s.CylinderSerializer(cylinder).data
    body["timeline"] = [
        {**row, "at": row["at"].isoformat()} for row in selectors.cylinder_timeline(cylinder=cylinder)
    ]
    body["custody"] = [
        {"holder": c.holder.name, "since": c.since, "until": c.until, "reason": c.reason}
        for c in selectors.cylinder_custody(cylinder=cylinder)
    ]
    body["reasons_today"] = services.cylinder_reasons(
        {f: getattr(cylinder, f) for f in services.GATE_FIELDS if "__" not in f},
        enterprise_id=None,
        today=timezone.localdate(),
    )
    return Response(body)


@extend_schema(
    request=OBJECT,
    responses=s.CylinderSerializer,
    operation_id="cylinders_cylinder_action",
    description="action = transfer {to_owner, reason} | seize {body, reason} | scrap {body?, reason} | "
    "status {status, reason} | inspect {body, inspected_on, result, report_no}",
)
@api_view(["POST"])
def cylinder_action(request, code, action):
    cylinder = selectors.cylinder_get(user=request.user, code=code)
    d = body_object(request.data)
    # 300: the longest reason every action can store (CylinderCustody.reason, event summaries).
    reason = body_text(d, "reason", max_length=300)
    if action == "transfer":
        services.cylinder_transfer(
            actor=request.user,
            cylinder=cylinder,
            to_owner=_enterprise(request.user, d.get("to_owner"), "to_owner"),
            reason=reason,
        )
    elif action == "seize":
        services.cylinder_seize(
            actor=request.user,
            cylinder=cylinder,
            body=_enterprise(request.user, d.get("body"), "body"),
            reason=reason,
        )
    elif action == "scrap":
        body = _enterprise(request.user, d["body"], "body") if d.get("body") else None
        services.cylinder_scrap(actor=request.user, cylinder=cylinder, reason=reason, body=body)
    elif action == "status":
        services.cylinder_set_status(
            actor=request.user, cylinder=cylinder, status=body_text(d, "status"), reason=reason
        )
    elif action == "inspect":
        services.periodic_inspection_record(
            actor=request.user,
            cylinder=cylinder,
            body=_enterprise(request.user, d.get("body"), "body"),
            inspected_on=body_date(d, "inspected_on"),
            result=body_text(d, "result"),
            report_no=body_text(d, "report_no", max_length=64),
        )
    else:
        raise NotFound("未知操作")
    cylinder.refresh_from_db()
    return Response(s.CylinderSerializer(cylinder).data)


@extend_schema(methods=["GET"], responses=paginated(s.FillSerializer))
@extend_schema(methods=["POST"], request=s.FillInputSerializer, responses={201: s.FillSerializer})
@api_view(["GET", "POST"])
def fill_collection(request):
    if request.method == "GET":
        return _page(request, selectors.fill_list(user=request.user), s.FillSerializer)
    data = _valid(s.FillInputSerializer, request.data)
    attempt = selectors.attempt_list(user=request.user).filter(pk=data["attempt_id"]).first()
    if attempt is None:
        raise NotFound("扫码记录不存在", field="attempt_id")
    batch = None
    if data.get("gas_batch"):
        batch = selectors.gas_batch_list(user=request.user).filter(pk=data["gas_batch"]).first()
        if batch is None:
            raise NotFound("气源批次不存在", field="gas_batch")
    fill = services.fill_record(
        actor=request.user,
        attempt=attempt,
        net_mass_kg=data["net_mass_kg"],
        scale_id=data.get("scale_id", ""),
        gas_batch=batch,
        pre_check=data.get("pre_check"),
        post_check=data.get("post_check"),
    )
    return Response(s.FillSerializer(fill).data, status=201)


@extend_schema(responses=paginated(s.AttemptSerializer))
@api_view(["GET"])
def attempt_collection(request):
    return _page(request, selectors.attempt_list(user=request.user), s.AttemptSerializer)


@extend_schema(responses=paginated(s.AttemptSerializer, "PaginatedViolationList"))
@api_view(["GET"])
def violation_collection(request):
    return _page(request, selectors.violation_list(user=request.user), s.AttemptSerializer)


@extend_schema(methods=["GET"], responses=paginated(s.GasBatchSerializer))
@extend_schema(methods=["POST"], request=OBJECT, responses={201: s.GasBatchSerializer})
@api_view(["GET", "POST"])
def gas_batch_collection(request):
    if request.method == "GET":
        return _page(request, selectors.gas_batch_list(user=request.user), s.GasBatchSerializer)
    d = body_object(request.data)
    received = body_date(d, "received_on")
    batch = services.gas_batch_create(
        actor=request.user,
        filler=_enterprise(request.user, d.get("filler"), "filler"),
        supplier=_enterprise(request.user, d.get("supplier"), "supplier"),
        batch_no=body_text(d, "batch_no", max_length=64),
        received_on=received,
        quantity_t=body_decimal(d, "quantity_t"),
    )
    return Response(s.GasBatchSerializer(batch).data, status=201)


@extend_schema(responses=OBJECT)
@api_view(["GET"])
def gas_batch_recall(request, pk):
    batch = selectors.gas_batch_get(user=request.user, pk=pk)
    return Response(
        {"batch": s.GasBatchSerializer(batch).data, "results": selectors.batch_recall(batch=batch)}
    )


@extend_schema(methods=["GET"], responses=paginated(s.GasSampleSerializer))
@extend_schema(methods=["POST"], request=OBJECT, responses={201: s.GasSampleSerializer})
@api_view(["GET", "POST"])
def gas_sample_collection(request):
    if request.method == "GET":
        return _page(request, selectors.gas_sample_list(user=request.user), s.GasSampleSerializer)
    d = body_object(request.data)
    batch = selectors.gas_batch_get(user=request.user, pk=parse_id(d.get("batch"), "batch"))
    sample = services.gas_sample_record(
        actor=request.user,
        batch=batch,
        sampled_on=body_date(d, "sampled_on"),
        dme_pct=body_decimal(d, "dme_pct"),
        odour_ok=d.get("odour_ok") in (True, "true", "1", 1),
        vapour_pressure_kpa=body_decimal(d, "vapour_pressure_kpa"),
        c5_plus_pct=body_decimal(d, "c5_plus_pct"),
        sulphur_mg_m3=body_decimal(d, "sulphur_mg_m3"),
    )
    return Response(s.GasSampleSerializer(sample).data, status=201)


@extend_schema(methods=["GET"], responses=paginated(s.DeliverySerializer))
@extend_schema(methods=["POST"], request=s.DeliveryInputSerializer, responses={201: s.DeliverySerializer})
@api_view(["GET", "POST"])
def delivery_collection(request):
    from gasguard.fleet.models import DeliveryWorker, Vehicle

    if request.method == "GET":
        return _page(request, selectors.delivery_list(user=request.user), s.DeliverySerializer)
    data = _valid(s.DeliveryInputSerializer, request.data)
    enterprise = _enterprise(request.user, data["enterprise"], "enterprise")
    premises = get_object_or_404(Premises, pk=data["premises"])
    worker = get_object_or_404(DeliveryWorker, pk=data["worker"])
    vehicle = get_object_or_404(Vehicle, pk=data["vehicle"]) if data.get("vehicle") else None
    station = get_object_or_404(Facility, pk=data["supply_station"]) if data.get("supply_station") else None
    delivery = services.delivery_record(
        actor=request.user,
        enterprise=enterprise,
        premises=premises,
        worker=worker,
        vehicle=vehicle,
        supply_station=station,
        out_codes=data["out_codes"],
        return_codes=data["return_codes"],
        delivered_at=data.get("delivered_at"),
        lon=data.get("lon"),
        lat=data.get("lat"),
    )
    return Response(s.DeliverySerializer(delivery).data, status=201)


@extend_schema(methods=["GET"], responses=OBJECT)
@extend_schema(methods=["POST"], request=OBJECT, responses={201: OBJECT})
@api_view(["GET", "POST"])
def delivery_check(request, pk):
    delivery = selectors.delivery_get(user=request.user, pk=pk)
    if request.method == "GET":
        items = services.delivery_checklist(delivery.premises)
        return Response(
            {"items": [{"id": i["id"], "title": i["title"], "question": i["question"]} for i in items]}
        )
    check = services.delivery_check_record(
        actor=request.user, delivery=delivery, answers=body_object(request.data).get("answers")
    )
    return Response(
        {"id": check.pk, "failed": check.failed_rule_ids, "hazards": check.hazard_ids}, status=201
    )


def _parse_bound(value: str, field: str, end: bool = False):
    if not value:
        return None
    try:
        if len(value) == 10:
            day = datetime.fromisoformat(value).date()
            dt = datetime.combine(day, time.max if end else time.min)
        else:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        dt = timezone.make_aware(dt) if timezone.is_naive(dt) else dt
        # Year 0001 or 9999 with an offset lies outside what a UTC datetime can hold.
        if dt.astimezone(UTC).date() < EARLIEST_DATE:
            raise ValueError(value)
    except (ValueError, OverflowError):
        raise ValidationFailed(f"时间“{value}”格式错误（如 2024-05-01）", field=field) from None
    return dt


def _epcis_events(request):
    """GET ?code=&from=&to= → EPCIS 2.0 JSON-LD document of the scoped cylinders' events."""
    p = request.query_params
    qs = selectors.cylinder_list(user=request.user)
    if code := parse_text(p.get("code"), "code", max_length=80):
        qs = qs.filter(code=code.upper())
        if not qs.exists():
            raise NotFound("气瓶不存在，或不在您的数据权限范围内", field="code")
    start = _parse_bound(p.get("from", ""), "from")
    end = _parse_bound(p.get("to", ""), "to", end=True)
    doc = epcis_document(events_for_export(cylinders_qs=qs.values("pk"), start=start, end=end))
    return Response(doc, content_type="application/ld+json")


epcis_events = extend_schema(
    parameters=[query("code"), query("from", OpenApiTypes.DATE), query("to", OpenApiTypes.DATE)],
    responses={(200, "application/ld+json"): OBJECT},
)(api_view(["GET"])(_epcis_events))
# The same document at ".../events/" (kept for clients that add the slash); one entry in the schema.
epcis_events_slash = extend_schema(exclude=True)(api_view(["GET"])(_epcis_events))


@extend_schema(responses=results_of("PremisesCylinders", premises=serializers.CharField()))
@api_view(["GET"])
def premises_cylinders(request, pk):
    premises = get_object_or_404(Premises, pk=pk)
    return Response(
        {
            "premises": premises.name,
            "results": selectors.premises_cylinders(user=request.user, premises=premises),
        }
    )


@extend_schema(responses=OBJECT)
@api_view(["GET"])
def trace(request, code):
    cylinder = selectors.cylinder_get(user=request.user, code=code)
    t = selectors.trace_cylinder(user=request.user, cylinder=cylinder)
    fill, delivery = t["fill"], t["delivery"]
    return Response(
        {
            "code": cylinder.code,
            "two_phase": cylinder.is_two_phase,
            "owner": t["owner"].name,
            "maker": t["maker"],
            "last_fill": fill
            and {
                "at": fill.filled_at,
                "station": fill.station.name,
                "enterprise": fill.enterprise.name,
                "operator": fill.operator.name,
                "batch": fill.gas_batch.batch_no if fill.gas_batch else "",
            },
            "supplier": t["supplier"].name if t["supplier"] else "",
            "last_delivery": delivery
            and {
                "at": delivery.delivered_at,
                "enterprise": delivery.enterprise.name,
                "worker": delivery.worker.name,
                "premises": delivery.premises.name,
                "vehicle": delivery.vehicle.plate if delivery.vehicle else "",
            },
        }
    )


@extend_schema(
    parameters=[
        query("product_model", OpenApiTypes.INT),
        query("maker", OpenApiTypes.INT),
        query("two_phase", OpenApiTypes.BOOL),
    ],
    responses=results_of("CylinderRecall"),
)
@api_view(["GET"])
def recall(request):
    """Recall list: ?product_model= | ?maker= | ?two_phase=1."""
    from gasguard.products.models import ProductModel

    p = request.query_params
    pm = (
        get_object_or_404(ProductModel, pk=_int_or_400(p["product_model"], "product_model"))
        if p.get("product_model")
        else None
    )
    maker = Enterprise.objects.filter(pk=_int_or_400(p["maker"], "maker")).first() if p.get("maker") else None
    two_phase = bool(parse_bool(p.get("two_phase"), "two_phase"))
    if pm is None and maker is None and not two_phase:
        raise ValidationFailed("请指定产品型号、制造单位或 two_phase=1", field="product_model")
    return Response(
        {
            "results": selectors.model_recall(
                user=request.user, product_model=pm, maker=maker, two_phase=two_phase
            )
        }
    )


@extend_schema(responses=results_of("GateOperators"))
@api_view(["GET"])
def operators(request):
    """Staff of the user's enterprises who may operate the gate (for the gate page)."""
    scope = user_scope(user=request.user)
    qs = Staff.objects.filter(Q(enterprise_id__in=scope.enterprise_ids), is_active=True, post="se_operator")
    return Response({"results": list(qs.values("id", "name", "enterprise_id"))})
