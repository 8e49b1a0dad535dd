"""Choices of product quality (产品质量): product kinds, CCC status, spot-check results."""

from django.db import models


class ProductKindChoices(models.TextChoices):
    """The gas products the plan names (二(二)): cylinders, valves, regulators, hoses, …"""

    CYLINDER = "cylinder", "液化石油气钢瓶"
    VALVE = "valve", "瓶阀"
    REGULATOR = "regulator", "调压器(减压阀)"
    HOSE = "hose", "连接软管"
    DETECTOR = "detector", "可燃气体探测器"
    SHUTOFF_VALVE = "shutoff_valve", "紧急切断阀"
    STOVE = "stove", "燃气灶具/燃烧器具"


class CccStatusChoices(models.TextChoices):
    CERTIFIED = "certified", "已获CCC认证"
    NOT_REQUIRED = "not_required", "无需CCC"
    MISSING = "missing", "未获CCC认证"
    REVOKED = "revoked", "证书撤销/暂停"


class SpotCheckResultChoices(models.TextChoices):
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


class BlacklistSourceChoices(models.TextChoices):
    SPOT_CHECK = "spot_check", "监督抽查"
    INSPECTION = "inspection", "执法检查"
    RECALL = "recall", "召回"
    REPORT = "report", "群众举报"
    STANDARD = "standard", "标准淘汰(如气液双相瓶)"
    OTHER = "other", "其他"


class RecallStatusChoices(models.TextChoices):
    OPEN = "open", "召回中"
    CLOSED = "closed", "已完成"
