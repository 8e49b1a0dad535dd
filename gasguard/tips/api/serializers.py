"""Serializers of the tips API: reporter contact appears only masked (see the contact action)."""

from rest_framework import serializers

from gasguard.tips.choices import TipCategoryChoices, TipChannelChoices, TipOutcomeChoices
from gasguard.tips.models import Reward, Tip, TipHistory


class TipSerializer(serializers.ModelSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, default="")
    reporter = serializers.SerializerMethodField()

    class Meta:
        model = Tip
        fields = [
            "id",
            "code",
            "channel",
            "channel_display",
            "category",
            "category_display",
            "status",
            "status_display",
            "description",
            "region_code",
            "region_name",
            "address",
            "lon",
            "lat",
            "target_name",
            "department",
            "department_name",
            "department_kind",
            "created_at",
            "routed_at",
            "outcome",
            "verified_at",
            "duplicate_of",
            "hazard",
            "premises",
            "enterprise",
            "external_ref",
            "reporter",
        ]

    def get_reporter(self, obj) -> dict:
        return {
            "anonymous": obj.is_anonymous,
            "phone_masked": "" if obj.is_anonymous else obj.reporter_phone_masked,
        }


class TipHistorySerializer(serializers.ModelSerializer):
    class Meta:
        model = TipHistory
        fields = ["action", "from_status", "to_status", "actor_name", "note", "public_text", "created_at"]


class TipDetailSerializer(TipSerializer):
    history = TipHistorySerializer(many=True, read_only=True)
    photos = serializers.SerializerMethodField()
    outcome_reason = serializers.CharField(read_only=True)
    public_reply = serializers.CharField(read_only=True)

    class Meta(TipSerializer.Meta):
        fields = TipSerializer.Meta.fields + ["history", "photos", "outcome_reason", "public_reply"]

    def get_photos(self, obj) -> list[str]:
        from django.urls import reverse

        return [reverse("tips:tip_photo", args=[p.pk]) for p in obj.photos.all()]


class TipSubmitSerializer(serializers.Serializer):
    """Input of a report (public endpoint and operator entry)."""

    category = serializers.ChoiceField(choices=TipCategoryChoices.choices)
    description = serializers.CharField(max_length=10000, allow_blank=True)
    district = serializers.CharField(required=False, allow_blank=True, max_length=15)
    street = serializers.CharField(required=False, allow_blank=True, max_length=15)
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    target_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    is_anonymous = serializers.BooleanField(required=False, default=True)
    reporter_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    reporter_phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=50)
    website = serializers.CharField(required=False, allow_blank=True)  # honeypot


class StaffTipSubmitSerializer(TipSubmitSerializer):
    channel = serializers.ChoiceField(choices=TipChannelChoices.choices, default="hotline")
    external_ref = serializers.CharField(required=False, allow_blank=True, max_length=100)


class VerifySerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=TipOutcomeChoices.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    public_reply = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    target_type = serializers.ChoiceField(choices=["premises", "enterprise", "facility"], required=False)
    target_id = serializers.IntegerField(required=False, min_value=1)
    rule_id = serializers.CharField(required=False, allow_blank=True, max_length=80)
    hazard_title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    hazard_description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    severity = serializers.ChoiceField(choices=["general", "major"], required=False)
    deadline = serializers.DateField(required=False)
    duplicate_of = serializers.IntegerField(required=False, min_value=1)


class RouteSerializer(serializers.Serializer):
    department = serializers.IntegerField(min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class RewardSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    proposed_by_name = serializers.CharField(source="proposed_by.display_name", read_only=True)
    approved_by_name = serializers.CharField(source="approved_by.display_name", read_only=True, default="")

    class Meta:
        model = Reward
        fields = [
            "id",
            "tip",
            "status",
            "status_display",
            "amount",
            "basis",
            "eligibility",
            "proposed_by",
            "proposed_by_name",
            "proposed_at",
            "approved_by",
            "approved_by_name",
            "approved_at",
            "rejected_reason",
            "paid_on",
            "payment_reference",
            "region_code",
        ]


class RewardProposeSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    basis = serializers.CharField(required=False, allow_blank=True, max_length=500)


class RewardPaySerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    reference = serializers.CharField(max_length=100)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)
