"""Reference data of the pre-fill gate (充装核验), cached with a generation stamp.

The gate reads the same few facts on every scan: who the token belongs to (and their scope),
whether the station's 气瓶充装许可证 and the operator's 特种设备作业人员证 are valid today,
and the blacklist. They are kept in each worker process's memory for at most
GASGUARD_GATE_CACHE_SECONDS, stamped with the generation they were read under; the generation
itself lives in the shared cache (Redis in production), so every worker sees a change at once.

Saving or deleting a licence, certificate, staff member, facility, membership, user or token
bumps the generation once the transaction commits (receivers in `connect_invalidation`), so the
next scan re-reads the database instead of waiting for the TTL; the TTL stays as the backstop
for bulk `update()`s. Entries other modules cache and clear themselves (the blacklist) are read
from the shared cache in the same round trip as the generation (`raw_keys`).

A gate request reads the shared cache ONCE: `pinned()` reads the generation and the raw keys
and every `gate_cache_get` inside it (token auth, station, operator, blacklist) uses them.
"""

import threading
import time
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

GEN_KEY = "gg:cyl:gen"
# Bounds the per-process memory: tokens, stations and operators × days seen within the TTL.
LOCAL_MAX_ENTRIES = 50_000

_local: dict[str, tuple[str, float, object]] = {}  # key → (generation, expires at, value)
_local_lock = threading.Lock()
_pinned: ContextVar[dict | None] = ContextVar("gg_gate_cache_pinned", default=None)


def _new_generation() -> str:
    return uuid.uuid4().hex[:16]


def _shared(raw_keys: tuple[str, ...]) -> dict:
    """{GEN_KEY: generation, raw key: value or None when absent} in one shared-cache round trip."""
    found = cache.get_many([GEN_KEY, *raw_keys])
    for k in raw_keys:
        found.setdefault(k, None)  # read and absent: a pinned block must not read it again
    if found.get(GEN_KEY) is None:
        # First use or evicted: start a generation; entries stored under another one are stale.
        gen = _new_generation()
        if not cache.add(GEN_KEY, gen, timeout=None):
            gen = cache.get(GEN_KEY) or gen
        found[GEN_KEY] = gen
    return found


@contextmanager
def pinned(*, raw_keys: tuple[str, ...] = ()):
    """Read the generation (and `raw_keys`) once for everything the block asks the gate cache."""
    token = _pinned.set(_shared(raw_keys))
    try:
        yield
    finally:
        _pinned.reset(token)


def gate_cache_get(keys: list[str], *, raw_keys: tuple[str, ...] = ()) -> tuple[str, dict]:
    """(current generation, {key: value}) for `keys` stored under that generation, plus
    `raw_keys` (entries other modules cache and clear themselves) as they are."""
    shared = _pinned.get()
    if shared is None or any(k not in shared for k in raw_keys):
        shared = _shared(raw_keys)
    gen = shared[GEN_KEY]
    hits = {k: shared[k] for k in raw_keys if shared.get(k) is not None}
    now = time.monotonic()
    for k in keys:
        entry = _local.get(k)
        if entry is not None and entry[0] == gen and entry[1] > now:
            hits[k] = entry[2]
    return gen, hits


def gate_cache_set(key: str, value, *, gen: str) -> None:
    """Store `value` under the generation read BEFORE the database read that produced it."""
    ttl = settings.GASGUARD_GATE_CACHE_SECONDS
    if not ttl:
        return
    with _local_lock:
        if len(_local) >= LOCAL_MAX_ENTRIES:
            _local.clear()
        _local[key] = (gen, time.monotonic() + ttl, value)


def gate_cache_bump() -> None:
    """Invalidate every cached gate fact (after the change that made them stale commits)."""
    cache.set(GEN_KEY, _new_generation(), timeout=None)


def _bump_on_commit(sender, instance=None, update_fields=None, **kwargs) -> None:
    # A login only stamps last_login; it changes nothing the gate reads.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    transaction.on_commit(gate_cache_bump)


def connect_invalidation() -> None:
    """Bump the generation whenever a model the gate caches facts from changes."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete, post_save
    from rest_framework.authtoken.models import Token

    from gasguard.accounts.models import Membership
    from gasguard.registry.models import Certificate, Facility, Licence, Staff

    for model in (Licence, Certificate, Staff, Facility, Membership, Token, get_user_model()):
        for signal in (post_save, post_delete):
            signal.connect(_bump_on_commit, sender=model, dispatch_uid=f"gg-gate-cache-{model._meta.label}")
