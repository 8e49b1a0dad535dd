"""Choices of 一瓶一码: cylinder specs, statuses, gate reasons, timeline event kinds."""

from django.db import models


class CylinderSpecChoices(models.TextChoices):
    """LPG cylinder models (GB 5842-2006 names with their trade names, and the 2023 names)."""

    YSP4_7 = "YSP4.7", "YSP4.7（YSP-2）"
    YSP12 = "YSP12", "YSP12（YSP-5）"
    YSP26_2 = "YSP26.2", "YSP26.2（YSP-10）"
    YSP35_5 = "YSP35.5", "YSP35.5（YSP-15）"
    YSP118 = "YSP118", "YSP118（YSP-50，气相）"
    YSP118_II = "YSP118-II", "YSP118-II（气液双相）"
    YSP118_49_5 = "YSP118/49.5", "YSP118/49.5（GB 5842-2023 气相）"
    YSP118_L_49_5 = "YSP118/液/49.5", "YSP118/液/49.5（GB 5842-2023 液相）"
    OTHER = "other", "其他"


# Names found in spreadsheets → spec value.
SPEC_ALIASES = {
    "ysp-2": "YSP4.7",
    "ysp4.7": "YSP4.7",
    "ysp-5": "YSP12",
    "ysp12": "YSP12",
    "ysp-10": "YSP26.2",
    "ysp26.2": "YSP26.2",
    "ysp-15": "YSP35.5",
    "ysp35.5": "YSP35.5",
    "ysp-50": "YSP118",
    "ysp118": "YSP118",
    "ysp118-ii": "YSP118-II",
    "ysp118ii": "YSP118-II",
    "ysp118/49.5": "YSP118/49.5",
    "ysp118/液/49.5": "YSP118/液/49.5",
    "other": "other",
    "其他": "other",
}
TWO_PHASE_SPECS = {"YSP118-II"}


class CylinderStatusChoices(models.TextChoices):
    IN_USE = "in_use", "在用"
    AWAITING_INSPECTION = "awaiting_inspection", "待检"
    SCRAPPED = "scrapped", "报废"
    SEALED = "sealed", "查封"
    LOST = "lost", "丢失"


S = CylinderStatusChoices
# Allowed status changes; 报废 is final (the code is void for ever).
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.IN_USE: (S.AWAITING_INSPECTION, S.SEALED, S.LOST, S.SCRAPPED),
    S.AWAITING_INSPECTION: (S.IN_USE, S.SEALED, S.LOST, S.SCRAPPED),
    S.SEALED: (S.SCRAPPED,),
    S.LOST: (S.IN_USE, S.AWAITING_INSPECTION, S.SEALED, S.SCRAPPED),
    S.SCRAPPED: (),
}


class GateDecisionChoices(models.TextChoices):
    ALLOW = "allow", "允许充装"
    DENY = "deny", "禁止充装"


class GateReasonChoices(models.TextChoices):
    """Every reason the pre-fill gate can give (方案 二(一)4 and 《气瓶安全监察规定》)."""

    MALFORMED_CODE = "malformed_code", "气瓶码格式错误"
    UNKNOWN_CODE = "unknown_code", "气瓶码未登记"
    NOT_OWN = "not_own_cylinder", "非本单位自有产权气瓶"
    INSPECTION_OVERDUE = "inspection_overdue", "超期未检"
    DESIGN_LIFE = "design_life_exceeded", "超过设计使用年限"
    EXTENSION_LIMIT = "extension_limit_exceeded", "超过延期使用上限"
    SCRAPPED = "scrapped", "已报废"
    SEALED = "sealed", "已查封"
    LOST = "lost", "已报失"
    AWAITING_INSPECTION = "awaiting_inspection", "待检"
    REFURBISHED = "refurbished", "翻新瓶"
    TWO_PHASE = "two_phase", "气液双相瓶"
    MODEL_BLACKLISTED = "model_blacklisted", "型号列入黑名单"
    MAKER_BLACKLISTED = "maker_blacklisted", "制造单位列入黑名单"
    STATION_LICENCE = "station_licence_invalid", "充装许可证无效"
    STATION_INACTIVE = "station_inactive", "充装站已停用"
    OPERATOR_CERTIFICATE = "operator_certificate_invalid", "作业人员证无效"
    OPERATOR_UNKNOWN = "operator_unknown", "作业人员不属于本单位"
    RECENT_ELSEWHERE = "recently_scanned_elsewhere", "刚在其他站扫码"


class CylinderEventKindChoices(models.TextChoices):
    """Kinds of timeline events (a cylinder's whole life)."""

    REGISTERED = "registered", "登记建档"
    TRANSFERRED = "transferred", "产权变更"
    FILLED = "filled", "充装"
    FILL_DENIED = "fill_denied", "充装拒绝"
    DELIVERED = "delivered", "配送入户"
    RETURNED = "returned", "空瓶回收"
    DELIVERY_CHECKED = "delivery_checked", "随瓶安检"
    INSPECTED = "inspected", "定期检验"
    SEIZED = "seized", "查封"
    CUSTODY_MOVED = "custody_moved", "移交保管"
    SCRAPPED = "scrapped", "报废"
    STATUS_CHANGED = "status_changed", "状态变更"


class InspectionResultChoices(models.TextChoices):
    PASS = "pass", "合格(继续使用)"
    EXTEND = "extend", "合格(到期延用)"
    SCRAP = "scrap", "不合格(报废)"


class GasBatchStatusChoices(models.TextChoices):
    UNTESTED = "untested", "未抽检"
    PASSED = "passed", "合格"
    FAILED = "failed", "不合格"


class DeliveryItemDirectionChoices(models.TextChoices):
    OUT = "out", "送出重瓶"
    RETURN = "return", "回收空瓶"
