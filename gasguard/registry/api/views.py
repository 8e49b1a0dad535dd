"""Registry REST API: thin viewsets over the scoped selectors and the services.

Lists and details come from selectors (another district's object by id → 404); create and
update go through services (DomainError → the one error envelope). Nothing is deleted through
the API: registry rows are referenced by inspections and hazards; close them by status.
"""

from django.conf import settings
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from gasguard.core.errors import ValidationFailed
from gasguard.core.listing import CappedCountPagination
from gasguard.registry import selectors, services
from gasguard.registry.api import serializers as s
from gasguard.registry.filtersets import (
    CertificateFilterSet,
    EnterpriseFilterSet,
    FacilityFilterSet,
    LicenceFilterSet,
    PremisesFilterSet,
    StaffFilterSet,
)
from gasguard.registry.importing import run_import
from gasguard.registry.models import EnterpriseRole

MAP_POINT_LIMIT = 5000


class RegistryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List/retrieve via a selector, create/update via services; PATCH only (no PUT, no DELETE)."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    pagination_class = CappedCountPagination
    list_selector = None
    get_selector = None

    def get_queryset(self):
        return type(self).list_selector(user=self.request.user)

    def get_object(self):
        obj = type(self).get_selector(user=self.request.user, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj

    def perform_create(self, serializer):
        serializer.instance = self.create_via_service(dict(serializer.validated_data))

    def perform_update(self, serializer):
        serializer.instance = self.update_via_service(serializer.instance, dict(serializer.validated_data))

    def _visible_enterprise(self, enterprise):
        try:
            return selectors.enterprise_get(user=self.request.user, pk=enterprise.pk)
        except Exception as exc:  # noqa: BLE001 - NotFound becomes a field error here
            raise ValidationFailed("企业不存在或不在您的数据权限范围内", field="enterprise") from exc

    @staticmethod
    def _fixed(data: dict, name: str, current) -> None:
        if name in data:
            value = data.pop(name)
            if value != current:
                raise ValidationFailed("所属对象创建后不能修改", field=name)


class EnterpriseViewSet(RegistryViewSet):
    """Enterprises (企业) with their USCC and roles."""

    serializer_class = s.EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    list_selector = staticmethod(selectors.enterprise_list)
    get_selector = staticmethod(selectors.enterprise_get)

    def create_via_service(self, data):
        return services.enterprise_create(actor=self.request.user, **data)

    def update_via_service(self, instance, data):
        roles = data.pop("roles", None)
        with transaction.atomic():
            instance = services.enterprise_update(actor=self.request.user, enterprise=instance, **data)
            if roles is not None:
                services.enterprise_set_roles(actor=self.request.user, enterprise=instance, roles=roles)
        return instance

    @extend_schema(request=s.EnterpriseRolesSerializer, responses=s.EnterpriseSerializer)
    @action(detail=True, methods=["post"], url_path="roles")
    def set_roles(self, request, pk=None):
        """Replace the enterprise's business roles."""
        enterprise = self.get_object()
        body = s.EnterpriseRolesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.enterprise_set_roles(
            actor=request.user, enterprise=enterprise, roles=body.validated_data["roles"]
        )
        enterprise = selectors.enterprise_get(user=request.user, pk=enterprise.pk)
        return Response(s.EnterpriseSerializer(enterprise).data)


class EnterpriseRoleViewSet(viewsets.ReadOnlyModelViewSet):
    """Business roles held by enterprises the user may see (read-only; change via enterprises/{id}/roles/)."""

    serializer_class = s.EnterpriseRoleSerializer
    pagination_class = CappedCountPagination
    filterset_fields = ("role", "enterprise")

    def get_queryset(self):
        visible = selectors.enterprise_list(user=self.request.user).values("pk")
        return EnterpriseRole.objects.filter(enterprise__in=visible).order_by("enterprise_id", "role")


class LicenceViewSet(RegistryViewSet):
    """Licences (证照) of enterprises."""

    serializer_class = s.LicenceSerializer
    filterset_class = LicenceFilterSet
    list_selector = staticmethod(selectors.licence_list)
    get_selector = staticmethod(selectors.licence_get)

    def create_via_service(self, data):
        enterprise = self._visible_enterprise(data.pop("enterprise"))
        return services.licence_create(actor=self.request.user, enterprise=enterprise, **data)

    def update_via_service(self, instance, data):
        self._fixed(data, "enterprise", instance.enterprise)
        return services.licence_update(actor=self.request.user, licence=instance, **data)


class StaffViewSet(RegistryViewSet):
    """Key staff (从业人员) of enterprises, with certificates."""

    serializer_class = s.StaffSerializer
    filterset_class = StaffFilterSet
    list_selector = staticmethod(selectors.staff_list)
    get_selector = staticmethod(selectors.staff_get)

    def create_via_service(self, data):
        enterprise = self._visible_enterprise(data.pop("enterprise"))
        return services.staff_create(actor=self.request.user, enterprise=enterprise, **data)

    def update_via_service(self, instance, data):
        self._fixed(data, "enterprise", instance.enterprise)
        return services.staff_update(actor=self.request.user, staff=instance, **data)


class CertificateViewSet(RegistryViewSet):
    """Certificates and assessment results (证书/考核) of staff."""

    serializer_class = s.CertificateSerializer
    filterset_class = CertificateFilterSet
    list_selector = staticmethod(selectors.certificate_list)
    get_selector = staticmethod(selectors.certificate_get)

    def create_via_service(self, data):
        staff = data.pop("staff")
        try:
            staff = selectors.staff_get(user=self.request.user, pk=staff.pk)
        except Exception as exc:  # noqa: BLE001
            raise ValidationFailed("人员不存在或不在您的数据权限范围内", field="staff") from exc
        return services.certificate_create(actor=self.request.user, staff=staff, **data)

    def update_via_service(self, instance, data):
        self._fixed(data, "staff", instance.staff)
        return services.certificate_update(actor=self.request.user, certificate=instance, **data)


class PremisesViewSet(RegistryViewSet):
    """Gas-using premises (用气场所)."""

    serializer_class = s.PremisesSerializer
    filterset_class = PremisesFilterSet
    list_selector = staticmethod(selectors.premises_list)
    get_selector = staticmethod(selectors.premises_get)

    def create_via_service(self, data):
        return services.premises_create(actor=self.request.user, **data)

    def update_via_service(self, instance, data):
        return services.premises_update(actor=self.request.user, premises=instance, **data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "bbox",
                OpenApiTypes.STR,
                description="西,南,东,北（经纬度，WGS-84），如 113.8,22.4,114.1,22.7",
            )
        ],
        responses=s.PremisesGeoJSONSerializer,
    )
    @action(detail=False, methods=["get"], url_path="geojson", pagination_class=None)
    def geojson(self, request):
        """Located premises in the map's bounding box as GeoJSON, capped (then 'zoom in')."""
        queryset = self.filter_queryset(self.get_queryset())
        bbox = None
        raw = request.query_params.get("bbox")
        if raw:
            try:
                west, south, east, north = (float(v) for v in raw.split(","))
            except ValueError as exc:
                raise ValidationFailed("bbox 应为 西,南,东,北 四个数字", field="bbox") from exc
            bbox = (west, south, east, north)
        limit = getattr(settings, "GASGUARD_MAP_MAX_POINTS", MAP_POINT_LIMIT)
        rows, truncated = selectors.premises_points(
            user=request.user, queryset=queryset, bbox=bbox, limit=limit
        )
        features = [
            {
                "type": "Feature",
                "id": row["id"],
                "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                "properties": {
                    "name": row["name"],
                    "kind": row["kind"],
                    "lpg": row["gas_lpg"],
                    "pipeline": row["gas_pipeline"],
                    "underground": row["underground"],
                },
            }
            for row in rows
        ]
        return Response(
            {"type": "FeatureCollection", "features": features, "truncated": truncated, "limit": limit}
        )


class FacilityViewSet(RegistryViewSet):
    """Gas facilities (燃气设施): pipeline segments, stations, regulators …"""

    serializer_class = s.FacilitySerializer
    filterset_class = FacilityFilterSet
    list_selector = staticmethod(selectors.facility_list)
    get_selector = staticmethod(selectors.facility_get)

    def create_via_service(self, data):
        return services.facility_create(actor=self.request.user, **data)

    def update_via_service(self, instance, data):
        return services.facility_update(actor=self.request.user, facility=instance, **data)


class ImportView(APIView):
    """Excel import of enterprises or premises (multipart: kind, file, valid_only).

    All-or-nothing unless valid_only=true. 200 when saved, 400 with every row error otherwise.
    """

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": s.ImportRequestSerializer}, responses=s.ImportResultSerializer
    )
    def post(self, request):
        body = s.ImportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = run_import(
            actor=request.user,
            kind=body.validated_data["kind"],
            upload=body.validated_data["file"],
            valid_only=body.validated_data.get("valid_only", False),
        )
        data = {
            "kind": result.kind,
            "total_rows": result.total_rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "saved": result.saved,
            "bad_rows": result.bad_rows,
            "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in result.errors],
        }
        return Response(data, status=status.HTTP_200_OK if result.saved else status.HTTP_400_BAD_REQUEST)
