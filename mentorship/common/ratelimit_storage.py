"""Rate-limit counters (common/ratelimit.py, on `limits`): in process without Redis, one round trip with it.

`local://` (LocalStorage): limits' own MemoryStorage starts a sweeper Timer thread every 10 ms of traffic
(measured: a new thread on about one request in four, ~300 µs each); these counters expire when read and are swept
only when the table grows large.

`mentorship+redis://...` (OneTripRedisStorage; create_app turns a plain `redis://` storage URI into it): limits'
Redis storage sends three commands per request for a fixed window — the INCR script, then GET and TTL for the
X-RateLimit-* headers. Here the script returns the count and the TTL with the increment, and the header reads that
follow in the same thread answer from it, so a request costs Redis one round trip. Counting, expiry and what a
client is told are limits' fixed window as before; errors are redis-py's, so the in-memory fallback still takes
over when Redis is down.
"""
import threading
import time

from limits.storage import RedisStorage, Storage

# the script of limits' incr_expire.lua, returning the key's TTL with the count
INCR_EXPIRE_TTL = """
local current = redis.call("incrby", KEYS[1], ARGV[2])
if tonumber(current) == tonumber(ARGV[2]) then
    redis.call("expire", KEYS[1], ARGV[1])
end
return {current, redis.call("ttl", KEYS[1])}
"""
# how long an increment's answer stands in for a GET/TTL in the same thread (the same request's header reads)
SEEN_FOR_SECONDS = 1.0

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


class OneTripRedisStorage(RedisStorage):
    STORAGE_SCHEME = ["mentorship+redis", "mentorship+rediss", "mentorship+redis+unix"]
    PREFIX_SCHEME = "mentorship+"

    def __init__(self, uri, **options):
        self._seen = threading.local()
        super().__init__(uri.removeprefix(self.PREFIX_SCHEME), **options)

    def initialize_storage(self, uri):
        super().initialize_storage(uri)
        self.lua_incr_expire_ttl = self.get_connection().register_script(INCR_EXPIRE_TTL)

    def incr(self, key, expiry, amount=1):
        count, ttl = self.lua_incr_expire_ttl([self.prefixed_key(key)], [expiry, amount])
        now = time.time()
        self._seen.entry = (key, int(count), now + max(int(ttl), 0), time.monotonic())
        return int(count)

    def _just_seen(self, key):
        entry = getattr(self._seen, "entry", None)
        if entry is not None and entry[0] == key and time.monotonic() - entry[3] <= SEEN_FOR_SECONDS:
            return entry
        return None

    def get(self, key):
        entry = self._just_seen(key)
        return entry[1] if entry is not None else super().get(key)

    def get_expiry(self, key):
        entry = self._just_seen(key)
        return entry[2] if entry is not None else super().get_expiry(key)

    def clear(self, key):
        self._seen.entry = None
        super().clear(key)


def one_trip_uri(storage_uri):
    """The storage URI the rate limiter is given for `storage_uri`: plain Redis goes through OneTripRedisStorage."""
    scheme = storage_uri.split("://", 1)[0]
    return OneTripRedisStorage.PREFIX_SCHEME + storage_uri if scheme in ("redis", "rediss", "redis+unix") \
        else storage_uri
