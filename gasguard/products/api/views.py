"""API of product quality (/api/products/)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from gasguard.core import filters
from gasguard.core.api import StandardPagination
from gasguard.core.schema import OBJECT, paginated, query
from gasguard.cylinders.permissions import require_any_regulator
from gasguard.products import selectors, services
from gasguard.products.api import serializers as s
from gasguard.products.choices import ProductKindChoices
from gasguard.products.models import BlacklistEntry, ProductModel, Recall
from gasguard.registry.models import Enterprise


def _page(request, qs, ser):
    p = StandardPagination()
    return p.get_paginated_response(ser(p.paginate_queryset(qs, request), many=True).data)


def _regulators_only(request) -> None:
    """Every write here is for 市场监管/专班: anyone else gets the 403 before the input is read
    (a 400 about the fields first would tell an enterprise user what to send); the service
    checks the region once the object is known."""
    require_any_regulator(request.user)


def _valid(ser, data):
    x = ser(data=data)
    x.is_valid(raise_exception=True)
    return x.validated_data


@extend_schema(
    methods=["GET"],
    parameters=[query("kind", enum=ProductKindChoices.values, description="产品类别"), query("q")],
    responses=paginated(s.ProductModelSerializer),
)
@extend_schema(methods=["POST"], request=s.ProductModelSerializer, responses={201: s.ProductModelSerializer})
@api_view(["GET", "POST"])
def product_models(request):
    if request.method == "GET":
        kind = filters.parse_choice(request.query_params.get("kind"), "kind", ProductKindChoices)
        qs = selectors.product_model_list(
            user=request.user, kind=kind or "", q=filters.parse_text(request.query_params.get("q"), "q")
        )
        return _page(request, qs, s.ProductModelSerializer)
    _regulators_only(request)
    d = _valid(s.ProductModelSerializer, request.data)
    pm = services.product_model_create(actor=request.user, **d)
    return Response(s.ProductModelSerializer(pm).data, status=201)


@extend_schema(methods=["GET"], responses=paginated(s.SpotCheckSerializer))
@extend_schema(methods=["POST"], request=s.SpotCheckSerializer, responses={201: s.SpotCheckSerializer})
@api_view(["GET", "POST"])
def spot_checks(request):
    if request.method == "GET":
        return _page(request, selectors.spot_check_list(user=request.user), s.SpotCheckSerializer)
    _regulators_only(request)
    d = _valid(s.SpotCheckSerializer, request.data)
    blacklist = filters.parse_bool(filters.body_object(request.data).get("blacklist"), "blacklist")
    sc = services.spot_check_record(actor=request.user, blacklist=bool(blacklist), **d)
    return Response(s.SpotCheckSerializer(sc).data, status=201)


@extend_schema(
    methods=["GET"],
    parameters=[query("all", OpenApiTypes.BOOL, description="含已解除")],
    responses=paginated(s.BlacklistEntrySerializer),
)
@extend_schema(
    methods=["POST"], request=s.BlacklistEntrySerializer, responses={201: s.BlacklistEntrySerializer}
)
@api_view(["GET", "POST"])
def blacklist(request):
    if request.method == "GET":
        active = not filters.parse_bool(request.query_params.get("all"), "all")
        return _page(
            request,
            selectors.blacklist_list(user=request.user, active_only=active),
            s.BlacklistEntrySerializer,
        )
    _regulators_only(request)
    d = _valid(s.BlacklistEntrySerializer, request.data)
    entry = services.blacklist_add(actor=request.user, **d)
    return Response(s.BlacklistEntrySerializer(entry).data, status=201)


@extend_schema(request=None, responses=s.BlacklistEntrySerializer)
@api_view(["POST"])
def blacklist_lift(request, pk):
    _regulators_only(request)
    entry = get_object_or_404(BlacklistEntry, pk=pk)
    reason = filters.body_text(filters.body_object(request.data), "reason", max_length=300)
    entry = services.blacklist_lift(actor=request.user, entry=entry, reason=reason)
    return Response(s.BlacklistEntrySerializer(entry).data)


@extend_schema(methods=["GET"], responses=paginated(s.RecallSerializer))
@extend_schema(methods=["POST"], request=s.RecallSerializer, responses={201: s.RecallSerializer})
@api_view(["GET", "POST"])
def recalls(request):
    if request.method == "GET":
        return _page(request, selectors.recall_list(user=request.user), s.RecallSerializer)
    _regulators_only(request)
    d = filters.body_object(request.data)
    pm = get_object_or_404(ProductModel, pk=filters.parse_id(d.get("product_model"), "product_model"))
    recall = services.recall_start(
        actor=request.user,
        product_model=pm,
        reason=filters.body_text(d, "reason", max_length=300),
        target_count=filters.body_int(d, "target_count", min_value=0),
    )
    return Response(s.RecallSerializer(recall).data, status=201)


@extend_schema(request=s.RecallProgressSerializer, responses=s.RecallSerializer)
@api_view(["POST"])
def recall_progress(request, pk):
    _regulators_only(request)
    recall = get_object_or_404(Recall, pk=pk)
    d = _valid(s.RecallProgressSerializer, request.data)
    recall = services.recall_update_progress(actor=request.user, recall=recall, **d)
    return Response(s.RecallSerializer(recall).data)


@extend_schema(request=s.RecallCloseSerializer, responses=s.RecallSerializer)
@api_view(["POST"])
def recall_close(request, pk):
    """Close a recall (结束召回); a second close is a 409."""
    _regulators_only(request)
    recall = get_object_or_404(Recall, pk=pk)
    d = _valid(s.RecallCloseSerializer, request.data)
    recall = services.recall_close(actor=request.user, recall=recall, **d)
    return Response(s.RecallSerializer(recall).data)


@extend_schema(methods=["GET"], responses=paginated(s.ProductFindingSerializer))
@extend_schema(methods=["POST"], request=OBJECT, responses={201: s.ProductFindingSerializer})
@api_view(["GET", "POST"])
def findings(request):
    from gasguard.hazards.models import Hazard

    if request.method == "GET":
        return _page(request, selectors.finding_list(user=request.user), s.ProductFindingSerializer)
    _regulators_only(request)
    d = filters.body_object(request.data)
    hazard = get_object_or_404(Hazard, pk=filters.parse_id(d.get("hazard"), "hazard"))
    pm_id, seller_id = (
        filters.parse_id(d.get("product_model"), "product_model"),
        filters.parse_id(d.get("seller"), "seller"),
    )
    pm = get_object_or_404(ProductModel, pk=pm_id) if pm_id else None
    seller = get_object_or_404(Enterprise, pk=seller_id) if seller_id else None
    finding = services.product_finding_link(
        actor=request.user,
        hazard=hazard,
        product_model=pm,
        seller=seller,
        seller_name=filters.body_text(d, "seller_name", max_length=200),
        note=filters.body_text(d, "note", max_length=500),
    )
    return Response(s.ProductFindingSerializer(finding).data, status=201)
