"""Rule trees: thresholds, duration, repeats, rate of rise, pressure drop, AND/OR, validation."""

from datetime import UTC, datetime, timedelta

import pytest

from gasguard.core.errors import ValidationFailed
from gasguard.monitoring.rules import Context, condition_metrics, evaluate, validate_condition

T0 = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def ctx(latest: dict, history: dict | None = None):
    """latest {metric: value} at T0; history {metric: [(minutes_ago, value), ...]}."""
    hist = {m: sorted((T0 - timedelta(minutes=a), v) for a, v in rows) for m, rows in (history or {}).items()}

    def fetch(_device, metric, since, until):
        return [(t, v) for t, v in hist.get(metric, []) if since <= t <= until]

    return Context(device_id=1, latest={m: (T0, v) for m, v in latest.items()}, history=fetch)


def test_threshold():
    rule = {"metric": "methane", "op": ">=", "value": 25}
    assert evaluate(rule, ctx({"methane": 25})) is not None
    assert evaluate(rule, ctx({"methane": 24.9})) is None
    assert evaluate(rule, ctx({"pressure": 3})) is None


def test_duration_needs_the_whole_window():
    rule = {"metric": "methane", "op": ">=", "value": 10, "for_minutes": 5}
    held = {"methane": [(6, 12), (4, 15), (2, 11), (0, 13)]}
    assert evaluate(rule, ctx({"methane": 13}, held)) is not None
    dipped = {"methane": [(6, 12), (3, 5), (0, 13)]}
    assert evaluate(rule, ctx({"methane": 13}, dipped)) is None
    too_short = {"methane": [(3, 12), (0, 13)]}
    assert evaluate(rule, ctx({"methane": 13}, too_short)) is None


def test_repeat_count_within_window():
    rule = {"metric": "methane", "op": ">=", "value": 10, "count": 3, "within_minutes": 10}
    assert evaluate(rule, ctx({"methane": 11}, {"methane": [(8, 12), (5, 2), (3, 14), (0, 11)]})) is not None
    assert evaluate(rule, ctx({"methane": 11}, {"methane": [(15, 12), (5, 2), (0, 11)]})) is None


def test_rate_of_rise_and_pressure_drop():
    rise = {"metric": "methane", "rise": 10, "within_minutes": 5}
    assert evaluate(rise, ctx({"methane": 14}, {"methane": [(4, 2), (0, 14)]})) is not None
    assert evaluate(rise, ctx({"methane": 14}, {"methane": [(4, 8), (0, 14)]})) is None
    drop = {"metric": "pressure", "drop_pct": 20, "within_minutes": 10}
    assert evaluate(drop, ctx({"pressure": 150}, {"pressure": [(9, 300), (0, 150)]})) is not None
    assert evaluate(drop, ctx({"pressure": 290}, {"pressure": [(9, 300), (0, 290)]})) is None
    absolute = {"metric": "pressure", "drop": 50, "within_minutes": 10}
    assert evaluate(absolute, ctx({"pressure": 240}, {"pressure": [(9, 300), (0, 240)]})) is not None


def test_and_or():
    tree = {
        "any": [
            {"metric": "methane", "op": ">=", "value": 25},
            {
                "all": [
                    {"metric": "methane", "op": ">=", "value": 10},
                    {"metric": "temperature", "op": ">", "value": 40},
                ]
            },
        ]
    }
    assert evaluate(tree, ctx({"methane": 30})) is not None
    assert evaluate(tree, ctx({"methane": 12, "temperature": 45})) is not None
    assert evaluate(tree, ctx({"methane": 12, "temperature": 30})) is None
    assert condition_metrics(tree) == {"methane", "temperature"}


@pytest.mark.parametrize(
    "tree",
    [
        {},
        {"metric": "nope", "op": ">", "value": 1},
        {"metric": "methane", "op": "~", "value": 1},
        {"metric": "methane", "op": ">", "value": "1"},
        {"all": []},
        {"all": [{"metric": "methane", "op": ">", "value": 1}], "extra": 1},
        {"metric": "methane", "rise": 5},
        {"metric": "methane", "op": ">", "value": 1, "count": 2.5, "within_minutes": 5},
        {"metric": "methane", "op": ">", "value": 1, "for_minutes": 99999},
    ],
)
def test_invalid_trees_are_refused(tree):
    with pytest.raises(ValidationFailed):
        validate_condition(tree)


def test_default_rules_are_valid(settings):
    from gasguard.monitoring.rules import default_rules

    for spec in default_rules():
        if spec.get("kind") != "offline":
            validate_condition(spec["condition"])
    assert any(
        r["condition"].get("value") == settings.GASGUARD_MONITORING_METHANE_L2_LEL for r in default_rules()
    )
