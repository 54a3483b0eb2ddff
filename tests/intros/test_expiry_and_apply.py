"""Expiry with the halfway reminder (the sweep), and match runs applied as warm intros."""
from datetime import UTC, datetime, timedelta

import time_machine

from mentorship.jobs.schedule import sweep
from tests.factories import mentee_payload, mentor_payload, wait_local_jobs
from tests.pairs import make_pair, varied_message

T0 = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def _events(admin, member_id):
    return [n["event"] for n in admin.get(f"/api/v1/notifications?member_id={member_id}&per_page=100").json["items"]]


def _sweep(app):
    with app.app_context():
        result = sweep()
    wait_local_jobs(app)
    return result


def test_halfway_reminder_then_expiry_with_fresh_recommendations(app, admin):
    with time_machine.travel(T0, tick=False) as clock:
        pair = make_pair(app, admin)
        admin.post("/api/v1/members", json=mentor_payload(name="Another Mentor"))
        intro = pair.intro().json
        _sweep(app)
        assert "intro.reminder" not in _events(admin, pair.mentor["id"])
        clock.move_to(T0 + timedelta(days=7, minutes=1))
        _sweep(app)
        _sweep(app)
        assert _events(admin, pair.mentor["id"]).count("intro.reminder") == 1
        assert admin.get(f"/api/v1/intros/{intro['id']}").json["status"] == "pending"
        clock.move_to(T0 + timedelta(days=14, minutes=1))
        assert _sweep(app)["expire_intros"] == 1
        assert _sweep(app)["expire_intros"] == 0
        got = admin.get(f"/api/v1/intros/{intro['id']}").json
        assert got["status"] == "expired"
        assert _events(admin, pair.mentee["id"]).count("intro.expired") == 1
        r = pair.mentor_client.post(f"/api/v1/intros/{intro['id']}/accept")
        assert r.status_code == 409 and r.json["code"] == "invalid_transition"
        # the pair may try again, with a new message (the same text again is templated_message)
        assert pair.intro().json["code"] == "outreach_blocked"
        assert pair.intro(varied_message(pair.mentor, 2)).status_code == 201


def test_expiry_notification_renders_fresh_recommendations(app, admin, smtp_sink):
    with time_machine.travel(T0, tick=False) as clock:
        pair = make_pair(app, admin)
        other = admin.post("/api/v1/members", json=mentor_payload(name="Fresh Pick")).json
        pair.intro()
        clock.move_to(T0 + timedelta(days=15))
        _sweep(app)
    to_mentee = [m for m in smtp_sink.messages if m["To"] == pair.mentee["email"]]
    assert len(to_mentee) == 1 and "expired" in to_mentee[0]["Subject"]
    assert other["name"] in smtp_sink.text(to_mentee[0])


def test_apply_match_run_creates_warm_intros_once(app, admin):
    mentees = [admin.post("/api/v1/members", json=mentee_payload()).json for _ in range(2)]
    mentors = [admin.post("/api/v1/members", json=mentor_payload()).json for _ in range(2)]
    run = admin.post("/api/v1/match-runs", json={"strategy": "optimal", "min_score": 0.0}).json
    early = admin.post(f"/api/v1/match-runs/{run['id']}/apply")
    assert early.status_code == 409 and early.json["code"] == "invalid_transition"
    wait_local_jobs(app)
    done = admin.get(f"/api/v1/match-runs/{run['id']}").json
    assert done["status"] == "succeeded" and len(done["assignments"]) == 2
    r = admin.post(f"/api/v1/match-runs/{run['id']}/apply")
    assert r.status_code == 200 and len(r.json["intro_ids"]) == 2 and r.json["skipped"] == []
    for intro_id in r.json["intro_ids"]:
        intro = admin.get(f"/api/v1/intros/{intro_id}").json
        assert intro["source"] == "career_office" and intro["status"] == "pending"
        assert intro["match_run_id"] == run["id"]
        assert "not asking for a referral" in intro["message"]
    again = admin.post(f"/api/v1/match-runs/{run['id']}/apply")
    assert again.status_code == 409 and again.json["code"] == "already_applied"
    assert admin.get("/api/v1/intros?source=career_office").json["total"] == 2
    intros = [admin.get(f"/api/v1/intros/{i}").json for i in r.json["intro_ids"]]
    assert {i["mentor_id"] for i in intros} <= {m["id"] for m in mentors}
    assert sorted(i["mentee_id"] for i in intros) == sorted(m["id"] for m in mentees)
    assert [(a["mentee_id"], a["mentor_id"]) for a in done["assignments"]] == \
        [(i["mentee_id"], i["mentor_id"]) for i in intros]


def test_apply_skips_pairs_no_longer_possible(app, admin):
    pair = make_pair(app, admin)
    run = admin.post("/api/v1/match-runs", json={"mentee_ids": [pair.mentee["id"]], "min_score": 0.0}).json
    wait_local_jobs(app)
    assert pair.intro().status_code == 201  # the pair got in touch meanwhile
    r = admin.post(f"/api/v1/match-runs/{run['id']}/apply").json
    assert r["intro_ids"] == [] and r["skipped"] == [{"mentee_id": pair.mentee["id"], "mentor_id": pair.mentor["id"],
                                                      "reason": "intro_exists"}]


def test_apply_writes_each_intro_as_a_single_one_in_statements_that_do_not_grow_with_the_run(app, admin):
    """Every warm intro of an apply gets what a single one gets: its audit event, the mentor's intro.received
    e-mail and the intro.created webhook delivery, each kind written in batched statements: one statement an
    intro made a 50,000-mentee run's apply (29,944 intros) take 79 s. Five pairs cost as many statements as two."""
    import json

    from sqlalchemy import select

    from mentorship.extensions import db
    from mentorship.notifications.models import Notification
    from mentorship.tenancy.audit import AuditEvent
    from mentorship.tenancy.scope import tenant_scope
    from mentorship.webhooks.models import WebhookDelivery
    from tests.factories import sql_statements

    assert admin.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook",
                                                "events": ["intro.created"]}).status_code == 201

    def applied(pairs):
        mentees = [admin.post("/api/v1/members", json=mentee_payload()).json["id"] for _ in range(pairs)]
        mentors = [admin.post("/api/v1/members", json=mentor_payload(capacity=1)).json["id"] for _ in range(pairs)]
        run = admin.post("/api/v1/match-runs", json={"mentee_ids": mentees, "mentor_ids": mentors,
                                                     "min_score": 0.0}).json
        wait_local_jobs(app)
        with sql_statements(app) as seen:
            r = admin.post(f"/api/v1/match-runs/{run['id']}/apply")
        assert r.status_code == 200 and len(r.json["intro_ids"]) == pairs and r.json["skipped"] == []
        # SQLite: SQLAlchemy inserts ORM rows whose ids it needs back one statement each (no ordered RETURNING
        # batches there); in-process calls, not round trips. PostgreSQL: one statement for all of them.
        per_row = db.engine.dialect.name == "sqlite"
        return r.json["intro_ids"], len([s for s in seen if not (per_row and s.startswith("INSERT INTO intros"))])

    with app.app_context():
        _, two = applied(2)
        intro_ids, five = applied(5)
    assert five == two
    tenant_id = admin.get("/api/v1/tenant").json["id"]
    with app.app_context(), tenant_scope(tenant_id):
        audit = db.session.execute(select(AuditEvent.object_id, AuditEvent.data).where(
            AuditEvent.action == "intro.created", AuditEvent.object_id.in_(intro_ids))).all()
        mails = db.session.execute(select(Notification.object_id, Notification.member_id, Notification.key).where(
            Notification.event == "intro.received", Notification.object_id.in_(intro_ids))).all()
        hooks = db.session.scalars(select(WebhookDelivery.body).where(WebhookDelivery.event == "intro.created")).all()
    intros = {i: admin.get(f"/api/v1/intros/{i}").json for i in intro_ids}
    assert sorted(audit) == [(i, {"source": "career_office"}) for i in sorted(intro_ids)]
    assert sorted(mails) == sorted((i, intros[i]["mentor_id"], f"intro.received:intros:{i}:{intros[i]['mentor_id']}")
                                   for i in intro_ids)
    delivered = {body["data"]["intro_id"]: body for body in map(json.loads, hooks)}
    for i in intro_ids:
        assert delivered[i]["type"] == "intro.created"
        assert delivered[i]["data"] == {"intro_id": i, "mentee_id": intros[i]["mentee_id"],
                                        "mentor_id": intros[i]["mentor_id"], "mentorship_id": None,
                                        "intro": intros[i]}
