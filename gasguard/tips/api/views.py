"""Tips API: scoped reports and actions for staff; intake and status for the public (AllowAny)."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.decorators import api_view, authentication_classes, parser_classes, permission_classes
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response

from gasguard.core.api import WriteRolePermission
from gasguard.core.errors import NotFound, ValidationFailed
from gasguard.core.filters import parse_choice, parse_id
from gasguard.core.ratelimit import client_ip
from gasguard.tips.api.serializers import (
    ReasonSerializer,
    RewardPaySerializer,
    RewardProposeSerializer,
    RewardSerializer,
    RouteSerializer,
    StaffTipSubmitSerializer,
    TipDetailSerializer,
    TipSerializer,
    TipSubmitSerializer,
    VerifySerializer,
)
from gasguard.tips.choices import RewardStatusChoices, TipCategoryChoices, TipChannelChoices, TipStatusChoices
from gasguard.tips.security import body_too_large, status_lookup_limited, submission_limited
from gasguard.tips.selectors import (
    can_see_tips,
    duplicate_candidates,
    reward_get,
    reward_list,
    tip_get,
    tip_list,
    tip_public_status,
)
from gasguard.tips.services import (
    TipInput,
    reward_approve,
    reward_eligibility,
    reward_pay,
    reward_propose,
    reward_reject,
    tip_contact_reveal,
    tip_route,
    tip_start_verification,
    tip_submit,
    tip_verify,
)


class CanSeeTips(BasePermission):
    """Government users with a region grant; the reported party (enterprise users) never."""

    message = "无权查看群众举报"

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and can_see_tips(request.user))


def _input(d: dict, files=None) -> TipInput:
    return TipInput(
        category=d.get("category", ""),
        description=d.get("description", ""),
        district_code=d.get("district", ""),
        street_code=d.get("street", ""),
        lon=d.get("lon"),
        lat=d.get("lat"),
        address=d.get("address", ""),
        target_name=d.get("target_name", ""),
        is_anonymous=d.get("is_anonymous", True),
        reporter_name=d.get("reporter_name", ""),
        reporter_phone=d.get("reporter_phone", ""),
        photos=d.get("photos") or [],
        external_ref=d.get("external_ref", ""),
    )


class TipListView(generics.ListCreateAPIView):
    """GET: reports in scope (?status=&category=&channel=&region=&date_from=&date_to=&q=). POST: operator entry."""

    permission_classes = [CanSeeTips, WriteRolePermission]
    serializer_class = TipSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        from django.utils.dateparse import parse_date

        p = self.request.query_params
        filters = {
            k: p.get(k) for k in ("status", "category", "channel", "region", "department", "q") if p.get(k)
        }
        if "department" in filters:
            filters["department"] = parse_id(filters["department"], "department")
        for key, choices in (
            ("status", TipStatusChoices),
            ("category", TipCategoryChoices),
            ("channel", TipChannelChoices),
        ):
            if key in filters:
                filters[key] = parse_choice(filters[key], key, choices)
        for k in ("date_from", "date_to"):
            if p.get(k):
                try:
                    value = parse_date(p[k])
                except ValueError:
                    value = None
                if value is None:
                    raise ValidationFailed(f"日期格式应为 YYYY-MM-DD：{p[k]}", field=k)
                filters[k] = value
        return tip_list(user=self.request.user, filters=filters)

    @extend_schema(request=StaffTipSubmitSerializer, responses={201: TipDetailSerializer})
    def post(self, request, *args, **kwargs):
        s = StaffTipSubmitSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        data["photos"] = request.FILES.getlist("photos") if hasattr(request.FILES, "getlist") else []
        tip = tip_submit(data=_input(data), channel=data["channel"], actor=request.user)
        return Response(TipDetailSerializer(tip).data, status=status.HTTP_201_CREATED)


class TipDetailView(generics.RetrieveAPIView):
    permission_classes = [CanSeeTips, WriteRolePermission]
    serializer_class = TipDetailSerializer

    def get_object(self):
        return tip_get(user=self.request.user, pk=self.kwargs["pk"])


def _detail(request, tip):
    return Response(TipDetailSerializer(tip_get(user=request.user, pk=tip.pk)).data)


@extend_schema(request=RouteSerializer, responses={200: TipDetailSerializer})
@api_view(["POST"])
@permission_classes([CanSeeTips, WriteRolePermission])
def tip_route_api(request, pk):
    s = RouteSerializer(data=request.data)
    s.is_valid(raise_exception=True)
    tip_get(user=request.user, pk=pk)
    tip = tip_route(
        actor=request.user,
        tip_id=pk,
        department_id=s.validated_data["department"],
        note=s.validated_data.get("note", ""),
    )
    return _detail(request, tip)


@extend_schema(request=None, responses={200: TipDetailSerializer})
@api_view(["POST"])
@permission_classes([CanSeeTips, WriteRolePermission])
def tip_start_api(request, pk):
    tip_get(user=request.user, pk=pk)
    return _detail(request, tip_start_verification(actor=request.user, tip_id=pk))


@extend_schema(request=VerifySerializer, responses={200: TipDetailSerializer})
@api_view(["POST"])
@permission_classes([CanSeeTips, WriteRolePermission])
def tip_verify_api(request, pk):
    s = VerifySerializer(data=request.data)
    s.is_valid(raise_exception=True)
    d = s.validated_data
    tip_get(user=request.user, pk=pk)
    tip = tip_verify(
        actor=request.user,
        tip_id=pk,
        outcome=d["outcome"],
        reason=d.get("reason", ""),
        public_reply=d.get("public_reply", ""),
        target_type=d.get("target_type", ""),
        target_id=d.get("target_id"),
        rule_id=d.get("rule_id", ""),
        hazard_title=d.get("hazard_title", ""),
        hazard_description=d.get("hazard_description", ""),
        severity=d.get("severity", ""),
        deadline=d.get("deadline"),
        duplicate_of_id=d.get("duplicate_of"),
    )
    return _detail(request, tip)


@extend_schema(responses={200: dict})
@api_view(["GET"])
@permission_classes([CanSeeTips, WriteRolePermission])
def tip_duplicates_api(request, pk):
    """Duplicate suggestions (same premises, or within 50 m and 30 days)."""
    tip = tip_get(user=request.user, pk=pk)
    return Response(
        [
            {
                "id": c["tip"].pk,
                "status": c["tip"].status,
                "category": c["tip"].category,
                "reasons": c["reasons"],
                "distance_m": c["distance_m"],
            }
            for c in duplicate_candidates(tip=tip, user=request.user)
        ]
    )


@extend_schema(request=None, responses={200: dict})
@api_view(["POST"])
@permission_classes([CanSeeTips, WriteRolePermission])
def tip_contact_api(request, pk):
    """Reveal the reporter's contact (task-force admin / supervisor; audited TIP_CONTACT_VIEWED)."""
    tip_get(user=request.user, pk=pk)
    return Response(tip_contact_reveal(actor=request.user, tip_id=pk))


@extend_schema(responses={200: dict})
@api_view(["GET"])
@permission_classes([CanSeeTips, WriteRolePermission])
def tip_eligibility_api(request, pk):
    return Response(reward_eligibility(tip_get(user=request.user, pk=pk)))


@extend_schema(request=RewardProposeSerializer, responses={201: RewardSerializer})
@api_view(["POST"])
@permission_classes([CanSeeTips, WriteRolePermission])
def reward_propose_api(request, pk):
    s = RewardProposeSerializer(data=request.data)
    s.is_valid(raise_exception=True)
    tip_get(user=request.user, pk=pk)
    reward = reward_propose(
        actor=request.user,
        tip_id=pk,
        amount=s.validated_data.get("amount"),
        basis=s.validated_data.get("basis", ""),
    )
    return Response(RewardSerializer(reward).data, status=status.HTTP_201_CREATED)


class RewardListView(generics.ListAPIView):
    """GET /api/tips/rewards/ (?status=)"""

    permission_classes = [CanSeeTips, WriteRolePermission]
    serializer_class = RewardSerializer

    def get_queryset(self):
        status = parse_choice(self.request.query_params.get("status"), "status", RewardStatusChoices)
        return reward_list(user=self.request.user, status=status or "")


def _reward_response(request, reward):
    return Response(RewardSerializer(reward_get(user=request.user, pk=reward.pk)).data)


@extend_schema(request=None, responses={200: RewardSerializer})
@api_view(["POST"])
@permission_classes([CanSeeTips, WriteRolePermission])
def reward_approve_api(request, pk):
    reward_get(user=request.user, pk=pk)
    return _reward_response(request, reward_approve(actor=request.user, reward_id=pk))


@extend_schema(request=ReasonSerializer, responses={200: RewardSerializer})
@api_view(["POST"])
@permission_classes([CanSeeTips, WriteRolePermission])
def reward_reject_api(request, pk):
    s = ReasonSerializer(data=request.data)
    s.is_valid(raise_exception=True)
    reward_get(user=request.user, pk=pk)
    return _reward_response(
        request, reward_reject(actor=request.user, reward_id=pk, reason=s.validated_data.get("reason", ""))
    )


@extend_schema(request=RewardPaySerializer, responses={200: RewardSerializer})
@api_view(["POST"])
@permission_classes([CanSeeTips, WriteRolePermission])
def reward_pay_api(request, pk):
    s = RewardPaySerializer(data=request.data)
    s.is_valid(raise_exception=True)
    reward_get(user=request.user, pk=pk)
    return _reward_response(
        request,
        reward_pay(
            actor=request.user,
            reward_id=pk,
            paid_on=s.validated_data["paid_on"],
            reference=s.validated_data["reference"],
        ),
    )


# --- public ------------------------------------------------------------------------------------


@extend_schema(request=TipSubmitSerializer, responses={201: dict})
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@parser_classes([JSONParser, MultiPartParser, FormParser])
def public_submit(request):
    """POST /api/tips/public/ — a report from the public; returns the tracking code."""
    if submission_limited(client_ip(request)):
        raise exceptions.Throttled(detail="提交过于频繁，请稍后再试")
    if body_too_large(request):
        raise ValidationFailed("提交内容过大：请减少或压缩照片", field="photos")
    s = TipSubmitSerializer(data=request.data)
    s.is_valid(raise_exception=True)
    if s.validated_data.get("website"):
        raise ValidationFailed("提交未通过校验", field="website")
    data = dict(s.validated_data)
    data["photos"] = request.FILES.getlist("photos") if hasattr(request.FILES, "getlist") else []
    tip = tip_submit(data=_input(data), channel="web", ip=client_ip(request))
    return Response({"code": tip.code, "status": tip.status}, status=status.HTTP_201_CREATED)


@extend_schema(responses={200: dict})
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def public_status(request, code):
    """GET /api/tips/public/status/<code>/ — progress and outcome only; unknown → 404 (generic)."""
    if status_lookup_limited(client_ip(request)):
        raise exceptions.Throttled(detail="查询过于频繁，请稍后再试")
    info = tip_public_status(code=code)
    if info is None:
        raise NotFound("未找到该查询码对应的举报")
    return Response(info)
