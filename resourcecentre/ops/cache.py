"""A Redis cache that fails open: while Redis is away the site serves pages uncached.

Django's own Redis backend raises on a connection error, which would turn a cache outage
into a site outage. Here a failed call counts as a miss (reads) or is dropped (writes), and
Redis is left alone for a few seconds before the next attempt, so that a dead server does not
cost every request a connection timeout.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)
RETRY_SECONDS = 5.0
FAILURES = (ConnectionError, TimeoutError, OSError)
_UNAVAILABLE = object()


class FailOpenRedisCache(RedisCache):
    _down_until = 0.0

    def _guard(self, call, default):
        if time.monotonic() < FailOpenRedisCache._down_until:
            return default
        try:
            return call()
        except FAILURES:
            logger.warning("Redis is unreachable; serving without the cache for %ss", RETRY_SECONDS)
            FailOpenRedisCache._down_until = time.monotonic() + RETRY_SECONDS
            return default

    def get(self, key, default=None, version=None):
        return self._guard(lambda: super(FailOpenRedisCache, self).get(key, default, version), default)

    def get_many(self, keys, version=None):
        return self._guard(lambda: super(FailOpenRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._guard(lambda: super(FailOpenRedisCache, self).has_key(key, version), False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guard(lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version), None)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version), False)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version), [])

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(lambda: super(FailOpenRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return self._guard(lambda: super(FailOpenRedisCache, self).delete(key, version), False)

    def delete_many(self, keys, version=None):
        self._guard(lambda: super(FailOpenRedisCache, self).delete_many(keys, version), None)

    def incr(self, key, delta=1, version=None):
        result = self._guard(lambda: super(FailOpenRedisCache, self).incr(key, delta, version), _UNAVAILABLE)
        if result is _UNAVAILABLE:
            # django-ratelimit reads ValueError as "no count": with RATELIMIT_FAIL_OPEN it lets
            # the request through.
            raise ValueError("the cache is unavailable")
        return result

    def clear(self):
        self._guard(lambda: super(FailOpenRedisCache, self).clear(), None)
