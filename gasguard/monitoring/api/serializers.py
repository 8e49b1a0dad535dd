"""API representations of monitoring objects (input validation for create/update)."""

from rest_framework import serializers

from gasguard.monitoring.choices import DeviceTypeChoices, InstallTargetChoices, SpaceKindChoices
from gasguard.monitoring.models import Alarm, AlarmEvent, AlarmRule, DeadLetter, Device, MonitoredSpace


class DeviceSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    installed_at = serializers.CharField(source="installed_at_display", read_only=True)

    class Meta:
        model = Device
        fields = [
            "id",
            "code",
            "name",
            "device_type",
            "enterprise",
            "enterprise_name",
            "region_code",
            "lon",
            "lat",
            "install_target",
            "facility",
            "space",
            "premises",
            "installed_at",
            "installed_on",
            "service_life_end",
            "is_active",
            "state",
            "last_seen_at",
            "last_values",
            "credential_rotated_at",
        ]
        read_only_fields = fields


class DeviceCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    device_type = serializers.ChoiceField(choices=DeviceTypeChoices.choices)
    enterprise = serializers.IntegerField()
    region = serializers.CharField(max_length=15, help_text="区划代码")
    install_target = serializers.ChoiceField(choices=InstallTargetChoices.choices)
    facility = serializers.IntegerField(required=False, allow_null=True)
    space = serializers.IntegerField(required=False, allow_null=True)
    premises = serializers.IntegerField(required=False, allow_null=True)
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    installed_on = serializers.DateField(required=False, allow_null=True)
    service_life_end = serializers.DateField(required=False, allow_null=True)


class DeviceUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    installed_on = serializers.DateField(required=False, allow_null=True)
    service_life_end = serializers.DateField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)


class SpaceSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonitoredSpace
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "region_code",
            "address",
            "lon",
            "lat",
            "facility",
            "owner_name",
        ]
        read_only_fields = fields


class SpaceCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=SpaceKindChoices.choices)
    region = serializers.CharField(max_length=15)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    facility = serializers.IntegerField(required=False, allow_null=True)
    owner_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RuleSerializer(serializers.ModelSerializer):
    device_code = serializers.CharField(source="device.code", read_only=True, default=None)

    class Meta:
        ref_name = "MonitoringRule"  # the rules app has its own "Rule"
        model = AlarmRule
        fields = [
            "id",
            "code",
            "name",
            "device_type",
            "device",
            "device_code",
            "kind",
            "condition",
            "offline_minutes",
            "level",
            "peak_mode",
            "is_active",
            "note",
        ]
        read_only_fields = fields


class RuleWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64, required=False)
    name = serializers.CharField(max_length=200, required=False)
    device_type = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    device = serializers.IntegerField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=["condition", "offline"], required=False, default="condition")
    condition = serializers.JSONField(required=False)
    offline_minutes = serializers.IntegerField(required=False, allow_null=True)
    level = serializers.IntegerField(required=False, default=2)
    peak_mode = serializers.ChoiceField(choices=["max", "min"], required=False, default="max")
    is_active = serializers.BooleanField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AlarmEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = AlarmEvent
        fields = ["kind", "action", "from_status", "to_status", "actor", "actor_name", "at", "note"]

    def get_actor_name(self, obj) -> str:
        return (getattr(obj.actor, "display_name", None) or str(obj.actor)) if obj.actor_id else "系统"


class AlarmSerializer(serializers.ModelSerializer):
    device_code = serializers.CharField(source="device.code", read_only=True)
    device_name = serializers.CharField(source="device.name", read_only=True)
    rule_code = serializers.CharField(source="rule.code", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Alarm
        fields = [
            "id",
            "device",
            "device_code",
            "device_name",
            "rule",
            "rule_code",
            "enterprise",
            "enterprise_name",
            "region_code",
            "level",
            "level_display",
            "status",
            "status_display",
            "message",
            "metric",
            "first_value",
            "peak_value",
            "last_value",
            "count",
            "raised_at",
            "last_seen_at",
            "acked_at",
            "judged_at",
            "judgement",
            "judgement_reason",
            "dispatched_at",
            "arrived_at",
            "disposed_at",
            "closed_at",
            "escalation_level",
            "hazard",
        ]
        read_only_fields = fields


class AlarmActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DeadLetterSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeadLetter
        fields = [
            "id",
            "received_at",
            "channel",
            "topic",
            "device_code",
            "reason",
            "message",
            "payload",
            "payload_size",
        ]
        read_only_fields = fields
