"""A Redis cache that degrades to this process's memory when Redis is down.

Django's RedisCache raises on a connection error, which would turn every page and API read that
consults the cache (cached charts, the API's throttles) into a 500 while Redis is away. Here a
failed call is logged and served by a small local-memory cache of the process instead: pages
keep serving (their keys carry the data version, so nothing stale is shown), and the throttles
keep counting, per process, rather than letting everything through until Redis is back.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# One warning per this many seconds, not one per request, while Redis stays down.
WARN_EVERY_SECONDS = 30


# Entries kept in the process while Redis is down: enough for the throttles' counters and the
# pages being read, bounded so an outage cannot grow a worker's memory.
FALLBACK_ENTRIES = 2000


class FailSafeRedisCache(RedisCache):
    _last_warning = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self.fallback = LocMemCache(
            f"fail-safe-{server}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "OPTIONS": {"MAX_ENTRIES": FALLBACK_ENTRIES}},
        )

    def _failed(self, operation, error):
        now = time.monotonic()
        if now - FailSafeRedisCache._last_warning >= WARN_EVERY_SECONDS:
            FailSafeRedisCache._last_warning = now
            logger.warning("Cache unavailable (%s): %s; using process memory.", operation, error)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except Exception as error:
            self._failed("add", error)
            return self.fallback.add(key, value, timeout, version)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except Exception as error:
            self._failed("get", error)
            return self.fallback.get(key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except Exception as error:
            self._failed("set", error)
            return self.fallback.set(key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except Exception as error:
            self._failed("touch", error)
            return self.fallback.touch(key, timeout, version)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except Exception as error:
            self._failed("delete", error)
            return self.fallback.delete(key, version)

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except Exception as error:
            self._failed("get_many", error)
            return self.fallback.get_many(keys, version)

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except Exception as error:
            self._failed("has_key", error)
            return self.fallback.has_key(key, version)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except ValueError:
            raise
        except Exception as error:
            self._failed("incr", error)
            return self.fallback.incr(key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except Exception as error:
            self._failed("set_many", error)
            return self.fallback.set_many(data, timeout, version)

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except Exception as error:
            self._failed("delete_many", error)
            return self.fallback.delete_many(keys, version)

    def clear(self):
        try:
            return super().clear()
        except Exception as error:
            self._failed("clear", error)
            return self.fallback.clear()
