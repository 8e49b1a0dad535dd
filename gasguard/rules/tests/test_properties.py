"""Property tests: parsing and judging agree with the rule's operator for any valid number."""

import math
import operator

from hypothesis import given, settings
from hypothesis import strategies as st

from gasguard.rules.catalog import get_catalog
from gasguard.rules.checklists import is_hazard, parse_answer

NUMBER_RULES = [r for r in get_catalog().rules.values() if r.answer.type == "number"]
OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


@settings(max_examples=300, deadline=None)
@given(rule=st.sampled_from(NUMBER_RULES), value=st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_number_verdict_matches_operator(rule, value):
    a = rule.answer
    if a.max_value is not None and value > a.max_value:
        return
    parsed = parse_answer(rule, str(value))
    assert math.isclose(parsed, value)
    assert is_hazard(rule, parsed) is OPS[a.operator](parsed, a.effective_threshold())


@settings(max_examples=100, deadline=None)
@given(
    rule=st.sampled_from([r for r in get_catalog().rules.values() if r.answer.type == "bool"]), raw=st.text()
)
def test_bool_rules_accept_only_yes_no_words(rule, raw):
    from gasguard.core.errors import ValidationFailed

    try:
        value = parse_answer(rule, raw)
    except ValidationFailed as exc:
        assert exc.errors and rule.id in exc.errors
        return
    assert value in (True, False)
    assert raw.strip().lower() in {"true", "yes", "1", "是", "y", "false", "no", "0", "否", "n"}
