"""Per-client rate limits kept in the cache, so every worker counts against the same limit.

A plain fixed window ("at most N in this calendar minute") lets a client send 2 × N in a few
seconds around a window boundary, and makes a test that sends a burst fail whenever the burst
straddles the boundary. This is a sliding-window estimate instead: the count for the last
``window_seconds`` is the current window's count plus the previous window's count weighted by the
share of the previous window that still lies inside the last ``window_seconds``. Refused hits are
counted too, so a client that keeps hammering stays refused until it slows down.
"""

import time

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The client address; behind a trusted proxy (GASGUARD_TRUST_X_FORWARDED_FOR) the first hop."""
    if getattr(settings, "GASGUARD_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _count_hit(key: str, timeout: int) -> int:
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=timeout)
        return 1


def over_limit(key: str, *, limit: int, window_seconds: int, now: float | None = None) -> bool:
    """Count one hit for ``key``; True if the hits in the last ``window_seconds`` exceed ``limit``."""
    index, offset = divmod(time.time() if now is None else now, window_seconds)
    index = int(index)
    # The previous window must outlive the current one, hence twice the window.
    current = _count_hit(f"{key}:{window_seconds}:{index}", timeout=2 * window_seconds + 5)
    previous = cache.get(f"{key}:{window_seconds}:{index - 1}", 0)
    return current + previous * (1 - offset / window_seconds) > limit
