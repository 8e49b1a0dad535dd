from hypothesis import given
from hypothesis import strategies as st

from gasguard.cylinders.codes import ALPHABET, check_char, code_error, make_code, normalise, parse_scanned


def test_generated_codes_are_valid_and_distinct():
    codes = {make_code("440305001") for _ in range(2000)}
    assert len(codes) == 2000
    assert all(code_error(c) is None for c in codes)
    assert all(c.startswith("GG1-440305-") for c in codes)


@given(st.text(alphabet=ALPHABET, min_size=12, max_size=12), st.integers(0, 11), st.sampled_from(ALPHABET))
def test_any_single_character_typo_is_caught(random_part, pos, ch):
    body = "440305" + random_part
    code = f"GG1-440305-{random_part}-{check_char(body)}"
    assert code_error(code) is None
    if random_part[pos] == ch:
        return
    typo = random_part[:pos] + ch + random_part[pos + 1 :]
    assert code_error(f"GG1-440305-{typo}-{check_char(body)}") is not None


@given(st.text(alphabet=ALPHABET, min_size=12, max_size=12), st.integers(0, 10))
def test_adjacent_transpositions_are_caught(random_part, pos):
    a, b = random_part[pos], random_part[pos + 1]
    if a == b:
        return
    body = "440305" + random_part
    swapped = random_part[:pos] + b + a + random_part[pos + 2 :]
    assert code_error(f"GG1-440305-{swapped}-{check_char(body)}") is not None


def test_malformed_codes_are_refused_with_a_reason():
    for bad in ("", "123", "GG1-440305-ABC-1", "GG2-440305-7KQ2M9XH4T3D-R", "GG1-44030-7KQ2M9XH4T3D-R"):
        assert code_error(bad)


def test_scanned_url_and_lowercase_and_lookalikes_normalise():
    code = make_code("440305")
    assert parse_scanned(f"https://gas.example.gov.cn/c/{code}")[0] == code
    assert parse_scanned(f"/C/{code.lower()}")[0] == code
    assert normalise(code.replace("0", "O")) == code


def test_swap_of_first_and_last_symbols_is_caught():
    # The case Luhn mod 32 misses ("0Z" ↔ "Z0"); Damm catches it.
    body = "4403050000Z0000000"
    code = f"GG1-440305-0000Z0000000-{check_char(body)}"
    assert code_error(code) is None
    assert code_error(f"GG1-440305-000Z00000000-{check_char(body)}") is not None


@given(st.text(alphabet=ALPHABET, min_size=12, max_size=12))
def test_swapping_the_last_character_with_the_check_character_is_caught(random_part):
    c = check_char("440305" + random_part)
    if c == random_part[-1]:
        return
    assert code_error(f"GG1-440305-{random_part[:-1]}{c}-{random_part[-1]}") is not None


def test_every_adjacent_symbol_pair_swap_is_caught_exhaustively():
    for a in ALPHABET:
        for b in ALPHABET:
            if a == b:
                continue
            for pos in (0, 5, 10):
                part = list("7KQ2M9XH4T3D")
                part[pos], part[pos + 1] = a, b
                body = "".join(part)
                swapped = body[:pos] + b + a + body[pos + 2 :]
                assert check_char("440305" + body) != check_char("440305" + swapped)
