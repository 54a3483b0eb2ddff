"""A match run whose worker dies is run again, once, within two minutes (issue 11; before: `running` for 30 minutes).

Real parts: a worker process (`flask --app wsgi worker`) over real Redis, SIGKILLed while the run is `running`;
rows committed for real (the worker must see them); the sweep and a second, in-process RQ worker finish it. The
worker beats every MATCH_RUN_HEARTBEAT_SECONDS (0.2 s here); a run silent for MATCH_RUN_STALE_SECONDS (1 s) is lost.
"""
import csv
import io
import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.jobs.schedule import sweep
from mentorship.matchmaking import tasks
from mentorship.matchmaking.models import MatchRun
from mentorship.tenancy.audit import AuditEvent
from mentorship.tenancy.scope import tenant_scope
from tests.factories import committed_tenant, run_worker

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = ["finance/credit-risk", "finance/market-risk", "software/backend", "data/analytics", "consulting/strategy"]
HEADER = ["role", "name", "email", "headline", "bio", "photo_url", "domains", "goals", "timezone", "availability",
          "company", "capacity"]
BIO = ("I moved into this field after a few years elsewhere, and I like helping people find their footing: what "
       "to learn first, whom to ask, and how teams here decide what good work looks like.")


@pytest.fixture
def _rolled_back():
    """Committed for real: the worker process must see the rows."""
    yield


@pytest.fixture
def office(app):
    with committed_tenant(app, "lost") as made:
        yield made


def _cohort_csv(mentees, mentors, part):
    rng, out = random.Random(part), io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for role, count in (("mentor", mentors), ("mentee", mentees)):
        for n in range(count):
            writer.writerow([role, f"{role} {part}-{n}", f"{role}{part}-{n}@lost.example", "Working on it", BIO,
                             f"https://example.com/{role}{part}-{n}.jpg", ";".join(rng.sample(DOMAINS, 2)),
                             "career-plan;networking", "America/New_York", f"{n % 5} 09:00-17:00",
                             f"Company {part}-{n}" if role == "mentor" else "", "3" if role == "mentor" else ""])
    return out.getvalue()


def _state(app, tenant_id, run_id):
    with app.app_context(), tenant_scope(tenant_id):
        run = db.session.scalar(select(MatchRun).where(MatchRun.id == run_id))
        succeeded = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_id == run_id, AuditEvent.action == "match_run.succeeded"))
        state = run.status, run.attempts, succeeded
        db.session.remove()
        return state


def test_a_run_whose_worker_is_killed_is_run_again_once(app, rq_backend, office, monkeypatch, tmp_path):
    tenant_id, admin = office
    for part in range(2):  # two imports of under 5,000 rows each (larger ones become jobs)
        imported = admin.post("/api/v1/members/import", data=_cohort_csv(4000, 900, part), content_type="text/csv")
        assert imported.status_code == 200, imported.json
    monkeypatch.setitem(app.config, "MATCH_RUN_STALE_SECONDS", 1.0)
    run_id = admin.post("/api/v1/match-runs", json={"min_score": 0.0}).json["id"]
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
           "JOBS_QUEUE_PREFIX": rq_backend.prefix, "MATCH_RUN_HEARTBEAT_SECONDS": "0.2", "FLASK_APP": "wsgi"}
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:  # its own process group: the kill takes its scheduler process too, as a dead pod
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--queues", "low"],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while (state := _state(app, tenant_id, run_id)[0]) != "running":
            assert state == "queued" and time.monotonic() < deadline and worker.poll() is None, \
                (state, log.read_text()[-3000:])
            time.sleep(0.02)
        time.sleep(0.5)  # it is beating
        os.killpg(worker.pid, signal.SIGKILL)
        killed = time.monotonic()
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(30)
    assert _state(app, tenant_id, run_id) == ("running", 1, 0), log.read_text()[-3000:]
    with app.app_context():
        assert sweep()["requeue_stale_match_runs"] == 0  # not silent long enough yet
    time.sleep(1.2)
    with app.app_context():
        assert sweep()["requeue_stale_match_runs"] == 1
    assert _state(app, tenant_id, run_id)[:2] == ("queued", 1)
    run_worker(rq_backend)
    assert _state(app, tenant_id, run_id) == ("succeeded", 2, 1)
    assert time.monotonic() - killed < 120
    with app.app_context():
        assert sweep()["requeue_stale_match_runs"] == 0
    assert _state(app, tenant_id, run_id) == ("succeeded", 2, 1)


def test_a_worker_taken_for_dead_does_not_overwrite_the_attempt_that_replaced_it(app, office):
    tenant_id, admin = office
    run_id = admin.post("/api/v1/match-runs", json={"min_score": 0.0}).json["id"]
    with app.app_context(), tenant_scope(tenant_id):
        first = tasks._claim(run_id)
        db.session.execute(MatchRun.__table__.update().where(MatchRun.id == run_id).values(status="queued"))
        db.session.commit()
        second = tasks._claim(run_id)
        assert (first, second) == (1, 2)
        assert tasks._finish(run_id, first, status="failed", error="late") == "superseded"
        assert tasks._finish(run_id, second, status="failed", error="this one") == "failed"
        assert db.session.scalar(select(MatchRun.error).where(MatchRun.id == run_id)) == "this one"
        db.session.remove()


def test_a_run_lost_three_times_fails(app, office):
    tenant_id, admin = office
    run_id = admin.post("/api/v1/match-runs", json={"min_score": 0.0}).json["id"]
    with app.app_context(), tenant_scope(tenant_id):
        db.session.execute(MatchRun.__table__.update().where(MatchRun.id == run_id).values(
            status="running", attempts=tasks.MAX_ATTEMPTS, heartbeat_at=None, started_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    with app.app_context():
        sweep()
    with app.app_context(), tenant_scope(tenant_id):
        run = db.session.scalar(select(MatchRun).where(MatchRun.id == run_id))
        assert run.status == "failed" and "lost 3 times" in run.error
        db.session.remove()
