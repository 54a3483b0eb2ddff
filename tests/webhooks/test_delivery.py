"""Issue 14, acceptance 1: changes made through the API reach a real HTTP receiver on loopback as signed Standard
Webhooks deliveries. The receiver fails each first attempt (500); the retry comes after the backoff (the clock moved
with time-machine, the sweep run, a real RQ SimpleWorker over real Redis) with the same webhook-id and body, and
once a 2xx is recorded nothing is sent again. Each delivery is verified with `standardwebhooks` and with a
standard-library verifier (receiver.py)."""
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from mentorship.jobs.schedule import sweep
from mentorship.webhooks.delivery import deliver
from tests.factories import mentee_payload, mentor_payload, run_worker, wait_local_jobs
from tests.pairs import token_client
from tests.webhooks.receiver import receiving, verify_stdlib

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
MESSAGE = ("Hi Dana, I'm Wei, a Columbia MSFE student. Your model validation work caught my eye: I spent a year "
           "building loan-default models in SAS. What does a typical week look like on a validation team? I'd like "
           "to learn before I choose a direction.")
QUESTIONS = ["What made you choose credit risk?", "How does your team challenge a PD model?",
             "What should I learn this year?"]


def _ok(r, status=200):
    assert r.status_code == status, (r.status_code, r.json)
    return r.json


def _sweep(app):
    with app.app_context():
        return sweep()["deliver_due_webhooks"]


def _register(admin, url, events=("*",)):
    hook = _ok(admin.post("/api/v1/webhooks", json={"url": url, "events": list(events)}), 201)
    assert hook["secret"].startswith("whsec_") and set(hook) >= {"id", "url", "events", "secret"}
    return hook


def _changes(app, admin):
    """Members, an intro, its acceptance and a milestone, all through the API: the events, in order."""
    wei = _ok(admin.post("/api/v1/members", json=mentee_payload(name="Wei Zhang")), 201)
    dana = _ok(admin.post("/api/v1/members", json=mentor_payload(name="Dana Li")), 201)
    mentee, mentor = token_client(app, admin, wei["id"]), token_client(app, admin, dana["id"])
    intro = _ok(mentee.post("/api/v1/intros", json={"mentee_id": wei["id"], "mentor_id": dana["id"],
                                                    "message": MESSAGE}), 201)
    ms_id = _ok(mentor.post(f"/api/v1/intros/{intro['id']}/accept"))["mentorship_id"]
    _ok(mentee.post(f"/api/v1/mentorships/{ms_id}/milestones/questions_prepared", json={"questions": QUESTIONS}))
    return wei, dana, intro, ms_id


def _assert_signed(secret, request):
    Webhook(secret).verify(request.body, request.headers)
    verify_stdlib(secret, request.headers, request.body)


def test_signed_deliveries_retried_after_a_500_with_the_same_id_then_never_again(app, admin, rq_backend):
    with receiving() as receiver, time_machine.travel(START, tick=True) as clock:
        hook = _register(admin, receiver.url)
        only_accepts = _register(admin, receiver.url.replace("/in", "/accepts"), ["intro.accepted"])
        wei, dana, intro, ms_id = _changes(app, admin)
        run_worker(rq_backend)
        first = list(receiver.requests)
        types = [json.loads(r.body)["type"] for r in first if r.path == "/hooks/in"]
        # accepting completes the automatic milestone `intro_accepted` in the same transaction
        assert types == ["member.created", "member.created", "intro.created", "milestone.completed",
                         "intro.accepted", "milestone.completed"]
        assert [json.loads(r.body)["type"] for r in first if r.path == "/hooks/accepts"] == ["intro.accepted"]
        assert all(r.answered == 500 for r in first)
        listed = _ok(admin.get(f"/api/v1/webhooks/{hook['id']}/deliveries"))
        assert listed["total"] == 6
        for delivery in listed["items"]:
            assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == ("pending", 1, 500)
            retry_in = datetime.fromisoformat(delivery["next_attempt_at"]) - datetime.now(UTC)
            assert timedelta(seconds=20) < retry_in < timedelta(seconds=40)  # 30 s, stretched by up to a quarter
        assert _sweep(app) == 0  # not due yet
        run_worker(rq_backend)
        assert len(receiver.requests) == 7

        clock.shift(timedelta(seconds=45))  # past the backoff
        assert _sweep(app) == 7
        run_worker(rq_backend)
        by_id = receiver.by_id()
        assert len(by_id) == 7 and all(len(attempts) == 2 for attempts in by_id.values())
        for attempts in by_id.values():
            assert [a.answered for a in attempts] == [500, 204]
            assert attempts[0].body == attempts[1].body  # the same event: same id, same bytes
            secret = only_accepts["secret"] if attempts[0].path == "/hooks/accepts" else hook["secret"]
            for attempt in attempts:
                _assert_signed(secret, attempt)
            with pytest.raises(WebhookVerificationError):  # signed for its own endpoint only
                Webhook(hook["secret"] if secret != hook["secret"] else only_accepts["secret"]).verify(
                    attempts[0].body, attempts[0].headers)

        accepted = next(json.loads(a[0].body) for a in by_id.values() if a[0].path == "/hooks/accepts")
        assert accepted["type"] == "intro.accepted"
        assert accepted["data"]["intro_id"] == intro["id"] and accepted["data"]["mentorship_id"] == ms_id
        assert accepted["data"]["intro"]["status"] == "accepted"
        assert accepted["data"]["intro"] == {**_ok(admin.get(f"/api/v1/intros/{intro['id']}")),
                                             "updated_at": accepted["data"]["intro"]["updated_at"]}
        created = [json.loads(a[0].body) for a in by_id.values() if json.loads(a[0].body)["type"] == "member.created"]
        assert {c["data"]["member"]["id"] for c in created} == {wei["id"], dana["id"]}
        assert all(datetime.fromisoformat(c["timestamp"]).tzinfo is not None for c in created)

        listed = _ok(admin.get(f"/api/v1/webhooks/{hook['id']}/deliveries"))["items"]
        assert {(d["status"], d["attempts"], d["last_status_code"]) for d in listed} == {("delivered", 2, 204)}
        assert {d["next_attempt_at"] for d in listed} == {None} and all(d["delivered_at"] for d in listed)
        assert {d["msg_id"] for d in listed} <= set(by_id)

        # after a success nothing is sent again: more sweeps, later, a duplicate job
        clock.shift(timedelta(days=2))
        tenant_id = _ok(admin.get("/api/v1/tenant"))["id"]
        with app.app_context():
            for d in listed:
                deliver.enqueue(tenant_id, d["id"], job_id=f"dup-{d['id']}")
        assert _sweep(app) == 0
        run_worker(rq_backend)
        assert len(receiver.requests) == 14


def test_the_in_process_runner_delivers_too(app, admin):
    with receiving() as receiver:
        receiver.answer = lambda request, earlier: 200
        hook = _register(admin, receiver.url, ["member.created"])
        member = _ok(admin.post("/api/v1/members", json=mentee_payload()), 201)
        wait_local_jobs(app)
        assert len(receiver.requests) == 1
        body = Webhook(hook["secret"]).verify(receiver.requests[0].body, receiver.requests[0].headers)
        assert body["type"] == "member.created" and body["data"]["member_id"] == member["id"]
        assert body["data"]["member"]["email"] == member["email"]
        listed = _ok(admin.get(f"/api/v1/webhooks/{hook['id']}/deliveries"))["items"]
        assert [(d["status"], d["attempts"], d["last_status_code"]) for d in listed] == [("delivered", 1, 200)]


def test_a_rolled_back_change_writes_no_delivery_and_other_tenants_see_nothing(app, admin, other_admin):
    with receiving() as receiver:
        hook = _register(admin, receiver.url)
        taken = _ok(admin.post("/api/v1/members", json=mentee_payload()), 201)["email"]
        refused = admin.post("/api/v1/members", json=mentee_payload(email=taken))  # 409: rolled back
        assert refused.status_code == 409
        _ok(other_admin.post("/api/v1/members", json=mentee_payload()), 201)  # another tenant's event
        wait_local_jobs(app)
        assert _ok(admin.get(f"/api/v1/webhooks/{hook['id']}/deliveries"))["total"] == 1
        assert [json.loads(r.body)["data"]["member"]["email"] for r in receiver.by_id().get(
            receiver.requests[0].headers["webhook-id"])] == [taken]
        for path in (f"/api/v1/webhooks/{hook['id']}/deliveries",):
            assert other_admin.get(path).status_code == 404
        assert other_admin.delete(f"/api/v1/webhooks/{hook['id']}").status_code == 404
        assert _ok(other_admin.get("/api/v1/webhooks"))["total"] == 0
        assert _ok(admin.get("/api/v1/webhooks"))["items"][0].get("secret") is None


def test_unknown_events_and_a_lonely_star(admin):
    for events in (["member.deleted"], [], ["*", "member.created"], "member.created"):
        r = admin.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x", "events": events})
        assert r.status_code == 422 and r.json["code"] == "validation_error", (events, r.json)
        assert any(key.startswith("events") for key in r.json["errors"])
    hook = _ok(admin.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x",
                                                     "events": ["intro.created", "intro.created"]}), 201)
    assert hook["events"] == ["intro.created"]
    assert admin.delete(f"/api/v1/webhooks/{hook['id']}").status_code == 204
    assert admin.get(f"/api/v1/webhooks/{hook['id']}/deliveries").status_code == 404


def test_erasure_leaves_only_ids_in_the_bodies_that_showed_the_member(app, admin):
    with receiving() as receiver:
        receiver.answer = lambda request, earlier: 200
        hook = _register(admin, receiver.url)
        member = _ok(admin.post("/api/v1/members", json=mentee_payload(name="Erin Erased")), 201)
        other = _ok(admin.post("/api/v1/members", json=mentee_payload(name="Kept Person")), 201)
        assert admin.delete(f"/api/v1/members/{member['id']}").status_code == 204
        wait_local_jobs(app)  # the pending delivery goes out as erasure left it
        bodies = {json.loads(r.body)["data"].get("member_id"): r.body for r in receiver.requests}
        assert b"Erin" not in bodies[member["id"]] and member["email"].encode() not in bodies[member["id"]]
        assert json.loads(bodies[member["id"]]) == {**json.loads(bodies[member["id"]]), "type": "member.created",
                                                    "data": {"member_id": member["id"], "erased": True}}
        assert b"Kept Person" in bodies[other["id"]]
        Webhook(hook["secret"]).verify(receiver.requests[0].body, receiver.requests[0].headers)


def test_an_idempotent_retry_of_the_registration_answers_the_same_endpoint_and_secret(admin):
    body = {"url": "http://127.0.0.1:9/x", "events": ["referral.decided"]}
    first = admin.post("/api/v1/webhooks", json=body, headers={"Idempotency-Key": "hook-1"})
    again = admin.post("/api/v1/webhooks", json=body, headers={"Idempotency-Key": "hook-1"})
    assert first.status_code == again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json == first.json and _ok(admin.get("/api/v1/webhooks"))["total"] == 1
