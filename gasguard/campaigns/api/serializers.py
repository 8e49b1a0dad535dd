"""Serializers of the campaign API (output shapes and input validation only)."""

from rest_framework import serializers

from gasguard.campaigns.choices import InterviewOutcomeChoices, NoticeKindChoices
from gasguard.campaigns.models import (
    Accident,
    Campaign,
    CampaignPhase,
    CampaignTarget,
    Interview,
    MonthlyReport,
    RevisitWave,
    SupervisionNotice,
    WarningAdvice,
)


class PhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignPhase
        fields = ["id", "kind", "name", "start_date", "end_date", "includes_revisit", "order"]


class TargetSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = CampaignTarget
        fields = [
            "id",
            "region_code",
            "region_name",
            "coverage_pct",
            "rectification_pct",
            "major_cleared_pct",
            "revisit_pct",
        ]


class WaveSerializer(serializers.ModelSerializer):
    class Meta:
        model = RevisitWave
        fields = ["id", "name", "region_code", "phase", "start_date", "end_date", "note"]


class CampaignSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    phases = PhaseSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "region_code",
            "region_name",
            "name",
            "start_date",
            "end_date",
            "description",
            "phases",
        ]


class CampaignCreateInput(serializers.Serializer):
    region = serializers.CharField(help_text="区划代码")
    name = serializers.CharField(required=False, allow_blank=True, default="")


class TargetInput(serializers.Serializer):
    region = serializers.CharField(help_text="下级区划代码")
    coverage_pct = serializers.DecimalField(max_digits=5, decimal_places=1, default=100)
    rectification_pct = serializers.DecimalField(max_digits=5, decimal_places=1, default=100)
    major_cleared_pct = serializers.DecimalField(max_digits=5, decimal_places=1, default=100)
    revisit_pct = serializers.DecimalField(max_digits=5, decimal_places=1, default=100)


class WaveInput(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, default="")
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class MonthlyReportSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    month = serializers.DateField(format="%Y-%m")
    submitted_by = serializers.CharField(source="submitted_by.display_name", read_only=True, default=None)

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "region_code",
            "region_name",
            "month",
            "cutoff_date",
            "period_start",
            "status",
            "work_summary",
            "problems",
            "next_steps",
            "submitted_by",
            "submitted_at",
            "docx_sha256",
            "xlsx_sha256",
        ]


class ReportCreateInput(serializers.Serializer):
    region = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="区划代码，默认本人区划"
    )
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")


class ReportNarrativeInput(serializers.Serializer):
    work_summary = serializers.CharField(required=False, allow_blank=True, default="")
    problems = serializers.CharField(required=False, allow_blank=True, default="")
    next_steps = serializers.CharField(required=False, allow_blank=True, default="")


class NoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupervisionNotice
        fields = [
            "id",
            "region_code",
            "kind",
            "title",
            "number",
            "issued_on",
            "period_start",
            "period_end",
            "body",
            "figures",
            "docx_sha256",
        ]


class NoticeInput(serializers.Serializer):
    region = serializers.CharField(required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(
        choices=NoticeKindChoices.choices, default=NoticeKindChoices.BEHIND_SCHEDULE
    )
    title = serializers.CharField(required=False, allow_blank=True, default="")
    number = serializers.CharField(required=False, allow_blank=True, default="")
    period_end = serializers.DateField(required=False, allow_null=True, default=None)
    body = serializers.CharField(required=False, allow_blank=True, default="")


class InterviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Interview
        fields = [
            "id",
            "region_code",
            "interviewee",
            "unit",
            "held_on",
            "reason",
            "outcome",
            "outcome_note",
            "interviewer",
            "hazard",
        ]


class InterviewInput(serializers.Serializer):
    region = serializers.CharField(required=False, allow_blank=True, default="")
    interviewee = serializers.CharField()
    unit = serializers.CharField()
    held_on = serializers.DateField()
    reason = serializers.CharField()
    outcome = serializers.ChoiceField(
        choices=InterviewOutcomeChoices.choices, default=InterviewOutcomeChoices.RECTIFY
    )
    outcome_note = serializers.CharField(required=False, allow_blank=True, default="")
    interviewer = serializers.CharField(required=False, allow_blank=True, default="")


class WarningSerializer(serializers.ModelSerializer):
    class Meta:
        model = WarningAdvice
        fields = [
            "id",
            "region_code",
            "recipient_unit",
            "issued_on",
            "subject",
            "content",
            "response_due",
            "response",
        ]


class WarningInput(serializers.Serializer):
    region = serializers.CharField(required=False, allow_blank=True, default="")
    recipient_unit = serializers.CharField()
    subject = serializers.CharField()
    content = serializers.CharField()
    response_due = serializers.DateField(required=False, allow_null=True, default=None)


class AccidentSerializer(serializers.ModelSerializer):
    timeline_url = serializers.CharField(read_only=True)

    class Meta:
        model = Accident
        fields = [
            "id",
            "region_code",
            "occurred_at",
            "place",
            "premises",
            "enterprise",
            "deaths",
            "injuries",
            "description",
            "is_egregious",
            "during_campaign",
            "escalated_investigation",
            "escalation_reason",
            "timeline_url",
        ]


class AccidentInput(serializers.Serializer):
    region = serializers.CharField(required=False, allow_blank=True, default="")
    occurred_at = serializers.DateTimeField()
    place = serializers.CharField()
    description = serializers.CharField()
    premises = serializers.IntegerField(required=False, allow_null=True, default=None)
    enterprise = serializers.IntegerField(required=False, allow_null=True, default=None)
    deaths = serializers.IntegerField(min_value=0, default=0)
    injuries = serializers.IntegerField(min_value=0, default=0)
    is_egregious = serializers.BooleanField(default=False)
