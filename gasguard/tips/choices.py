"""Vocabularies of public reports (群众举报): categories, channels, statuses, outcomes, rewards.

The routing map (category → lead department kind) follows the plan's division of labour and
is documented in docs/public-reports.md.
"""

from django.db import models

from gasguard.org.choices import DepartmentKindChoices
from gasguard.rules.choices import CategoryChoices


class TipCategoryChoices(models.TextChoices):
    """What the public can report (the plan's 问题气/瓶/阀/软管/管网/环境 plus 无证经营)."""

    GAS = "gas", "问题气"
    CYLINDER = "cylinder", "问题瓶"
    VALVE = "valve", "问题阀"
    HOSE = "hose", "问题软管"
    PIPELINE = "pipeline", "问题管网"
    ENVIRONMENT = "environment", "问题环境"
    UNLICENSED = "unlicensed", "无证经营"
    OTHER = "other", "其他"


TIP_CATEGORY_HELP = {
    "gas": "液化石油气掺混二甲醚、缺斤短两、来源不明的气",
    "cylinder": "超期未检、报废、翻新、非自有气瓶，无追溯码",
    "valve": "减压阀、瓶阀劣质或损坏",
    "hose": "软管老化、超长（>2米）、穿墙、无防脱",
    "pipeline": "燃气管道占压、漏气、被挖断、燃气味",
    "environment": "餐饮场所地下室用气、无报警器、气瓶间不合规",
    "unlicensed": "无证经营、黑气点、非法充装",
    "other": "其他燃气安全问题",
}

# Category of the hazard the ledger gets when a report is 查实.
HAZARD_CATEGORY = {
    "gas": CategoryChoices.GAS,
    "cylinder": CategoryChoices.CYLINDER,
    "valve": CategoryChoices.VALVE,
    "hose": CategoryChoices.HOSE,
    "pipeline": CategoryChoices.PIPELINE,
    "environment": CategoryChoices.ENVIRONMENT,
    "unlicensed": CategoryChoices.ENTERPRISE,
    "other": CategoryChoices.OTHER,
}

K = DepartmentKindChoices
# Triage: which kind of department verifies a report (二(一)–(五) lead units; 二(四)3 移送市场监管).
ROUTING = {
    "gas": K.HOUSING,  # 燃气经营与气源: 住建牵头 (DME adulteration is then referred to 市场监管)
    "cylinder": K.MARKET,  # 气瓶: 市场监管 (特种设备)
    "valve": K.MARKET,  # 燃气具及配件: 市场监管
    "hose": K.MARKET,
    "pipeline": K.HOUSING,  # 管网设施: 住建
    "environment": K.FIRE,  # 餐饮等人员密集场所用气环境: 消防
    "unlicensed": K.HOUSING,  # 无证经营: 燃气主管部门
    "other": K.HOUSING,
}


class TipChannelChoices(models.TextChoices):
    WEB = "web", "网站/扫码"
    HOTLINE = "hotline", "举报电话"
    CITIZEN_HOTLINE = "12345", "12345热线"
    OPEN311 = "open311", "Open311接入"
    ONSITE = "onsite", "现场举报"


STAFF_CHANNELS = ("hotline", "12345", "onsite", "web")


class TipStatusChoices(models.TextChoices):
    """已受理 → 已分派 → 核查中 → 查实/不属实/重复/不予受理 (the last four are final)."""

    RECEIVED = "received", "已受理"
    ASSIGNED = "assigned", "已分派"
    VERIFYING = "verifying", "核查中"
    CONFIRMED = "confirmed", "已查实"
    UNFOUNDED = "unfounded", "不属实"
    DUPLICATE = "duplicate", "重复举报"
    NOT_ACCEPTED = "not_accepted", "不予受理"


T = TipStatusChoices
OPEN_STATUSES = (T.RECEIVED, T.ASSIGNED, T.VERIFYING)
FINAL_STATUSES = (T.CONFIRMED, T.UNFOUNDED, T.DUPLICATE, T.NOT_ACCEPTED)

# action → (allowed from-statuses, to-status); verification outcomes share the same from-states.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "route": ((T.RECEIVED, T.ASSIGNED), T.ASSIGNED),
    "start": ((T.RECEIVED, T.ASSIGNED), T.VERIFYING),
    "confirmed": (OPEN_STATUSES, T.CONFIRMED),
    "unfounded": (OPEN_STATUSES, T.UNFOUNDED),
    "duplicate": (OPEN_STATUSES, T.DUPLICATE),
    "not_accepted": (OPEN_STATUSES, T.NOT_ACCEPTED),
}


class TipOutcomeChoices(models.TextChoices):
    """核查结论."""

    CONFIRMED = "confirmed", "查实"
    UNFOUNDED = "unfounded", "不属实"
    DUPLICATE = "duplicate", "重复"
    NOT_ACCEPTED = "not_accepted", "不予受理"


# What the reporter reads on the status page when the verifier wrote no public reply.
DEFAULT_PUBLIC_REPLY = {
    "confirmed": "经核查，您反映的问题属实，已登记为安全隐患并督促整改。感谢您的监督！",
    "unfounded": "经核查，未发现您反映的问题。感谢您的关注。",
    "duplicate": "该问题已有人反映，正在合并处理。感谢您的关注。",
    "not_accepted": "您反映的事项不属于燃气安全举报受理范围，或缺少具体对象，未予受理。",
}


class RewardStatusChoices(models.TextChoices):
    """建议 → 已审批 → 已发放；审批可驳回."""

    PROPOSED = "proposed", "待审批"
    APPROVED = "approved", "已审批"
    PAID = "paid", "已发放"
    REJECTED = "rejected", "已驳回"


HISTORY_ACTIONS = {
    "submit": "受理",
    "route": "分派",
    "route_failed": "自动分派失败",
    "start": "开始核查",
    "verify_confirmed": "核查：查实",
    "verify_unfounded": "核查：不属实",
    "verify_duplicate": "核查：重复",
    "verify_not_accepted": "核查：不予受理",
    "reward_approved": "奖励审批",
    "reward_paid": "奖励发放",
}
