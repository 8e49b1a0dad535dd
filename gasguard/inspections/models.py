"""Inspections (排查检查): batches, tasks, sealed signed inspection records and their parts.

"谁检查、谁签名、谁负责" (四(一)2): a record is drafted on site, signed by the inspector(s) and
the inspected party's representative (or their refusal is recorded), then sealed. A sealed
record is never edited again; a correction is a new record linked through `corrects`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gasguard.core.models import BaseModel, RegionScopedModel
from gasguard.inspections.choices import (
    InspectionBatchKindChoices,
    InspectionBatchStatusChoices,
    InspectionStatusChoices,
    InspectionTargetTypeChoices,
    InspectionTaskStatusChoices,
    SignerRoleChoices,
)

T = InspectionTargetTypeChoices

# Exactly one target, consistent with target_type; `enterprise` is also set for premises and
# facilities (the responsible enterprise) so enterprise users see their own records.
_TARGET_CONSTRAINT = (
    Q(target_type=T.PREMISES, premises__isnull=False, facility__isnull=True)
    | Q(target_type=T.FACILITY, facility__isnull=False, premises__isnull=True)
    | Q(target_type=T.ENTERPRISE, enterprise__isnull=False, premises__isnull=True, facility__isnull=True)
)


class TargetMixin(models.Model):
    """The inspected object: a premises, an enterprise or a facility (exactly one)."""

    target_type = models.CharField("对象类型", max_length=16, choices=T.choices)
    premises = models.ForeignKey(
        "registry.Premises", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="场所"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="企业"
    )
    facility = models.ForeignKey(
        "registry.Facility", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="设施"
    )
    target_name = models.CharField("检查对象", max_length=200)

    class Meta:
        abstract = True

    @property
    def target(self):
        return {T.PREMISES: self.premises, T.FACILITY: self.facility}.get(self.target_type) or self.enterprise

    @property
    def target_id(self) -> int:
        return {T.PREMISES: self.premises_id, T.FACILITY: self.facility_id}.get(
            self.target_type
        ) or self.enterprise_id


class InspectionBatch(RegionScopedModel):
    """An inspection wave (集中攻坚 / 回头看 / 专项检查) over a region, target type and department."""

    name = models.CharField("批次名称", max_length=200)
    kind = models.CharField("类型", max_length=16, choices=InspectionBatchKindChoices.choices)
    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name="范围")
    target_type = models.CharField("对象类型", max_length=16, choices=T.choices)
    # Premises kinds, enterprise roles or facility kinds; empty = every kind of that type.
    target_kinds = models.JSONField("对象细类", default=list, blank=True)
    lead_department = models.ForeignKey(
        "org.Department", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="牵头部门"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="创建人"
    )
    due_date = models.DateField("完成期限")
    status = models.CharField(
        "状态", max_length=16, choices=InspectionBatchStatusChoices.choices, default="open"
    )
    note = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "检查批次"
        verbose_name_plural = "检查批次"

    def __str__(self) -> str:
        return self.name


class InspectionTask(RegionScopedModel, TargetMixin):
    """One target to inspect within a batch, assigned to one or more inspectors with a due date."""

    batch = models.ForeignKey(InspectionBatch, models.CASCADE, related_name="tasks", verbose_name="批次")
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="inspection_tasks", verbose_name="检查人员"
    )
    due_date = models.DateField("完成期限", db_index=True)
    status = models.CharField(
        "状态", max_length=16, choices=InspectionTaskStatusChoices.choices, default="pending", db_index=True
    )
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=_TARGET_CONSTRAINT, name="inspections_task_one_target"),
        ]
        indexes = [models.Index(fields=["region_code", "status", "due_date"], name="insp_task_scope_idx")]
        verbose_name = "检查任务"
        verbose_name_plural = "检查任务"

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.target_name}"

    @property
    def is_overdue(self) -> bool:
        return self.status == InspectionTaskStatusChoices.PENDING and self.due_date < timezone.localdate()

    @property
    def display_status(self) -> str:
        return "逾期" if self.is_overdue else self.get_status_display()


class Inspection(RegionScopedModel, TargetMixin):
    """One on-site inspection record: answers, photos, position, signatures; sealed when signed."""

    number = models.CharField("检查记录编号", max_length=40, unique=True, null=True, blank=True)
    task = models.ForeignKey(
        InspectionTask,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name="任务",
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspections", verbose_name="检查人员"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="创建人"
    )
    department = models.ForeignKey(
        "org.Department", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="检查部门"
    )
    started_at = models.DateTimeField("开始时间", default=timezone.now)
    submitted_at = models.DateTimeField("封存时间", null=True, blank=True, db_index=True)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    accuracy_m = models.FloatField("定位精度(米)", null=True, blank=True)
    catalog_version = models.CharField("规则库版本", max_length=16)
    status = models.CharField(
        "状态", max_length=16, choices=InspectionStatusChoices.choices, default="draft", db_index=True
    )
    corrects = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="corrections", verbose_name="更正自"
    )
    correction_reason = models.TextField("更正原因", blank=True)
    no_hazard_found = models.BooleanField("未发现隐患", default=False)
    hazard_count = models.PositiveIntegerField("隐患数", default=0)
    summary = models.TextField("检查情况", blank=True)
    seal_hash = models.CharField("封存哈希", max_length=64, blank=True)
    notice_number = models.CharField("整改通知书编号", max_length=40, blank=True)
    notice_issued_at = models.DateTimeField("通知书下达时间", null=True, blank=True)
    notice_issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="通知书下达人",
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_TARGET_CONSTRAINT, name="inspections_inspection_one_target"),
        ]
        indexes = [
            models.Index(fields=["region_code", "status", "submitted_at"], name="insp_scope_idx"),
            models.Index(fields=["premises", "status"], name="insp_premises_idx"),
            models.Index(fields=["enterprise", "status"], name="insp_enterprise_idx"),
        ]
        verbose_name = "检查记录"
        verbose_name_plural = "检查记录"

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.target_name}"

    @property
    def is_sealed(self) -> bool:
        return self.status == InspectionStatusChoices.SEALED


class InspectionAnswer(BaseModel):
    """The answer to one catalogue rule: value, N/A, hazard or not, fixed on the spot (立行立改)."""

    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="answers")
    rule_id = models.CharField("规则", max_length=80)
    value = models.JSONField("答案", null=True, blank=True)
    not_applicable = models.BooleanField("不适用", default=False)
    is_hazard = models.BooleanField("存在隐患", default=False)
    fixed_on_spot = models.BooleanField("立行立改", default=False)
    note = models.TextField("说明", blank=True)
    hazard = models.ForeignKey(
        "hazards.Hazard", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="隐患"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["inspection_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "rule_id"], name="inspections_answer_unique_rule")
        ]
        verbose_name = "检查项答案"
        verbose_name_plural = "检查项答案"

    def __str__(self) -> str:
        return f"{self.inspection_id}:{self.rule_id}"


class InspectionPhoto(BaseModel):
    """A photo taken during an inspection, optionally evidence for one answer; hashed on upload."""

    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="photos")
    answer = models.ForeignKey(
        InspectionAnswer, models.SET_NULL, null=True, blank=True, related_name="photos"
    )
    rule_id = models.CharField("规则", max_length=80, blank=True)
    file = models.FileField("照片", upload_to="inspections/photos/%Y/%m/")
    content_type = models.CharField("类型", max_length=40, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64)
    taken_at = models.DateTimeField("拍摄时间", default=timezone.now)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["inspection_id", "id"]
        verbose_name = "检查照片"
        verbose_name_plural = "检查照片"

    def __str__(self) -> str:
        return f"{self.inspection_id}:{self.sha256[:8]}"


class InspectionSignature(BaseModel):
    """A signature (drawn image + name) of an inspector or the representative, or a refusal."""

    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="signatures")
    signer_role = models.CharField("签字人身份", max_length=16, choices=SignerRoleChoices.choices)
    name = models.CharField("姓名", max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    image = models.FileField("签名图片", upload_to="inspections/signatures/%Y/%m/", blank=True)
    sha256 = models.CharField("签名图片哈希", max_length=64, blank=True)
    refused = models.BooleanField("拒绝签字", default=False)
    refusal_note = models.TextField("拒签说明", blank=True)
    signed_at = models.DateTimeField("签字时间", default=timezone.now)

    class Meta:
        ordering = ["inspection_id", "signer_role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(refused=False) | Q(signer_role=SignerRoleChoices.REPRESENTATIVE),
                name="inspections_only_representative_refuses",
            ),
        ]
        verbose_name = "签字"
        verbose_name_plural = "签字"

    def __str__(self) -> str:
        return f"{self.get_signer_role_display()} {self.name}"
