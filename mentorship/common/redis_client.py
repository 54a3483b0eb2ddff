"""Redis clients whose calls give up quickly: a request never waits long on a dead or slow Redis (SPEC §2).

redis-py's default is no socket timeout and three retries with a backoff of up to ten seconds; for a call made
while a client waits, a short connect and read timeout and one immediate retry (for a pooled connection that a
restarted Redis closed) are enough, and whatever needed Redis is left to the sweep or to per-process counters.
"""
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry


def request_options(config):
    """Keyword arguments for a Redis client used inside requests (also given to the rate limiter's storage)."""
    return {"socket_connect_timeout": config["REDIS_CONNECT_TIMEOUT_SECONDS"],
            "socket_timeout": config["REDIS_SOCKET_TIMEOUT_SECONDS"],
            "retry": Retry(NoBackoff(), 1)}


def request_client(url, config):
    return Redis.from_url(url, **request_options(config))


def is_plain_redis(storage_uri):
    """A rate-limit storage URI of a single Redis (the schemes of `limits` that take a redis-py client's options)."""
    return storage_uri.split("://", 1)[0] in {"redis", "rediss", "redis+unix"}
