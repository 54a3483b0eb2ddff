"""The retry schedule (at least 24 h, then `failed`) and the disable rule (every attempt failed for 3 days: the
endpoint is disabled, its admins see it on GET /webhooks and in the audit log, nothing more is written for it)."""
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import time_machine

from mentorship.jobs.schedule import sweep
from mentorship.webhooks.delivery import RETRY_WINDOW, backoff
from tests.factories import mentee_payload, wait_local_jobs
from tests.webhooks.receiver import receiving

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _sweep_and_work(app):
    with app.app_context():
        due = sweep()["deliver_due_webhooks"]
    wait_local_jobs(app)
    return due


def test_the_backoff_grows_with_jitter_that_only_lengthens_it():
    for attempts in range(1, 20):
        base = min(30 * 2 ** (attempts - 1), 6 * 3600)
        assert all(base <= backoff(attempts) <= base * 1.25 for _ in range(50))
    # even with no jitter at all the schedule covers the 24 h window in a bounded number of attempts
    total, attempts = 0, 0
    while total < RETRY_WINDOW.total_seconds():
        attempts += 1
        total += min(30 * 2 ** (attempts - 1), 6 * 3600)
    assert attempts <= 15


def _retry_until_settled(app, clock, admin, hook_id, limit=40):
    """Move the clock to each next attempt, sweep and run, until no delivery is pending; returns the attempts."""
    for _ in range(limit):
        items = admin.get(f"/api/v1/webhooks/{hook_id}/deliveries").json["items"]
        pending = [d for d in items if d["status"] == "pending"]
        if not pending:
            return items
        clock.move_to(max(datetime.fromisoformat(d["next_attempt_at"]) for d in pending) + timedelta(seconds=1))
        _sweep_and_work(app)
    raise AssertionError("still pending")


def test_retried_for_at_least_24_hours_then_failed(app, admin):
    with receiving() as receiver, time_machine.travel(START, tick=False) as clock:
        receiver.answer = lambda request, earlier: 503
        hook = admin.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["member.created"]}).json
        admin.post("/api/v1/members", json=mentee_payload())
        wait_local_jobs(app)
        (delivery,) = _retry_until_settled(app, clock, admin, hook["id"])
        assert delivery["status"] == "failed" and delivery["last_status_code"] == 503
        times = [datetime.fromtimestamp(int(r.headers["webhook-timestamp"]), UTC) for r in receiver.requests]
        assert times[-1] - times[0] >= timedelta(hours=24)
        assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
        assert len(receiver.requests) == delivery["attempts"] <= 16
        assert _sweep_and_work(app) == 0


def test_an_endpoint_failing_for_three_days_is_disabled_and_its_admins_see_it(app, admin):
    with receiving() as receiver, time_machine.travel(START, tick=False) as clock:
        receiver.answer = lambda request, earlier: 500
        hook = admin.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["member.created"]}).json
        for day in range(4):
            clock.move_to(START + timedelta(days=day))
            admin.post("/api/v1/members", json=mentee_payload())
            wait_local_jobs(app)
            if day == 3:  # failing since START: this day's failure disables it
                _retry_until_settled(app, clock, admin, hook["id"])
        (listed,) = admin.get("/api/v1/webhooks").json["items"]
        assert listed["disabled_at"] is not None and "failed since" in listed["disabled_reason"]
        audit = admin.get("/api/v1/audit-events?per_page=100").json["items"]
        assert [e for e in audit if e["action"] == "webhook.disabled" and e["object_id"] == hook["id"]]
        statuses = {d["status"] for d in admin.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json["items"]}
        assert statuses == {"failed"}
        sent = len(receiver.requests)
        admin.post("/api/v1/members", json=mentee_payload())  # nothing more is written or sent for it
        wait_local_jobs(app)
        _sweep_and_work(app)
        assert len(receiver.requests) == sent
        assert admin.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json["total"] == 4


def test_a_success_resets_the_failing_clock(app, admin):
    with receiving() as receiver, time_machine.travel(START, tick=False) as clock:
        answers = iter([500] * 3 + [200] + [500] * 100)
        receiver.answer = lambda request, earlier: next(answers)
        hook = admin.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["member.created"]}).json
        admin.post("/api/v1/members", json=mentee_payload())
        wait_local_jobs(app)
        _retry_until_settled(app, clock, admin, hook["id"])
        clock.move_to(START + timedelta(days=2, hours=12))
        admin.post("/api/v1/members", json=mentee_payload())
        wait_local_jobs(app)
        clock.move_to(START + timedelta(days=3, hours=1))
        _sweep_and_work(app)
        assert admin.get("/api/v1/webhooks").json["items"][0]["disabled_at"] is None


def test_one_guarded_update_claims_a_delivery_once(app, admin, tenant):
    from sqlalchemy import select

    from mentorship.extensions import db
    from mentorship.tenancy.scope import tenant_scope
    from mentorship.webhooks import delivery
    from mentorship.webhooks.models import WebhookDelivery

    admin.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x", "events": ["member.created"]})
    admin.post("/api/v1/members", json=mentee_payload())
    with app.app_context(), tenant_scope(tenant.id):
        row_id, hook_id = db.session.execute(select(WebhookDelivery.id, WebhookDelivery.webhook_id)).one()
        (first,), second = delivery._claim(hook_id), delivery._claim(hook_id)
        assert (first.id, first.attempts) == (row_id, 1) and second == []  # the second worker gets nothing
        assert delivery.drain(tenant.id, hook_id) == "skipped"
        stale = SimpleNamespace(id=first.id, attempts=2)
        assert delivery._record(stale, delivery.sender.Outcome(200, None)) == "superseded"  # not its attempt
        assert delivery._record(first, delivery.sender.Outcome(204, None)) == "delivered"
        assert delivery._claim(hook_id) == []  # delivered: never claimed again
