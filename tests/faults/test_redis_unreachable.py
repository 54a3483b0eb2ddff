"""Redis unreachable, in process: a job that cannot be queued leaves the request's answer as it is and its work
in the database for the sweep (SPEC §2). The real outage, with processes: test_redis_outage.py."""
import time

import pytest

from mentorship.common.redis_client import request_client
from mentorship.jobs.runner import RqBackend
from tests.faults import services
from tests.pairs import make_pair


@pytest.fixture
def dead_queue(app):
    """Jobs go to a Redis nobody listens on (a closed port), with the web process's short timeouts."""
    url = f"redis://127.0.0.1:{services.free_port()}/0"
    local = app.extensions["jobs"]
    app.extensions["jobs"] = RqBackend(url, redis=request_client(url, app.config))
    yield
    app.extensions["jobs"] = local


def test_enqueue_failure_after_commit_keeps_the_answer_and_the_outbox_row(app, admin, tenant, dead_queue):
    pair = make_pair(app, admin)
    started = time.monotonic()
    r = pair.intro()
    assert r.status_code == 201, r.json
    assert time.monotonic() - started < 3
    notes = admin.get(f"/api/v1/notifications?member_id={pair.mentor['id']}").json["items"]
    assert [(n["event"], n["status"]) for n in notes] == [("intro.received", "pending")]  # for the sweep


def test_match_run_queued_while_redis_is_down_answers_202_and_stays_queued_for_the_sweep(app, admin, tenant,
                                                                                           dead_queue):
    r = admin.post("/api/v1/match-runs", json={"strategy": "optimal", "min_score": 0.2})
    assert r.status_code == 202, r.json
    assert admin.get(f"/api/v1/match-runs/{r.json['id']}").json["status"] == "queued"
