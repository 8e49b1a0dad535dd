"""API of the fleet (/api/fleet/)."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from gasguard.core.api import StandardPagination
from gasguard.core.errors import NotFound
from gasguard.core.schema import paginated
from gasguard.fleet import selectors, services
from gasguard.fleet.api import serializers as s


def _page(request, qs, ser):
    p = StandardPagination()
    return p.get_paginated_response(ser(p.paginate_queryset(qs, request), many=True).data)


def _valid(ser, data):
    x = ser(data=data)
    x.is_valid(raise_exception=True)
    return x.validated_data


@extend_schema(methods=["GET"], responses=paginated(s.DeliveryWorkerSerializer))
@extend_schema(
    methods=["POST"], request=s.DeliveryWorkerSerializer, responses={201: s.DeliveryWorkerSerializer}
)
@api_view(["GET", "POST"])
def workers(request):
    if request.method == "GET":
        return _page(request, selectors.worker_list(user=request.user), s.DeliveryWorkerSerializer)
    d = _valid(s.DeliveryWorkerSerializer, request.data)
    w = services.delivery_worker_create(
        actor=request.user,
        enterprise=d["enterprise"],
        name=d.get("name", ""),
        staff=d.get("staff"),
        phone=d.get("phone", ""),
        work_card_no=d.get("work_card_no", ""),
    )
    return Response(s.DeliveryWorkerSerializer(w).data, status=201)


@extend_schema(methods=["GET"], responses=paginated(s.VehicleSerializer))
@extend_schema(methods=["POST"], request=s.VehicleSerializer, responses={201: s.VehicleSerializer})
@api_view(["GET", "POST"])
def vehicles(request):
    if request.method == "GET":
        return _page(request, selectors.vehicle_list(user=request.user), s.VehicleSerializer)
    d = _valid(s.VehicleSerializer, request.data)
    v = services.vehicle_create(actor=request.user, **d)
    return Response(s.VehicleSerializer(v).data, status=201)


@extend_schema(request=s.AssignmentSerializer, responses={201: s.AssignmentSerializer})
@api_view(["POST"])
def assignments(request):
    d = _valid(s.AssignmentSerializer, request.data)
    if not selectors.worker_list(user=request.user).filter(pk=d["worker"].pk).exists():
        raise NotFound("送气工不存在", field="worker")
    a = services.vehicle_assign(actor=request.user, **d)
    return Response(s.AssignmentSerializer(a).data, status=201)


@extend_schema(methods=["GET"], responses=paginated(s.DeliveryAreaSerializer))
@extend_schema(methods=["POST"], request=s.DeliveryAreaSerializer, responses={201: s.DeliveryAreaSerializer})
@api_view(["GET", "POST"])
def areas(request):
    if request.method == "GET":
        return _page(request, selectors.area_list(user=request.user), s.DeliveryAreaSerializer)
    d = _valid(s.DeliveryAreaSerializer, request.data)
    a = services.delivery_area_set(actor=request.user, **d)
    return Response(s.DeliveryAreaSerializer(a).data, status=201)
