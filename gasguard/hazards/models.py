"""The hazard ledger (隐患台账): one row per hazard with its responsible person and deadline.

Overdue is derived from `deadline` (see selectors), never stored by hand.
"""

from django.conf import settings
from django.db import models

from gasguard.core.models import BaseModel, RegionScopedModel
from gasguard.hazards.choices import (
    HazardSourceChoices,
    HazardStatusChoices,
    HazardTargetTypeChoices,
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

    class Meta:
        ordering = ["-found_at", "-id"]
        indexes = [
            models.Index(fields=["region_code", "status", "deadline"], name="hazard_scope_status_idx"),
            models.Index(fields=["region_code", "found_at"], name="hazard_scope_found_idx"),
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
