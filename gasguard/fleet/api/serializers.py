from rest_framework import serializers

from gasguard.fleet.models import DeliveryArea, DeliveryWorker, Vehicle, VehicleAssignment


class DeliveryWorkerSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryWorker
        fields = ["id", "enterprise", "staff", "name", "phone", "work_card_no", "is_active", "region_code"]
        read_only_fields = ["is_active", "region_code"]


class VehicleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vehicle
        fields = [
            "id",
            "plate",
            "enterprise",
            "dg_permit_no",
            "permit_valid_to",
            "kind",
            "is_active",
            "region_code",
        ]
        read_only_fields = ["is_active", "region_code"]


class AssignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = VehicleAssignment
        fields = ["id", "worker", "vehicle", "valid_from", "valid_to"]


class DeliveryAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryArea
        fields = ["id", "enterprise", "name", "region_codes", "region_code"]
        read_only_fields = ["region_code"]
