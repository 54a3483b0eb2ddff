"""SQLite transactions (database.sqlite_begin_mode): a safe-method request reads without the write lock, so it
answers while another connection writes; a request that may write still takes the lock when it begins, so reading
then writing waits for a concurrent writer instead of failing on a stale snapshot. On a database file of its own,
committed for real (not the suite's rolled-back connection)."""
import sqlite3
import threading
import time

import pytest
from flask_migrate import upgrade

from mentorship import create_app
from mentorship.common.cache import clear_all
from mentorship.config import TestConfig
from mentorship.database import sqlite_begin_mode
from mentorship.extensions import db
from tests.factories import ApiClient, make_tenant, mentor_payload


@pytest.fixture
def _rolled_back():
    """Overrides the suite's shared rolled-back connection: this database is a file of its own."""
    yield


@pytest.fixture
def served(tmp_path):
    """(app, admin client, a mentor's id, the database file) on a fresh SQLite file."""
    path = tmp_path / "begin.db"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"

    app = create_app(Config)
    with app.app_context():
        upgrade()
    tenant = make_tenant(app, "begin")
    admin = ApiClient(app.test_client(), tenant.admin_key)
    mentor = admin.post("/api/v1/members", json=mentor_payload(name="Before")).json["id"]
    yield app, admin, mentor, str(path)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _holding_the_write_lock(path):
    """A raw connection that took the write lock and changed the mentor's name, uncommitted."""
    writer = sqlite3.connect(path, isolation_level=None, timeout=10)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE members SET name = 'After' WHERE role = 'mentor'")
    return writer


def test_begin_mode_by_request_method(app):
    with app.app_context():
        connection = db.engine.connect()
        try:
            assert sqlite_begin_mode(connection) == "IMMEDIATE"  # no request: a job, the CLI
            for method, mode in (("GET", "DEFERRED"), ("HEAD", "DEFERRED"), ("POST", "IMMEDIATE"),
                                 ("PATCH", "IMMEDIATE"), ("DELETE", "IMMEDIATE")):
                with app.test_request_context(method=method):
                    assert sqlite_begin_mode(connection) == mode
            with app.test_request_context(method="GET"):
                assert sqlite_begin_mode(connection.execution_options(sqlite_begin="IMMEDIATE")) == "IMMEDIATE"
        finally:
            connection.close()


def test_a_get_answers_while_another_connection_writes(served):
    app, admin, mentor, path = served
    with sqlite3.connect(path) as unused:  # the key looks never used, and is not cached: the GET notes its use
        unused.execute("UPDATE api_keys SET last_used_at = NULL")
    clear_all()
    writer = _holding_the_write_lock(path)
    try:
        started = time.monotonic()
        # the credential's lookup also writes last_used_at: that write gives way to the writer, the GET goes on
        response = admin.get(f"/api/v1/members/{mentor}")
        assert response.status_code == 200, response.json
        assert response.json["name"] == "Before"  # the last committed state
        assert admin.get(f"/api/v1/members/{mentor}/recommendations").status_code == 422  # a mentor: read, answered
        assert time.monotonic() - started < 2  # not queued behind the writer (busy_timeout is 10 s)
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert admin.get(f"/api/v1/members/{mentor}").json["name"] == "After"


def test_a_write_that_reads_first_waits_for_the_writer(served):
    app, admin, mentor, path = served
    writer = _holding_the_write_lock(path)
    answers = []
    patch = threading.Thread(target=lambda: answers.append(
        admin.patch(f"/api/v1/members/{mentor}", json={"headline": "Waited for the lock"})))
    patch.start()
    time.sleep(0.5)  # the PATCH is waiting for the lock; were it reading on a snapshot, this commit would stale it
    writer.execute("COMMIT")
    writer.close()
    patch.join(timeout=15)
    assert answers and answers[0].status_code == 200, answers and answers[0].json
    after = admin.get(f"/api/v1/members/{mentor}").json
    assert (after["name"], after["headline"]) == ("After", "Waited for the lock")
