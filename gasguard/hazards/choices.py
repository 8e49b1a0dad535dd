"""Hazard statuses, the transition map, sources and target types of the ledger (隐患台账)."""

from django.db import models


class HazardStatusChoices(models.TextChoices):
    """待整改 → 整改中 → 待验收 → 已销号, with 管控中 and 验收不通过 (which returns to 整改中)."""

    PENDING = "pending", "待整改"
    RECTIFYING = "rectifying", "整改中"
    CONTROLLED = "controlled", "管控中"
    AWAITING_VERIFICATION = "awaiting_verification", "待验收"
    CLOSED = "closed", "已销号"


S = HazardStatusChoices
OPEN_STATUSES = (S.PENDING, S.RECTIFYING, S.CONTROLLED, S.AWAITING_VERIFICATION)


class HazardActionChoices(models.TextChoices):
    """Named transitions; each has its allowed from-states and its to-state below."""

    START = "start", "开始整改"
    CONTROL = "control", "采取管控措施"
    SUBMIT = "submit", "提交整改(待验收)"
    VERIFY_PASS = "verify_pass", "验收通过(销号)"
    VERIFY_FAIL = "verify_fail", "验收不通过"
    CLOSE_ON_SPOT = "close_on_spot", "立行立改销号"


A = HazardActionChoices
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    A.START: ((S.PENDING, S.CONTROLLED), S.RECTIFYING),
    A.CONTROL: ((S.PENDING, S.RECTIFYING), S.CONTROLLED),
    A.SUBMIT: ((S.PENDING, S.RECTIFYING, S.CONTROLLED), S.AWAITING_VERIFICATION),
    A.VERIFY_PASS: ((S.AWAITING_VERIFICATION,), S.CLOSED),
    A.VERIFY_FAIL: ((S.AWAITING_VERIFICATION,), S.RECTIFYING),
    A.CLOSE_ON_SPOT: ((S.PENDING,), S.CLOSED),
}


class HazardSourceChoices(models.TextChoices):
    INSPECTION = "inspection", "监督检查"
    SELF_CHECK = "self_check", "企业自查"
    REPORT = "report", "群众举报"
    MONITORING = "monitoring", "监测报警"
    FILLING_GATE = "filling_gate", "充装核验"
    DELIVERY_CHECK = "delivery_check", "随瓶安检"
    GAS_QUALITY = "gas_quality", "气质抽检"
    PRODUCT_CHECK = "product_check", "产品抽查"
    REGISTRY = "registry", "基础台账比对"
    IMPORT = "import", "台账导入"
    MANUAL = "manual", "人工登记"


class HazardTargetTypeChoices(models.TextChoices):
    PREMISES = "premises", "用气场所"
    ENTERPRISE = "enterprise", "企业"
    FACILITY = "facility", "燃气设施"
    OTHER = "other", "其他"
