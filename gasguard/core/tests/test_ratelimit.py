import pytest
from django.core.cache import cache

from gasguard.core.ratelimit import over_limit


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def hits(n, *, at, key="k", limit=5, window=60):
    return [over_limit(key, limit=limit, window_seconds=window, now=at) for _ in range(n)]


def test_limit_within_one_window():
    assert hits(7, at=6000.0) == [False] * 5 + [True] * 2


def test_a_burst_across_the_window_boundary_is_still_limited():
    # A fixed window would allow 5 at 59.9 s and 5 more at 60.1 s.
    start = 60 * 100
    assert hits(5, at=start + 59.9) == [False] * 5
    assert hits(5, at=start + 60.1) == [True] * 5


def test_the_previous_window_fades_out():
    start = 60 * 100
    assert hits(5, at=start + 10.0) == [False] * 5
    # Half-way through the next window, about half of the previous five still count.
    assert hits(3, at=start + 90.0) == [False, False, True]
    # Two windows later none of them count.
    assert hits(5, at=start + 180.0) == [False] * 5


def test_a_client_that_keeps_hammering_stays_refused():
    start = 60 * 100
    hits(200, at=start + 50.0)
    assert hits(1, at=start + 110.0) == [True]


def test_keys_do_not_share_counts():
    assert hits(5, at=6000.0, key="a") == [False] * 5
    assert hits(1, at=6000.0, key="b") == [False]
    assert hits(1, at=6000.0, key="a") == [True]
