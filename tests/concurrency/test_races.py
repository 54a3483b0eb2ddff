"""Of simultaneous requests for conflicting transitions exactly one wins; the others answer 409 and a later read
shows the winner's state, its side effects made once; limits hold (SPEC §2 "Concurrency"). Each race: N = 20
requests released together, 5 rounds. Measured before the fix: accept/decline/withdraw left an intro `declined`
with an active mentorship, simultaneous check-ins left meetings `scheduled`, several referral decisions and several
confirmed times won, a mentor with capacity 2 got 4-5 pending intros."""
from collections import Counter
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from mentorship.extensions import db
from mentorship.referrals.models import ReferralRequest
from mentorship.tenancy.scope import tenant_scope
from tests.concurrency.conftest import ROUNDS, N, codes, message, race

EARNED_AT_ONCE = {"referral_requires": [], "min_weeks": 0, "min_meetings": 0}


def test_accept_decline_withdraw_one_intro(office):
    for _ in range(ROUNDS):
        mentee, mentor = office.member(), office.member("mentor", capacity=5)
        mentee_token, mentor_token = office.token(mentee), office.token(mentor)
        intro = office.ok("POST", "/api/v1/intros", {"mentee_id": mentee["id"], "mentor_id": mentor["id"],
                                                     "message": message(mentee, mentor)})
        actions = [("accept", mentor_token), ("decline", mentor_token), ("withdraw", mentee_token)]

        def answer(i, intro_id=intro["id"], actions=actions):
            action, token = actions[i % 3]
            return office.served.call("POST", f"/api/v1/intros/{intro_id}/{action}", token)

        got = codes(race(N, answer))
        assert got.count((200, None)) == 1, got
        assert got.count((409, "invalid_transition")) == N - 1, got
        winner = actions[got.index((200, None)) % 3][0]
        final = office.ok("GET", f"/api/v1/intros/{intro['id']}")
        assert final["status"] == {"accept": "accepted", "decline": "declined", "withdraw": "withdrawn"}[winner]
        mentorships = office.ok("GET", f"/api/v1/mentorships?member_id={mentee['id']}")["items"]
        assert len(mentorships) == (1 if winner == "accept" else 0)
        assert (final["mentorship_id"] is not None) == (winner == "accept")
        told = Counter(office.notifications(mentee["id"]))
        assert told["intro.accepted"] == (winner == "accept") and told["intro.declined"] == (winner == "decline")


def test_both_check_ins_at_once_complete_the_meeting(office):
    pairs = []
    for _ in range(ROUNDS):
        mentee, mentor = office.member(), office.member("mentor")
        tokens = office.token(mentee), office.token(mentor)
        ms_id = office.mentorship(mentee, mentor, tokens[1])
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
        meeting = office.ok("POST", f"/api/v1/mentorships/{ms_id}/meetings",
                            {"duration_minutes": 30, "mode": "video", "start": start.isoformat()}, secret=tokens[0])
        pairs.append((ms_id, meeting, tokens))
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=2, minutes=40), tick=True):
        for ms_id, meeting, tokens in pairs:
            def check_in(i, meeting_id=meeting["id"], tokens=tokens):
                return office.served.call("POST", f"/api/v1/meetings/{meeting_id}/check-ins", tokens[i % 2],
                                          {"happened": True})

            got = codes(race(N, check_in))
            assert got.count((201, None)) == 2, got
            assert got.count((409, "already_checked_in")) == N - 2, got
            assert office.ok("GET", f"/api/v1/meetings/{meeting['id']}")["status"] == "completed"
            milestones = office.ok("GET", f"/api/v1/mentorships/{ms_id}")["milestones"]
            assert [m["status"] for m in milestones if m["key"] == "first_meeting_completed"] == ["completed"]


def _earned(office):
    office.ok("PATCH", "/api/v1/tenant/policy", EARNED_AT_ONCE)
    mentee, mentor = office.member(), office.member("mentor")
    tokens = office.token(mentee), office.token(mentor)
    return mentee, mentor, tokens, office.mentorship(mentee, mentor, tokens[1])


def test_one_referral_request_per_mentorship(office):
    for _ in range(ROUNDS):
        mentee, _, (mentee_token, _), ms_id = _earned(office)

        def ask(i, ms_id=ms_id, mentee_token=mentee_token):
            return office.served.call("POST", f"/api/v1/mentorships/{ms_id}/referral-requests", mentee_token,
                                      {"company": "Example Bank", "job_title": "Risk Analyst"})

        got = codes(race(N, ask))
        assert got.count((201, None)) == 1, got
        assert got.count((409, "referral_exists")) == N - 1, got
        with office.served.app.app_context(), tenant_scope(office.tenant_id):
            assert db.session.scalar(select(func.count()).select_from(ReferralRequest)
                                     .where(ReferralRequest.mentorship_id == ms_id)) == 1


def test_the_mentor_decides_a_referral_once(office):
    for _ in range(ROUNDS):
        mentee, mentor, (mentee_token, mentor_token), ms_id = _earned(office)
        referral = office.ok("POST", f"/api/v1/mentorships/{ms_id}/referral-requests",
                             {"company": "Example Bank", "job_title": "Risk Analyst"}, secret=mentee_token)

        def decide(i, referral_id=referral["id"], mentor_token=mentor_token):
            return office.served.call("POST", f"/api/v1/referral-requests/{referral_id}/decide", mentor_token,
                                      {"decision": "approve" if i % 2 else "decline"})

        results = race(N, decide)
        got = codes(results)
        assert got.count((200, None)) == 1, got
        assert got.count((409, "invalid_transition")) == N - 1, got
        won = results[got.index((200, None))][1]["status"]
        assert office.ok("GET", f"/api/v1/referral-requests/{referral['id']}")["status"] == won
        assert office.notifications(mentee["id"]).count("referral.decided") == 1


def test_a_proposed_meeting_is_confirmed_once(office):
    for _ in range(ROUNDS):
        mentee, mentor = office.member(), office.member("mentor")
        mentee_token, mentor_token = office.token(mentee), office.token(mentor)
        ms_id = office.mentorship(mentee, mentor, mentor_token)
        meeting = office.ok("POST", f"/api/v1/mentorships/{ms_id}/meetings", {"duration_minutes": 30, "mode": "video"},
                            secret=mentee_token)
        slots = [s["start"] for s in meeting["proposed_slots"]]
        assert len(slots) >= 2

        def confirm(i, meeting_id=meeting["id"], slots=slots, mentor_token=mentor_token):
            return office.served.call("POST", f"/api/v1/meetings/{meeting_id}/confirm", mentor_token,
                                      {"start": slots[i % len(slots)]})

        results = race(N, confirm)
        got = codes(results)
        assert got.count((200, None)) == 1, got
        assert all(code in ("invalid_transition", "meeting_conflict") for status, code in got if status != 200), got
        chosen = results[got.index((200, None))][1]["start"]
        final = office.ok("GET", f"/api/v1/meetings/{meeting['id']}")
        assert final["status"] == "scheduled" and final["start"] == chosen
        for member in (mentee, mentor):  # one set of reminders, for the time that won
            events = Counter(office.notifications(member["id"]))
            assert events["meeting.scheduled"] == 1 and events["meeting.check_in"] == 1, events
            assert events["meeting.reminder_1h"] <= 1 and events["meeting.reminder_24h"] <= 1, events


def test_one_meeting_per_person_per_time_slot(office):
    mentor = office.member("mentor", capacity=N)
    mentor_token = office.token(mentor)
    mentees = [office.member() for _ in range(N)]
    tokens = [office.token(m) for m in mentees]
    mentorships = [office.mentorship(m, mentor, mentor_token) for m in mentees]
    for round_ in range(ROUNDS):
        start = (datetime.now(UTC) + timedelta(days=2 + round_)).replace(minute=0, second=0, microsecond=0)

        def book(i, start=start):
            return office.served.call("POST", f"/api/v1/mentorships/{mentorships[i]}/meetings", tokens[i],
                                      {"duration_minutes": 30, "mode": "video", "start": start.isoformat()})

        got = codes(race(N, book))
        assert got.count((201, None)) == 1, got
        assert got.count((409, "meeting_conflict")) == N - 1, got


def test_a_mentor_is_never_offered_more_than_their_capacity(office):
    for _ in range(ROUNDS):
        mentor = office.member("mentor", capacity=2)
        mentees = [office.member() for _ in range(N)]
        tokens = [office.token(m) for m in mentees]

        def send(i, mentor=mentor, mentees=mentees, tokens=tokens):
            return office.served.call("POST", "/api/v1/intros", tokens[i], {
                "mentee_id": mentees[i]["id"], "mentor_id": mentor["id"], "message": message(mentees[i], mentor)})

        results = race(N, send)
        got = codes(results)
        assert got.count((201, None)) == 2, got
        assert got.count((422, "outreach_blocked")) == N - 2, got
        blocked = [{i["code"] for i in body["coaching"]["issues"]} for status, body in results if status == 422]
        assert all("mentor_unavailable" in issues for issues in blocked), blocked
        pending = office.ok("GET", f"/api/v1/intros?mentor_id={mentor['id']}&status=pending")["total"]
        assert pending == 2


def test_a_mentee_never_has_more_pending_intros_than_the_policy_allows(office):
    for _ in range(ROUNDS):
        mentee = office.member()
        mentee_token = office.token(mentee)
        mentors = [office.member("mentor") for _ in range(N)]

        def send(i, mentee=mentee, mentee_token=mentee_token, mentors=mentors):
            return office.served.call("POST", "/api/v1/intros", mentee_token, {
                "mentee_id": mentee["id"], "mentor_id": mentors[i]["id"], "message": message(mentee, mentors[i])})

        got = codes(race(N, send))
        assert got.count((201, None)) == 3, got  # max_pending_intros, default 3
        assert got.count((422, "outreach_blocked")) == N - 3, got
        assert office.ok("GET", f"/api/v1/intros?mentee_id={mentee['id']}&status=pending")["total"] == 3
