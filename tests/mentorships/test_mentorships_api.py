"""Mentorships, milestones, meetings, check-ins, trust and referrals (SPEC §7, §8): every error code."""
from datetime import datetime, timedelta

import pytest

from mentorship.common.clock import utcnow
from tests.pairs import MONDAY, make_pair, token_client, varied_message

QUESTIONS = {"questions": ["What do you do all day?", "How did you get started?", "What should I learn?"]}
PLAN = {"plan": "p" * 10 + " I will finish my degree, pass the first CFA level, and apply to risk analyst roles "
                "in New York while building SQL, SAS and communication skills through a volunteer project and "
                "two informational interviews every month."}


@pytest.fixture
def pair(app, admin, clock):
    return make_pair(app, admin)


@pytest.fixture
def ms(pair):
    return pair.mentorship()


def _problem(r, status, code):
    assert r.status_code == status, (r.status_code, r.json)
    assert r.json["code"] == code, r.json
    return r.json


def test_new_mentorship_shape_and_trust(pair, ms):
    got = pair.mentee_client.get(f"/api/v1/mentorships/{ms}").json
    assert got["status"] == "active" and got["health"] == "on_track"
    assert [m["key"] for m in got["milestones"]] == ["intro_accepted", "questions_prepared",
                                                     "first_meeting_completed", "career_plan_shared",
                                                     "follow_up_completed", "mentor_endorsement"]
    assert got["trust"]["referral_eligible"] is False
    assert got["trust"]["missing"] == ["questions_prepared", "first_meeting_completed", "career_plan_shared",
                                       "follow_up_completed", "mentor_endorsement", "min_weeks", "min_meetings"]


def test_manual_milestones_only_by_their_party(app, admin, pair, ms):
    url = f"/api/v1/mentorships/{ms}/milestones"
    _problem(pair.mentor_client.post(f"{url}/questions_prepared", json=QUESTIONS), 403, "forbidden")
    _problem(admin.post(f"{url}/questions_prepared", json=QUESTIONS), 403, "forbidden")
    _problem(pair.mentee_client.post(f"{url}/mentor_endorsement", json={"note": "great"}), 403, "forbidden")
    _problem(pair.mentee_client.post(f"{url}/first_meeting_completed", json={}), 409, "milestone_automatic")
    _problem(pair.mentee_client.post(f"{url}/intro_accepted", json={}), 409, "milestone_automatic")
    _problem(pair.mentee_client.post(f"{url}/no_such_key", json={}), 404, "not_found")
    _problem(pair.mentee_client.post(f"{url}/questions_prepared", json={"questions": ["one?", "two?"]}), 422,
             "validation_error")
    _problem(pair.mentee_client.post(f"{url}/questions_prepared", json={"plan": PLAN["plan"]}), 422,
             "validation_error")
    _problem(pair.mentee_client.post(f"{url}/career_plan_shared", json={"plan": "too short"}), 422,
             "validation_error")
    got = pair.mentee_client.post(f"{url}/questions_prepared", json=QUESTIONS)
    assert got.status_code == 200
    done = {m["key"]: m for m in got.json["milestones"]}["questions_prepared"]
    assert done["status"] == "completed" and done["evidence"] == QUESTIONS and done["completed_at"]
    _problem(pair.mentee_client.post(f"{url}/questions_prepared", json=QUESTIONS), 409, "invalid_transition")
    assert pair.mentee_client.post(f"{url}/career_plan_shared", json=PLAN).status_code == 200
    assert pair.mentor_client.post(f"{url}/mentor_endorsement", json={"note": "Prepares well."}).status_code == 200
    events = [n["event"] for n in admin.get(f"/api/v1/notifications?member_id={pair.mentor['id']}").json["items"]]
    assert events.count("milestone.completed") == 2


CHINESE_PLAN = ("我计划今年完成金融工程硕士学业，通过特许金融分析师一级考试，同时在纽约申请信用风险分析师的职位。"
                "每个月做两次行业访谈，并通过志愿项目练习数据分析和沟通能力。")


def test_a_chinese_career_plan_counts_three_per_character(pair, ms):
    """SPEC §6, §7: a plan of 70 Chinese characters is 210 Latin-equivalent characters (≥ 200); 60 are 180."""
    url = f"/api/v1/mentorships/{ms}/milestones/career_plan_shared"
    plan = CHINESE_PLAN[:70]
    assert len(plan) == 70
    _problem(pair.mentee_client.post(url, json={"plan": CHINESE_PLAN[:60]}), 422, "validation_error")
    r = pair.mentee_client.post(url, json={"plan": plan})
    assert r.status_code == 200, r.json
    assert {m["key"]: m for m in r.json["milestones"]}["career_plan_shared"]["evidence"] == {"plan": plan}


def test_other_members_cannot_see_a_mentorship(app, admin, pair, ms):
    stranger = make_pair(app, admin)
    _problem(stranger.mentee_client.get(f"/api/v1/mentorships/{ms}"), 404, "not_found")
    assert stranger.mentee_client.get("/api/v1/mentorships").json["total"] == 0
    _problem(stranger.mentee_client.get(f"/api/v1/mentorships?member_id={pair.mentee['id']}"), 403, "forbidden")
    assert pair.mentor_client.get("/api/v1/mentorships").json["total"] == 1
    assert admin.get(f"/api/v1/mentorships?member_id={pair.mentee['id']}&status=active").json["total"] == 1
    assert admin.get(f"/api/v1/mentorships?member_id={pair.mentee['id']}&status=closed").json["total"] == 0


def test_proposed_meeting_slots_and_confirm(pair, ms):
    r = pair.mentee_client.post(f"/api/v1/mentorships/{ms}/meetings", json={"duration_minutes": 30, "mode": "video"})
    assert r.status_code == 201, r.json
    meeting = r.json
    assert meeting["status"] == "proposed" and 1 <= len(meeting["proposed_slots"]) <= 3
    for slot in meeting["proposed_slots"]:
        start, end = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
        assert utcnow() < start < utcnow() + timedelta(days=14) and end - start == timedelta(minutes=30)
    url = f"/api/v1/meetings/{meeting['id']}"
    _problem(pair.mentee_client.post(f"{url}/confirm", json={"start": meeting["proposed_slots"][0]["start"]}), 403,
             "forbidden")
    _problem(pair.mentor_client.post(f"{url}/confirm", json={"start": "2026-06-20T03:00:00+00:00"}), 422,
             "validation_error")
    _problem(pair.mentor_client.get(f"{url}/invite.ics"), 409, "invalid_transition")
    ok = pair.mentor_client.post(f"{url}/confirm", json={"start": meeting["proposed_slots"][0]["start"]})
    assert ok.status_code == 200 and ok.json["status"] == "scheduled"
    _problem(pair.mentor_client.post(f"{url}/confirm", json={"start": meeting["proposed_slots"][0]["start"]}), 409,
             "invalid_transition")
    ics = pair.mentee_client.get(f"{url}/invite.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert pair.mentee["email"].encode() in ics.data.replace(b"\r\n ", b"") and b"BEGIN:VEVENT" in ics.data


def test_no_common_availability(app, admin):
    pair = make_pair(app, admin, mentee={"availability": [{"weekday": 0, "start": "09:00", "end": "10:00"}]},
                     mentor={"availability": [{"weekday": 3, "start": "09:00", "end": "10:00"}]})
    ms = pair.mentorship()
    _problem(pair.mentee_client.post(f"/api/v1/mentorships/{ms}/meetings", json={}), 422, "no_common_availability")


def test_booked_start_check_ins_and_no_shows(pair, ms, clock):
    start = MONDAY + timedelta(days=2)
    r = pair.mentee_client.post(f"/api/v1/mentorships/{ms}/meetings", json={"start": start.isoformat()})
    assert r.status_code == 201 and r.json["status"] == "scheduled"
    clash = pair.mentor_client.post(f"/api/v1/mentorships/{ms}/meetings",
                                    json={"start": (start + timedelta(minutes=10)).isoformat()})
    _problem(clash, 409, "meeting_conflict")
    _problem(pair.mentee_client.post(f"/api/v1/mentorships/{ms}/meetings",
                                     json={"start": (MONDAY - timedelta(hours=1)).isoformat()}), 422,
             "validation_error")
    url = f"/api/v1/meetings/{r.json['id']}"
    _problem(pair.mentee_client.post(f"{url}/check-ins", json={"happened": True}), 409, "meeting_not_started")
    clock.move_to(start + timedelta(minutes=40))
    _problem(pair.admin.post(f"{url}/check-ins", json={"happened": True}), 403, "forbidden")
    assert pair.mentee_client.post(f"{url}/check-ins", json={"happened": False, "note": "no one came"}).status_code \
        == 201
    _problem(pair.mentee_client.post(f"{url}/check-ins", json={"happened": False}), 409, "already_checked_in")
    _problem(pair.mentee_client.post(f"{url}/cancel"), 409, "invalid_transition")
    got = pair.mentor_client.get(url).json
    assert got["status"] == "missed" and got["no_show_member_ids"] == [pair.mentor["id"]]
    assert pair.admin.get(f"/api/v1/mentorships/{ms}").json["health"] == "at_risk"
    meetings = pair.admin.get("/api/v1/reports/funnel").json["meetings"]
    assert meetings["missed"] == 1 and meetings["no_shows"] == {str(pair.mentor["id"]): 1}


def test_cancel_withdraws_reminders(admin, pair, ms):
    start = MONDAY + timedelta(days=3)
    meeting = pair.mentee_client.post(f"/api/v1/mentorships/{ms}/meetings", json={"start": start.isoformat()}).json
    pending = admin.get(f"/api/v1/notifications?member_id={pair.mentor['id']}&status=pending").json["items"]
    assert {n["event"] for n in pending} >= {"meeting.reminder_24h", "meeting.reminder_1h", "meeting.check_in"}
    r = pair.mentor_client.post(f"/api/v1/meetings/{meeting['id']}/cancel")
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    pending = admin.get(f"/api/v1/notifications?member_id={pair.mentor['id']}&status=pending").json["items"]
    assert not {n["event"] for n in pending} & {"meeting.reminder_24h", "meeting.reminder_1h", "meeting.check_in"}
    mentee_notes = admin.get(f"/api/v1/notifications?member_id={pair.mentee['id']}").json["items"]
    mentee_events = [n["event"] for n in mentee_notes]
    assert "meeting.cancelled" in mentee_events
    _problem(pair.mentor_client.post(f"/api/v1/meetings/{meeting['id']}/cancel"), 409, "invalid_transition")


def test_referral_request_errors_and_decisions(app, admin, pair, ms, clock):
    url = f"/api/v1/mentorships/{ms}/referral-requests"
    body = {"company": "Example Bank", "job_title": "Risk Analyst"}
    _problem(pair.mentor_client.post(url, json=body), 403, "forbidden")
    _problem(admin.post(url, json=body), 403, "forbidden")
    refused = _problem(pair.mentee_client.post(url, json=body), 409, "referral_not_earned")
    assert "min_weeks" in refused["missing"] and "mentor_endorsement" in refused["missing"]
    # a policy without requirements: eligible at once (policy changes apply to existing mentorships)
    admin.patch("/api/v1/tenant/policy", json={"referral_requires": [], "min_weeks": 0, "min_meetings": 0})
    assert pair.mentee_client.get(f"/api/v1/mentorships/{ms}").json["trust"]["referral_eligible"] is True
    rq = pair.mentee_client.post(url, json=body)
    assert rq.status_code == 201 and rq.json["status"] == "requested"
    rid = rq.json["id"]
    _problem(pair.mentee_client.patch(f"/api/v1/referral-requests/{rid}", json={"outcome": "hired"}), 409,
             "invalid_transition")
    _problem(admin.post(f"/api/v1/referral-requests/{rid}/decide", json={"decision": "approve"}), 403, "forbidden")
    _problem(pair.mentee_client.post(f"/api/v1/referral-requests/{rid}/decide", json={"decision": "approve"}), 403,
             "forbidden")
    _problem(pair.mentor_client.post(f"/api/v1/referral-requests/{rid}/decide", json={"decision": "maybe"}), 422,
             "validation_error")
    ok = pair.mentor_client.post(f"/api/v1/referral-requests/{rid}/decide", json={"decision": "decline",
                                                                                  "note": "Not this role."})
    assert ok.status_code == 200 and ok.json["status"] == "declined"
    _problem(pair.mentor_client.post(f"/api/v1/referral-requests/{rid}/decide", json={"decision": "approve"}), 409,
             "invalid_transition")
    second = pair.mentee_client.post(url, json={**body, "job_title": "Model Validation Analyst"}).json
    pair.mentor_client.post(f"/api/v1/referral-requests/{second['id']}/decide", json={"decision": "approve"})
    out = pair.mentee_client.patch(f"/api/v1/referral-requests/{second['id']}", json={"outcome": "interviewing"})
    assert out.status_code == 200 and out.json["outcome"] == "interviewing"
    funnel = admin.get("/api/v1/reports/funnel").json
    assert funnel["referrals"]["approved"] == 1 and funnel["referrals"]["declined"] == 1
    assert funnel["referrals"]["outcomes"]["interviewing"] == 1


def test_close_and_health(app, admin, pair, ms, clock):
    assert pair.admin.get(f"/api/v1/mentorships/{ms}").json["health"] == "on_track"
    clock.move_to(MONDAY + timedelta(days=22))
    assert pair.admin.get(f"/api/v1/mentorships/{ms}").json["health"] == "needs_check_in"
    clock.move_to(MONDAY + timedelta(days=43))
    assert pair.admin.get(f"/api/v1/mentorships/{ms}").json["health"] == "at_risk"
    # the pair signs in again (a fresh token, as a portal would)
    pair.mentee_client = token_client(app, admin, pair.mentee["id"])
    pair.mentor_client = token_client(app, admin, pair.mentor["id"])
    partner = admin.post("/api/v1/api-keys", json={"name": "p", "kind": "partner"}).json["secret"]
    from tests.factories import ApiClient
    _problem(ApiClient(app.test_client(), partner).post(f"/api/v1/mentorships/{ms}/close",
                                                        json={"reason": "no_time"}), 403, "forbidden")
    _problem(pair.mentee_client.post(f"/api/v1/mentorships/{ms}/close", json={"reason": "bored"}), 422,
             "validation_error")
    r = pair.mentee_client.post(f"/api/v1/mentorships/{ms}/close", json={"reason": "goals_met", "note": "Thanks!"})
    assert r.status_code == 200 and r.json["status"] == "closed" and r.json["close_reason"] == "goals_met"
    _problem(pair.mentor_client.post(f"/api/v1/mentorships/{ms}/close", json={"reason": "other"}), 409,
             "invalid_transition")
    _problem(pair.mentee_client.post(f"/api/v1/mentorships/{ms}/meetings", json={}), 409, "invalid_transition")
    events = [n["event"] for n in admin.get(f"/api/v1/notifications?member_id={pair.mentor['id']}").json["items"]]
    assert "mentorship.closed" in events


def test_erasing_a_member_ends_their_intros_and_mentorships(app, admin, pair, ms):
    other = make_pair(app, admin)
    intro = admin.post("/api/v1/intros", json={"mentee_id": other.mentee["id"], "mentor_id": pair.mentor["id"],
                                               "message": varied_message(pair.mentor, 2)}).json
    meeting = pair.mentee_client.post(f"/api/v1/mentorships/{ms}/meetings",
                                      json={"start": (MONDAY + timedelta(days=2)).isoformat()}).json
    assert admin.delete(f"/api/v1/members/{pair.mentor['id']}").status_code == 204
    assert admin.get(f"/api/v1/intros/{intro['id']}").json["status"] == "withdrawn"
    got = admin.get(f"/api/v1/mentorships/{ms}").json
    assert got["status"] == "closed" and got["close_reason"] == "other"
    assert admin.get(f"/api/v1/meetings/{meeting['id']}").json["status"] == "cancelled"
    pending = admin.get(f"/api/v1/notifications?member_id={pair.mentor['id']}&status=pending").json["total"]
    assert pending == 0
    assert admin.get(f"/api/v1/intros/{intro['id']}").json["message"] is None


def test_idle_mentorship_gets_one_nudge_to_both(app, admin, pair, ms, clock):
    from mentorship.jobs.schedule import sweep
    from tests.factories import wait_local_jobs

    def nudges(member_id):
        items = admin.get(f"/api/v1/notifications?member_id={member_id}&event=mentorship.nudge").json["items"]
        return [(n["object_id"], n["status"]) for n in items]

    clock.move_to(MONDAY + timedelta(days=20))
    with app.app_context():
        assert sweep()["nudge_idle_mentorships"] == 0
    clock.move_to(MONDAY + timedelta(days=21, minutes=1))
    for _ in range(2):
        with app.app_context():
            sweep()
        wait_local_jobs(app)
    assert nudges(pair.mentee["id"]) == [(ms, "sent")] and nudges(pair.mentor["id"]) == [(ms, "sent")]
    # activity starts a new stretch: after another 21 idle days, one more nudge
    pair.mentee_client = token_client(app, admin, pair.mentee["id"])
    pair.mentee_client.post(f"/api/v1/mentorships/{ms}/milestones/questions_prepared", json=QUESTIONS)
    clock.move_to(MONDAY + timedelta(days=43))
    with app.app_context():
        sweep()
    wait_local_jobs(app)
    assert len(nudges(pair.mentee["id"])) == 2


def test_lists_and_the_funnel_do_not_query_per_mentorship(app, admin):
    from tests.factories import sql_statements

    def statements(path):
        with sql_statements(app) as seen:
            assert admin.get(path).status_code == 200
        return len(seen)

    make_pair(app, admin).mentorship()
    one = {path: statements(path) for path in ("/api/v1/mentorships", "/api/v1/reports/funnel")}
    for n in range(4):
        pair = make_pair(app, admin)
        pair.mentorship(varied_message(pair.mentor, n))
    assert admin.get("/api/v1/mentorships").json["total"] == 5
    assert {path: statements(path) for path in one} == one
