"""A Redis cache that degrades to "no cache" when Redis is down.

Django's RedisCache raises on a connection error, which would turn every page and API read that
consults the cache (cached charts, the API's anonymous throttle) into a 500 while Redis is away.
Here a failed call is logged and answered as a miss: reads go to the database, writes to the cache
are dropped, and the site keeps serving until Redis is back.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# One warning per this many seconds, not one per request, while Redis stays down.
WARN_EVERY_SECONDS = 30


class FailSafeRedisCache(RedisCache):
    _last_warning = 0.0

    def _failed(self, operation, error):
        now = time.monotonic()
        if now - FailSafeRedisCache._last_warning >= WARN_EVERY_SECONDS:
            FailSafeRedisCache._last_warning = now
            logger.warning("Cache unavailable (%s): %s; serving without it.", operation, error)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except Exception as error:
            self._failed("add", error)
            return False

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except Exception as error:
            self._failed("get", error)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except Exception as error:
            self._failed("set", error)
            return None

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except Exception as error:
            self._failed("touch", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except Exception as error:
            self._failed("delete", error)
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except Exception as error:
            self._failed("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except Exception as error:
            self._failed("has_key", error)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except ValueError:
            raise
        except Exception as error:
            self._failed("incr", error)
            return delta

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except Exception as error:
            self._failed("set_many", error)
            return list(data)

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except Exception as error:
            self._failed("delete_many", error)
            return None

    def clear(self):
        try:
            return super().clear()
        except Exception as error:
            self._failed("clear", error)
            return False
