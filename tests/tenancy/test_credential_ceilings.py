"""A credential never grants more than it holds (SPEC §1): a member token minted with a partner key does only what
both the member and a partner key may. Each action below belongs to the member but not to a partner key (SPEC §1,
docs/decisions.md): the partner-minted token gets 403 and nothing changes, while the admin-minted token of the
same member still succeeds. What partners may do (own profile, recommendations, sending an intro, meetings) still
works with a partner-minted token."""
from datetime import timedelta

import pytest

from tests.factories import ApiClient, make_member
from tests.pairs import MONDAY, good_message, make_pair, varied_message
from tests.test_isolation import assert_problem

QUESTIONS = {"questions": ["What do you do all day?", "How did you get started?", "What should I learn?"]}
REFERRAL = {"company": "Example Bank", "job_title": "Risk Analyst"}


@pytest.fixture
def partner(app, admin):
    secret = admin.post("/api/v1/api-keys", json={"name": "university portal", "kind": "partner"}).json["secret"]
    return ApiClient(app.test_client(), secret)


class Portal:
    """A pair with both kinds of token: `mentee_client`/`mentor_client` minted by the admin key (make_pair),
    `p_mentee`/`p_mentor` minted by the partner key."""

    def __init__(self, app, admin, partner):
        self.pair = make_pair(app, admin)
        self.admin, self.partner = admin, partner
        self.mentee, self.mentor = self.pair.mentee["id"], self.pair.mentor["id"]
        self.p_mentee, self.p_mentor = (self._token(app, partner, m) for m in (self.mentee, self.mentor))

    @staticmethod
    def _token(app, minter, member_id):
        r = minter.post(f"/api/v1/members/{member_id}/tokens")
        assert r.status_code == 201, r.json
        return ApiClient(app.test_client(), r.json["token"])

    def intro(self, n=0):
        r = self.pair.intro(varied_message(self.pair.mentor, n))
        assert r.status_code == 201, r.json
        return r.json["id"]

    def audit_total(self):
        return self.admin.get("/api/v1/audit-events?per_page=1").json["total"]


@pytest.fixture
def portal(app, admin, partner, clock):
    return Portal(app, admin, partner)


def _refused_and_unchanged(portal, read, who, method, path, body=None):
    """`who` sending the request gets 403 problem+json, and neither what `read()` shows nor the audit trail moved."""
    before, audited = read(), portal.audit_total()
    kwargs = {} if body is None else {"json": body}
    problem = assert_problem(who.client.open(path, method=method, headers=who._headers(None), **kwargs), 403,
                             "forbidden")
    assert read() == before and portal.audit_total() == audited
    return problem


def test_tokens_record_the_kind_of_key_that_minted_them(portal):
    tokens = portal.admin.get(f"/api/v1/members/{portal.mentee}/export").json["tokens"]
    assert [t["issued_by"] for t in tokens] == ["admin", "partner"]
    minted = portal.admin.get("/api/v1/audit-events?action=member_token.created&per_page=100").json["items"]
    assert {e["data"]["issued_by"] for e in minted} == {"admin", "partner"}


def test_export_and_erasure(portal):
    me, member = portal.mentee, f"/api/v1/members/{portal.mentee}"
    def read():
        return portal.admin.get(member).json

    body = _refused_and_unchanged(portal, read, portal.p_mentee, "GET", f"{member}/export")
    assert "partner key" in body["detail"]
    _refused_and_unchanged(portal, read, portal.p_mentee, "DELETE", member)
    assert portal.p_mentee.get(member).status_code == 200  # the refusals left the token working
    export = portal.pair.mentee_client.get(f"{member}/export")
    assert export.status_code == 200 and export.json["member"]["id"] == me
    assert portal.pair.mentee_client.delete(member).status_code == 204
    assert portal.admin.get(member).status_code == 404


def test_accept_decline_and_withdraw(app, admin, partner, portal):
    intro = f"/api/v1/intros/{portal.intro()}"

    def read():
        return portal.admin.get(intro).json

    for who, action in [(portal.p_mentor, "accept"), (portal.p_mentor, "decline"), (portal.p_mentee, "withdraw")]:
        _refused_and_unchanged(portal, read, who, "POST", f"{intro}/{action}")
    assert read()["status"] == "pending"
    assert portal.pair.mentee_client.post(f"{intro}/withdraw").json["status"] == "withdrawn"
    second = f"/api/v1/intros/{portal.intro(1)}"
    assert portal.pair.mentor_client.post(f"{second}/decline", json={"reason": "no time"}).json["status"] == \
        "declined"
    other = Portal(app, admin, partner)
    third = f"/api/v1/intros/{other.intro()}"
    _refused_and_unchanged(other, lambda: admin.get(third).json, other.p_mentor, "POST", f"{third}/accept")
    assert other.pair.mentor_client.post(f"{third}/accept").json["status"] == "accepted"


def test_close_a_mentorship(portal):
    ms = f"/api/v1/mentorships/{portal.pair.mentorship()}"
    for who in (portal.p_mentee, portal.p_mentor):
        _refused_and_unchanged(portal, lambda: portal.admin.get(ms).json, who, "POST", f"{ms}/close",
                               {"reason": "goals_met"})
    assert portal.pair.mentee_client.post(f"{ms}/close", json={"reason": "goals_met"}).json["status"] == "closed"


def test_complete_a_milestone(portal):
    ms = f"/api/v1/mentorships/{portal.pair.mentorship()}"
    url = f"{ms}/milestones/questions_prepared"
    def read():
        return portal.admin.get(ms).json

    _refused_and_unchanged(portal, read, portal.p_mentee, "POST", url, QUESTIONS)
    _refused_and_unchanged(portal, read, portal.p_mentor, "POST", f"{ms}/milestones/mentor_endorsement",
                           {"note": "Prepares well."})
    done = portal.pair.mentee_client.post(url, json=QUESTIONS)
    assert done.status_code == 200
    assert {m["key"]: m["status"] for m in done.json["milestones"]}["questions_prepared"] == "completed"


def test_check_in(portal, clock):
    ms = portal.pair.mentorship()
    start = MONDAY + timedelta(days=2)
    # proposing and booking a meeting is something a partner key may do: so may its token
    booked = portal.p_mentee.post(f"/api/v1/mentorships/{ms}/meetings", json={"start": start.isoformat()})
    assert booked.status_code == 201, booked.json
    meeting = f"/api/v1/meetings/{booked.json['id']}"
    clock.move_to(start + timedelta(minutes=40))
    for who in (portal.p_mentee, portal.p_mentor):
        _refused_and_unchanged(portal, lambda: portal.admin.get(meeting).json, who, "POST", f"{meeting}/check-ins",
                               {"happened": True})
    assert portal.pair.mentee_client.post(f"{meeting}/check-ins", json={"happened": True}).status_code == 201
    assert portal.pair.mentor_client.post(f"{meeting}/check-ins", json={"happened": True}).json["meeting_status"] \
        == "completed"


def test_ask_for_and_decide_a_referral(portal):
    ms = portal.pair.mentorship()
    portal.admin.patch("/api/v1/tenant/policy", json={"referral_requires": [], "min_weeks": 0, "min_meetings": 0})
    url = f"/api/v1/mentorships/{ms}/referral-requests"
    _refused_and_unchanged(portal, lambda: portal.admin.get(f"/api/v1/mentorships/{ms}").json, portal.p_mentee,
                           "POST", url, REFERRAL)
    asked = portal.pair.mentee_client.post(url, json=REFERRAL)
    assert asked.status_code == 201, asked.json
    referral = f"/api/v1/referral-requests/{asked.json['id']}"
    _refused_and_unchanged(portal, lambda: portal.admin.get(referral).json, portal.p_mentor, "POST",
                           f"{referral}/decide", {"decision": "approve"})
    assert portal.admin.get(referral).json["status"] == "requested"
    decided = portal.pair.mentor_client.post(f"{referral}/decide", json={"decision": "approve"})
    assert decided.status_code == 200 and decided.json["status"] == "approved"
    # reading it and reporting the outcome are open to partner keys too
    assert portal.p_mentee.get(referral).status_code == 200
    assert portal.p_mentee.patch(referral, json={"outcome": "interviewing"}).json["outcome"] == "interviewing"


def test_what_partners_may_do_a_partner_minted_token_does_for_its_member(app, admin, tenant, partner, clock):
    portal = Portal(app, admin, partner)
    me = f"/api/v1/members/{portal.mentee}"
    assert portal.p_mentee.get(me).json["id"] == portal.mentee
    assert portal.p_mentee.patch(me, json={"headline": "Mine to write"}).json["headline"] == "Mine to write"
    recommendations = portal.p_mentee.get(f"{me}/recommendations")
    assert recommendations.status_code == 200, recommendations.json
    assert portal.mentor in [item["mentor"]["id"] for item in recommendations.json["items"]]
    sent = portal.p_mentee.post("/api/v1/intros", json={"mentee_id": portal.mentee, "mentor_id": portal.mentor,
                                                        "message": good_message(portal.pair.mentor)})
    assert sent.status_code == 201, sent.json
    assert portal.p_mentee.get(f"/api/v1/intros/{sent.json['id']}").json["status"] == "pending"
    assert portal.p_mentor.get("/api/v1/intros").json["total"] == 1
    assert portal.p_mentee.get("/api/v1/notifications").status_code == 200
    # and it is still a member token: only its own member, never another's or the tenant's lists
    card = portal.p_mentee.get(f"/api/v1/members/{portal.mentor}")  # the other side of its intro: the card only
    assert card.status_code == 200 and "email" not in card.json and "profile" not in card.json
    assert_problem(portal.p_mentee.get(f"/api/v1/members/{portal.mentor}/recommendations"), 403, "forbidden")
    assert_problem(portal.p_mentee.get("/api/v1/members"), 403, "forbidden")
    assert_problem(portal.p_mentee.get(f"/api/v1/notifications?member_id={portal.mentor}"), 403, "forbidden")
    someone_else = make_member(app, tenant)
    assert_problem(portal.p_mentee.post("/api/v1/intros", json={"mentee_id": someone_else, "mentor_id": portal.mentor,
                                                                "message": good_message(portal.pair.mentor)}),
                   403, "forbidden")
    assert_problem(portal.p_mentee.post(f"{me}/tokens"), 403, "forbidden")


def test_the_ceiling_comes_from_the_stored_token(app, admin, tenant):
    """What a token may do follows its row's issued_by (read when the credential is looked up)."""
    from sqlalchemy import update

    from mentorship.common.cache import clear_all
    from mentorship.extensions import db
    from mentorship.tenancy.models import MemberToken
    from mentorship.tenancy.scope import unscoped
    me = make_member(app, tenant)
    token = Portal._token(app, admin, me)
    with app.app_context(), unscoped():
        db.session.execute(update(MemberToken).where(MemberToken.member_id == me).values(issued_by="partner"))
        db.session.commit()
    clear_all()
    assert_problem(token.get(f"/api/v1/members/{me}/export"), 403, "forbidden")
    with app.app_context(), unscoped():
        db.session.execute(update(MemberToken).where(MemberToken.member_id == me).values(issued_by="admin"))
        db.session.commit()
    clear_all()
    assert token.get(f"/api/v1/members/{me}/export").status_code == 200
