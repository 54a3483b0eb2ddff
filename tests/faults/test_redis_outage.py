"""SPEC §2 "Dependencies down", Redis: unreachable Redis never fails a request; jobs wait in the outbox for the
sweep; workers outlive the outage (in-process checks of the same: test_redis_unreachable.py).

Real processes: a private redis-server (killed with SIGKILL, restarted empty on the same
port), the app under gunicorn, a `flask --app wsgi worker` started before the outage, a local SMTP sink, and the
suite's database (SQLite or PostgreSQL) with a tenant committed for real and deleted afterwards.
"""
import random
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import select

from mentorship.extensions import db
from mentorship.matchmaking.models import MatchRun
from mentorship.notifications.models import Notification
from mentorship.tenancy.scope import tenant_scope, unscoped
from tests.factories import mentee_payload, mentor_payload, smtp_server
from tests.faults import services

BEFORE, OUTAGE, AFTER = 3, 6, 10  # seconds of load with Redis up, killed, back


@pytest.fixture
def _rolled_back():
    """Committed for real: the served app and the worker are other processes."""
    yield


@pytest.fixture
def private_redis():
    missing = services.redis_missing()
    if missing:
        pytest.skip(missing)
    redis = services.PrivateRedis()
    redis.start()
    yield redis
    redis.close()


class _BusyFirstInbox:
    """Holds the first message until `release` is set, so the worker is mid-job when Redis dies; keeps the rest."""

    def __init__(self):
        self.message_ids, self.entered, self.release = [], threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        import asyncio
        from email import message_from_bytes

        if not self.entered.is_set():
            self.entered.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        self.message_ids.append(message_from_bytes(envelope.content)["Message-ID"])
        return "250 OK"


@pytest.fixture
def served(app, private_redis):
    """gunicorn and a worker over the private Redis, the suite's database and an SMTP sink; a committed tenant."""
    with smtp_server(app, _BusyFirstInbox()) as inbox:
        env = services.app_env(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=private_redis.url,
                               MAIL_URL=app.config["MAIL_URL"], MAIL_LEASE_SECONDS=30)
        tenant_id, key = services.create_tenant(env, f"redis-outage-{time.monotonic_ns()}")
        server, base = services.serve(env)
        worker = services.start_worker(env, private_redis)
        try:
            yield env, base, key, tenant_id, worker, inbox
        finally:
            for process in (worker, server):
                process.stop()
            _delete_tenant(app, tenant_id)


def _delete_tenant(app, tenant_id):
    from mentorship.tenancy.models import Tenant

    with app.app_context(), unscoped():
        db.session.delete(db.session.get(Tenant, tenant_id))
        db.session.commit()
        db.session.remove()


def _traffic(base, key):
    headers, rng = {"Authorization": f"Bearer {key}"}, random.Random(11)

    def read(session, timeout):
        return "read", session.get(f"{base}/api/v1/members?per_page=5", headers=headers, timeout=timeout)

    def intro(session, timeout):
        """Two members and an intro between them: three writes, one notification due now."""
        made = []
        for payload in (mentee_payload(), mentor_payload()):
            r = session.post(f"{base}/api/v1/members", json=payload, headers=headers, timeout=timeout)
            if r.status_code != 201:
                return "member", r
            made.append(r.json())
        mentee, mentor = made
        return "intro", session.post(f"{base}/api/v1/intros", headers=headers, timeout=timeout, json={
            "mentee_id": mentee["id"], "mentor_id": mentor["id"], "message": services.personal_message(mentor, rng)})

    return [intro, read]


def _due_notifications(app, tenant_id):
    with app.app_context(), tenant_scope(tenant_id):
        rows = db.session.execute(select(Notification.id, Notification.status, Notification.due_at)).all()
        db.session.remove()
    return rows


def _all_sent(app, tenant_id):
    return all(status == "sent" for _, status, _ in _due_notifications(app, tenant_id))


def test_redis_killed_and_restarted_under_load(app, private_redis, served):
    env, base, key, tenant_id, worker, inbox = served
    headers = {"Authorization": f"Bearer {key}"}
    with services.Load(_traffic(base, key), threads=4, timeout=10) as load:
        time.sleep(BEFORE)
        assert inbox.entered.wait(30), "the worker never started sending"
        private_redis.kill()  # while the worker is in the middle of a job
        killed = time.monotonic()
        inbox.release.set()  # the job finishes; recording its success in Redis fails
        time.sleep(OUTAGE / 2)
        run = services.requests.post(f"{base}/api/v1/match-runs", json={"strategy": "optimal"}, headers=headers,
                                     timeout=10)
        time.sleep(OUTAGE / 2)
        private_redis.start()
        back = time.monotonic()
        time.sleep(AFTER)

    bad = [a for a in load.answers if a.status is None or a.status >= 500]
    assert bad == [], bad[:5]
    assert max(a.seconds for a in load.answers) < 5
    intros = Counter("during" if killed <= a.started < back else "before" if a.started < killed else "after"
                     for a in load.answers if a.action == "intro" and a.status == 201)
    assert intros["before"] and intros["during"] and intros["after"], (intros, Counter(
        (a.action, a.status, a.body.get("code") if isinstance(a.body, dict) else None) for a in load.answers))
    assert run.status_code == 202, run.text  # the run waits in the database for the sweep (queued, not lost)
    with app.app_context(), tenant_scope(tenant_id):
        assert db.session.scalar(select(MatchRun.status).where(MatchRun.id == run.json()["id"])) in {
            "queued", "running", "done"}
        db.session.remove()
    # the rate limits went back to Redis once it answered (each process checks with a backoff of 1, 2, 4, 8 s)
    assert list(private_redis.client().scan_iter("LIMITS*")), "the rate limiter never returned to Redis"

    assert worker.alive(), worker.output()
    from rq import Worker

    # RQ's worker left work() when Redis failed under it; the same process registered a new one once Redis was back
    assert Worker.all(connection=private_redis.client()), worker.output()
    services.flask(env, "sweep")  # what the scheduler does every minute: queue whatever is due and unsent
    services.wait_until(lambda: _all_sent(app, tenant_id), 120, "every due notification sent")
    assert worker.alive(), worker.output()
    ours = Counter(m for m in inbox.message_ids if f"<notification-{tenant_id}-" in m)
    due = {f"<notification-{tenant_id}-{i}@" for i, _, _ in _due_notifications(app, tenant_id)}
    assert {m.split("@")[0] + "@" for m in ours} == due
    assert set(ours.values()) == {1}, [m for m, n in ours.items() if n > 1]
    assert len(due) >= sum(intros.values())
