"""Monitoring API: devices, spaces, readings, rules, alarms (+ actions), dead letters, stats, ingest."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from gasguard.core.api import StandardPagination, WriteRolePermission, error_body
from gasguard.core.errors import NotFound, ValidationFailed
from gasguard.core.filters import parse_id
from gasguard.core.schema import OBJECT, paginated, query
from gasguard.monitoring import selectors, services
from gasguard.monitoring.api import serializers as s
from gasguard.monitoring.api.filters import alarm_filters, dead_letter_reason
from gasguard.monitoring.ingest import http_ingest
from gasguard.monitoring.metrics import METRICS


def _paginate(request, view, qs, serializer):
    paginator = StandardPagination()
    page = paginator.paginate_queryset(qs, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


def _lookup(model_path: str, pk, label: str):
    if pk in (None, ""):
        return None
    from django.apps import apps

    model = apps.get_model(model_path)
    try:
        return model.objects.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise ValidationFailed(f"{label} {pk} 不存在", field=label) from exc


class DeviceListView(APIView):
    permission_classes = [WriteRolePermission]

    @extend_schema(
        parameters=[query("q"), query("type"), query("state")],
        responses=paginated(s.DeviceSerializer),
        operation_id="monitoring_devices_list",
    )
    def get(self, request):
        parse_id(request.query_params.get("enterprise"), "enterprise")  # 400 if not an id
        qs = selectors.device_list(user=request.user, filters=request.query_params)
        return _paginate(request, self, qs, s.DeviceSerializer)

    @extend_schema(request=s.DeviceCreateSerializer, responses={201: OBJECT})
    def post(self, request):
        ser = s.DeviceCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        from gasguard.org.models import Region

        region = Region.objects.filter(code=d["region"]).first()
        if region is None:
            raise ValidationFailed(f"区划 {d['region']} 不存在", field="region")
        device, secret = services.device_create(
            actor=request.user,
            code=d["code"],
            name=d["name"],
            device_type=d["device_type"],
            enterprise=_lookup("registry.Enterprise", d["enterprise"], "enterprise"),
            region=region,
            install_target=d["install_target"],
            facility=_lookup("registry.Facility", d.get("facility"), "facility"),
            space=_lookup("monitoring.MonitoredSpace", d.get("space"), "space"),
            premises=_lookup("registry.Premises", d.get("premises"), "premises"),
            lon=d.get("lon"),
            lat=d.get("lat"),
            installed_on=d.get("installed_on"),
            service_life_end=d.get("service_life_end"),
        )
        data = s.DeviceSerializer(device).data
        data["secret"] = secret
        data["secret_notice"] = "设备密钥只显示这一次，请立即写入设备；遗失后只能重新生成。"
        return Response(data, status=status.HTTP_201_CREATED)


class DeviceDetailView(APIView):
    permission_classes = [WriteRolePermission]

    @extend_schema(responses=s.DeviceSerializer)
    def get(self, request, pk):
        return Response(s.DeviceSerializer(selectors.device_get(user=request.user, pk=pk)).data)

    @extend_schema(request=s.DeviceUpdateSerializer, responses=s.DeviceSerializer)
    def patch(self, request, pk):
        device = selectors.device_get(user=request.user, pk=pk)
        ser = s.DeviceUpdateSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        device = services.device_update(actor=request.user, device=device, **ser.validated_data)
        return Response(s.DeviceSerializer(device).data)


class DeviceRotateView(APIView):
    permission_classes = [WriteRolePermission]

    @extend_schema(request=None, responses=OBJECT)
    def post(self, request, pk):
        device = selectors.device_get(user=request.user, pk=pk)
        secret = services.device_rotate_credential(actor=request.user, device=device)
        return Response(
            {
                "id": device.pk,
                "code": device.code,
                "secret": secret,
                "secret_notice": "新密钥只显示这一次；旧密钥已立即失效。",
            }
        )


class SpaceListView(APIView):
    permission_classes = [WriteRolePermission]

    @extend_schema(responses=paginated(s.SpaceSerializer))
    def get(self, request):
        return _paginate(request, self, selectors.space_list(user=request.user), s.SpaceSerializer)

    @extend_schema(request=s.SpaceCreateSerializer, responses={201: s.SpaceSerializer})
    def post(self, request):
        ser = s.SpaceCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        from gasguard.org.models import Region

        region = Region.objects.filter(code=d.pop("region")).first()
        d["facility"] = _lookup("registry.Facility", d.get("facility"), "facility")
        space = services.space_create(actor=request.user, region=region, **d)
        return Response(s.SpaceSerializer(space).data, status=status.HTTP_201_CREATED)


def _when(value, default, field):
    if not value:
        return default
    parsed = parse_datetime(value)
    if parsed is None:
        try:
            parsed = datetime.fromtimestamp(int(value) / 1000, tz=UTC)
        except (ValueError, OverflowError, OSError) as exc:
            raise ValidationFailed(f"{field} 须为 ISO 8601 时间或毫秒时间戳", field=field) from exc
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


class ReadingsView(APIView):
    """?device=<id>&metric=&from=&to=&resolution=raw|hour"""

    permission_classes = [WriteRolePermission]

    @extend_schema(
        parameters=[
            query("device", OpenApiTypes.INT, required=True),
            query("metric"),
            query("from", OpenApiTypes.DATETIME),
            query("to", OpenApiTypes.DATETIME),
            query("resolution", enum=["raw", "hour"]),
        ],
        responses=OBJECT,
    )
    def get(self, request):
        q = request.query_params
        if not q.get("device"):
            raise ValidationFailed("须指定 device", field="device")
        device = selectors.device_get(user=request.user, pk=parse_id(q["device"], "device"))
        metric = q.get("metric") or None
        if metric and metric not in METRICS:
            raise ValidationFailed(f"未知指标：{metric}", field="metric")
        until = _when(q.get("to"), timezone.now(), "to")
        resolution = q.get("resolution", "raw")
        since = _when(q.get("from"), until - timedelta(days=7 if resolution == "hour" else 1), "from")
        if since > until:
            raise ValidationFailed("from 不能晚于 to", field="from")
        if resolution == "hour":
            rows = selectors.hourly(user=request.user, device=device, metric=metric, since=since, until=until)
            data = [
                {
                    "metric": m,
                    "hour": h,
                    "min": lo,
                    "max": hi,
                    "avg": round(sm / n, 4) if n else None,
                    "count": n,
                }
                for m, h, lo, hi, sm, n in rows
            ]
        elif resolution == "raw":
            rows = selectors.readings(
                user=request.user, device=device, metric=metric, since=since, until=until
            )
            data = [{"metric": m, "ts": t, "value": v} for m, t, v in rows]
        else:
            raise ValidationFailed("resolution 须为 raw 或 hour", field="resolution")
        return Response(
            {
                "device": device.pk,
                "from": since,
                "to": until,
                "resolution": resolution,
                "units": {k: METRICS[k].unit for k in METRICS},
                "results": data,
            }
        )


class RuleListView(APIView):
    permission_classes = [WriteRolePermission]

    @extend_schema(
        responses=paginated(s.RuleSerializer, "PaginatedMonitoringRuleList"),
        operation_id="monitoring_rules_list",
    )
    def get(self, request):
        return _paginate(request, self, selectors.rule_list(user=request.user), s.RuleSerializer)

    @extend_schema(request=s.RuleWriteSerializer, responses={201: s.RuleSerializer})
    def post(self, request):
        ser = s.RuleWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        d.pop("is_active", None)
        device = None
        if d.get("device"):
            device = selectors.device_get(user=request.user, pk=d["device"])
        d["device"] = device
        for req in ("code", "name"):
            if not d.get(req):
                raise ValidationFailed(f"须填写 {req}", field=req)
        rule = services.rule_create(actor=request.user, **d)
        return Response(s.RuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class RuleDetailView(APIView):
    permission_classes = [WriteRolePermission]

    def _get(self, request, pk):
        try:
            return selectors.rule_list(user=request.user).get(pk=pk)
        except Exception as exc:
            raise NotFound("规则不存在") from exc

    @extend_schema(responses=s.RuleSerializer)
    def get(self, request, pk):
        return Response(s.RuleSerializer(self._get(request, pk)).data)

    @extend_schema(request=s.RuleWriteSerializer, responses=s.RuleSerializer)
    def patch(self, request, pk):
        rule = self._get(request, pk)
        allowed = {"name", "condition", "offline_minutes", "level", "is_active", "note", "peak_mode"}
        changes = {k: v for k, v in request.data.items() if k in allowed}
        if unknown := set(request.data) - allowed:
            raise ValidationFailed(f"不可修改的字段：{', '.join(sorted(unknown))}", field=sorted(unknown)[0])
        rule = services.rule_update(actor=request.user, rule=rule, **changes)
        return Response(s.RuleSerializer(rule).data)


class AlarmListView(APIView):
    permission_classes = [WriteRolePermission]

    @extend_schema(
        parameters=[
            query("status"),
            query("level", OpenApiTypes.INT),
            query("device", OpenApiTypes.INT),
            query("since", OpenApiTypes.DATETIME),
        ],
        responses=paginated(s.AlarmSerializer),
        operation_id="monitoring_alarms_list",
    )
    def get(self, request):
        return _paginate(
            request,
            self,
            selectors.alarm_list(user=request.user, filters=alarm_filters(request.query_params)),
            s.AlarmSerializer,
        )


class AlarmDetailView(APIView):
    permission_classes = [WriteRolePermission]

    @extend_schema(responses=s.AlarmSerializer)
    def get(self, request, pk):
        alarm = selectors.alarm_get(user=request.user, pk=pk)
        data = s.AlarmSerializer(alarm).data
        data["events"] = s.AlarmEventSerializer(alarm.events.select_related("actor"), many=True).data
        return Response(data)


class AlarmActionView(APIView):
    """POST {"action": acknowledge|judge_real|judge_false|dispatch|arrive|dispose|close, "reason", "note"}."""

    permission_classes = [WriteRolePermission]

    @extend_schema(request=s.AlarmActionSerializer, responses=s.AlarmSerializer)
    def post(self, request, pk):
        alarm = selectors.alarm_get(user=request.user, pk=pk)
        ser = s.AlarmActionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        alarm = services.alarm_act(actor=request.user, alarm=alarm, **ser.validated_data)
        return Response(s.AlarmSerializer(alarm).data)


class DeadLetterListView(APIView):
    permission_classes = [WriteRolePermission]

    @extend_schema(
        parameters=[query("reason"), query("device_code")], responses=paginated(s.DeadLetterSerializer)
    )
    def get(self, request):
        qs = selectors.dead_letter_list(user=request.user)
        if reason := dead_letter_reason(request.query_params.get("reason")):
            qs = qs.filter(reason=reason)
        if code := request.query_params.get("device_code"):
            qs = qs.filter(device_code=code)
        return _paginate(request, self, qs, s.DeadLetterSerializer)


class StatsView(APIView):
    permission_classes = [WriteRolePermission]

    @extend_schema(parameters=[query("days", OpenApiTypes.INT)], responses=OBJECT)
    def get(self, request):
        try:
            days = max(1, min(366, int(request.query_params.get("days", 30))))
        except ValueError as exc:
            raise ValidationFailed("days 须为整数", field="days") from exc
        return Response(
            {
                "days": days,
                "device_states": selectors.state_counts(user=request.user),
                "units": selectors.response_stats(user=request.user, days=days),
            }
        )


class MapView(APIView):
    permission_classes = [WriteRolePermission]

    @extend_schema(responses=OBJECT)
    def get(self, request):
        return Response({"devices": selectors.map_points(user=request.user)})


class IngestView(APIView):
    """HTTP batch ingest for devices without MQTT: headers X-Device-Code and X-Device-Token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=OBJECT, responses=OBJECT)
    def post(self, request):
        limit = settings.GASGUARD_MONITORING_MAX_PAYLOAD_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        code = request.META.get("HTTP_X_DEVICE_CODE", "")
        token = request.META.get("HTTP_X_DEVICE_TOKEN", "")
        if length > limit:
            from gasguard.monitoring.models import DeadLetter

            DeadLetter.objects.create(
                received_at=timezone.now(),
                channel="http",
                topic=f"http:{code}"[:200],
                device_code=code[:64],
                reason="too_large",
                message=f"报文 {length} 字节，超过上限 {limit} 字节",
                payload="",
                payload_size=length,
            )
            return Response(
                error_body("too_large", f"报文超过上限 {limit} 字节"),
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        if not code or not token:
            return Response(
                error_body("unauthorized", "须提供 X-Device-Code 和 X-Device-Token 请求头"),
                status=status.HTTP_401_UNAUTHORIZED,
            )
        result = http_ingest(code=code, token=token, payload=request.body)
        whole = [
            r
            for r in result["rejected"]
            if r["reason"] in ("unknown_device", "bad_credential", "device_inactive")
        ]
        if whole:
            return Response(
                error_body(whole[0]["reason"], whole[0]["message"]), status=status.HTTP_401_UNAUTHORIZED
            )
        code_status = status.HTTP_200_OK if result["accepted"] else status.HTTP_400_BAD_REQUEST
        return Response(result, status=code_status)
