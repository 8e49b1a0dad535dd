"""Token authentication for the pre-fill gate with a short cache of token → user.

The gate is the hot path (a scan every second per filling scale); re-reading the token and
user row on every scan is the largest fixed cost. The cached user is kept at most
GASGUARD_GATE_CACHE_SECONDS (default 60 s), so a deactivated user or a deleted token stops
working within that time — documented in docs/cylinders.md.
"""

from django.conf import settings
from django.core.cache import cache
from drf_spectacular.authentication import TokenScheme
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        ttl = settings.GASGUARD_GATE_CACHE_SECONDS
        cache_key = f"gg:cyl:token:{key}"
        user = cache.get(cache_key) if ttl else None
        if user is None:
            user, token = super().authenticate_credentials(key)
            if ttl:
                cache.set(cache_key, user, ttl)
            return user, token
        if not user.is_active:
            raise exceptions.AuthenticationFailed("用户已停用")
        return user, key


class CachedTokenScheme(TokenScheme):
    """OpenAPI: the gate's cached token auth is the same `Authorization: Token <key>` header."""

    target_class = CachedTokenAuthentication
    name = "gateTokenAuth"
    priority = 1
