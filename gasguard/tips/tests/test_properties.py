"""Property tests: tracking codes, phone masking, distance prefilter."""

from hypothesis import given
from hypothesis import strategies as st

from gasguard.tips.geo import bbox, haversine_m
from gasguard.tips.security import (
    CODE_ALPHABET,
    CODE_LENGTH,
    format_code,
    mask_phone,
    normalize_code,
    normalize_phone,
)

codes = st.text(alphabet=CODE_ALPHABET, min_size=CODE_LENGTH, max_size=CODE_LENGTH)


@given(codes)
def test_code_survives_formatting_and_case(code):
    assert normalize_code(format_code(code).lower()) == code
    assert normalize_code(" " + format_code(code) + " ") == code


@given(st.text(max_size=30))
def test_normalize_code_never_accepts_foreign_characters(raw):
    code = normalize_code(raw)
    assert code == "" or (len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET))


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_mobile_is_masked_to_3_and_4(phone):
    assert normalize_phone(f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}") == phone
    masked = mask_phone(phone)
    assert masked == phone[:3] + "****" + phone[-4:] and phone[3:7] not in masked[3:7]


@given(
    st.floats(min_value=73.5, max_value=135.0),
    st.floats(min_value=4.0, max_value=53.5),
    st.floats(min_value=-0.002, max_value=0.002),
    st.floats(min_value=-0.002, max_value=0.002),
)
def test_points_within_radius_lie_inside_the_prefilter_box(lon, lat, dlon, dlat):
    other_lon, other_lat = lon + dlon, lat + dlat
    radius = 50.0
    if haversine_m(lon, lat, other_lon, other_lat) <= radius:
        min_lon, max_lon, min_lat, max_lat = bbox(lon, lat, radius)
        assert min_lon <= other_lon <= max_lon and min_lat <= other_lat <= max_lat
