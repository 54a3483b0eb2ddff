"""Members created by a CSV import are announced like members created one by one: one signed `member.created`
delivery per imported member and subscribed endpoint, its body shaped exactly as a single create's, for the
synchronous import and for the import job alike; nothing for a tenant without endpoints, nothing crosses tenants."""
import time

import pytest
from sqlalchemy import func, select, update
from standardwebhooks import Webhook

from mentorship.common.clock import utcnow
from mentorship.common.redis_client import request_client
from mentorship.extensions import db
from mentorship.jobs.registry import QUEUES
from mentorship.jobs.runner import RqBackend
from mentorship.tenancy.scope import unscoped
from mentorship.webhooks.models import Webhook as Endpoint
from mentorship.webhooks.models import WebhookDelivery
from tests.factories import mentee_payload, run_worker, wait_local_jobs
from tests.faults import services
from tests.members.test_import import _csv, _post, _row
from tests.webhooks.receiver import receiving


def _ok(r, status=200):
    assert r.status_code == status, (r.status_code, r.json)
    return r.json


def _register(admin, url, events=("member.created",)):
    return _ok(admin.post("/api/v1/webhooks", json={"url": url, "events": list(events)}), 201)


def _rows(n, prefix="m"):
    return [_row(email=f"{prefix}{i}@example.com", name=f"Mentor {i}") for i in range(n)]


def _shape(value):
    """The keys of every object inside `value`, recursively (values aside)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value[:1]]
    return None


def _all_deliveries(app):
    with app.app_context(), unscoped():
        return db.session.scalar(select(func.count()).select_from(WebhookDelivery))


def _bodies(receiver, secret):
    bodies = [Webhook(secret).verify(r.body, r.headers) for r in receiver.requests]
    return {body["data"]["member_id"]: body for body in bodies}


def _assert_announced(admin, bodies, emails, single):
    members = {m["email"]: m for m in _ok(admin.get("/api/v1/members?per_page=100"))["items"]}
    assert {bodies[members[email]["id"]]["data"]["member"]["email"] for email in emails} == set(emails)
    for email in emails:
        body = bodies[members[email]["id"]]
        assert body["type"] == "member.created" and list(body) == list(single) and list(body["data"]) == ["member_id",
                                                                                                           "member"]
        assert body["data"]["member"] == members[email]  # the member as the API shows it, as a single create does
        assert _shape(body["data"]["member"]) == _shape(single["data"]["member"])


@pytest.fixture
def receiver():
    with receiving() as receiving_one:
        receiving_one.answer = lambda request, earlier: 200
        yield receiving_one


def _single_create_body(app, admin, receiver, secret):
    """What a member created through POST /members sends, to compare the imported ones with."""
    member = _ok(admin.post("/api/v1/members", json=mentee_payload(email="single@example.edu")), 201)
    wait_local_jobs(app)
    (single,) = _bodies(receiver, secret).values()
    assert single["data"]["member_id"] == member["id"]
    receiver.requests.clear()
    return single


def test_a_synchronous_import_sends_member_created_per_new_member(app, admin, other_admin, receiver):
    hook = _register(admin, receiver.url)
    _register(admin, receiver.url.replace("/in", "/intros"), ["intro.created"])  # not subscribed to members
    with receiving() as other_receiver:
        _register(other_admin, other_receiver.url, ["*"])
        single = _single_create_body(app, admin, receiver, hook["secret"])
        existing = _row(email="single@example.edu", role="mentee", company="", title="", capacity="")
        assert _ok(_post(admin, _csv([*_rows(3), existing]))) == {"created": 3, "updated": 1}
        wait_local_jobs(app)
        assert other_receiver.requests == []
    assert {r.path for r in receiver.requests} == {"/hooks/in"}
    bodies = _bodies(receiver, hook["secret"])
    assert len(receiver.requests) == len(bodies) == 3  # the updated member is not announced again
    _assert_announced(admin, bodies, [f"m{i}@example.com" for i in range(3)], single)
    deliveries = _ok(admin.get(f"/api/v1/webhooks/{hook['id']}/deliveries"))
    assert deliveries["total"] == 4 and {d["status"] for d in deliveries["items"]} == {"delivered"}


def test_the_import_job_sends_member_created_per_new_member(app, admin, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_SYNC_MAX_ROWS", 5)
    monkeypatch.setitem(app.config, "IMPORT_BATCH_ROWS", 2)  # four INSERT batches, four events
    hook = _register(admin, receiver.url, ["*"])
    single = _single_create_body(app, admin, receiver, hook["secret"])
    queued = _post(admin, _csv(_rows(7)))
    assert queued.status_code == 202, queued.json
    wait_local_jobs(app)
    assert _ok(admin.get(queued.headers["Location"]))["created"] == 7
    bodies = _bodies(receiver, hook["secret"])
    assert len(receiver.requests) == len(bodies) == 7
    _assert_announced(admin, bodies, [f"m{i}@example.com" for i in range(7)], single)


def test_no_endpoint_no_delivery_and_a_failed_import_announces_nothing(app, admin, other_admin, receiver):
    _register(other_admin, receiver.url, ["*"])
    assert _ok(_post(admin, _csv(_rows(3)))) == {"created": 3, "updated": 0}
    assert _all_deliveries(app) == 0
    _register(admin, receiver.url)
    refused = _post(admin, _csv([*_rows(2, prefix="new"), _row(email="not an address")]))
    assert refused.status_code == 422
    wait_local_jobs(app)
    assert _all_deliveries(app) == 0 and receiver.requests == []


def test_a_disabled_endpoint_gets_nothing(app, admin, receiver):
    hook = _register(admin, receiver.url)
    with app.app_context(), unscoped():
        db.session.execute(update(Endpoint).where(Endpoint.id == hook["id"]).values(disabled_at=utcnow()))
        db.session.commit()
    assert _ok(_post(admin, _csv(_rows(2)))) == {"created": 2, "updated": 0}
    wait_local_jobs(app)
    assert _all_deliveries(app) == 0


def test_over_redis_one_job_per_endpoint_sends_every_imported_member(app, admin, receiver, rq_backend):
    hook = _register(admin, receiver.url)
    assert _ok(_post(admin, _csv(_rows(5)))) == {"created": 5, "updated": 0}
    assert sum(rq_backend.queue(name).count for name in QUEUES) == 1  # the endpoint's drain, not one per member
    run_worker(rq_backend)
    assert len(_bodies(receiver, hook["secret"])) == 5
    assert {d["status"] for d in _ok(admin.get(f"/api/v1/webhooks/{hook['id']}/deliveries"))["items"]} == {
        "delivered"}


def test_redis_unreachable_the_import_answers_and_the_deliveries_wait_for_the_sweep(app, admin, monkeypatch):
    url = f"redis://127.0.0.1:{services.free_port()}/0"
    monkeypatch.setitem(app.extensions, "jobs", RqBackend(url, redis=request_client(url, app.config)))
    hook = _register(admin, "http://127.0.0.1:9/hook")
    started = time.monotonic()
    assert _ok(_post(admin, _csv(_rows(3)))) == {"created": 3, "updated": 0}
    assert time.monotonic() - started < 3
    listed = _ok(admin.get(f"/api/v1/webhooks/{hook['id']}/deliveries"))["items"]
    assert [(d["event"], d["status"]) for d in listed] == [("member.created", "pending")] * 3
