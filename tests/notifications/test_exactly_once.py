"""Issue 4, acceptance 2: a worker killed mid-send and a flushed Redis lose nothing and send nothing twice.

Real parts: a forked-off worker process (`flask --app wsgi worker --burst`, RQ SimpleWorker) over real Redis,
a real SMTP sink, and rows committed for real (a second process must see them); the tenant is deleted afterwards.
"""
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from mentorship.extensions import db
from mentorship.jobs.schedule import sweep
from mentorship.notifications.models import Notification
from mentorship.tenancy.scope import tenant_scope, unscoped
from tests.factories import mentee_payload, mentor_payload, run_worker, smtp_server, wipe_redis

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def _rolled_back():
    """Committed for real: the worker process must see the rows."""
    yield


@pytest.fixture
def committed_tenant(app):
    from mentorship.tenancy.models import Tenant
    from mentorship.tenancy.operations import create_tenant

    with app.app_context(), unscoped():
        tenant, _ = create_tenant(f"outbox-{os.getpid()}-{time.monotonic_ns()}", "Outbox")
        tenant_id = tenant.id
    yield tenant_id
    with app.app_context(), unscoped():
        db.session.delete(db.session.get(Tenant, tenant_id))
        db.session.commit()
        db.session.remove()


def _intro(app, tenant_id):
    """A warm intro: one outbox row for the mentor, committed; its delivery job is queued after the commit."""
    from mentorship.members.operations import create_member, get_member
    from mentorship.members.schemas import MemberInSchema
    from mentorship.outreach.operations import send_warm_intro

    with app.app_context(), tenant_scope(tenant_id):
        mentee = create_member(MemberInSchema().load(mentee_payload()))
        mentor = create_member(MemberInSchema().load(mentor_payload()))
        intro = send_warm_intro(get_member(mentee.id), get_member(mentor.id), "Warm intro.", None)
        db.session.commit()
        row = db.session.scalar(select(Notification).where(Notification.object_id == intro.id,
                                                           Notification.event == "intro.received"))
        result = row.id, get_member(mentor.id).email
        db.session.remove()
        return result


def _status(app, tenant_id, notification_id):
    with app.app_context(), tenant_scope(tenant_id):
        row = db.session.scalar(select(Notification).where(Notification.id == notification_id))
        db.session.remove()
        return row.status


def _sweep(app):
    with app.app_context():
        sweep()
        db.session.remove()


class HangingFirstSend:
    """An SMTP sink whose first DATA never completes (the sender is killed meanwhile); later ones are kept."""

    def __init__(self):
        self.messages, self.entered, self.release, self.calls = [], threading.Event(), threading.Event(), 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        import asyncio

        self.calls += 1
        if self.calls == 1:
            self.entered.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 sender went away"
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def hanging_sink(app):
    with smtp_server(app, HangingFirstSend(), MAIL_LEASE_SECONDS=1) as handler:
        yield handler
        handler.release.set()


def test_worker_killed_mid_send_then_sweep_sends_exactly_once(app, rq_backend, committed_tenant, hanging_sink):
    notification_id, to = _intro(app, committed_tenant)
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
           "JOBS_QUEUE_PREFIX": rq_backend.prefix,
           "MAIL_URL": app.config["MAIL_URL"], "FLASK_APP": "wsgi"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        if not hanging_sink.entered.wait(120):
            worker.kill()
            output = worker.communicate()[0].decode()[-3000:]
            raise AssertionError(f"the worker never reached the SMTP server: {output}")
        worker.send_signal(signal.SIGKILL)  # mid-send: the server has the DATA but never answered
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.communicate(timeout=30)  # reaped, its pipe closed
    hanging_sink.release.set()
    assert _status(app, committed_tenant, notification_id) == "sending"
    assert hanging_sink.messages == []
    time.sleep(1.2)  # past the lease (MAIL_LEASE_SECONDS = 1 here): the claim of the dead worker lapses
    wipe_redis(rq_backend)  # and the job it held is gone, as after a restart
    _sweep(app)
    run_worker(rq_backend)
    assert len(hanging_sink.messages) == 1 and f"To: {to}".encode() in hanging_sink.messages[0]
    assert _status(app, committed_tenant, notification_id) == "sent"
    _sweep(app)  # any number of sweeps later: still once
    run_worker(rq_backend)
    assert len(hanging_sink.messages) == 1


def test_redis_flushed_before_delivery_then_sweep_loses_nothing(app, rq_backend, committed_tenant, smtp_sink):
    notification_id, to = _intro(app, committed_tenant)
    assert rq_backend.queue("high").count == 1
    wipe_redis(rq_backend)  # Redis restarted without persistence: the queued job is gone
    run_worker(rq_backend)
    assert smtp_sink.messages == [] and _status(app, committed_tenant, notification_id) == "pending"
    _sweep(app)
    run_worker(rq_backend)
    assert [m["To"] for m in smtp_sink.messages] == [to]
    for _ in range(2):
        _sweep(app)
        run_worker(rq_backend)
    assert len(smtp_sink.messages) == 1 and _status(app, committed_tenant, notification_id) == "sent"


def test_same_job_twice_sends_once(app, rq_backend, committed_tenant, smtp_sink):
    from mentorship.notifications.delivery import deliver

    notification_id, _ = _intro(app, committed_tenant)
    with app.app_context():
        deliver.enqueue(committed_tenant, notification_id, job_id="a-second-copy")
    run_worker(rq_backend)
    assert len(smtp_sink.messages) == 1
