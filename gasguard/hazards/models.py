"""The hazard ledger (隐患台账): one row per hazard with its responsible person and deadline.

Overdue is derived from `deadline` (see selectors), never stored by hand.
"""

from django.conf import settings
from django.db import models

from gasguard.core.models import BaseModel, RegionScopedModel
from gasguard.hazards.choices import (
    ControlRequestStatusChoices,
    EnforcementKindChoices,
    EscalationLevelChoices,
    EvidenceKindChoices,
    EvidenceStageChoices,
    HazardSourceChoices,
    HazardStatusChoices,
    HazardTargetTypeChoices,
    ReferralStatusChoices,
    RevisitStatusChoices,
)
from gasguard.org.choices import DepartmentKindChoices
from gasguard.rules.choices import CategoryChoices, SeverityChoices


class Hazard(RegionScopedModel):
    """A hazard on the ledger: target, rule, severity, lead department, 整治责任人, 完成时限, status."""

    code = models.CharField("台账编号", max_length=40, unique=True, null=True, blank=True)
    target_type = models.CharField("对象类型", max_length=16, choices=HazardTargetTypeChoices.choices)
    premises = models.ForeignKey(
        "registry.Premises",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name="场所",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name="责任企业",
    )
    facility = models.ForeignKey(
        "registry.Facility",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name="设施",
    )
    target_name = models.CharField("检查对象", max_length=200)
    rule_id = models.CharField("规则", max_length=80, blank=True, db_index=True)
    catalog_version = models.CharField("规则库版本", max_length=16, blank=True)
    category = models.CharField("类别", max_length=16, choices=CategoryChoices.choices, db_index=True)
    title = models.CharField("隐患名称", max_length=200)
    description = models.TextField("隐患描述")
    severity = models.CharField("等级", max_length=16, choices=SeverityChoices.choices, db_index=True)
    lead_department_kind = models.CharField(
        "牵头部门类型", max_length=32, choices=DepartmentKindChoices.choices
    )
    lead_department = models.ForeignKey(
        "org.Department",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name="监管部门",
    )
    support_department_kinds = models.JSONField("配合部门类型", default=list, blank=True)
    legal_basis = models.TextField("依据", blank=True)
    prescribed_action = models.CharField("处置措施", max_length=200, blank=True)
    responsible_person = models.CharField("整治责任人", max_length=50, blank=True)
    responsible_phone = models.CharField("责任人电话", max_length=40, blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_hazards",
        verbose_name="监管责任人",
    )
    rectification_measures = models.TextField("整改措施", blank=True)
    control_measures = models.TextField("管控措施", blank=True)
    deadline = models.DateField("完成时限", db_index=True)
    status = models.CharField(
        "状态",
        max_length=32,
        choices=HazardStatusChoices.choices,
        default=HazardStatusChoices.PENDING,
        db_index=True,
    )
    source = models.CharField("来源", max_length=16, choices=HazardSourceChoices.choices, db_index=True)
    source_ref = models.CharField("来源编号", max_length=100, blank=True, db_index=True)
    found_at = models.DateTimeField("发现时间", db_index=True)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="found_hazards",
        verbose_name="发现人",
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True, db_index=True)
    is_supervised = models.BooleanField("挂牌督办", default=False, db_index=True)
    escalation_level = models.PositiveSmallIntegerField("督办层级", default=0)
    reappeared_from = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="reappearances",
        verbose_name="改后反弹自",
    )
    # Import dedupe key: the same ledger row imported twice maps to the same hazard.
    import_key = models.CharField("导入键", max_length=64, null=True, blank=True, unique=True)
    # Who rectified (submitted the rectification) and who verified it: 谁整改 ≠ 谁验收.
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="rectified_hazards",
        verbose_name="整改提交人",
    )
    rectified_at = models.DateTimeField("整改提交时间", null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="verified_hazards",
        verbose_name="验收人",
    )
    # Denormalised count of evidence files, so the database itself can refuse a closure without any.
    evidence_count = models.PositiveIntegerField("佐证材料数", default=0)
    reappear_count = models.PositiveIntegerField("改后反弹次数", default=0)

    class Meta:
        ordering = ["-found_at", "-id"]
        indexes = [
            models.Index(fields=["region_code", "status", "deadline"], name="hazard_scope_status_idx"),
            models.Index(fields=["region_code", "found_at"], name="hazard_scope_found_idx"),
            models.Index(fields=["premises", "rule_id"], name="hazard_premises_rule_idx"),
            # The ledger list filtered by status, newest first (the most common query).
            models.Index(fields=["status", "-found_at", "-id"], name="hazard_status_found_idx"),
        ]
        constraints = [
            # 销号 needs evidence and a verifier who is not the rectifier — enforced by the database
            # too, so no code path (admin, shell, a future bug) can close a hazard without them.
            models.CheckConstraint(
                condition=~models.Q(status="closed")
                | (
                    models.Q(verified_by__isnull=False, evidence_count__gt=0, closed_at__isnull=False)
                    & (models.Q(rectified_by__isnull=True) | ~models.Q(rectified_by=models.F("verified_by")))
                ),
                name="hazard_closed_has_evidence_and_distinct_verifier",
            ),
        ]
        verbose_name = "隐患"
        verbose_name_plural = "隐患台账"

    def __str__(self) -> str:
        return f"{self.code or self.pk} {self.title}"


class HazardHistory(BaseModel):
    """One change of a hazard: action, from/to status, who, why."""

    hazard = models.ForeignKey(Hazard, models.CASCADE, related_name="history")
    action = models.CharField("动作", max_length=32)
    from_status = models.CharField("原状态", max_length=32, blank=True)
    to_status = models.CharField("新状态", max_length=32, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    reason = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        ordering = ["hazard_id", "created_at", "id"]
        verbose_name = "隐患处理记录"
        verbose_name_plural = "隐患处理记录"

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.action}"

    @property
    def action_label(self) -> str:
        from gasguard.hazards.choices import HISTORY_ACTION_LABELS

        return HISTORY_ACTION_LABELS.get(self.action, self.action)

    @property
    def from_label(self) -> str:
        return HazardStatusChoices(self.from_status).label if self.from_status else "—"

    @property
    def to_label(self) -> str:
        return HazardStatusChoices(self.to_status).label if self.to_status else "—"


def evidence_path(instance, filename: str) -> str:
    return f"hazards/evidence/{instance.hazard_id}/{instance.sha256[:16]}-{filename[-80:]}"


class HazardEvidence(BaseModel):
    """A photo or PDF proving rectification (整改佐证), with its SHA-256 for integrity."""

    hazard = models.ForeignKey(Hazard, models.CASCADE, related_name="evidence")
    kind = models.CharField("类型", max_length=16, choices=EvidenceKindChoices.choices)
    stage = models.CharField(
        "环节",
        max_length=16,
        choices=EvidenceStageChoices.choices,
        default=EvidenceStageChoices.RECTIFICATION,
    )
    file = models.FileField("文件", upload_to=evidence_path, max_length=300)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    content_type = models.CharField("MIME", max_length=64, blank=True)
    size = models.PositiveIntegerField("大小", default=0)
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="上传人",
    )

    class Meta:
        ordering = ["hazard_id", "id"]
        verbose_name = "整改佐证"
        verbose_name_plural = "整改佐证"

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.original_name}"


class HazardControlRequest(BaseModel):
    """A request for interim control measures (管控措施) with a new deadline, awaiting approval."""

    hazard = models.ForeignKey(Hazard, models.CASCADE, related_name="control_requests")
    measures = models.TextField("管控措施")
    new_deadline = models.DateField("新完成时限")
    from_status = models.CharField("申请时状态", max_length=32)
    status = models.CharField(
        "审批状态",
        max_length=16,
        choices=ControlRequestStatusChoices.choices,
        default=ControlRequestStatusChoices.PENDING,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="申请人",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_reason = models.TextField("审批意见", blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"],
                condition=models.Q(status="pending"),
                name="hazard_one_pending_control_request",
            )
        ]
        verbose_name = "管控措施申请"
        verbose_name_plural = "管控措施申请"

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.get_status_display()}"


class HazardEscalation(BaseModel):
    """One step of the escalation ladder taken for a hazard (提醒 / 提级 / 督办); at most once per level."""

    hazard = models.ForeignKey(Hazard, models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField("层级", choices=EscalationLevelChoices.choices)
    deadline = models.DateField("针对的完成时限")
    recipients = models.JSONField("通知对象", default=list, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        ordering = ["hazard_id", "level", "id"]
        constraints = [
            # Idempotence of `gasguard escalate`: a level fires once per deadline.
            models.UniqueConstraint(fields=["hazard", "level", "deadline"], name="hazard_escalation_once")
        ]
        verbose_name = "督办记录"
        verbose_name_plural = "督办记录"

    def __str__(self) -> str:
        return f"{self.hazard_id} L{self.level}"


class HazardReferral(RegionScopedModel):
    """A hazard referred (移送) to another department, e.g. a bad hose → 市场监管 for 溯源."""

    hazard = models.ForeignKey(Hazard, models.CASCADE, related_name="referrals")
    from_department = models.ForeignKey(
        "org.Department", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="移送部门"
    )
    to_kind = models.CharField("接收部门类型", max_length=32, choices=DepartmentKindChoices.choices)
    to_department = models.ForeignKey(
        "org.Department", models.PROTECT, related_name="referrals_received", verbose_name="接收部门"
    )
    # The receiver's region code: the receiving department's users see the referral in their list.
    to_region_code = models.CharField("接收部门区划", max_length=15, db_index=True)
    reason = models.TextField("移送事由")
    status = models.CharField(
        "状态",
        max_length=16,
        choices=ReferralStatusChoices.choices,
        default=ReferralStatusChoices.PENDING,
        db_index=True,
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="移送人",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="接收/退回人",
    )
    handled_at = models.DateTimeField("接收/退回时间", null=True, blank=True)
    response = models.TextField("处理意见", blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "隐患移送"
        verbose_name_plural = "隐患移送"

    def __str__(self) -> str:
        return f"{self.hazard_id} → {self.to_department_id}"


class EnforcementAction(RegionScopedModel):
    """An enforcement measure (执法措施) taken because of a hazard: 责令改正, 罚款 (amount), 停业整顿 …"""

    hazard = models.ForeignKey(Hazard, models.PROTECT, related_name="enforcement_actions")
    kind = models.CharField("措施", max_length=32, choices=EnforcementKindChoices.choices, db_index=True)
    fine_amount = models.DecimalField("罚款金额(元)", max_digits=14, decimal_places=2, null=True, blank=True)
    decision_number = models.CharField("决定书文号", max_length=100, blank=True)
    decided_on = models.DateField("决定日期")
    department = models.ForeignKey(
        "org.Department", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="执法部门"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    note = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fine_amount__isnull=True) | models.Q(fine_amount__gte=0),
                name="enforcement_fine_not_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="fine") | models.Q(fine_amount__isnull=False),
                name="enforcement_fine_has_amount",
            ),
        ]
        verbose_name = "执法记录"
        verbose_name_plural = "执法记录"

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.get_kind_display()}"


class RevisitSample(RegionScopedModel):
    """A closed hazard drawn for 回头看 re-inspection on `due_on`, with its outcome."""

    hazard = models.OneToOneField(Hazard, models.CASCADE, related_name="revisit")
    due_on = models.DateField("复查期限", db_index=True)
    reason = models.CharField("抽取原因", max_length=50)
    status = models.CharField(
        "状态",
        max_length=16,
        choices=RevisitStatusChoices.choices,
        default=RevisitStatusChoices.PENDING,
        db_index=True,
    )
    result_note = models.TextField("复查情况", blank=True)
    revisited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="复查人",
    )
    revisited_at = models.DateTimeField("复查时间", null=True, blank=True)
    new_hazard = models.ForeignKey(
        Hazard, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="反弹隐患"
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = "回头看抽样"
        verbose_name_plural = "回头看抽样"

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.get_status_display()}"


class HazardCountBase(models.Model):
    """One cell of the ledger's count cube (see gasguard/hazards/rollup.py).

    `dim`/`value` name one breakdown ('' for the plain totals, 'category', 'source', …, and
    'found_day'/'closed_day' with an ISO date and a county-level `region_code` for the trend).
    Maintained by database triggers on PostgreSQL, never written by application code.
    """

    region_code = models.CharField("行政区划代码", max_length=15)
    dim = models.CharField("维度", max_length=24)
    value = models.CharField("取值", max_length=64)
    status = models.CharField("状态", max_length=24)
    severity = models.CharField("等级", max_length=16)
    is_supervised = models.BooleanField("挂牌督办")
    reappeared = models.BooleanField("改后反弹")
    escalation_level = models.PositiveSmallIntegerField("督办层级")
    n = models.BigIntegerField("数量")

    class Meta:
        abstract = True


class HazardCount(HazardCountBase):
    """Compacted counts: one row per cell."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "region_code",
                    "dim",
                    "value",
                    "status",
                    "severity",
                    "is_supervised",
                    "reappeared",
                    "escalation_level",
                ],
                name="hazard_count_cell_unique",
            )
        ]
        verbose_name = "隐患计数"
        verbose_name_plural = "隐患计数"

    def __str__(self) -> str:
        return f"{self.region_code} {self.dim}={self.value} {self.status}/{self.severity}: {self.n}"


class HazardCountDelta(HazardCountBase):
    """Changes not yet folded into HazardCount (append-only, so writers never wait on each other)."""

    class Meta:
        verbose_name = "隐患计数增量"
        verbose_name_plural = "隐患计数增量"

    def __str__(self) -> str:
        return f"{self.region_code} {self.dim}={self.value} {self.status}/{self.severity}: {self.n}"
