"""/metrics in one process: one Content-Type, jobs by queue and outcome, the outbox backlog counted at scrape
time, webhook delivery failures. (Across gunicorn workers: test_gunicorn.py.)"""
import pytest
from prometheus_client import REGISTRY

from mentorship.jobs import JOBS, execute
from mentorship.jobs.registry import JobSpec
from mentorship.ops.metrics import CONTENT_TYPE
from tests.factories import mentee_payload, wait_local_jobs
from tests.pairs import make_pair
from tests.webhooks.receiver import receiving

NOTIFY = "mentorship.notifications.delivery.deliver"


def _value(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _backlog(client, outbox):
    text = client.get("/metrics").get_data(as_text=True)
    [line] = [x for x in text.splitlines() if x.startswith(f'mentorship_outbox_backlog{{outbox="{outbox}"}}')]
    return float(line.rsplit(" ", 1)[1])


def test_one_content_type_value(client):
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers.getlist("Content-Type") == [CONTENT_TYPE] == ["text/plain; version=0.0.4; charset=utf-8"]


def test_jobs_counted_and_timed_by_queue_job_and_outcome(app, tenant, monkeypatch):
    labels = {"queue": "high", "job": "notifications.delivery.deliver"}
    before = {o: _value("mentorship_jobs_total", outcome=o, **labels) for o in ("succeeded", "failed")}
    assert execute(NOTIFY, tenant.id, 987654321) == "skipped"  # no such row: nothing to send, still a run

    def broken(tenant_id, *ids):
        raise RuntimeError("boom")

    monkeypatch.setitem(JOBS, NOTIFY, JobSpec(NOTIFY, broken, "high", 10))
    with pytest.raises(RuntimeError):
        execute(NOTIFY, tenant.id, 1)
    assert _value("mentorship_jobs_total", outcome="succeeded", **labels) == before["succeeded"] + 1
    assert _value("mentorship_jobs_total", outcome="failed", **labels) == before["failed"] + 1
    assert _value("mentorship_job_seconds_count", outcome="failed", **labels) >= 1


def test_outbox_backlog_and_webhook_failures(app, admin, client):
    failures = _value("mentorship_webhook_delivery_failures_total", status="pending")
    with receiving() as receiver:
        receiver.answer = lambda request, earlier: 503
        hook = admin.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["member.created"]})
        assert hook.status_code == 201
        assert admin.post("/api/v1/members", json=mentee_payload()).status_code == 201
        assert _backlog(client, "webhook_deliveries") == 1  # written with the member, not sent yet
        wait_local_jobs(app)
    assert len(receiver.requests) == 1
    assert _backlog(client, "webhook_deliveries") == 0  # pending again, but not due before its backoff
    assert _value("mentorship_webhook_delivery_failures_total", status="pending") == failures + 1
    assert _backlog(client, "notifications") == 0


def test_notification_backlog_counts_what_is_due_and_not_sent(app, admin, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_URL", "")
    assert make_pair(app, admin).intro().status_code == 201
    assert _backlog(client, "notifications") >= 1
    wait_local_jobs(app)
    assert _backlog(client, "notifications") == 0


def test_a_worker_serves_its_own_job_metrics_when_given_a_port(app, tenant, rq_backend, monkeypatch):
    from mentorship.jobs import cli

    served = []
    monkeypatch.setattr(cli, "start_http_server", served.append)
    monkeypatch.setitem(app.config, "WORKER_METRICS_PORT", 9109)
    labels = {"queue": "high", "job": "notifications.delivery.deliver", "outcome": "succeeded"}
    before = _value("mentorship_jobs_total", **labels)
    with app.app_context():
        JOBS[NOTIFY].enqueue(tenant.id, 987654321)
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert served == [9109]
    assert _value("mentorship_jobs_total", **labels) == before + 1  # counted where the worker runs it
