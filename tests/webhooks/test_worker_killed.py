"""Issue 14, acceptance 1 (end): a worker SIGKILLed mid-delivery loses nothing; after the lease the delivery goes out
again with the same webhook-id (at-least-once, as Standard Webhooks expects), and once a 2xx is recorded it is
never sent again.

Real parts: a worker process (`flask --app wsgi worker --burst`) over real Redis, killed while the receiver holds
its request open; rows committed for real (the worker must see them); a loopback HTTP receiver; the sweep and an
in-process RQ SimpleWorker finish the job. The tenant is deleted afterwards.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook

from mentorship.extensions import db
from mentorship.jobs.schedule import sweep
from mentorship.tenancy.scope import tenant_scope
from mentorship.webhooks.models import WebhookDelivery
from tests.factories import committed_tenant, mentee_payload, run_worker, wipe_redis
from tests.webhooks.receiver import Receiver, receiving, verify_stdlib

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def _rolled_back():
    """Committed for real: the worker process must see the rows."""
    yield


@pytest.fixture
def office(app):
    with committed_tenant(app, "hooks") as made:
        yield made


def _delivery(app, tenant_id):
    with app.app_context(), tenant_scope(tenant_id):
        row = db.session.scalar(select(WebhookDelivery))
        state = row.status, row.attempts, row.msg_id
        db.session.remove()
        return state


def _sweep_and_work(app, backend):
    with app.app_context():
        due = sweep()["deliver_due_webhooks"]
        db.session.remove()
    run_worker(backend)
    return due


def test_a_delivery_whose_worker_is_killed_goes_out_again_with_the_same_id(app, rq_backend, office, monkeypatch):
    tenant_id, admin = office
    with receiving(Receiver(hang_first=True)) as receiver:
        receiver.answer = lambda request, earlier: 200
        hook = admin.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["member.created"]}).json
        assert admin.post("/api/v1/members", json=mentee_payload()).status_code == 201
        env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
               "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
               "JOBS_QUEUE_PREFIX": rq_backend.prefix, "WEBHOOK_ALLOW_PRIVATE": "true", "FLASK_APP": "wsgi"}
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"], cwd=ROOT,
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            if not receiver.entered.wait(120):
                worker.kill()
                raise AssertionError(f"the worker never reached the receiver: {worker.communicate()[0][-3000:]}")
            os.killpg(worker.pid, signal.SIGKILL)  # mid-request: the receiver has it, the answer never comes back
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
            worker.communicate(timeout=30)
        receiver.release.set()
        status, attempts, msg_id = _delivery(app, tenant_id)
        assert (status, attempts) == ("sending", 1)
        assert _sweep_and_work(app, rq_backend) == 0  # held by the dead worker's lease: not sent again yet
        monkeypatch.setitem(app.config, "WEBHOOK_LEASE_SECONDS", 1)
        time.sleep(1.2)  # the lease lapses
        wipe_redis(rq_backend)  # and the job the dead worker held is gone, as after a restart
        assert _sweep_and_work(app, rq_backend) == 1
        assert _delivery(app, tenant_id) == ("delivered", 2, msg_id)
        assert [r.headers["webhook-id"] for r in receiver.requests] == [msg_id, msg_id]
        assert receiver.requests[0].body == receiver.requests[1].body
        Webhook(hook["secret"]).verify(receiver.requests[1].body, receiver.requests[1].headers)
        verify_stdlib(hook["secret"], receiver.requests[1].headers, receiver.requests[1].body)
        assert json.loads(receiver.requests[1].body)["type"] == "member.created"
        for _ in range(2):  # delivered: any number of sweeps later, never again
            assert _sweep_and_work(app, rq_backend) == 0
        assert len(receiver.requests) == 2
