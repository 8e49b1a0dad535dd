"""Django's Redis cache with one client object per connection pool instead of one per call.

django.core.cache.backends.redis builds a new `redis.Redis` object on every cache call; that
costs about three times the round trip itself (0.22 ms against 0.07 ms of CPU per GET measured
on the reference machine), and the pre-fill gate reads the cache on every scan. A `redis.Redis`
is safe to share between threads (its connection pool hands each command its own connection),
so the client is built once per pool. Everything else — keys, serialisation, options — is
Django's. Selected by CACHES in config/settings/base.py when REDIS_URL is set.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
