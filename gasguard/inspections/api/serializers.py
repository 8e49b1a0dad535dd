"""Serializers of the inspections API: outputs, and inputs that the services validate further."""

from django.urls import reverse
from rest_framework import serializers

from gasguard.inspections.choices import (
    InspectionBatchKindChoices,
    InspectionTargetTypeChoices,
    SignerRoleChoices,
)
from gasguard.inspections.models import (
    Inspection,
    InspectionAnswer,
    InspectionBatch,
    InspectionPhoto,
    InspectionSignature,
    InspectionTask,
)


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class BatchSerializer(serializers.ModelSerializer):
    task_total = serializers.IntegerField(read_only=True)
    task_done = serializers.IntegerField(read_only=True)
    lead_department = serializers.StringRelatedField()

    class Meta:
        model = InspectionBatch
        fields = [
            "id",
            "name",
            "kind",
            "region_code",
            "target_type",
            "target_kinds",
            "lead_department",
            "due_date",
            "status",
            "note",
            "task_total",
            "task_done",
            "created_at",
        ]


class BatchInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=InspectionBatchKindChoices.choices)
    region_code = serializers.CharField(max_length=15)
    target_type = serializers.ChoiceField(choices=InspectionTargetTypeChoices.choices)
    target_kinds = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    lead_department_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    due_date = serializers.DateField()
    assignee_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TaskQuery(serializers.Serializer):
    """Query parameters of the task list; invalid values are a 400 naming the parameter."""

    mine = serializers.BooleanField(required=False, default=False, help_text="只看分配给我的")
    state = serializers.ChoiceField(
        choices=[("pending", "待检查"), ("overdue", "已逾期"), ("open", "未完成"), ("done", "已完成")],
        required=False,
        allow_blank=True,
    )
    batch = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text="批次 ID")


class TaskSerializer(serializers.ModelSerializer):
    assignees = UserBriefSerializer(many=True, read_only=True)
    batch_name = serializers.CharField(source="batch.name", read_only=True)
    display_status = serializers.CharField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    target_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = InspectionTask
        fields = [
            "id",
            "batch",
            "batch_name",
            "target_type",
            "target_id",
            "target_name",
            "region_code",
            "assignees",
            "due_date",
            "status",
            "display_status",
            "is_overdue",
            "completed_at",
        ]


class AssignInput(serializers.Serializer):
    assignee_ids = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class PositionInput(serializers.Serializer):
    lon = serializers.FloatField(required=False, allow_null=True, default=None)
    lat = serializers.FloatField(required=False, allow_null=True, default=None)
    accuracy = serializers.FloatField(required=False, allow_null=True, default=None)


class StartInput(PositionInput):
    task_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    target_type = serializers.ChoiceField(choices=InspectionTargetTypeChoices.choices, required=False)
    target_id = serializers.IntegerField(required=False)
    co_inspector_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class AnswerItemInput(serializers.Serializer):
    rule_id = serializers.CharField(max_length=80)
    value = serializers.JSONField(required=False, allow_null=True, default=None)
    not_applicable = serializers.BooleanField(required=False, default=False)
    fixed_on_spot = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AnswersInput(PositionInput):
    answers = AnswerItemInput(many=True)
    summary = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)


class PhotoInput(serializers.Serializer):
    file = serializers.FileField()
    rule_id = serializers.CharField(required=False, allow_blank=True, default="")
    taken_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    lon = serializers.FloatField(required=False, allow_null=True, default=None)
    lat = serializers.FloatField(required=False, allow_null=True, default=None)


class SignatureInput(serializers.Serializer):
    signer_role = serializers.ChoiceField(choices=SignerRoleChoices.choices)
    name = serializers.CharField(required=False, allow_blank=True, default="")
    image = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="data:image/png;base64,…"
    )
    image_file = serializers.FileField(required=False, allow_null=True, default=None)
    refused = serializers.BooleanField(required=False, default=False)
    refusal_note = serializers.CharField(required=False, allow_blank=True, default="")


class CorrectInput(serializers.Serializer):
    reason = serializers.CharField()


class AnswerSerializer(serializers.ModelSerializer):
    hazard_code = serializers.CharField(source="hazard.code", default=None, read_only=True)

    class Meta:
        ref_name = "InspectionAnswer"  # the rules app has its own "Answer"
        model = InspectionAnswer
        fields = [
            "rule_id",
            "value",
            "not_applicable",
            "is_hazard",
            "fixed_on_spot",
            "note",
            "hazard",
            "hazard_code",
        ]


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = InspectionPhoto
        fields = ["id", "rule_id", "content_type", "sha256", "taken_at", "lon", "lat", "url"]

    def get_url(self, obj) -> str:
        return reverse("inspections:media_file", args=[obj.inspection_id, "photo", obj.pk])


class SignatureSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionSignature
        fields = ["id", "signer_role", "name", "user", "refused", "refusal_note", "signed_at", "sha256"]


class InspectionListSerializer(serializers.ModelSerializer):
    inspectors = UserBriefSerializer(many=True, read_only=True)
    target_id = serializers.IntegerField(read_only=True)
    department = serializers.StringRelatedField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "number",
            "task",
            "target_type",
            "target_id",
            "target_name",
            "enterprise",
            "region_code",
            "inspectors",
            "department",
            "status",
            "started_at",
            "submitted_at",
            "no_hazard_found",
            "hazard_count",
            "corrects",
            "notice_number",
            "catalog_version",
        ]


class InspectionDetailSerializer(InspectionListSerializer):
    answers = AnswerSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    signatures = SignatureSerializer(many=True, read_only=True)
    checklist = serializers.SerializerMethodField()

    class Meta(InspectionListSerializer.Meta):
        fields = [
            *InspectionListSerializer.Meta.fields,
            "lon",
            "lat",
            "accuracy_m",
            "summary",
            "seal_hash",
            "correction_reason",
            "notice_issued_at",
            "answers",
            "photos",
            "signatures",
            "checklist",
        ]

    def get_checklist(self, obj) -> list[dict]:
        from gasguard.inspections.services import checklist_rules

        return [
            {
                "rule_id": r.id,
                "title": r.title,
                "question": r.question,
                "answer_type": r.answer.type,
                "unit": r.answer.unit,
                "operator": r.answer.operator,
                "threshold": r.answer.effective_threshold() if r.answer.type == "number" else None,
                "choices": list(r.answer.choices),
                "hazard_choices": list(r.answer.hazard_choices),
                "hazard_when": r.answer.hazard_when,
                "severity": r.severity,
                "category": r.category,
                "legal_basis": r.legal_basis,
                "on_the_spot": r.on_the_spot,
            }
            for r in checklist_rules(obj)
        ]
