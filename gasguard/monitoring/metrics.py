"""The one table of metrics: label, unit and physical range a reading must fall within.

A value outside its physical range is a broken sensor or a forged message, never a reading:
it goes to the dead-letter store. Alarm thresholds live in rules (rules.py), not here.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    low: float
    high: float
    integer: bool = False  # states (0/1) rather than measurements


METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric("methane", "甲烷浓度", "%LEL", 0.0, 100.0),
        Metric("pressure", "压力", "kPa", -10.0, 10_000.0),
        Metric("flow", "瞬时流量", "m³/h", 0.0, 100_000.0),
        Metric("temperature", "温度", "°C", -50.0, 150.0),
        Metric("humidity", "湿度", "%RH", 0.0, 100.0),
        Metric("valve", "阀门状态(1开 0关)", "", 0.0, 1.0, integer=True),
        Metric("battery", "电池电量", "%", 0.0, 100.0),
        Metric("tamper", "防拆(1触发)", "", 0.0, 1.0, integer=True),
        Metric("fault", "故障(1故障)", "", 0.0, 1.0, integer=True),
    )
}

# Metrics each device type reports (the simulator and demo use this; ingest accepts any metric
# in METRICS from any device, since field devices often carry extra channels).
TYPE_METRICS: dict[str, tuple[str, ...]] = {
    "methane": ("methane", "temperature", "humidity", "battery", "tamper", "fault"),
    "pressure": ("pressure", "battery", "fault"),
    "flow": ("flow", "pressure", "fault"),
    "temperature": ("temperature", "battery", "fault"),
    "valve": ("valve", "fault"),
    "home_detector": ("methane", "valve", "fault"),
}


def metric_error(key: str, value) -> tuple[str, str] | None:
    """(reason, message) if a value is not acceptable for the metric, else None."""
    metric = METRICS.get(key)
    if metric is None:
        return ("unknown_metric", f"未知指标：{key}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ("bad_value", f"指标 {key} 的值须为数字，收到 {type(value).__name__}")
    if value != value or value in (float("inf"), float("-inf")):
        return ("bad_value", f"指标 {key} 的值不是有限数")
    if not metric.low <= value <= metric.high:
        return (
            "out_of_range",
            f"指标 {key} 的值 {value} 超出物理量程 {metric.low}–{metric.high} {metric.unit}",
        )
    return None
