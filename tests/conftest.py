"""Fixtures: the app and its schema once per session (built by the Alembic migrations), each test inside a
transaction that is rolled back, two tenants with admin keys, and API clients."""
import os
import tempfile

import pytest
import time_machine
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession

from mentorship import create_app, jobs
from mentorship.common.cache import clear_all
from mentorship.config import TestConfig
from mentorship.extensions import db
from mentorship.jobs.runner import LocalBackend
from tests.factories import ApiClient, TenantFixture, make_tenant, smtp_server, wipe_redis
from tests.pairs import MONDAY


def _database_url():
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tempfile.mkdtemp(prefix='mentorship-test-')}/test.db"


class _TestSession(FlaskSession):
    """Flask-SQLAlchemy picks its engine over an explicit bind; tests need the bound connection."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind or self.bind


@pytest.fixture(scope="session")
def app():
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = _database_url()

    app = create_app(Config)
    jobs.runner.bind(app)
    with app.app_context():
        upgrade()
    return app


def _forget_local_jobs(app):
    """Jobs a test queued on the in-process backend and never ran name rows its rollback removed; the next test
    reuses those ids (tenant 1, webhook 1...), and a job queued `once` would keep that test's own job out."""
    jobs = app.extensions.get("jobs")
    if isinstance(jobs, LocalBackend):
        with jobs.items.mutex:
            jobs.items.queue.clear()
        with jobs.lock:
            jobs.waiting.clear()


@pytest.fixture(autouse=True)
def _rolled_back(app):
    """Every session the app opens during the test joins one outer transaction, rolled back at the end."""
    with app.app_context():
        # deferred: the outer transaction must not hold SQLite's write lock while a test reads on another connection
        connection = db.engine.connect().execution_options(sqlite_begin="DEFERRED")
    outer = connection.begin()
    original = db.session
    db.session = db._make_scoped_session({"bind": connection, "join_transaction_mode": "create_savepoint",
                                          "class_": _TestSession})
    try:
        yield
    finally:
        clear_all()  # cached lookups may describe rows the rollback removes
        _forget_local_jobs(app)
        with app.app_context():
            db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()


@pytest.fixture
def tenant(app) -> TenantFixture:
    return make_tenant(app, "alpha")


@pytest.fixture
def other_tenant(app) -> TenantFixture:
    return make_tenant(app, "beta")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def admin(app, tenant) -> ApiClient:
    return ApiClient(app.test_client(), tenant.admin_key)


@pytest.fixture
def other_admin(app, other_tenant) -> ApiClient:
    return ApiClient(app.test_client(), other_tenant.admin_key)


@pytest.fixture
def rq_backend(app):
    """Jobs go to real Redis (TEST_REDIS_URL, database 15 by default) under a queue prefix of this test run, wiped
    before and after; run them with `run_worker(rq_backend)`."""
    import redis

    from mentorship.jobs.runner import RqBackend

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    backend = RqBackend(url, prefix=f"test-{os.getpid()}:")
    try:
        wipe_redis(backend)
    except redis.ConnectionError as exc:
        pytest.skip(f"Redis is not reachable at {url}: {exc}")
    local = app.extensions["jobs"]
    app.extensions["jobs"] = backend
    yield backend
    app.extensions["jobs"] = local
    wipe_redis(backend)
    backend.redis.connection_pool.disconnect()  # closed now, not whenever the cycle collector gets to them


class _Inbox:
    """What the local SMTP sink received (aiosmtpd handler), as EmailMessage objects (email.policy.default)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    @staticmethod
    def text(message):
        """The plain-text part of a received message."""
        return message.get_body(("plain",)).get_content()

    def subjects(self, to=None):
        return [m["Subject"] for m in self.messages if to is None or m["To"] == to]


@pytest.fixture
def smtp_sink(app):
    """A real SMTP server on a free local port; MAIL_URL points at it for the test."""
    with smtp_server(app, _Inbox()) as inbox:
        yield inbox


@pytest.fixture
def clock():
    """Time stopped at MONDAY (tests/pairs.py) for the test; `clock.move_to(...)` moves it."""
    with time_machine.travel(MONDAY, tick=False) as machine:
        yield machine
