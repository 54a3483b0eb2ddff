"""The mentee's home and the mentor's inbox (issue 13): recommendations with reasons, a mentor's card with the
intro composer and the coach reading along, the intros waiting for a mentor's answer, what waits for either side.
Every action through the API's own operations; a member sees only what it deals with."""

import pytest
from sqlalchemy import func, select

from mentorship.extensions import db
from mentorship.outreach.models import BlockedIntro, Intro
from mentorship.tenancy.scope import unscoped
from tests.factories import ApiClient, mentee_payload, mentor_payload
from tests.pairs import good_message
from tests.web.helpers import csrf_from, post_form, signed_in

COLD_ASK = "Hi, I am applying to your company. Can you refer me for the analyst job? Thanks."


@pytest.fixture
def people(app, tenant, admin, clock):
    mentee = admin.post("/api/v1/members", json=mentee_payload()).json
    mentor = admin.post("/api/v1/members", json=mentor_payload(company="Northwind Bank", skills=["sas", "python"])).json
    full = admin.post("/api/v1/members", json=mentor_payload(capacity=0, name="Full Mentor")).json
    return {"mentee": mentee, "mentor": mentor, "full": full,
            "mentee_web": signed_in(app, tenant.slug, mentee["email"]),
            "mentor_web": signed_in(app, tenant.slug, mentor["email"])}


def _count(app, model):
    with app.app_context(), unscoped():
        return db.session.scalar(select(func.count()).select_from(model))


def _text(r):
    return r.get_data(as_text=True)


def test_the_mentee_home_lists_recommendations_with_their_reasons(people, tenant):
    page = _text(people["mentee_web"].get(f"/t/{tenant.slug}/me"))
    assert people["mentor"]["name"] in page
    assert f"/t/{tenant.slug}/mentors/{people['mentor']['id']}" in page
    assert "Works in your field" in page  # shared_domain, in words
    assert "Full Mentor" not in page  # no free capacity: never recommended
    zh = _text(people["mentee_web"].get(f"/t/{tenant.slug}/me?lang=zh"))
    assert "为你推荐的导师" in zh and people["mentor"]["name"] in zh


def test_a_mentor_card_is_open_to_the_mentees_it_is_recommended_to_only(app, people, tenant, admin):
    web = people["mentee_web"]
    card = web.get(f"/t/{tenant.slug}/mentors/{people['mentor']['id']}")
    assert card.status_code == 200
    text = _text(card)
    assert "Northwind Bank" in text and people["mentor"]["email"] not in text
    assert "their work at Northwind Bank" in text  # what the message could mention
    assert web.get(f"/t/{tenant.slug}/mentors/{people['full']['id']}").status_code == 404  # not recommended
    assert web.get(f"/t/{tenant.slug}/mentors/{people['mentee']['id']}").status_code == 404  # not a mentor
    # a mentor cannot use the composer
    assert people["mentor_web"].get(f"/t/{tenant.slug}/mentors/{people['mentor']['id']}").status_code == 404
    # not signed in: to the sign-in page
    assert app.test_client().get(f"/t/{tenant.slug}/mentors/{people['mentor']['id']}").status_code == 302


def test_the_coach_reads_a_draft_without_sending_it(app, people, tenant):
    web, mentor_id = people["mentee_web"], people["mentor"]["id"]
    page = f"/t/{tenant.slug}/mentors/{mentor_id}"
    token = csrf_from(web.get(page))
    r = web.post(f"{page}/coach", data={"message": COLD_ASK, "csrf_token": token})
    assert r.status_code == 200 and r.json["ok"] is False
    assert any(issue["severity"] == "block" for issue in r.json["issues"])
    good = web.post(f"{page}/coach", data={"message": good_message(people["mentor"]), "csrf_token": token})
    assert good.json["ok"] is True
    assert web.post(f"{page}/coach", data={"message": COLD_ASK}).status_code == 400  # no CSRF token
    # without JavaScript: "check my message" shows the same review and sends nothing
    checked = web.post(f"{page}/intro", data={"message": COLD_ASK, "action": "check", "csrf_token": token})
    assert checked.status_code == 200 and "The coach would stop this message" in _text(checked)
    assert _count(app, Intro) == 0 and _count(app, BlockedIntro) == 0


def test_a_cold_ask_is_blocked_with_advice_and_a_genuine_intro_is_sent(app, people, tenant):
    web, mentor = people["mentee_web"], people["mentor"]
    page = f"/t/{tenant.slug}/mentors/{mentor['id']}"
    blocked = post_form(web, page, f"{page}/intro", message=COLD_ASK, action="send")
    assert blocked.status_code == 422
    text = _text(blocked)
    assert "The coach would stop this message" in text and "refer me for the analyst job" in text  # draft kept
    assert _count(app, Intro) == 0 and _count(app, BlockedIntro) == 1  # counted for the funnel, not sent
    sent = post_form(web, page, f"{page}/intro", message=good_message(mentor), action="send")
    assert sent.status_code == 303
    assert "/intros/" in sent.headers["Location"]
    assert _count(app, Intro) == 1
    again = post_form(web, page, f"{page}/intro", message=good_message(mentor), action="send")
    assert again.status_code == 409 and "already waiting for an answer" in _text(again)
    assert _count(app, Intro) == 1
    # the mentee's home lists the intro; the mentor is no longer recommended while it is pending
    home = _text(web.get(f"/t/{tenant.slug}/me"))
    assert f"To {mentor['name']}" in home


def test_a_send_without_csrf_creates_nothing(app, people, tenant):
    r = people["mentee_web"].post(f"/t/{tenant.slug}/mentors/{people['mentor']['id']}/intro",
                                  data={"message": good_message(people["mentor"]), "action": "send"})
    assert r.status_code == 400 and _count(app, Intro) == 0


def test_the_mentor_inbox_lists_pending_intros_to_accept(app, people, tenant):
    web, mentor = people["mentee_web"], people["mentor"]
    page = f"/t/{tenant.slug}/mentors/{mentor['id']}"
    post_form(web, page, f"{page}/intro", message=good_message(mentor), action="send")
    inbox = people["mentor_web"].get(f"/t/{tenant.slug}/me")
    text = _text(inbox)
    assert "Intros waiting for your answer" in text and f"From {people['mentee']['name']}" in text
    assert "You mentor 0 of the 3 people" in text
    with app.app_context(), unscoped():
        intro_id = db.session.scalar(select(Intro.id))
    accepted = post_form(people["mentor_web"], f"/t/{tenant.slug}/me", f"/t/{tenant.slug}/intros/{intro_id}/accept")
    assert accepted.status_code == 303
    after = _text(people["mentor_web"].get(f"/t/{tenant.slug}/me"))
    assert "No intros are waiting for you." in after and "You mentor 1 of the 3 people" in after
    # the mentee's home shows no inbox
    assert "Intros waiting for your answer" not in _text(web.get(f"/t/{tenant.slug}/me"))


def test_another_tenants_session_sees_no_mentor_card(app, people, tenant, other_tenant):
    admin_b = ApiClient(app.test_client(), other_tenant.admin_key)
    member = admin_b.post("/api/v1/members", json=mentee_payload()).json
    elsewhere = signed_in(app, other_tenant.slug, member["email"])
    assert elsewhere.get(f"/t/{tenant.slug}/mentors/{people['mentor']['id']}").status_code == 404
