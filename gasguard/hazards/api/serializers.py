"""Serializers of the hazards API: output shapes and input parsing only (services decide)."""

from rest_framework import serializers

from gasguard.hazards.choices import EnforcementKindChoices
from gasguard.hazards.models import (
    EnforcementAction,
    Hazard,
    HazardControlRequest,
    HazardEscalation,
    HazardEvidence,
    HazardHistory,
    HazardReferral,
    RevisitSample,
)
from gasguard.org.choices import DepartmentKindChoices


class HazardListSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    severity_display = serializers.CharField(source="get_severity_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    lead_department_name = serializers.CharField(source="lead_department.name", default="", read_only=True)

    class Meta:
        model = Hazard
        fields = [
            "id",
            "code",
            "target_type",
            "premises",
            "enterprise",
            "facility",
            "target_name",
            "region_code",
            "rule_id",
            "title",
            "category",
            "category_display",
            "severity",
            "severity_display",
            "lead_department_kind",
            "lead_department",
            "lead_department_name",
            "responsible_person",
            "supervisor",
            "deadline",
            "status",
            "status_display",
            "is_overdue",
            "source",
            "source_ref",
            "found_at",
            "closed_at",
            "is_supervised",
            "escalation_level",
            "reappeared_from",
            "reappear_count",
        ]


class EvidenceSerializer(serializers.ModelSerializer):
    uploaded_by_name = serializers.CharField(source="uploaded_by.display_name", default="", read_only=True)

    class Meta:
        model = HazardEvidence
        fields = [
            "id",
            "kind",
            "stage",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_by_name",
            "created_at",
        ]


class HistorySerializer(serializers.ModelSerializer):
    class Meta:
        model = HazardHistory
        fields = [
            "id",
            "action",
            "from_status",
            "to_status",
            "actor",
            "actor_name",
            "reason",
            "data",
            "created_at",
        ]


class ControlRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = HazardControlRequest
        fields = [
            "id",
            "measures",
            "new_deadline",
            "from_status",
            "status",
            "requested_by",
            "decided_by",
            "decided_at",
            "decision_reason",
            "created_at",
        ]


class ReferralSerializer(serializers.ModelSerializer):
    hazard_code = serializers.CharField(source="hazard.code", read_only=True)
    to_department_name = serializers.CharField(source="to_department.name", read_only=True)
    from_department_name = serializers.CharField(source="from_department.name", default="", read_only=True)

    class Meta:
        model = HazardReferral
        fields = [
            "id",
            "hazard",
            "hazard_code",
            "from_department",
            "from_department_name",
            "to_kind",
            "to_department",
            "to_department_name",
            "reason",
            "status",
            "referred_by",
            "handled_by",
            "handled_at",
            "response",
            "created_at",
        ]


class EnforcementSerializer(serializers.ModelSerializer):
    hazard_code = serializers.CharField(source="hazard.code", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = EnforcementAction
        fields = [
            "id",
            "hazard",
            "hazard_code",
            "kind",
            "kind_display",
            "fine_amount",
            "decision_number",
            "decided_on",
            "department",
            "actor",
            "note",
            "created_at",
        ]


class EscalationSerializer(serializers.ModelSerializer):
    class Meta:
        model = HazardEscalation
        fields = ["id", "level", "deadline", "recipients", "note", "created_at"]


class RevisitSerializer(serializers.ModelSerializer):
    hazard_code = serializers.CharField(source="hazard.code", read_only=True)

    class Meta:
        model = RevisitSample
        fields = [
            "id",
            "hazard",
            "hazard_code",
            "due_on",
            "reason",
            "status",
            "result_note",
            "revisited_by",
            "revisited_at",
            "new_hazard",
        ]


class HazardDetailSerializer(HazardListSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)
    history = HistorySerializer(many=True, read_only=True)
    control_requests = ControlRequestSerializer(many=True, read_only=True)
    referrals = ReferralSerializer(many=True, read_only=True)
    enforcement_actions = EnforcementSerializer(many=True, read_only=True)
    escalations = EscalationSerializer(many=True, read_only=True)

    class Meta(HazardListSerializer.Meta):
        fields = HazardListSerializer.Meta.fields + [
            "description",
            "legal_basis",
            "prescribed_action",
            "support_department_kinds",
            "responsible_phone",
            "rectification_measures",
            "control_measures",
            "rectified_by",
            "rectified_at",
            "verified_by",
            "evidence_count",
            "found_by",
            "evidence",
            "history",
            "control_requests",
            "referrals",
            "enforcement_actions",
            "escalations",
        ]


# --- inputs ---------------------------------------------------------------------------------


class NoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ControlRequestInput(serializers.Serializer):
    measures = serializers.CharField()
    new_deadline = serializers.DateField()


class ControlDecisionInput(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SubmitInput(serializers.Serializer):
    measures = serializers.CharField()
    evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class VerifyInput(serializers.Serializer):
    passed = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CloseOnSpotInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class AssignInput(serializers.Serializer):
    reason = serializers.CharField()
    responsible_person = serializers.CharField(required=False, allow_blank=True, default=None)
    responsible_phone = serializers.CharField(required=False, allow_blank=True, default=None)
    supervisor = serializers.IntegerField(required=False, allow_null=True, default=None)
    deadline = serializers.DateField(required=False, allow_null=True, default=None)


class ReferInput(serializers.Serializer):
    to_kind = serializers.ChoiceField(choices=DepartmentKindChoices.choices)
    reason = serializers.CharField()


class EnforcementInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EnforcementKindChoices.choices)
    fine_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    decision_number = serializers.CharField(required=False, allow_blank=True, default="")
    decided_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReferralDecisionInput(serializers.Serializer):
    response = serializers.CharField(required=False, allow_blank=True, default="")


class RevisitInput(serializers.Serializer):
    reappeared = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")


class ImportInput(serializers.Serializer):
    file = serializers.FileField()
    valid_only = serializers.BooleanField(required=False, default=False)
