"""database.ping_when_idle on PostgreSQL: a pooled connection that sat idle is pinged, and one the server dropped
meanwhile is replaced before any statement uses it; a connection used a moment ago is not pinged (no extra round
trip on a busy service)."""
import os
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from mentorship.database import ping_when_idle

URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not URL.startswith("postgresql"), reason="PostgreSQL (TEST_DATABASE_URL)")


@pytest.fixture
def engine():
    url = URL.replace("postgresql://", "postgresql+psycopg://", 1)
    made = create_engine(url, pool_size=1, max_overflow=0, pool_pre_ping=False)
    yield made
    made.dispose()


def _backend_pid(engine):
    with engine.connect() as connection:
        return connection.scalar(text("SELECT pg_backend_pid()"))


def _kill(pid):
    killer = create_engine(URL.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=None)
    with killer.connect() as connection:
        assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()
    time.sleep(0.2)


def test_an_idle_connection_the_server_dropped_is_replaced(engine):
    ping_when_idle(engine, 0.1)
    pid = _backend_pid(engine)
    _kill(pid)
    time.sleep(0.2)  # idle past the threshold
    assert _backend_pid(engine) != pid  # pinged, found dead, replaced: the statement never saw the dead one


def test_a_busy_connection_is_not_pinged(engine):
    ping_when_idle(engine, 60)
    pings = []
    original = engine.dialect.do_ping
    engine.dialect.do_ping = lambda conn: pings.append(1) or original(conn)
    for _ in range(5):
        _backend_pid(engine)
    assert pings == []


def test_without_the_ping_the_dropped_connection_fails_once(engine):
    ping_when_idle(engine, 60)  # "used a moment ago": not pinged, so the statement meets the dead connection
    pid = _backend_pid(engine)
    _kill(pid)
    with pytest.raises(OperationalError):
        _backend_pid(engine)
    assert _backend_pid(engine) != pid  # the pool replaced it after the failure
