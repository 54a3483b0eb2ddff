"""Issue 5, acceptance 1: the whole earned-referral path, on real RQ workers over real Redis, a real SMTP sink,
with the clock moved forward (time-machine). Every notification the SPEC promises is in the outbox exactly once."""
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from mentorship.jobs.schedule import sweep
from tests.factories import mentee_payload, mentor_payload, run_worker
from tests.pairs import token_client

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # a Monday; US DST starts 2026-03-08 within the first window
WEEK = [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(7)]
PLAN = ("Next 12 months: pass CFA Level I, finish my thesis on PD model drift, join a model validation team in "
        "New York as an analyst, and keep building SQL and SAS depth. In three years I want to lead validation of "
        "retail credit models and mentor new international hires.")


def _sweep_and_work(app, backend):
    with app.app_context():
        sweep()
    run_worker(backend)


def _ok(r, status=200):
    assert r.status_code == status, (r.status_code, r.json)
    return r.json


@pytest.fixture
def traveller():
    with time_machine.travel(START, tick=True) as machine:
        yield machine


def _meeting(app, backend, traveller, mentee, mentor, ms_id):
    m = _ok(mentee.post(f"/api/v1/mentorships/{ms_id}/meetings", json={"duration_minutes": 30, "mode": "video"}), 201)
    assert m["status"] == "proposed" and 1 <= len(m["proposed_slots"]) <= 3
    # a slot at least a day ahead, so that both reminders (24 h and 1 h before) fall due later
    start = next(s["start"] for s in m["proposed_slots"]
                 if datetime.fromisoformat(s["start"]) - datetime.now(UTC) > timedelta(hours=25))
    _ok(mentee.post(f"/api/v1/meetings/{m['id']}/confirm", json={"start": start}), 403)  # the proposer cannot
    s = _ok(mentor.post(f"/api/v1/meetings/{m['id']}/confirm", json={"start": start}))
    assert s["status"] == "scheduled"
    ics = mentor.get(f"/api/v1/meetings/{m['id']}/invite.ics")
    assert ics.status_code == 200 and b"BEGIN:VEVENT" in ics.data
    early = mentee.post(f"/api/v1/meetings/{m['id']}/check-ins", json={"happened": True})
    assert early.status_code == 409 and early.json["code"] == "meeting_not_started"
    begins = datetime.fromisoformat(start)
    for before in (timedelta(hours=23), timedelta(minutes=59)):  # the 24 h and then the 1 h reminder fall due
        traveller.move_to(begins - before)
        _sweep_and_work(app, backend)
    traveller.move_to(begins + timedelta(minutes=45))
    _sweep_and_work(app, backend)  # the check-in request after the end
    _ok(mentee.post(f"/api/v1/meetings/{m['id']}/check-ins", json={"happened": True, "rating": 5}), 201)
    done = _ok(mentor.post(f"/api/v1/meetings/{m['id']}/check-ins", json={"happened": True, "rating": 4}), 201)
    assert done["meeting_status"] == "completed"
    return m["id"], begins


def test_earned_referral_end_to_end(app, admin, rq_backend, smtp_sink, traveller):
    # ready profiles
    wei = _ok(admin.post("/api/v1/members", json=mentee_payload(
        name="Wei Zhang", availability=WEEK, domains=["finance/credit-risk"])), 201)
    dana = _ok(admin.post("/api/v1/members", json=mentor_payload(
        name="Dana Li", company="Bank of China", title="Credit Risk Analyst", availability=WEEK,
        timezone="Europe/London", skills=["sas", "model validation"])), 201)
    assert wei["profile"]["ready"] and dana["profile"]["ready"]
    # recommendation
    recs = _ok(admin.get(f"/api/v1/members/{wei['id']}/recommendations"))["items"]
    assert recs[0]["mentor"]["id"] == dana["id"]
    W, D = token_client(app, admin, wei["id"]), token_client(app, admin, dana["id"])
    # coached intro: the cold ask is blocked, the personal one goes through
    cold = W.post("/api/v1/intros", json={"mentee_id": wei["id"], "mentor_id": dana["id"], "message":
                  "Hi Dana, could you refer me for the credit risk associate opening at Bank of China? I have "
                  "a strong background and I am sure I would be a great fit for the role."})
    assert cold.status_code == 422 and cold.json["code"] == "outreach_blocked"
    intro = _ok(W.post("/api/v1/intros", json={"mentee_id": wei["id"], "mentor_id": dana["id"], "message":
                       "Hi Dana, I'm Wei, a Columbia MSFE student. Your model validation work at Bank of China "
                       "caught my eye: I spent a year building loan-default models in SAS. What does a typical "
                       "week look like on a validation team? I'd like to learn before I choose a direction."}), 201)
    # accept
    ms_id = _ok(D.post(f"/api/v1/intros/{intro['id']}/accept"))["mentorship_id"]
    # questions
    _ok(W.post(f"/api/v1/mentorships/{ms_id}/milestones/questions_prepared", json={"questions": [
        "What made you choose credit risk?", "How does your team challenge a PD model?",
        "What should I learn this year?"]}))
    # first meeting: proposed, confirmed, reminded, checked in by both
    first_id, first_start = _meeting(app, rq_backend, traveller, W, D, ms_id)
    # career plan
    _ok(W.post(f"/api/v1/mentorships/{ms_id}/milestones/career_plan_shared", json={"plan": PLAN}))
    # a second meeting 7+ days later
    traveller.move_to(first_start + timedelta(days=7))
    second_id, _ = _meeting(app, rq_backend, traveller, W, D, ms_id)
    got = _ok(W.get(f"/api/v1/mentorships/{ms_id}"))
    status = {m["key"]: m["status"] for m in got["milestones"]}
    assert status["first_meeting_completed"] == status["follow_up_completed"] == "completed"
    # referral refused with the right missing list (endorsement; and 4 weeks have not passed)
    refused = W.post(f"/api/v1/mentorships/{ms_id}/referral-requests",
                     json={"company": "Bank of China", "job_title": "Credit Risk Associate"})
    assert refused.status_code == 409 and refused.json["code"] == "referral_not_earned"
    assert refused.json["missing"] == ["mentor_endorsement", "min_weeks"]
    # mentor endorsement (only the mentor)
    assert W.post(f"/api/v1/mentorships/{ms_id}/milestones/mentor_endorsement", json={"note": "me"}).status_code == 403
    _ok(D.post(f"/api/v1/mentorships/{ms_id}/milestones/mentor_endorsement",
               json={"note": "Wei prepares well and follows through."}))
    assert _ok(W.get(f"/api/v1/mentorships/{ms_id}"))["trust"]["missing"] == ["min_weeks"]
    # 4 weeks -> eligible
    traveller.move_to(datetime.fromisoformat(got["started_at"]) + timedelta(weeks=4, minutes=1))
    trust = _ok(W.get(f"/api/v1/mentorships/{ms_id}"))["trust"]
    assert trust == {**trust, "referral_eligible": True, "missing": []}
    # request -> only the mentor decides
    rq = _ok(W.post(f"/api/v1/mentorships/{ms_id}/referral-requests",
                    json={"company": "Bank of China", "job_title": "Credit Risk Associate"}), 201)
    assert rq["status"] == "requested"
    for who in (admin, W):
        r = who.post(f"/api/v1/referral-requests/{rq['id']}/decide", json={"decision": "approve"})
        assert r.status_code == 403 and r.json["code"] == "forbidden"
    assert _ok(D.post(f"/api/v1/referral-requests/{rq['id']}/decide",
                      json={"decision": "approve", "note": "Happy to vouch."}))["status"] == "approved"
    _sweep_and_work(app, rq_backend)

    # every promised notification, exactly once each, and delivered by SMTP exactly once each
    def events(member_id):
        items = _ok(admin.get(f"/api/v1/notifications?member_id={member_id}&per_page=100"))["items"]
        assert all(n["status"] == "sent" for n in items), [(n["event"], n["status"], n["due_at"]) for n in items]
        return Counter((n["event"], n["object_id"], n["data"].get("milestone")) for n in items)

    mentor_events, mentee_events = events(dana["id"]), events(wei["id"])
    assert set(mentor_events.values()) == {1} and set(mentee_events.values()) == {1}
    per_meeting = {"meeting.scheduled", "meeting.reminder_24h", "meeting.reminder_1h", "meeting.check_in"}
    for meeting_id in (first_id, second_id):
        assert {e for e, o, _ in mentor_events if o == meeting_id} >= per_meeting
        assert {e for e, o, _ in mentee_events if o == meeting_id} >= per_meeting
    assert ("intro.received", intro["id"], None) in mentor_events
    assert ("intro.accepted", intro["id"], None) in mentee_events
    assert ("referral.requested", rq["id"], None) in mentor_events
    assert ("referral.decided", rq["id"], None) in mentee_events
    assert {m for e, o, m in mentor_events if e == "milestone.completed"} == {"questions prepared",
                                                                             "career plan shared"}
    assert {m for e, o, m in mentee_events if e == "milestone.completed"} == {"mentor endorsement"}
    sent = sum(mentor_events.values()) + sum(mentee_events.values())
    assert len(smtp_sink.messages) == sent
    assert len({m["Message-ID"] for m in smtp_sink.messages}) == sent
