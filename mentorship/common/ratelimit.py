"""The rate limit (SPEC §2: per credential, default 600 requests a minute, 429 `rate_limited`), on `limits`.

One budget per credential across the whole API (unauthenticated calls: one per address), counted in a fixed window
by `limits` — in Redis when there is one (one round trip a request: ratelimit_storage.OneTripRedisStorage), in
this process otherwise (`local://`). Every limited answer carries X-RateLimit-Limit, -Remaining and -Reset; a
refusal is 429 problem+json with Retry-After, the seconds until the window ends.

Redis unreachable fails no request: counting moves to this process's counters, and Redis is tried again after 1,
2, 4, then every 8 seconds until it answers (then the counts are Redis's again).

Why not Flask-Limiter, which did this before: its per-request machinery (limit managers, exemption scopes,
per-endpoint scopes, a context object) cost about 0.3 ms of Python on every request, as much as a cached
recommendations answer's own work (bench/RESULTS.md §19), and it scoped the default limit per endpoint, where
SPEC asks for one budget per credential. What it did that we use is `limits`' storage and strategy: kept.
"""
import logging
import math
import time

from flask import current_app, g, request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from mentorship.common.ratelimit_storage import LocalStorage

log = logging.getLogger(__name__)
RETRY_BACKOFF = (1, 2, 4, 8)  # seconds before Redis is tried again, after each failure in a row


class RateLimited(TooManyRequests):
    def __init__(self, retry_after):
        super().__init__()
        self.retry_after = retry_after


class RateLimiter:
    def __init__(self, key_func):
        self.key_func = key_func
        self.enabled = True  # a switch at run time (benchmarks); RATELIMIT_ENABLED is the setting
        self.exempt_blueprints = set()
        self._parsed = {}
        self.storage = self.fallback = None
        self._failures, self._retry_at = 0, 0.0

    def init_app(self, app):
        """Register the check (a before_request: call after the credential is known) and the headers."""
        uri = app.config["RATELIMIT_STORAGE_URI"]
        self.storage = storage_from_string(uri, **app.config.get("RATELIMIT_STORAGE_OPTIONS", {}))
        self.fallback = LocalStorage() if not uri.startswith("local://") else None
        self._failures, self._retry_at = 0, 0.0
        app.extensions["ratelimit"] = self
        app.before_request(self.check_rate_limit)
        app.after_request(self.add_rate_limit_headers)

    def exempt(self, blueprint):
        self.exempt_blueprints.add(blueprint.name)

    def reset(self):
        for storage in (self.storage, self.fallback):
            if storage is not None:
                storage.reset()

    def _limit(self):
        text = current_app.config["RATELIMIT_DEFAULT"]
        limit = self._parsed.get(text)
        if limit is None:
            limit = self._parsed[text] = parse(text)
        return limit

    def _counting_storage(self):
        if self._failures and time.monotonic() < self._retry_at:
            return self.fallback
        return self.storage

    def _failed(self, exc):
        self._failures += 1
        wait = RETRY_BACKOFF[min(self._failures, len(RETRY_BACKOFF)) - 1]
        self._retry_at = time.monotonic() + wait
        log.warning("rate-limit storage unreachable (%s): counting in this process, trying again in %d s",
                    str(exc).splitlines()[0] if str(exc) else type(exc).__name__, wait)

    def check_rate_limit(self):
        """before_request: count this request against its credential's budget; 429 when it is spent."""
        if not (self.enabled and current_app.config["RATELIMIT_ENABLED"]) or request.endpoint is None \
                or request.blueprint in self.exempt_blueprints or request.endpoint == "static":
            return
        limit, key = self._limit(), self.key_func()
        storage = self._counting_storage()
        try:
            allowed, stats = self._hit(storage, limit, key)
            if storage is self.storage and self._failures:
                self._failures = 0
                log.info("rate-limit storage answers again: counting there")
        except Exception as exc:  # noqa: BLE001 - any storage failure: count here, never fail the request
            if storage is not self.storage or self.fallback is None:
                log.exception("rate limiting failed; the request goes on unlimited")
                return
            self._failed(exc)
            allowed, stats = self._hit(self.fallback, limit, key)
        g.rate_limit = (limit, stats)
        if not allowed:
            raise RateLimited(max(1, math.ceil(stats.reset_time - time.time())))

    @staticmethod
    def _hit(storage, limit, key):
        strategy = FixedWindowRateLimiter(storage)
        allowed = strategy.hit(limit, key)
        return allowed, strategy.get_window_stats(limit, key)

    def add_rate_limit_headers(self, response):
        counted = g.get("rate_limit")
        if counted is not None:
            limit, stats = counted
            response.headers["X-RateLimit-Limit"] = str(limit.amount)
            response.headers["X-RateLimit-Remaining"] = str(max(0, stats.remaining))
            response.headers["X-RateLimit-Reset"] = str(math.ceil(stats.reset_time))
        return response
