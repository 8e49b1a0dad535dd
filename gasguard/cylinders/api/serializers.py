"""Serializers of the 一瓶一码 API (output shapes and input parsing; no business rules)."""

from datetime import UTC

from rest_framework import serializers

from gasguard.core.filters import EARLIEST_DATE
from gasguard.cylinders.models import Cylinder, Delivery, Fill, FillAttempt, GasBatch, GasQualitySample


class CylinderSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    spec_display = serializers.CharField(source="get_spec_display", read_only=True)

    class Meta:
        model = Cylinder
        fields = [
            "id",
            "code",
            "serial",
            "spec",
            "spec_display",
            "is_two_phase",
            "maker_name",
            "manufacturer",
            "product_model",
            "manufactured_on",
            "design_life_years",
            "life_extended_until",
            "last_inspected_on",
            "next_inspection_due",
            "owner",
            "owner_name",
            "status",
            "status_display",
            "refurbished",
            "last_filled_at",
            "region_code",
        ]


class CylinderRowSerializer(serializers.Serializer):
    code = serializers.CharField(required=False, allow_blank=True, max_length=80)
    serial = serializers.CharField(max_length=40)
    spec = serializers.CharField(max_length=40)
    manufactured_on = serializers.DateField()
    design_life_years = serializers.IntegerField(required=False, min_value=1, max_value=30)
    last_inspected_on = serializers.DateField(required=False, allow_null=True)
    next_inspection_due = serializers.DateField(required=False, allow_null=True)
    maker_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    is_two_phase = serializers.BooleanField(required=False, allow_null=True, default=None)
    refurbished = serializers.BooleanField(required=False, default=False)


class CylinderRegisterSerializer(CylinderRowSerializer):
    owner = serializers.IntegerField()


class BulkRegisterSerializer(serializers.Serializer):
    owner = serializers.IntegerField()
    valid_only = serializers.BooleanField(default=False)
    rows = serializers.ListField(child=serializers.DictField(), allow_empty=False)


class AttemptSerializer(serializers.ModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True)

    class Meta:
        model = FillAttempt
        fields = [
            "id",
            "code",
            "cylinder",
            "station",
            "station_name",
            "enterprise",
            "operator",
            "decision",
            "reasons",
            "scanned_at",
            "created_at",
            "hazard",
            "region_code",
        ]


class FillSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="cylinder.code", read_only=True)

    class Meta:
        model = Fill
        fields = [
            "id",
            "attempt",
            "code",
            "cylinder",
            "station",
            "enterprise",
            "operator",
            "scale_id",
            "net_mass_kg",
            "gas_batch",
            "pre_check",
            "post_check",
            "filled_at",
            "region_code",
        ]


class FillInputSerializer(serializers.Serializer):
    attempt_id = serializers.IntegerField()
    net_mass_kg = serializers.CharField(max_length=20)
    scale_id = serializers.CharField(required=False, allow_blank=True, max_length=40)
    gas_batch = serializers.IntegerField(required=False, allow_null=True)
    pre_check = serializers.DictField(required=False)
    post_check = serializers.DictField(required=False)


class GasBatchSerializer(serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    filler_name = serializers.CharField(source="filler.name", read_only=True)

    class Meta:
        model = GasBatch
        fields = [
            "id",
            "batch_no",
            "supplier",
            "supplier_name",
            "filler",
            "filler_name",
            "received_on",
            "quantity_t",
            "status",
            "region_code",
        ]
        read_only_fields = ["status", "region_code"]


class GasSampleSerializer(serializers.ModelSerializer):
    class Meta:
        model = GasQualitySample
        fields = [
            "id",
            "batch",
            "sampled_on",
            "dme_pct",
            "odour_ok",
            "vapour_pressure_kpa",
            "c5_plus_pct",
            "sulphur_mg_m3",
            "passed",
            "failures",
            "limits",
            "hazard",
        ]
        read_only_fields = ["passed", "failures", "limits", "hazard"]


class DeliverySerializer(serializers.ModelSerializer):
    premises_name = serializers.CharField(source="premises.name", read_only=True)
    worker_name = serializers.CharField(source="worker.name", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "enterprise",
            "supply_station",
            "premises",
            "premises_name",
            "worker",
            "worker_name",
            "vehicle",
            "delivered_at",
            "lon",
            "lat",
            "region_code",
        ]


class BoundedDateTimeField(serializers.DateTimeField):
    """A DateTimeField that refuses times before EARLIEST_DATE with a field error: DRF's own
    field crashes (OverflowError) converting year 0001 in Asia/Shanghai to UTC."""

    def to_internal_value(self, value):
        try:
            result = super().to_internal_value(value)
            if result.astimezone(UTC).date() < EARLIEST_DATE:
                raise OverflowError(value)
        except OverflowError:
            raise serializers.ValidationError(f"时间不能早于 {EARLIEST_DATE}") from None
        return result


class DeliveryInputSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField()
    premises = serializers.IntegerField()
    worker = serializers.IntegerField()
    vehicle = serializers.IntegerField(required=False, allow_null=True)
    supply_station = serializers.IntegerField(required=False, allow_null=True)
    out_codes = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list
    )
    return_codes = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list
    )
    delivered_at = BoundedDateTimeField(required=False, allow_null=True)
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
