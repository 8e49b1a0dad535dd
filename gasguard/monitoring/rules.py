"""Alarm rules: a small JSON condition tree evaluated in Python, and the default rule set.

A condition is a leaf or a combination:

    {"all": [cond, ...]}                       AND
    {"any": [cond, ...]}                       OR
    {"metric": "methane", "op": ">=", "value": 25}                      latest value
    {"metric": "methane", "op": ">=", "value": 10, "for_minutes": 5}    held for N minutes
    {"metric": "methane", "op": ">=", "value": 10, "count": 3, "within_minutes": 10}  repeats
    {"metric": "methane", "rise": 10, "within_minutes": 5}              rate of rise
    {"metric": "pressure", "drop": 50, "within_minutes": 10}            absolute drop (kPa)
    {"metric": "pressure", "drop_pct": 20, "within_minutes": 10}        relative drop (%)

Offline rules are not trees: `kind="offline"` with `offline_minutes`, checked periodically.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from gasguard.core.errors import ValidationFailed
from gasguard.monitoring.metrics import METRICS

OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
MAX_DEPTH = 6
MAX_WINDOW_MINUTES = 24 * 60


def validate_condition(node, *, path: str = "condition", depth: int = 0) -> None:
    """Raise ValidationFailed naming the offending node if the tree is not well formed."""

    def fail(message: str):
        raise ValidationFailed(f"{path}：{message}", field="condition")

    if depth > MAX_DEPTH:
        fail(f"嵌套层数超过 {MAX_DEPTH}")
    if not isinstance(node, dict) or not node:
        fail("须为非空对象")
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        if set(node) != {key} or not isinstance(node[key], list) or not node[key]:
            fail(f"“{key}”须为非空列表，且不能与其他键并列")
        for i, sub in enumerate(node[key]):
            validate_condition(sub, path=f"{path}.{key}[{i}]", depth=depth + 1)
        return
    metric = node.get("metric")
    if metric not in METRICS:
        fail(f"未知指标 {metric!r}")
    allowed = {"metric", "op", "value", "for_minutes", "count", "within_minutes", "rise", "drop", "drop_pct"}
    if extra := set(node) - allowed:
        fail(f"不支持的键 {sorted(extra)}")

    def number(key, *, positive=False):
        v = node.get(key)
        if isinstance(v, bool) or not isinstance(v, int | float) or v != v:
            fail(f"“{key}”须为数字")
        if positive and v <= 0:
            fail(f"“{key}”须大于 0")
        return v

    trend = [k for k in ("rise", "drop", "drop_pct") if k in node]
    if trend:
        if len(trend) > 1 or "op" in node or "value" in node:
            fail("rise/drop/drop_pct 只能三选一，且不能与 op/value 并用")
        number(trend[0], positive=True)
        if number("within_minutes", positive=True) > MAX_WINDOW_MINUTES:
            fail("时间窗不能超过 24 小时")
        return
    if node.get("op") not in OPS:
        fail(f"比较符须为 {' '.join(OPS)} 之一")
    number("value")
    if "for_minutes" in node and number("for_minutes", positive=True) > MAX_WINDOW_MINUTES:
        fail("持续时间不能超过 24 小时")
    if "count" in node or "within_minutes" in node:
        if "for_minutes" in node:
            fail("for_minutes 与 count/within_minutes 不能并用")
        if int(number("count", positive=True)) != node["count"]:
            fail("“count”须为正整数")
        if number("within_minutes", positive=True) > MAX_WINDOW_MINUTES:
            fail("时间窗不能超过 24 小时")


def is_trend(node) -> bool:
    """Whether a condition has rate-of-rise/drop leaves (evaluated once per batch, at its end)."""
    if "all" in node or "any" in node:
        return any(is_trend(sub) for sub in node.get("all") or node.get("any") or [])
    return any(k in node for k in ("rise", "drop", "drop_pct"))


def condition_metrics(node) -> set[str]:
    """Metrics a condition reads (a batch without any of them cannot change its outcome)."""
    if "all" in node or "any" in node:
        out: set[str] = set()
        for sub in node.get("all") or node.get("any") or []:
            out |= condition_metrics(sub)
        return out
    return {node["metric"]} if node.get("metric") else set()


def trend_leaves(node) -> set[tuple[str, float]]:
    """(metric, within_minutes) of the rise/drop leaves of a condition."""
    if "all" in node or "any" in node:
        out: set[tuple[str, float]] = set()
        for sub in node.get("all") or node.get("any") or []:
            out |= trend_leaves(sub)
        return out
    if any(k in node for k in ("rise", "drop", "drop_pct")):
        return {(node["metric"], node["within_minutes"])}
    return set()


def possible(node, ranges: dict[str, tuple[float, float]]) -> bool:
    """Whether the condition could hold when each metric only takes values within `ranges`
    ({metric: (lowest, highest)}; a metric not in it has no value). False means `evaluate` is
    None for every such state, so a batch whose values never reach a threshold skips the rule
    (ingest evaluates a rule per sample only when this is True); True decides nothing."""
    if "all" in node:
        return all(possible(sub, ranges) for sub in node["all"])
    if "any" in node:
        return any(possible(sub, ranges) for sub in node["any"])
    span = ranges.get(node.get("metric"))
    if span is None:
        return False  # evaluate() returns None for a metric without a value
    lo, hi = span
    if "rise" in node:
        return hi - METRICS[node["metric"]].low >= node["rise"]
    if "drop" in node or "drop_pct" in node:
        return True  # depends on history: always evaluated
    op, value = node["op"], node["value"]
    if op in (">", ">="):
        return OPS[op](hi, value)
    if op in ("<", "<="):
        return OPS[op](lo, value)
    if op == "==":
        return lo <= value <= hi
    return not (lo == hi == value)  # "!="


@dataclass
class Hit:
    """Why a condition holds: the metric and value that tripped it (for the alarm message)."""

    metric: str
    value: float
    detail: str


class Context:
    """What a rule sees for one device: latest values, and history loaded on demand."""

    def __init__(
        self, *, device_id: int, latest: dict[str, tuple[datetime, float]], history=None, recent=None
    ):
        self.device_id = device_id
        self.latest = latest
        self._history = history  # callable(device_id, metric, since, until) -> [(ts, value)]
        # Optional cheap pre-check: callable(device_id, metric, minutes) -> (min, max) the worker saw
        # recently, or None when it has no recent data (then the database decides).
        self._recent = recent
        self._cache: dict[tuple, list] = {}

    def recent(self, metric: str, minutes: float):
        return self._recent(self.device_id, metric, minutes) if self._recent else None

    def window(self, metric: str, minutes: float, *, extra: float = 0) -> list[tuple[datetime, float]]:
        ts = self.latest[metric][0]
        since = ts - timedelta(minutes=minutes + extra)
        key = (metric, since, ts)
        if key not in self._cache:
            self._cache[key] = list(self._history(self.device_id, metric, since, ts)) if self._history else []
        return self._cache[key]


def evaluate(node, ctx: Context) -> Hit | None:
    """The Hit that makes the condition true, or None."""
    if "all" in node:
        hits = []
        for sub in node["all"]:
            hit = evaluate(sub, ctx)
            if hit is None:
                return None
            hits.append(hit)
        return Hit(hits[0].metric, hits[0].value, " 且 ".join(h.detail for h in hits))
    if "any" in node:
        for sub in node["any"]:
            if (hit := evaluate(sub, ctx)) is not None:
                return hit
        return None
    metric = node["metric"]
    if metric not in ctx.latest:
        return None
    ts, value = ctx.latest[metric]
    unit = METRICS[metric].unit
    label = METRICS[metric].label
    if "rise" in node or "drop" in node or "drop_pct" in node:
        minutes = node["within_minutes"]
        if "rise" in node and value - METRICS[metric].low < node["rise"]:
            return None  # cannot have risen that much from the bottom of the physical range
        seen = ctx.recent(metric, minutes)
        if seen is not None:  # the worker's own recent extremes rule it out without a query
            lo, hi = min(seen[0], value), max(seen[1], value)
            if "rise" in node and value - lo < node["rise"]:
                return None
            if "drop" in node and hi - value < node["drop"]:
                return None
            if "drop_pct" in node and (hi <= 0 or (hi - value) / hi * 100 < node["drop_pct"]):
                return None
        values = [v for _, v in ctx.window(metric, minutes)] or [value]
        if "rise" in node:
            delta = value - min(values)
            if delta >= node["rise"]:
                return Hit(metric, value, f"{label}{minutes}分钟内上升{delta:g}{unit}")
            return None
        top = max(values)
        delta = top - value
        if "drop" in node and delta >= node["drop"]:
            return Hit(metric, value, f"{label}{minutes}分钟内下降{delta:g}{unit}")
        if "drop_pct" in node and top > 0 and delta / top * 100 >= node["drop_pct"]:
            return Hit(metric, value, f"{label}{minutes}分钟内下降{delta / top * 100:.0f}%")
        return None
    check = OPS[node["op"]]
    if not check(value, node["value"]):
        return None
    base = f"{label}{value:g}{unit} {node['op']} {node['value']:g}{unit}"
    if "for_minutes" in node:
        minutes = node["for_minutes"]
        start = ts - timedelta(minutes=minutes)
        # Held continuously: the last reading at or before the window start also satisfied,
        # and every reading since did.
        rows = ctx.window(metric, minutes, extra=minutes)
        before = [v for t, v in rows if t <= start]
        inside = [v for t, v in rows if t > start]
        if (
            not before
            or not check(before[-1], node["value"])
            or not all(check(v, node["value"]) for v in inside)
        ):
            return None
        return Hit(metric, value, f"{base}，持续{minutes:g}分钟")
    if "count" in node:
        minutes = node["within_minutes"]
        n = sum(1 for _, v in ctx.window(metric, minutes) if check(v, node["value"]))
        if n < node["count"]:
            return None
        return Hit(metric, value, f"{base}，{minutes:g}分钟内{n}次")
    return Hit(metric, value, base)


def default_rules() -> list[dict]:
    """The built-in rule set (per device type). Thresholds come from settings (defaults documented)."""
    l1 = settings.GASGUARD_MONITORING_METHANE_L1_LEL
    l2 = settings.GASGUARD_MONITORING_METHANE_L2_LEL
    drop = settings.GASGUARD_MONITORING_PRESSURE_DROP_PCT
    battery = settings.GASGUARD_MONITORING_LOW_BATTERY_PCT
    offline = settings.GASGUARD_MONITORING_OFFLINE_MINUTES
    basis = (
        "相邻地下空间报警分级国家无统一值（DOMAIN.md §7 Unconfirmed）；默认值参照 GB 50838 管廊天然气舱"
        "报警 ≤20 %LEL、紧急切断 ≤25 %LEL 及 GB/T 50493 一级 ≤25 %LEL，可在设置中调整。"
    )
    rules = []
    for dtype in ("methane", "home_detector"):
        rules += [
            {
                "code": "methane_l2",
                "name": f"甲烷浓度二级报警（≥{l2:g} %LEL）",
                "device_type": dtype,
                "level": 1,
                "condition": {"metric": "methane", "op": ">=", "value": l2},
                "note": basis,
            },
            {
                "code": "methane_l1",
                "name": f"甲烷浓度一级报警（≥{l1:g} %LEL）",
                "device_type": dtype,
                "level": 2,
                "condition": {"metric": "methane", "op": ">=", "value": l1},
                "note": basis,
            },
            {
                "code": "methane_rise",
                "name": "甲烷浓度快速上升（5分钟内上升≥10 %LEL）",
                "device_type": dtype,
                "level": 2,
                "condition": {"metric": "methane", "rise": 10, "within_minutes": 5},
                "note": "默认值，可按设备覆盖。",
            },
        ]
    rules += [
        {
            "code": "methane_repeat",
            "name": "甲烷反复超低限（10分钟内3次≥10 %LEL）",
            "device_type": "methane",
            "level": 3,
            "condition": {"metric": "methane", "op": ">=", "value": 10, "count": 3, "within_minutes": 10},
            "note": "默认值：间歇性渗漏提示。",
        },
        {
            "code": "pressure_drop",
            "name": f"管网压力骤降（10分钟内下降≥{drop:g}%）",
            "device_type": "pressure",
            "level": 1,
            "peak_mode": "min",
            "condition": {"metric": "pressure", "drop_pct": drop, "within_minutes": 10},
            "note": "默认值：疑似管道破损。",
        },
        {
            "code": "pressure_low",
            "name": "管网压力持续偏低（<1 kPa 持续5分钟）",
            "device_type": "pressure",
            "level": 2,
            "peak_mode": "min",
            "condition": {"metric": "pressure", "op": "<", "value": 1, "for_minutes": 5},
            "note": "默认值，按管网压力级制逐设备覆盖。",
        },
        {
            "code": "valve_closed_leak",
            "name": "切断阀关闭且检测到可燃气体",
            "device_type": "home_detector",
            "level": 2,
            "condition": {
                "all": [
                    {"metric": "valve", "op": "==", "value": 0},
                    {"metric": "methane", "op": ">=", "value": 5},
                ]
            },
            "note": "联动：报警器动作后切断阀已关闭。",
        },
        {
            "code": "fault",
            "name": "设备故障或被拆",
            "device_type": "",
            "level": 3,
            "condition": {
                "any": [
                    {"metric": "fault", "op": "==", "value": 1},
                    {"metric": "tamper", "op": "==", "value": 1},
                ]
            },
            "note": "",
        },
        {
            "code": "low_battery",
            "name": f"电池电量低（≤{battery:g}%）",
            "device_type": "",
            "level": 4,
            "peak_mode": "min",
            "condition": {"metric": "battery", "op": "<=", "value": battery},
            "note": "默认值。",
        },
        {
            "code": "offline",
            "name": f"设备离线（{offline}分钟无数据）",
            "device_type": "",
            "kind": "offline",
            "offline_minutes": offline,
            "level": 3,
            "condition": {},
            "note": "默认值；由 gasguard monitoring check_offline 周期检查。",
        },
    ]
    return rules
