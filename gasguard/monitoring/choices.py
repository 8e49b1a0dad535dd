"""Vocabularies of city-lifeline monitoring: spaces, device types, metrics, alarm workflow."""

from django.db import models


class SpaceKindChoices(models.TextChoices):
    """Adjacent underground spaces (燃气相邻地下空间) where leaked gas can accumulate."""

    MANHOLE = "manhole", "窨井"
    TRENCH = "trench", "管沟"
    BASEMENT = "basement", "地下室"
    TUNNEL_CABIN = "tunnel_cabin", "综合管廊舱"


class DeviceTypeChoices(models.TextChoices):
    """What a device measures (its main metric decides the default alarm rules)."""

    METHANE = "methane", "可燃气体(甲烷)探测器"
    PRESSURE = "pressure", "管网压力计"
    FLOW = "flow", "流量计"
    TEMPERATURE = "temperature", "温度传感器"
    VALVE = "valve", "紧急切断阀"
    HOME_DETECTOR = "home_detector", "场所燃气报警器"


class InstallTargetChoices(models.TextChoices):
    """Where a device is installed."""

    FACILITY = "facility", "燃气设施"
    SPACE = "space", "相邻地下空间"
    PREMISES = "premises", "用气场所"


class DeviceStateChoices(models.TextChoices):
    """The live state shown on the map (colour)."""

    NORMAL = "normal", "正常"
    ALARM = "alarm", "报警"
    FAULT = "fault", "故障"
    OFFLINE = "offline", "离线"
    NEW = "new", "未上线"


class AlarmLevelChoices(models.IntegerChoices):
    """Alarm grade; 1 is the most urgent (一级)."""

    L1 = 1, "一级(紧急)"
    L2 = 2, "二级(重要)"
    L3 = 3, "三级(一般)"
    L4 = 4, "四级(提示)"


class RuleKindChoices(models.TextChoices):
    CONDITION = "condition", "条件规则"
    OFFLINE = "offline", "离线"


class AlarmStatusChoices(models.TextChoices):
    """The alarm handling chain (已触发 → … → 已关闭)."""

    RAISED = "raised", "已触发"
    ACKNOWLEDGED = "acknowledged", "已确认"
    JUDGED = "judged", "已研判(属实)"
    DISPATCHED = "dispatched", "已派单"
    ARRIVED = "arrived", "已到场"
    DISPOSED = "disposed", "已处置"
    CLOSED = "closed", "已关闭"


class AlarmActionChoices(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", "确认"
    JUDGE_REAL = "judge_real", "研判：属实"
    JUDGE_FALSE = "judge_false", "研判：误报"
    DISPATCH = "dispatch", "派单"
    ARRIVE = "arrive", "到场"
    DISPOSE = "dispose", "处置完成"
    CLOSE = "close", "关闭"


class AlarmEventKindChoices(models.TextChoices):
    RAISED = "raised", "触发"
    FOLDED = "folded", "重复触发(合并)"
    ESCALATED = "escalated", "超时升级"
    ACTION = "action", "处置操作"


S = AlarmStatusChoices
A = AlarmActionChoices
# action → (allowed current statuses, new status)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    A.ACKNOWLEDGE: ((S.RAISED,), S.ACKNOWLEDGED),
    A.JUDGE_REAL: ((S.ACKNOWLEDGED,), S.JUDGED),
    A.JUDGE_FALSE: ((S.ACKNOWLEDGED,), S.CLOSED),
    A.DISPATCH: ((S.JUDGED,), S.DISPATCHED),
    A.ARRIVE: ((S.DISPATCHED,), S.ARRIVED),
    A.DISPOSE: ((S.ARRIVED,), S.DISPOSED),
    A.CLOSE: ((S.DISPOSED,), S.CLOSED),
}
OPEN_STATUSES = tuple(s for s in S.values if s != S.CLOSED)
# Actions the owning gas company's crew may take on its own devices' alarms.
CREW_ACTIONS = (A.ARRIVE, A.DISPOSE)


class DeadLetterReasonChoices(models.TextChoices):
    MALFORMED = "malformed", "报文格式错误"
    TOO_LARGE = "too_large", "报文过大"
    UNKNOWN_DEVICE = "unknown_device", "未知设备"
    BAD_CREDENTIAL = "bad_credential", "设备凭证错误"
    UNKNOWN_METRIC = "unknown_metric", "未知指标"
    BAD_VALUE = "bad_value", "数值类型错误"
    OUT_OF_RANGE = "out_of_range", "数值超出物理量程"
    BAD_TIMESTAMP = "bad_timestamp", "时间戳无效"
    FUTURE_TIMESTAMP = "future_timestamp", "时间戳超前"
    STALE_TIMESTAMP = "stale_timestamp", "时间戳过旧"
    DEVICE_INACTIVE = "device_inactive", "设备已停用"
