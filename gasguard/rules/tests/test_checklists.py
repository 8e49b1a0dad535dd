import pytest

from gasguard.core.errors import ValidationFailed
from gasguard.rules.catalog import get_rule
from gasguard.rules.checklists import is_hazard, parse_answer


def test_bool_answers_accept_chinese_and_reject_other_values():
    rule = get_rule("reg_unlicensed_role")
    assert parse_answer(rule, "是") is True
    assert parse_answer(rule, False) is False
    with pytest.raises(ValidationFailed):
        parse_answer(rule, "maybe")
    with pytest.raises(ValidationFailed):
        parse_answer(rule, 7)


def test_number_answers_reject_nan_and_text():
    rule = get_rule("reg_too_few_safety_managers")
    assert parse_answer(rule, "0") == 0.0
    for bad in ("NaN", "inf", "abc", "", None, True, -1):
        with pytest.raises(ValidationFailed):
            parse_answer(rule, bad)
    assert is_hazard(rule, 0.0) and not is_hazard(rule, 2.0)
