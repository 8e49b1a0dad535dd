"""Rule trees: thresholds, duration, repeats, rate of rise, pressure drop, AND/OR, validation."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

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


def test_possible_rules_out_only_what_cannot_hold():
    from gasguard.monitoring.rules import possible

    l2 = {"metric": "methane", "op": ">=", "value": 25}
    assert not possible(l2, {"methane": (0.1, 24.9)})
    assert possible(l2, {"methane": (0.1, 25)})
    assert not possible(l2, {"pressure": (0, 500)})  # no methane value at all
    assert not possible({"metric": "valve", "op": "==", "value": 0}, {"valve": (1, 1)})
    assert possible({"metric": "valve", "op": "!=", "value": 0}, {"valve": (0, 1)})
    assert not possible({"metric": "valve", "op": "!=", "value": 0}, {"valve": (0, 0)})
    rise = {"metric": "methane", "rise": 10, "within_minutes": 5}
    assert not possible(rise, {"methane": (0, 9.9)}) and possible(rise, {"methane": (0, 12)})
    assert possible({"metric": "pressure", "drop_pct": 20, "within_minutes": 10}, {"pressure": (2, 2)})
    leak = {
        "all": [{"metric": "valve", "op": "==", "value": 0}, {"metric": "methane", "op": ">=", "value": 5}]
    }
    assert not possible(leak, {"valve": (1, 1), "methane": (0, 60)})
    assert possible(leak, {"valve": (0, 1), "methane": (0, 60)})
    either = {
        "any": [{"metric": "fault", "op": "==", "value": 1}, {"metric": "tamper", "op": "==", "value": 1}]
    }
    assert not possible(either, {"fault": (0, 0)}) and possible(either, {"fault": (0, 0), "tamper": (0, 1)})


LEAF_OPS = [">", ">=", "<", "<=", "==", "!="]


@hypothesis_settings(deadline=None)  # shared CI machine: timing is not what is tested
@given(
    st.recursive(
        st.builds(
            lambda metric, op, value: {"metric": metric, "op": op, "value": value},
            st.sampled_from(["methane", "valve", "battery"]),
            st.sampled_from(LEAF_OPS),
            st.sampled_from([0, 1, 5, 20, 25.5]),
        )
        | st.builds(
            lambda m, rise: {"metric": m, "rise": rise, "within_minutes": 5},
            st.sampled_from(["methane", "battery"]),
            st.sampled_from([1, 10, 30]),
        ),
        lambda children: st.builds(
            lambda k, xs: {k: xs}, st.sampled_from(["all", "any"]), st.lists(children, min_size=1, max_size=3)
        ),
        max_leaves=6,
    ),
    st.dictionaries(
        st.sampled_from(["methane", "valve", "battery"]),
        st.lists(st.sampled_from([0.0, 0.5, 1.0, 4.9, 5.0, 19.0, 25.5, 40.0, 100.0]), min_size=1, max_size=4),
    ),
)
def test_possible_is_never_false_when_evaluate_hits(tree, samples):
    """For every state whose values lie in the ranges, possible() False ⇒ evaluate() None."""
    from gasguard.monitoring.rules import possible

    ranges = {m: (min(vs), max(vs)) for m, vs in samples.items()}
    if possible(tree, ranges):
        return
    # Every combination of one sampled value per metric is a state ingest could evaluate.
    states = [{}]
    for metric, values in samples.items():
        states = [{**s, metric: v} for s in states for v in values]
    for state in states:
        assert evaluate(tree, ctx(state, {m: [(2, 0.0)] for m in state})) is None, (tree, state)
