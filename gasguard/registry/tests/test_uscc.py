import pytest

from gasguard.registry.uscc import make_uscc, normalise_uscc, uscc_error


def test_generated_codes_are_valid():
    for serial in range(200):
        assert uscc_error(make_uscc("440305", serial)) is None


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("", "不能为空"),
        ("91440300", "18位"),
        ("91440300MA5FXXXXXI", "非法字符"),
        ("91ABCDEF000000001X", "行政区划"),
    ],
)
def test_malformed_codes_are_refused_with_reason(code, fragment):
    assert fragment in uscc_error(code)


def test_wrong_check_character_names_the_expected_one():
    good = make_uscc("440305", 42)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    assert f"应为{good[17]}" in uscc_error(bad)


def test_normalise_strips_and_uppercases():
    assert normalise_uscc(" 91440300ab ") == "91440300AB"
