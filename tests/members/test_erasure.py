"""Erasing a member ends what they take part in the way a person would end it, and leaves no trace of them (SPEC §10).

A mentee and a mentor with an active mentorship, a past meeting with check-in notes and a scheduled one; the mentor
is erased. Real RQ workers over Redis, a real SMTP sink, the clock moved with time-machine, and the operator's
`flask --app wsgi sweep` command run at the cancelled meeting's reminder and check-in times.
"""
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from mentorship.extensions import db
from mentorship.tenancy.scope import unscoped
from tests.factories import run_worker
from tests.pairs import make_pair, token_client

START = datetime(2026, 9, 7, 13, 0, tzinfo=UTC)  # a Monday
NAME, EMAIL = "Zebulon Quartermaine", "zeb.quartermaine@bank.example"
MENTEE_EMAIL = "ana.lima@example.edu"
MENTOR_FIELDS = ("role", "headline", "bio", "photo_url", "domains", "goals", "skills", "languages", "timezone",
                 "availability", "international", "company", "title", "years_experience", "capacity",
                 "company_sponsors_visa")
QUESTIONS = [f"How did {NAME} move into model validation?", "What does a good first year look like?",
             "Which skills matter most on your team?"]


@pytest.fixture
def traveller():
    with time_machine.travel(START, tick=True) as machine:
        yield machine


def _ok(r, status=200):
    assert r.status_code == status, (r.status_code, r.json)
    return r.json


def _sweep(app, backend):
    """The operator's command, as cron or the scheduler runs it, then a real worker for what it queued."""
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    run_worker(backend)


def _book(client, ms_id, start):
    return _ok(client.post(f"/api/v1/mentorships/{ms_id}/meetings",
                           json={"duration_minutes": 30, "mode": "video", "start": start.isoformat()}), 201)


def _mentorship_with_history(app, admin, rq_backend, traveller):
    """The pair, a completed first meeting with notes naming the mentor, milestones, and a second meeting booked."""
    pair = make_pair(app, admin, mentee={"name": "Ana Lima", "email": MENTEE_EMAIL})
    # the mentor is created with an Idempotency-Key: the stored answer holds their name and e-mail
    mentor = _ok(admin.post("/api/v1/members", json={**{k: v for k, v in pair.mentor.items() if k in MENTOR_FIELDS},
                                                     "name": NAME, "email": EMAIL},
                            headers={"Idempotency-Key": "create-zebulon"}), 201)
    pair.mentor = mentor
    pair.mentor_client = token_client(app, admin, mentor["id"])
    ms_id = pair.mentorship()
    _ok(pair.mentee_client.post(f"/api/v1/mentorships/{ms_id}/milestones/questions_prepared",
                                json={"questions": QUESTIONS}))
    _ok(pair.mentor_client.post(f"/api/v1/mentorships/{ms_id}/milestones/mentor_endorsement",
                                json={"note": f"{NAME} vouches for Ana's preparation."}))
    first = _book(pair.mentee_client, ms_id, START + timedelta(days=1))
    traveller.move_to(START + timedelta(days=1, minutes=40))
    _ok(pair.mentee_client.post(f"/api/v1/meetings/{first['id']}/check-ins",
                                json={"happened": True, "note": f"{NAME} explained validation well."}), 201)
    _ok(pair.mentor_client.post(f"/api/v1/meetings/{first['id']}/check-ins",
                                json={"happened": True, "note": "Good questions from Ana."}), 201)
    second_start = START + timedelta(days=5)
    second = _book(pair.mentor_client, ms_id, second_start)
    run_worker(rq_backend)
    return pair, ms_id, second, second_start



def _every_row_as_text(app):
    """Every table, every row, as text (all tenants: an operator's view of the database)."""
    with app.app_context(), unscoped():
        return {table.name: json.dumps([[str(value) for value in row] for row in db.session.execute(select(table))])
                for table in db.metadata.sorted_tables}


def test_erasing_the_mentor_ends_the_mentorship_and_leaves_no_trace(app, admin, rq_backend, smtp_sink, traveller):
    pair, ms_id, meeting, start = _mentorship_with_history(app, admin, rq_backend, traveller)
    assert any(NAME in subject for subject in smtp_sink.subjects(to=MENTEE_EMAIL))  # e.g. "... accepted your intro"
    assert any(NAME in text for text in _every_row_as_text(app).values())  # the scan below can see the name
    before = len(smtp_sink.messages)

    assert admin.delete(f"/api/v1/members/{pair.mentor['id']}").status_code == 204
    run_worker(rq_backend)
    told = [m["Subject"] for m in smtp_sink.messages[before:] if m["To"] == MENTEE_EMAIL]
    assert "Your mentorship has ended" in told
    assert _ok(admin.get(f"/api/v1/mentorships/{ms_id}"))["status"] == "closed"
    assert _ok(admin.get(f"/api/v1/meetings/{meeting['id']}"))["status"] == "cancelled"

    # the cancelled meeting's reminders and check-in request were due at these times: the sweep sends none of them
    for moment in (start - timedelta(hours=23), start - timedelta(minutes=59), start + timedelta(minutes=45),
                   start + timedelta(days=1)):
        traveller.move_to(moment)
        _sweep(app, rq_backend)
    after = smtp_sink.messages[before:]
    assert not [m for m in after if m["To"] == EMAIL], "nothing goes to the erased member"
    sent_to_mentee = [m["Subject"] for m in after if m["To"] == MENTEE_EMAIL]
    assert not [s for s in sent_to_mentee if s.startswith(("Tomorrow", "In one hour", "Did your call"))], sent_to_mentee
    assert sent_to_mentee.count("Your mentorship has ended") == 1

    exported = json.dumps(_ok(admin.get(f"/api/v1/members/{pair.mentee['id']}/export")))
    for trace in (NAME, "Zebulon", EMAIL):
        assert trace not in exported
        assert [table for table, text in _every_row_as_text(app).items() if trace in text] == []
    replay = admin.post("/api/v1/members", json={"role": "mentor", "name": "x", "email": "x@example.com",
                                                 "timezone": "UTC"}, headers={"Idempotency-Key": "create-zebulon"})
    assert replay.status_code == 201 and replay.headers.get("Idempotent-Replayed") is None  # that answer is gone


def test_erasing_the_mentee_withdraws_their_pending_intro_and_tells_the_mentor(app, admin, rq_backend, smtp_sink):
    pair = make_pair(app, admin, mentor={"email": EMAIL})
    intro = _ok(pair.intro(), 201)
    run_worker(rq_backend)
    assert admin.delete(f"/api/v1/members/{pair.mentee['id']}").status_code == 204
    run_worker(rq_backend)
    assert _ok(admin.get(f"/api/v1/intros/{intro['id']}"))["status"] == "withdrawn"
    assert smtp_sink.subjects(to=EMAIL)[-1] == "An intro of yours ended"
    assert _ok(admin.get(f"/api/v1/intros/{intro['id']}"))["message"] is None
