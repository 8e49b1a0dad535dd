"""parse_choice / parse_month / PageFilters: hand-read filter values are checked, never ignored."""

from datetime import date

import pytest
from django.db import models

from gasguard.core.errors import ValidationFailed
from gasguard.core.filters import PageFilters, parse_choice, parse_month


class ColourChoices(models.TextChoices):
    RED = "red", "红"
    BLUE = "blue", "蓝"


@pytest.mark.parametrize("choices", [ColourChoices, ColourChoices.choices, ["red", "blue"]])
def test_parse_choice_accepts_allowed_values_and_empty(choices):
    assert parse_choice("red", "colour", choices) == "red"
    assert parse_choice(" blue ", "colour", choices) == "blue"
    assert parse_choice("", "colour", choices) is None
    assert parse_choice(None, "colour", choices) is None


def test_parse_choice_refuses_unknown_value_naming_field_and_allowed_values():
    with pytest.raises(ValidationFailed) as exc:
        parse_choice("green", "colour", ColourChoices)
    assert exc.value.errors == {"colour": [exc.value.message]}
    assert exc.value.message == "colour的值“green”无效，可选值：red（红）、blue（蓝）"
    with pytest.raises(ValidationFailed, match="^颜色的值"):
        parse_choice("RED", "colour", ColourChoices, label="颜色")
    with pytest.raises(ValidationFailed, match="…"):
        parse_choice("x" * 500, "colour", ColourChoices)  # a huge value is shortened in the message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03", date(2024, 3, 1)),
        ("2024-03-17", date(2024, 3, 1)),
        (" 2024-12 ", date(2024, 12, 1)),
        ("", None),
    ],
)
def test_parse_month_accepts_months_and_dates(value, expected):
    assert parse_month(value) == expected


@pytest.mark.parametrize(
    "value", ["2024-13", "2024-03abc", "2024-3", "24-03", "2024-02-30", "abc", "2024-03-1"]
)
def test_parse_month_refuses_what_is_not_a_month(value):
    with pytest.raises(ValidationFailed) as exc:
        parse_month(value, "month")
    assert list(exc.value.errors) == ["month"] and "YYYY-MM" in exc.value.message


def test_page_filters_collects_errors_instead_of_raising():
    filters = PageFilters()
    assert filters.choice("red", "colour", ColourChoices) == "red" and filters.valid
    assert filters.choice("green", "colour", ColourChoices, label="颜色") is None
    assert filters.month("2024-99", label="月份") is None
    assert not filters.valid
    assert set(filters.errors) == {"colour", "month"}
    assert filters.errors["month"][0].startswith("月份应为")


def test_parse_bool_takes_true_false_and_refuses_the_rest():
    from gasguard.core.filters import parse_bool

    assert [parse_bool(v, "all") for v in ("1", "true", "0", "false", "", None)] == [
        True,
        True,
        False,
        False,
        None,
        None,
    ]
    with pytest.raises(ValidationFailed) as exc:
        parse_bool("maybe", "all")
    assert list(exc.value.errors) == ["all"] and "maybe" in exc.value.message
