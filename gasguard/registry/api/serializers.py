"""Serializers of the registry API: shape and basic types only; rules live in services."""

from rest_framework import serializers

from gasguard.org.models import Region
from gasguard.registry.choices import EnterpriseRoleChoices
from gasguard.registry.models import (
    Certificate,
    Enterprise,
    EnterpriseRole,
    Facility,
    Licence,
    Premises,
    Staff,
)

READ_ONLY_COMMON = ("id", "region_code", "created_at", "updated_at")


class RegionCodeField(serializers.SlugRelatedField):
    """A region given and shown by its code (e.g. "440305001")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("queryset", Region.objects.all())
        kwargs.setdefault("error_messages", {"does_not_exist": "区划代码 {value} 不存在"})
        super().__init__(**kwargs)


class RolesField(serializers.ListField):
    """Role values in and out; reads the prefetched EnterpriseRole rows."""

    child = serializers.ChoiceField(choices=EnterpriseRoleChoices.choices)

    def to_representation(self, data):
        if hasattr(data, "all"):
            return [r.role for r in data.all()]
        return super().to_representation(data)


class EnterpriseSerializer(serializers.ModelSerializer):
    """An enterprise; `roles` may be given on create (change them later via /roles/)."""

    region = RegionCodeField()
    region_name = serializers.CharField(source="region.name", read_only=True)
    roles = RolesField(required=False)

    class Meta:
        model = Enterprise
        fields = (
            "id",
            "name",
            "uscc",
            "region",
            "region_code",
            "region_name",
            "address",
            "legal_representative",
            "contact_phone",
            "lon",
            "lat",
            "service_region_codes",
            "is_active",
            "roles",
            "created_at",
            "updated_at",
        )
        read_only_fields = READ_ONLY_COMMON
        extra_kwargs = {"uscc": {"validators": []}}


class EnterpriseRolesSerializer(serializers.Serializer):
    """The full set of business roles of an enterprise."""

    roles = serializers.ListField(child=serializers.ChoiceField(choices=EnterpriseRoleChoices.choices))


class EnterpriseRoleSerializer(serializers.ModelSerializer):
    """One role held by an enterprise (read-only)."""

    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = EnterpriseRole
        fields = ("id", "enterprise", "role", "role_display")


class LicenceSerializer(serializers.ModelSerializer):
    """A licence; `enterprise` is fixed once created."""

    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Licence
        fields = (
            "id",
            "enterprise",
            "enterprise_name",
            "region_code",
            "kind",
            "kind_display",
            "number",
            "issuer",
            "issuing_level",
            "scope",
            "valid_from",
            "valid_to",
            "status",
            "status_display",
            "created_at",
            "updated_at",
        )
        read_only_fields = READ_ONLY_COMMON
        validators = []


class CertificateSerializer(serializers.ModelSerializer):
    """A certificate or assessment result of a staff member."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Certificate
        fields = (
            "id",
            "staff",
            "kind",
            "kind_display",
            "number",
            "passed",
            "issued_on",
            "valid_to",
            "created_at",
        )
        read_only_fields = ("id", "created_at")
        validators = []


class NestedCertificateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Certificate
        fields = ("id", "kind", "number", "passed", "issued_on", "valid_to")


class StaffSerializer(serializers.ModelSerializer):
    """A key person of an enterprise with their certificates (read-only list)."""

    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    post_display = serializers.CharField(source="get_post_display", read_only=True)
    certificates = NestedCertificateSerializer(many=True, read_only=True)

    class Meta:
        model = Staff
        fields = (
            "id",
            "enterprise",
            "enterprise_name",
            "region_code",
            "name",
            "post",
            "post_display",
            "phone",
            "id_number_masked",
            "is_active",
            "certificates",
            "created_at",
            "updated_at",
        )
        read_only_fields = READ_ONLY_COMMON


class PremisesSerializer(serializers.ModelSerializer):
    """A gas-using premises."""

    region = RegionCodeField()
    region_name = serializers.CharField(source="region.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, default="")
    supplier_name = serializers.CharField(source="supplier.name", read_only=True, default="")

    class Meta:
        model = Premises
        fields = (
            "id",
            "name",
            "kind",
            "kind_display",
            "region",
            "region_code",
            "region_name",
            "operator_name",
            "enterprise",
            "enterprise_name",
            "address",
            "lon",
            "lat",
            "gas_pipeline",
            "gas_lpg",
            "gas_alcohol",
            "gas_other",
            "underground",
            "supplier",
            "supplier_name",
            "contact_name",
            "contact_phone",
            "status",
            "external_id",
            "created_at",
            "updated_at",
        )
        read_only_fields = READ_ONLY_COMMON


class FacilitySerializer(serializers.ModelSerializer):
    """A gas facility with GeoJSON geometry (WGS-84, [lon, lat])."""

    region = RegionCodeField()
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Facility
        fields = (
            "id",
            "kind",
            "kind_display",
            "name",
            "code",
            "enterprise",
            "enterprise_name",
            "region",
            "region_code",
            "geometry",
            "pressure_class",
            "material",
            "diameter_mm",
            "length_m",
            "built_year",
            "is_active",
            "created_at",
            "updated_at",
        )
        read_only_fields = READ_ONLY_COMMON


class PremisesGeoJSONSerializer(serializers.Serializer):
    """Schema of the map endpoint: a GeoJSON FeatureCollection plus a truncation flag."""

    type = serializers.CharField()
    features = serializers.ListField(child=serializers.DictField())
    truncated = serializers.BooleanField()
    limit = serializers.IntegerField()


class ImportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=(("enterprise", "企业"), ("premises", "用气场所")))
    file = serializers.FileField()
    valid_only = serializers.BooleanField(required=False, default=False)


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    total_rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    saved = serializers.BooleanField()
    bad_rows = serializers.ListField(child=serializers.IntegerField())
    errors = ImportRowErrorSerializer(many=True)
