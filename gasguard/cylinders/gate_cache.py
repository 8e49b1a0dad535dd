"""Reference data of the pre-fill gate (充装核验), cached with a generation stamp.

The gate reads the same few facts on every scan: who the token belongs to (and their scope),
whether the station's 气瓶充装许可证 and the operator's 特种设备作业人员证 are valid today,
and the blacklist. They are cached for GASGUARD_GATE_CACHE_SECONDS and fetched in ONE cache
round trip per lookup (`get_many`), which matters once the cache is Redis.

Every entry carries the generation it was read under. Saving or deleting a licence,
certificate, staff member, facility, membership, user or token bumps the generation once the
transaction commits (receivers in `connect_invalidation`), so the next scan re-reads the
database instead of waiting for the TTL; the TTL stays as the backstop for bulk `update()`s.
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

GEN_KEY = "gg:cyl:gen"


def _new_generation() -> str:
    return uuid.uuid4().hex[:16]


def gate_cache_get(keys: list[str], *, raw_keys: tuple[str, ...] = ()) -> tuple[str, dict]:
    """(current generation, {key: value}) for `keys` stored under that generation, plus
    `raw_keys` (entries other modules cache and clear themselves) as they are."""
    found = cache.get_many([GEN_KEY, *keys, *raw_keys])
    gen = found.pop(GEN_KEY, None)
    hits = {k: found[k] for k in raw_keys if k in found}
    if gen is None:
        # First use or evicted: start a generation; entries stored under another one are stale.
        gen = _new_generation()
        if not cache.add(GEN_KEY, gen, timeout=None):
            gen = cache.get(GEN_KEY) or gen
        return gen, hits
    for k in keys:
        v = found.get(k)
        if isinstance(v, tuple) and len(v) == 2 and v[0] == gen:
            hits[k] = v[1]
    return gen, hits


def gate_cache_set(key: str, value, *, gen: str) -> None:
    """Store `value` under the generation read BEFORE the database read that produced it."""
    ttl = settings.GASGUARD_GATE_CACHE_SECONDS
    if ttl:
        cache.set(key, (gen, value), ttl)


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
