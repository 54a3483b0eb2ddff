"""Intros (SPEC §6): the coach at the door, the lifecycle, permissions, limits."""
import pytest

from tests.factories import mentee_payload, mentor_payload
from tests.pairs import good_message, make_pair, token_client, varied_message

COLD = ("Hey, can you help with a referral? I saw that your bank posted a job today that seems to be a good fit for "
        "my background and I would really appreciate it.")


@pytest.fixture
def pair(app, admin):
    return make_pair(app, admin)


def _problem(r, status, code):
    assert r.status_code == status, (r.status_code, r.json)
    assert r.mimetype == "application/problem+json" and r.json["code"] == code, r.json
    return r.json


def test_preview_reviews_without_creating(pair, admin):
    r = admin.post("/api/v1/intros/preview", json={"mentee_id": pair.mentee["id"], "mentor_id": pair.mentor["id"],
                                                   "message": COLD})
    assert r.status_code == 200
    assert r.json["ok"] is False and 0 <= r.json["score"] <= 100
    assert "cold_referral_ask" in {i["code"] for i in r.json["issues"] if i["severity"] == "block"}
    assert r.json["suggestions"]
    good = admin.post("/api/v1/intros/preview", json={"mentee_id": pair.mentee["id"], "mentor_id": pair.mentor["id"],
                                                      "message": good_message(pair.mentor)})
    assert good.json["ok"] is True, good.json
    assert admin.get("/api/v1/intros").json["total"] == 0


def test_good_intro_is_created_pending_and_the_mentor_is_notified(pair, admin):
    r = pair.intro()
    assert r.status_code == 201, r.json
    intro = r.json
    assert intro["status"] == "pending" and intro["source"] == "mentee" and intro["coaching"]["ok"] is True
    assert intro["expires_at"] > intro["created_at"]
    assert admin.get(f"/api/v1/intros/{intro['id']}").json == intro
    notes = admin.get(f"/api/v1/notifications?member_id={pair.mentor['id']}").json["items"]
    assert [n["event"] for n in notes] == ["intro.received"]


def test_cold_referral_ask_is_blocked_with_coaching_and_counted(pair, admin):
    body = _problem(pair.intro(COLD), 422, "outreach_blocked")
    assert body["coaching"]["ok"] is False
    assert "cold_referral_ask" in {i["code"] for i in body["coaching"]["issues"]}
    assert admin.get("/api/v1/intros").json["total"] == 0
    assert admin.get("/api/v1/reports/funnel").json["intros"]["blocked"] == 1
    assert admin.get("/api/v1/audit-events?action=intro.blocked").json["total"] == 1


def test_duplicate_pending_intro_is_409(pair):
    assert pair.intro().status_code == 201
    _problem(pair.intro(), 409, "intro_exists")


def test_profile_not_ready_blocks(app, admin):
    pair = make_pair(app, admin, mentee={"photo_url": None, "bio": "Courses: FIN 6301, CS 101, STAT-2110, ECON 4410."})
    body = _problem(pair.intro(), 422, "outreach_blocked")
    assert "profile_not_ready" in {i["code"] for i in body["coaching"]["issues"]}


def test_mentor_unavailable_when_full_not_ready_or_declined_before(app, admin):
    full = make_pair(app, admin, mentor={"capacity": 0})
    assert "mentor_unavailable" in {i["code"] for i in _problem(full.intro(), 422, "outreach_blocked")
                                    ["coaching"]["issues"]}
    pair = make_pair(app, admin)
    intro = pair.intro().json
    assert pair.mentor_client.post(f"/api/v1/intros/{intro['id']}/decline", json={"reason": "no time"}).status_code \
        == 200
    again = _problem(pair.intro(), 422, "outreach_blocked")
    assert "mentor_unavailable" in {i["code"] for i in again["coaching"]["issues"]}


def test_too_many_pending(app, admin):
    pair = make_pair(app, admin)
    for n in range(3):
        mentor = admin.post("/api/v1/members", json=mentor_payload(company=f"Bank {n}")).json
        r = admin.post("/api/v1/intros", json={"mentee_id": pair.mentee["id"], "mentor_id": mentor["id"],
                                               "message": varied_message(mentor, n)})
        assert r.status_code == 201, r.json
    body = _problem(pair.intro(), 422, "outreach_blocked")
    assert "too_many_pending" in {i["code"] for i in body["coaching"]["issues"]}


def test_accept_creates_a_mentorship_and_only_the_mentor_or_admin_may(app, admin, pair):
    intro = pair.intro().json
    _problem(pair.mentee_client.post(f"/api/v1/intros/{intro['id']}/accept"), 403, "forbidden")
    partner = admin.post("/api/v1/api-keys", json={"name": "portal", "kind": "partner"}).json["secret"]
    from tests.factories import ApiClient
    _problem(ApiClient(app.test_client(), partner).post(f"/api/v1/intros/{intro['id']}/accept"), 403, "forbidden")
    r = pair.mentor_client.post(f"/api/v1/intros/{intro['id']}/accept")
    assert r.status_code == 200 and r.json["status"] == "accepted" and r.json["mentorship_id"]
    ms = admin.get(f"/api/v1/mentorships/{r.json['mentorship_id']}").json
    assert ms["status"] == "active" and ms["milestones"][0] == {**ms["milestones"][0], "key": "intro_accepted",
                                                                  "status": "completed"}
    _problem(pair.mentor_client.post(f"/api/v1/intros/{intro['id']}/accept"), 409, "invalid_transition")
    _problem(pair.mentee_client.post(f"/api/v1/intros/{intro['id']}/withdraw"), 409, "invalid_transition")
    events = [n["event"] for n in admin.get(f"/api/v1/notifications?member_id={pair.mentee['id']}").json["items"]]
    assert events == ["intro.accepted"]


def test_accept_at_capacity_is_409(app, admin):
    pair = make_pair(app, admin, mentor={"capacity": 1})
    intro = pair.intro().json
    other = admin.post("/api/v1/members", json=mentee_payload()).json
    second = admin.post("/api/v1/intros", json={"mentee_id": other["id"], "mentor_id": pair.mentor["id"],
                                                "message": varied_message(pair.mentor, 1)})
    # the first intro fills the single slot: the second is refused at the door
    assert second.status_code == 422
    assert pair.mentor_client.post(f"/api/v1/intros/{intro['id']}/accept").status_code == 200
    admin.patch(f"/api/v1/members/{pair.mentor['id']}", json={"capacity": 2})
    second = admin.post("/api/v1/intros", json={"mentee_id": other["id"], "mentor_id": pair.mentor["id"],
                                                "message": varied_message(pair.mentor, 1)})
    assert second.status_code == 201, second.json
    admin.patch(f"/api/v1/members/{pair.mentor['id']}", json={"capacity": 1})
    _problem(admin.post(f"/api/v1/intros/{second.json['id']}/accept"), 409, "mentor_at_capacity")
    assert admin.get(f"/api/v1/intros/{second.json['id']}").json["status"] == "pending"


def test_decline_and_withdraw(app, admin, pair):
    intro = pair.intro().json
    _problem(pair.mentee_client.post(f"/api/v1/intros/{intro['id']}/decline"), 403, "forbidden")
    r = pair.mentor_client.post(f"/api/v1/intros/{intro['id']}/decline", json={"reason": "Travelling all month."})
    assert r.status_code == 200 and r.json["status"] == "declined" and r.json["decline_reason"]
    _problem(pair.mentor_client.post(f"/api/v1/intros/{intro['id']}/accept"), 409, "invalid_transition")
    events = [n["event"] for n in admin.get(f"/api/v1/notifications?member_id={pair.mentee['id']}").json["items"]]
    assert events == ["intro.declined"]

    other = make_pair(app, admin)
    intro2 = other.intro().json
    _problem(other.mentor_client.post(f"/api/v1/intros/{intro2['id']}/withdraw"), 403, "forbidden")
    r = other.mentee_client.post(f"/api/v1/intros/{intro2['id']}/withdraw")
    assert r.status_code == 200 and r.json["status"] == "withdrawn"
    _problem(other.mentee_client.post(f"/api/v1/intros/{intro2['id']}/withdraw"), 409, "invalid_transition")
    assert other.intro(varied_message(other.mentor, 3)).status_code == 201  # withdrawn: the pair may try again


def test_member_tokens_send_only_as_themselves_and_see_only_their_intros(app, admin, pair):
    body = {"mentee_id": pair.mentee["id"], "mentor_id": pair.mentor["id"], "message": good_message(pair.mentor)}
    _problem(pair.mentor_client.post("/api/v1/intros", json=body), 403, "forbidden")
    r = pair.mentee_client.post("/api/v1/intros", json=body)
    assert r.status_code == 201
    stranger = make_pair(app, admin)
    assert stranger.mentee_client.get("/api/v1/intros").json["total"] == 0
    _problem(stranger.mentee_client.get(f"/api/v1/intros/{r.json['id']}"), 404, "not_found")
    assert pair.mentor_client.get("/api/v1/intros").json["total"] == 1


def test_list_filters(app, admin, pair):
    first = pair.intro().json
    other = make_pair(app, admin)
    second = other.intro().json
    other.mentor_client.post(f"/api/v1/intros/{second['id']}/decline")
    ids = lambda q: [i["id"] for i in admin.get(f"/api/v1/intros?{q}").json["items"]]  # noqa: E731
    assert ids("status=pending") == [first["id"]]
    assert ids("status=declined") == [second["id"]]
    assert ids(f"mentee_id={other.mentee['id']}") == [second["id"]]
    assert ids(f"mentor_id={pair.mentor['id']}") == [first["id"]]
    _problem(admin.get("/api/v1/intros?status=lost"), 422, "validation_error")


def test_ids_must_be_a_mentee_and_a_mentor_of_this_tenant(app, admin, other_admin, pair):
    theirs = other_admin.post("/api/v1/members", json=mentor_payload()).json
    r = admin.post("/api/v1/intros", json={"mentee_id": pair.mentee["id"], "mentor_id": theirs["id"],
                                           "message": good_message(pair.mentor)})
    assert _problem(r, 422, "validation_error")["errors"] == {"mentor_id": ["No such mentor in this tenant."]}
    swapped = admin.post("/api/v1/intros", json={"mentee_id": pair.mentor["id"], "mentor_id": pair.mentee["id"],
                                                 "message": good_message(pair.mentor)})
    _problem(swapped, 422, "validation_error")


def test_accepting_and_declining_change_recommendations(app, admin, pair):
    recs = lambda: [r["mentor"]["id"] for r in  # noqa: E731
                    admin.get(f"/api/v1/members/{pair.mentee['id']}/recommendations").json["items"]]
    assert pair.mentor["id"] in recs()
    pair.intro()
    assert pair.mentor["id"] not in recs()  # a pending intro: never recommended again meanwhile
    assert token_client(app, admin, pair.mentee["id"]).get("/api/v1/intros").json["total"] == 1
