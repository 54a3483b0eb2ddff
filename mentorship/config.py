"""Settings from the environment (12-factor); TestConfig for the suite."""
import os
from pathlib import Path

INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def _bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'mentorship.db'}"
    SQLALCHEMY_ENGINE_OPTIONS = {}
    # PostgreSQL: a pooled connection idle longer than this is pinged before use (database.ping_when_idle)
    DATABASE_PING_AFTER_IDLE_SECONDS = float(os.environ.get("DATABASE_PING_AFTER_IDLE_SECONDS", 1))
    # PostgreSQL down answers 503 within 5 s (SPEC §2): a connection attempt and a wait for a pooled connection
    # are bounded (database.engine_options); libpq's connect_timeout counts whole seconds, at least 2
    DATABASE_CONNECT_TIMEOUT_SECONDS = int(os.environ.get("DATABASE_CONNECT_TIMEOUT_SECONDS", 2))
    DATABASE_POOL_TIMEOUT_SECONDS = float(os.environ.get("DATABASE_POOL_TIMEOUT_SECONDS", 2))
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # Redis calls made while a request waits (enqueues, rate-limit counters) give up after these; the work is
    # left to the sweep and the limits to per-process counters (SPEC §2, common/redis_client.py)
    REDIS_CONNECT_TIMEOUT_SECONDS = float(os.environ.get("REDIS_CONNECT_TIMEOUT_SECONDS", 0.5))
    REDIS_SOCKET_TIMEOUT_SECONDS = float(os.environ.get("REDIS_SOCKET_TIMEOUT_SECONDS", 1))
    # smtp://host:port (smtps://, smtp+starttls://, user:password@ allowed); empty: e-mails are only logged
    MAIL_URL = os.environ.get("MAIL_URL", "")
    MAIL_TIMEOUT_SECONDS = float(os.environ.get("MAIL_TIMEOUT_SECONDS", 20))
    # a notification claimed by a worker that died mid-send goes out again after this long
    MAIL_LEASE_SECONDS = int(os.environ.get("MAIL_LEASE_SECONDS", 300))
    MAIL_FROM = os.environ.get("MAIL_FROM", "Mentorship <no-reply@mentorship.local>")
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")

    # The pages' session cookie (the API takes none: common/sessions.py); Secure also whenever the request came
    # over https (sessions.py), always when PUBLIC_URL is https
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", PUBLIC_URL.startswith("https://"))
    PERMANENT_SESSION_LIFETIME = int(os.environ.get("SESSION_DAYS", 30)) * 86400

    # Bodies: JSON requests are small; CSV imports may be large.
    JSON_MAX_BYTES = int(os.environ.get("JSON_MAX_BYTES", 256 * 1024))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 32 * 1024 * 1024))
    JSON_MAX_DEPTH = 32
    # CSV imports of more rows than this answer 202 and run as a job with progress (members/import_jobs.py)
    IMPORT_SYNC_MAX_ROWS = int(os.environ.get("IMPORT_SYNC_MAX_ROWS", 5000))
    IMPORT_BATCH_ROWS = int(os.environ.get("IMPORT_BATCH_ROWS", 1000))  # progress commits and INSERT batches
    IMPORT_MAX_ERRORS = 1000  # a failed import keeps the errors of the first rows, and counts them all

    MEMBER_TOKEN_DAYS = int(os.environ.get("MEMBER_TOKEN_DAYS", 90))  # a mentorship runs for months
    IDEMPOTENCY_HOURS = 24
    # Per-process caches of every-request lookups; a change made in another process shows within this time.
    CREDENTIAL_CACHE_SECONDS = float(os.environ.get("CREDENTIAL_CACHE_SECONDS", 5))
    POLICY_CACHE_SECONDS = float(os.environ.get("POLICY_CACHE_SECONDS", 5))
    # recommendations answers kept per process (matchmaking/freshness.py; ~8 kB each at limit=10); 0: none kept
    RECOMMENDATIONS_CACHE_ENTRIES = int(os.environ.get("RECOMMENDATIONS_CACHE_ENTRIES", 2000))

    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_DEFAULT = os.environ.get("RATELIMIT_DEFAULT", "600 per minute")
    # one budget per credential across all processes with Redis; per process (local://) without
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "local://"
    # Redis unreachable: counted in this process instead, back to Redis once it answers (common/ratelimit.py)

    WEBHOOK_ALLOW_PRIVATE = _bool("WEBHOOK_ALLOW_PRIVATE", False)
    # a delivery claimed by a worker that died mid-request is sent again (same webhook-id) after this long
    WEBHOOK_LEASE_SECONDS = int(os.environ.get("WEBHOOK_LEASE_SECONDS", 60))

    # Jobs: RQ over REDIS_URL, else a thread in the web process; the sweep re-enqueues anything due.
    JOBS_QUEUE_PREFIX = os.environ.get("JOBS_QUEUE_PREFIX", "")
    SWEEP_INTERVAL_SECONDS = int(os.environ.get("SWEEP_INTERVAL_SECONDS", 60))
    SWEEP_IN_PROCESS = _bool("SWEEP_IN_PROCESS", True)
    SWEEP_WAIT_SECONDS = int(os.environ.get("SWEEP_WAIT_SECONDS", 600))
    # `flask worker` serves its own job metrics on this port (prometheus_client's server) when set
    WORKER_METRICS_PORT = int(os.environ.get("WORKER_METRICS_PORT") or 0)
    JOBS_LOCAL_AUTOSTART = True
    # a match run's worker beats this often; a running run silent for MATCH_RUN_STALE_SECONDS is run again by the sweep
    MATCH_RUN_HEARTBEAT_SECONDS = float(os.environ.get("MATCH_RUN_HEARTBEAT_SECONDS", 10))
    MATCH_RUN_STALE_SECONDS = float(os.environ.get("MATCH_RUN_STALE_SECONDS", 45))
    # a run of at least this many mentees is cut into blocks of MATCH_RUN_BLOCK_MENTEES that any worker may compute;
    # it queues up to MATCH_RUN_SPLIT_HELPERS helper jobs, so that many more workers can join it (split.py)
    MATCH_RUN_SPLIT_MENTEES = int(os.environ.get("MATCH_RUN_SPLIT_MENTEES", 20_000))
    MATCH_RUN_BLOCK_MENTEES = int(os.environ.get("MATCH_RUN_BLOCK_MENTEES", 2_500))
    MATCH_RUN_SPLIT_HELPERS = int(os.environ.get("MATCH_RUN_SPLIT_HELPERS", 3))
    # numpy's BLAS threads in a worker process: one, so that each worker uses the one CPU it is given and adding
    # workers adds CPUs (several threads per worker fight each other when workers share the CPUs); 0: BLAS's default
    WORKER_BLAS_THREADS = int(os.environ.get("WORKER_BLAS_THREADS", 1))

    # plain for a console (flask run); json (one object per line) under gunicorn, which sets it (gunicorn.conf.py)
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

    API_TITLE = "Mentorship API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    OPENAPI_SWAGGER_UI_URL = "/docs/assets/"  # served from the swagger-ui-bundle package, no CDN


class TestConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    REDIS_URL = None
    RATELIMIT_DEFAULT = "1000000 per minute"  # on, but out of the way; tests/test_ratelimit.py lowers it
    RATELIMIT_STORAGE_URI = "local://"
    WEBHOOK_ALLOW_PRIVATE = True
    SWEEP_IN_PROCESS = False  # tests run the sweep themselves
    JOBS_LOCAL_AUTOSTART = False  # in-process jobs run when a test waits for them (one shared connection)
