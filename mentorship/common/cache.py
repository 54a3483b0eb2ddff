"""Small per-process caches with a time-to-live, for lookups every request makes (credentials, policy).

A write in this process clears the cache at once; other processes see it within the TTL (configurable,
a few seconds). Every cache registers itself so tests can clear them all when they roll the database back.
"""
import time

from flask import current_app

_ALL = []


class TtlCache:
    def __init__(self, ttl_setting, max_entries=10_000):
        self.ttl_setting, self.max_entries = ttl_setting, max_entries
        self._entries = {}
        _ALL.append(self)

    def get(self, key, load):
        """The cached value for `key`, or load() it (a None result is not cached)."""
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        ttl = current_app.config[self.ttl_setting]
        if value is not None and ttl > 0:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (now + ttl, value)
        return value

    def clear(self):
        self._entries.clear()


def register(cache):
    """Anything with .clear() that holds per-process copies of rows (cleared together by tests)."""
    _ALL.append(cache)
    return cache


def clear_all():
    for cache in _ALL:
        cache.clear()
