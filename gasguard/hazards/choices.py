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

# Labels of every history action (transitions above plus the non-transition entries).
HISTORY_ACTION_LABELS = {
    **dict(HazardActionChoices.choices),
    "register": "登记",
    "import": "台账导入",
    "control": "管控措施获批",
    "control_request": "申请管控措施",
    "control_reject": "驳回管控措施",
    "assign": "修改责任人/时限",
    "refer": "移送",
    "referral_accepted": "接收移送",
    "referral_returned": "退回移送",
    "enforcement": "执法",
    "reappeared": "改后反弹",
    "escalate_1": "到期提醒",
    "escalate_2": "逾期提级",
    "escalate_3": "专班督办",
}
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


class ControlRequestStatusChoices(models.TextChoices):
    """A request to put a hazard under interim control (管控中) awaits a supervisor's approval."""

    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"


class EvidenceKindChoices(models.TextChoices):
    PHOTO = "photo", "照片"
    DOCUMENT = "document", "文件(PDF)"


class EvidenceStageChoices(models.TextChoices):
    """When the evidence was given: with the rectification, on the spot, or for control measures."""

    RECTIFICATION = "rectification", "整改佐证"
    ON_SPOT = "on_spot", "立行立改佐证"
    CONTROL = "control", "管控措施佐证"


class EscalationLevelChoices(models.IntegerChoices):
    """Escalation ladder: remind the responsible person, then the supervisor, then 督办."""

    REMINDER = 1, "到期提醒"
    SUPERVISOR = 2, "逾期提级至监管负责人"
    TASK_FORCE = 3, "专班督办"


class ReferralStatusChoices(models.TextChoices):
    PENDING = "pending", "待接收"
    ACCEPTED = "accepted", "已接收"
    RETURNED = "returned", "已退回"


class EnforcementKindChoices(models.TextChoices):
    """Enforcement measures (执法措施) recorded against hazards."""

    ORDER_RECTIFY = "order_rectify", "责令改正"
    FINE = "fine", "罚款"
    SUSPEND = "suspend", "停产停业整顿"
    REVOKE_LICENCE = "revoke_licence", "吊销许可"
    SHUT_DOWN = "shut_down", "责令关停"
    POLICE = "police", "移送公安"
    SEIZE = "seize", "查封扣押"


class RevisitStatusChoices(models.TextChoices):
    PENDING = "pending", "待复查"
    OK = "ok", "复查无反弹"
    REAPPEARED = "reappeared", "改后反弹"
