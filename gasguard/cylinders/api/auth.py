"""Token authentication for the pre-fill gate with a short cache of token → user and scope.

The gate is the hot path (a scan every second per filling scale); re-reading the token, the
user row and the user's memberships on every scan was the largest fixed cost. The cached user
carries its scope (`user_scope`) and memberships, so the write-role permission and the
enterprise-membership check need no query either. Entries live in the worker's memory at most
GASGUARD_GATE_CACHE_SECONDS (default 60 s) and are dropped as soon as a user, membership or
token change commits (gate_cache generation) — documented in docs/cylinders.md.
"""

import copy

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from gasguard.accounts.selectors import user_scope
from gasguard.cylinders.gate_cache import gate_cache_get, gate_cache_set
from gasguard.cylinders.permissions import _memberships


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        cache_key = f"gg:cyl:token:{key}"
        gen, hit = gate_cache_get([cache_key])
        user = hit.get(cache_key)
        if user is None:
            user, token = super().authenticate_credentials(key)
            # Computed before caching so they travel with the cached user object.
            user_scope(user=user)
            _memberships(user)
            gate_cache_set(cache_key, user, gen=gen)
            return user, token
        if not user.is_active:
            raise exceptions.AuthenticationFailed("用户已停用")
        # The cached object is shared by this worker's threads: each request gets its own copy.
        return copy.copy(user), key
