"""Vocabularies of inspections (排查检查): batch kinds, statuses, target types, signer roles."""

from django.db import models


class InspectionBatchKindChoices(models.TextChoices):
    """Kinds of inspection waves named by the plan (四(一)–(二))."""

    CAMPAIGN = "campaign", "集中攻坚"
    REVISIT = "revisit", "回头看"
    SPECIAL = "special", "专项检查"
    ROUTINE = "routine", "日常检查"


class InspectionBatchStatusChoices(models.TextChoices):
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


class InspectionTargetTypeChoices(models.TextChoices):
    """What an inspection is about: a registry Premises, Enterprise or Facility."""

    PREMISES = "premises", "用气场所"
    ENTERPRISE = "enterprise", "企业"
    FACILITY = "facility", "燃气设施"


class InspectionTaskStatusChoices(models.TextChoices):
    """Stored status; 逾期 (overdue) is derived from the due date, never stored."""

    PENDING = "pending", "待检查"
    DONE = "done", "已完成"


class InspectionStatusChoices(models.TextChoices):
    """A draft is edited on site; sealing (签章封存) freezes it for good."""

    DRAFT = "draft", "草稿"
    SEALED = "sealed", "已签章封存"


class SignerRoleChoices(models.TextChoices):
    INSPECTOR = "inspector", "检查人员"
    REPRESENTATIVE = "representative", "被检查单位代表"


SEALED_MESSAGE = "已签章封存的检查记录不可修改，请创建更正记录"
