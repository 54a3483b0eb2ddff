"""The pages every e-mail links to (issue 13): an intro, a mentorship, a meeting and its .ics, for either party
signed in; 404 for anyone else, also with a valid session of another tenant; every form through the API's own
operations, CSRF-checked; a refusal is a message on the page."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mentorship.extensions import db
from mentorship.mentorships.models import Mentorship
from mentorship.tenancy.scope import unscoped
from tests.factories import ApiClient, mentee_payload
from tests.pairs import MONDAY, make_pair, varied_message
from tests.web.helpers import csrf_from, post_form, signed_in


@pytest.fixture
def pair(app, admin, clock):
    return make_pair(app, admin)


@pytest.fixture
def people(app, tenant, pair):
    """Signed-in clients: the mentee, the mentor, another member of the tenant."""
    stranger = pair.admin.post("/api/v1/members", json=mentee_payload())
    assert stranger.status_code == 201
    return {name: signed_in(app, tenant.slug, email) for name, email in
            (("mentee", pair.mentee["email"]), ("mentor", pair.mentor["email"]), ("stranger", stranger.json["email"]))}


@pytest.fixture
def elsewhere(app, other_tenant):
    """A member of another tenant, signed in there (a valid session, of B)."""
    admin_b = ApiClient(app.test_client(), other_tenant.admin_key)
    member = admin_b.post("/api/v1/members", json=mentee_payload())
    assert member.status_code == 201
    return signed_in(app, other_tenant.slug, member.json["email"])


def _mentorships(app):
    with app.app_context(), unscoped():
        return db.session.scalar(select(func.count()).select_from(Mentorship))


def _text(r):
    return r.get_data(as_text=True)


def _book(pair, ms_id, start):
    r = pair.mentee_client.post(f"/api/v1/mentorships/{ms_id}/meetings",
                                json={"duration_minutes": 30, "mode": "video", "start": start.isoformat()})
    assert r.status_code == 201, r.json
    return r.json["id"]


def test_each_page_for_each_party_and_404_for_anyone_else(app, tenant, pair, people, elsewhere):
    intro = pair.intro().json["id"]
    accepted = pair.mentor_client.post(f"/api/v1/intros/{intro}/accept")
    ms = accepted.json["mentorship_id"]
    meeting = _book(pair, ms, MONDAY + timedelta(days=2))
    base = f"/t/{tenant.slug}"
    pages = [f"{base}/intros/{intro}", f"{base}/mentorships/{ms}", f"{base}/meetings/{meeting}",
             f"{base}/meetings/{meeting}/invite.ics", f"{base}/me"]
    for who in ("mentee", "mentor"):
        for path in pages:
            r = people[who].get(path)
            assert r.status_code == 200, (who, path, r.status_code)
    body = _text(people["mentee"].get(f"{base}/intros/{intro}"))
    assert pair.mentor["name"] in body and pair.mentor["company"] in body and pair.mentor["headline"] in body
    home = _text(people["mentor"].get(f"{base}/me"))
    for path in pages[:3]:
        assert f'href="{path}"' in home, path
    ics = people["mentee"].get(f"{base}/meetings/{meeting}/invite.ics")
    assert ics.mimetype == "text/calendar" and ics.data == pair.mentee_client.get(
        f"/api/v1/meetings/{meeting}/invite.ics").data
    for path in pages[:4]:
        assert people["stranger"].get(path).status_code == 404, path
        assert elsewhere.get(path).status_code == 404, path
        with elsewhere.session_transaction() as session:  # B's session, sent to A's pages
            assert session["tenant_id"] != tenant.id
    anonymous = app.test_client().get(pages[0])
    assert anonymous.status_code == 302 and anonymous.headers["Location"].endswith(f"{base}/signin")


def test_the_mentor_accepts_on_the_page_once(app, tenant, pair, people):
    intro = pair.intro().json["id"]
    page = f"/t/{tenant.slug}/intros/{intro}"
    body = _text(people["mentor"].get(page))
    assert "/accept" in body and "/decline" in body and "/withdraw" not in body
    assert "/withdraw" in _text(people["mentee"].get(page)) and "/accept" not in _text(people["mentee"].get(page))
    before = _mentorships(app)
    r = post_form(people["mentor"], page, f"{page}/accept")
    assert r.status_code == 303 and r.headers["Location"].endswith(page)
    shown = _text(people["mentor"].get(page))
    assert "your mentorship has started" in shown and "Accepted" in shown
    assert _mentorships(app) == before + 1
    # a second accept (a stale page, a double click): a message on the page, nothing doubled
    token = csrf_from(people["mentor"].get(f"/t/{tenant.slug}/me"))
    again = people["mentor"].post(f"{page}/accept", data={"csrf_token": token}, follow_redirects=True)
    assert again.status_code == 200 and "This cannot be done any more" in _text(again)
    assert _mentorships(app) == before + 1
    # the mentee cannot accept their own intro: the API's rule, a message
    r = post_form(people["mentee"], f"/t/{tenant.slug}/me", f"{page}/accept")
    assert r.status_code == 303 and _mentorships(app) == before + 1
    assert "Only the other member can do this" in _text(people["mentee"].get(page))


def test_a_mentor_at_capacity_sees_a_message(app, tenant, admin, clock):
    pair = make_pair(app, admin, mentor={"capacity": 2})
    first = pair.intro()
    other = admin.post("/api/v1/members", json=mentee_payload()).json
    second = admin.post("/api/v1/intros", json={"mentee_id": other["id"], "mentor_id": pair.mentor["id"],
                                                "message": varied_message(pair.mentor, 1)})
    assert first.status_code == 201 and second.status_code == 201, second.json
    assert admin.patch(f"/api/v1/members/{pair.mentor['id']}", json={"capacity": 1}).status_code == 200
    assert pair.mentor_client.post(f"/api/v1/intros/{first.json['id']}/accept").status_code == 200
    mentor = signed_in(app, tenant.slug, pair.mentor["email"])
    page = f"/t/{tenant.slug}/intros/{second.json['id']}"
    r = post_form(mentor, page, f"{page}/accept")
    assert r.status_code == 303
    shown = mentor.get(page)
    assert shown.status_code == 200 and "as many people as your capacity allows" in _text(shown)
    assert pair.admin.get(f"/api/v1/intros/{second.json['id']}").json["status"] == "pending"


def test_forms_without_csrf_are_400_and_change_nothing(app, tenant, pair, people):
    intro = pair.intro().json["id"]
    page = f"/t/{tenant.slug}/intros/{intro}"
    for token in (None, "wrong"):
        data = {} if token is None else {"csrf_token": token}
        r = people["mentor"].post(f"{page}/accept", data=data)
        assert r.status_code == 400
        r = people["mentee"].post(f"{page}/withdraw", data=data)
        assert r.status_code == 400
    assert pair.admin.get(f"/api/v1/intros/{intro}").json["status"] == "pending"
    ms = pair.mentor_client.post(f"/api/v1/intros/{intro}/accept").json["mentorship_id"]
    r = people["mentee"].post(f"/t/{tenant.slug}/mentorships/{ms}/meetings", data={"duration_minutes": "30"})
    assert r.status_code == 400
    assert pair.admin.get(f"/api/v1/mentorships/{ms}").json["meetings"] == {"completed": 0, "scheduled": 0}


def test_a_stranger_cannot_act_on_someone_elses_intro(app, tenant, pair, people, elsewhere):
    intro = pair.intro().json["id"]
    path = f"/t/{tenant.slug}/intros/{intro}/accept"
    own = f"/t/{tenant.slug}/me"
    r = people["stranger"].post(path, data={"csrf_token": csrf_from(people["stranger"].get(own))})
    assert r.status_code == 404
    assert pair.admin.get(f"/api/v1/intros/{intro}").json["status"] == "pending"


def test_decline_and_withdraw_on_the_page(app, tenant, pair, people):
    intro = pair.intro().json["id"]
    page = f"/t/{tenant.slug}/intros/{intro}"
    r = post_form(people["mentor"], page, f"{page}/decline", reason="No time this term.")
    assert r.status_code == 303
    got = pair.admin.get(f"/api/v1/intros/{intro}").json
    assert got["status"] == "declined"
    post_form(people["mentee"], f"/t/{tenant.slug}/me", f"{page}/withdraw")
    assert "This cannot be done any more" in _text(people["mentee"].get(page))


def test_propose_confirm_and_check_in_on_the_pages(app, tenant, pair, people, clock):
    ms = pair.mentorship()
    base = f"/t/{tenant.slug}"
    page = f"{base}/mentorships/{ms}"
    body = _text(people["mentee"].get(page))
    assert 'id="referral"' in body and "The first meeting happened" in body
    r = post_form(people["mentee"], page, f"{page}/meetings", duration_minutes="30", mode="video")
    assert r.status_code == 303
    body = _text(people["mentor"].get(page))
    assert "Times proposed" in body
    meeting_path = body.split(f'href="{base}/meetings/')[1].split('"')[0]
    meeting_page = f"{base}/meetings/{meeting_path}"
    mentee_view = _text(people["mentee"].get(meeting_page))
    assert "/confirm" not in mentee_view  # the proposer waits for the other party
    mentor_view = _text(people["mentor"].get(meeting_page))
    start = mentor_view.split('name="start" value="')[1].split('"')[0]
    r = post_form(people["mentor"], meeting_page, f"{meeting_page}/confirm", start=start)
    assert r.status_code == 303
    got = pair.mentee_client.get(f"/api/v1/meetings/{meeting_path}").json
    assert got["status"] == "scheduled"
    assert f"{meeting_page}/invite.ics" in _text(people["mentee"].get(meeting_page))
    # before the start: no check-in form, and a posted one is refused with a message
    assert "It happened" not in _text(people["mentee"].get(meeting_page))
    post_form(people["mentee"], meeting_page, f"{meeting_page}/check-in", happened="yes")
    assert "once it has started" in _text(people["mentee"].get(meeting_page))
    clock.move_to(datetime.fromisoformat(got["end"]) + timedelta(minutes=5))
    for who in ("mentee", "mentor"):
        assert "It did not happen" in _text(people[who].get(meeting_page))
        r = post_form(people[who], meeting_page, f"{meeting_page}/check-in", happened="yes")
        assert r.status_code == 303
    assert pair.admin.get(f"/api/v1/meetings/{meeting_path}").json["status"] == "completed"
    assert "It happened" in _text(people["mentor"].get(meeting_page))
    milestones = {m["key"]: m["status"] for m in pair.admin.get(f"/api/v1/mentorships/{ms}").json["milestones"]}
    assert milestones["first_meeting_completed"] == "completed"


def test_the_referral_section_says_what_is_missing_in_plain_words(app, tenant, pair, people):
    ms = pair.mentorship()
    body = _text(people["mentee"].get(f"/t/{tenant.slug}/mentorships/{ms}"))
    referral = body.split('id="referral"')[1]
    assert "Still to come" in referral and "The mentee shared a career plan" in referral
    assert "at least 4 weeks" in referral and "At least 2 meetings happened" in referral
    assert "min_weeks" not in referral and "career_plan_shared" not in referral
    zh = _text(people["mentee"].get(f"/t/{tenant.slug}/mentorships/{ms}?lang=zh"))
    assert "Still to come" not in zh and "还需完成" in zh and "至少 4 周" in zh


def test_booking_an_agreed_time_in_the_members_zone(app, tenant, pair, people):
    ms = pair.mentorship()
    page = f"/t/{tenant.slug}/mentorships/{ms}"
    # the mentee lives in America/New_York (UTC-4 in June): 10:00 there is 14:00 UTC
    post_form(people["mentee"], page, f"{page}/meetings", duration_minutes="30", mode="phone",
              start="2026-06-03T10:00")
    [meeting] = [m for m in _meetings(app)]
    assert meeting.start == datetime(2026, 6, 3, 14, 0, tzinfo=UTC) and meeting.status == "scheduled"
    body = _text(people["mentor"].get(f"/t/{tenant.slug}/meetings/{meeting.id}"))
    assert "10:00" in body and "America/New_York" in body


def _meetings(app):
    from mentorship.scheduling.models import Meeting

    with app.app_context(), unscoped():
        return db.session.scalars(select(Meeting)).all()


def test_referral_asked_and_decided_on_the_pages(app, tenant, admin, pair, people):
    ms = pair.mentorship()
    page = f"/t/{tenant.slug}/mentorships/{ms}"
    assert "/referral-requests" not in _text(people["mentee"].get(page))  # not earned yet: no form
    r = post_form(people["mentee"], f"/t/{tenant.slug}/me", f"{page}/referral-requests", company="Acme",
                  job_title="Analyst")
    assert r.status_code == 303 and "once everything below is done" in _text(people["mentee"].get(page))
    assert admin.patch("/api/v1/tenant/policy", json={"referral_requires": [], "min_weeks": 0,
                                                        "min_meetings": 0}).status_code == 200
    assert f"{page}/referral-requests" in _text(people["mentee"].get(page))
    assert "/referral-requests" not in _text(people["mentor"].get(page))  # the mentor has no request form
    r = post_form(people["mentee"], page, f"{page}/referral-requests", company="Acme", job_title="Analyst",
                  job_url="https://acme.example/jobs/1")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{page}#referral")
    mentor_view = _text(people["mentor"].get(page))
    assert "Analyst at Acme" in mentor_view and "Refer them" in mentor_view
    action = mentor_view.split('action="')[-1].split('"')[0]
    assert action.endswith("/decide")
    assert post_form(people["mentee"], page, action, decision="approve").status_code == 303  # only the mentor
    assert "Only the other member can do this" in _text(people["mentee"].get(page))
    post_form(people["mentor"], page, action, decision="approve", note="Happy to.")
    request = pair.mentor_client.get(f"/api/v1/referral-requests/{action.split('/')[-2]}").json
    assert request["status"] == "approved" and request["decision_note"] == "Happy to."
    assert "Approved" in _text(people["mentee"].get(page))


def test_the_pages_in_chinese(app, tenant, pair, people):
    intro = pair.intro().json["id"]
    base = f"/t/{tenant.slug}"
    body = _text(people["mentor"].get(f"{base}/intros/{intro}?lang=zh"))
    assert "接受" in body and "婉拒" in body and "等待导师回复" in body
    ms = pair.mentor_client.post(f"/api/v1/intros/{intro}/accept").json["mentorship_id"]
    meeting = _book(pair, ms, MONDAY + timedelta(days=2))
    for path in (f"{base}/mentorships/{ms}", f"{base}/meetings/{meeting}", f"{base}/me"):
        r = people["mentor"].get(path)
        assert r.status_code == 200 and 'lang="zh-Hans"' in _text(r), path
    assert "2026年6月3日" in _text(people["mentor"].get(f"{base}/meetings/{meeting}"))


def test_manual_milestones_on_the_mentorship_page_each_by_its_own_party(app, tenant, pair, people):
    ms = pair.mentorship()
    page = f"/t/{tenant.slug}/mentorships/{ms}"
    mentee_page, mentor_page = _text(people["mentee"].get(page)), _text(people["mentor"].get(page))
    assert "Save my questions" in mentee_page and "Share my plan" in mentee_page and "Endorse" not in mentee_page
    assert "Endorse" in mentor_page and "Save my questions" not in mentor_page
    # two questions are not enough: refused with a message, nothing completed
    r = post_form(people["mentee"], page, f"{page}/milestones/questions_prepared", questions="Why risk?\nHow?")
    assert r.status_code == 303
    assert "needs another look" in _text(people["mentee"].get(page))
    done = {m["key"] for m in pair.mentee_client.get(f"/api/v1/mentorships/{ms}").json["milestones"]
            if m["status"] == "completed"}
    assert "questions_prepared" not in done
    # the mentor cannot complete the mentee's milestone (the operation says who may)
    post_form(people["mentor"], page, f"{page}/milestones/questions_prepared",
              questions="One?\nTwo?\nThree?")
    assert "Only the other member can do this." in _text(people["mentor"].get(page))
    assert pair.mentee_client.get(f"/api/v1/mentorships/{ms}").json["milestones"][1]["status"] == "pending"
    questions = "How did you move into risk?\nWhat do validators look for?\nWhich skills matter in year one?"
    post_form(people["mentee"], page, f"{page}/milestones/questions_prepared", questions=questions)
    post_form(people["mentor"], page, f"{page}/milestones/mentor_endorsement", note="Prepared and curious.")
    milestones = {m["key"]: m for m in pair.mentee_client.get(f"/api/v1/mentorships/{ms}").json["milestones"]}
    assert milestones["questions_prepared"]["status"] == "completed"
    assert milestones["mentor_endorsement"]["status"] == "completed"
    assert "Save my questions" not in _text(people["mentee"].get(page))
    # no CSRF token: 400, nothing changes
    r = people["mentee"].post(f"{page}/milestones/career_plan_shared", data={"plan": "x" * 300})
    assert r.status_code == 400
    assert pair.mentee_client.get(f"/api/v1/mentorships/{ms}").json["milestones"][3]["status"] == "pending"


def test_the_home_lists_a_mentorship_and_its_meetings_without_reading_milestones_or_check_ins(
        app, tenant, pair, people, clock):
    """The home shows the mentorship, a time to pick and the coming meetings as before; it does not read the
    mentorship's milestones or the coming meetings' check-ins, which it never shows (one query each), nor look up
    the senders of intros when none waits for an answer."""
    from tests.factories import sql_statements

    ms = pair.mentorship()
    to_pick = pair.mentor_client.post(f"/api/v1/mentorships/{ms}/meetings",
                                      json={"duration_minutes": 30, "mode": "video"})
    assert to_pick.status_code == 201, to_pick.json
    booked = _book(pair, ms, MONDAY + timedelta(days=2, hours=3))
    with sql_statements(app) as statements:
        body = _text(people["mentee"].get(f"/t/{tenant.slug}/me"))
    name = pair.mentor["name"]
    assert f"/t/{tenant.slug}/mentorships/{ms}" in body and f"With {name}" in body
    assert f"/t/{tenant.slug}/meetings/{to_pick.json['id']}" in body
    assert f"Pick a time for your call with {name}" in body
    assert f"/t/{tenant.slug}/meetings/{booked}" in body and body.count(f"Call with {name}") == 2
    assert f"To {name}" in body  # the intro
    assert not [s for s in statements if "FROM milestones" in s or "FROM meeting_check_ins" in s], statements
    # a mentee has no intros to answer: the senders of none are not looked up
    assert not [s for s in statements if "members.role" in s and "WHERE members.id IN" in s], statements
