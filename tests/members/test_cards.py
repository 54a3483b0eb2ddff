"""Member cards (SPEC §3): a member token reads the card of the members it deals with — mentors in its
recommendations, the other side of its intros and mentorships — and nobody else (404, as if there were none)."""
from mentorship.members.cards import CARD_FIELDS
from tests.factories import make_member
from tests.pairs import good_message, make_pair, token_client


def test_a_mentee_reads_the_card_of_a_recommended_mentor_and_of_nobody_else(app, admin, tenant):
    mentee = make_member(app, tenant)
    recommended = make_member(app, tenant, role="mentor")
    full = make_member(app, tenant, role="mentor", capacity=0)  # never recommended: no free capacity
    other_mentee = make_member(app, tenant)
    client = token_client(app, admin, mentee)
    assert recommended in [i["mentor"]["id"] for i in
                           client.get(f"/api/v1/members/{mentee}/recommendations").json["items"]]
    card = client.get(f"/api/v1/members/{recommended}")
    assert card.status_code == 200, card.json
    assert set(card.json) == set(CARD_FIELDS)
    assert card.json["company"] == "Example Bank" and card.json["bio"]
    for hidden in ("email", "profile", "availability", "needs_visa_sponsorship", "capacity"):
        assert hidden not in card.json
    for nobody in (full, other_mentee, recommended + 10_000):
        r = client.get(f"/api/v1/members/{nobody}")
        assert r.status_code == 404 and r.json["code"] == "not_found", (nobody, r.json)


def test_the_two_sides_of_an_intro_read_each_others_cards_and_the_mentor_sees_no_stranger(app, admin, tenant):
    pair = make_pair(app, admin)
    mentee_id, mentor_id = pair.mentee["id"], pair.mentor["id"]
    stranger = make_member(app, tenant)
    assert pair.mentor_client.get(f"/api/v1/members/{mentee_id}").status_code == 404  # no intro yet
    sent = pair.mentee_client.post("/api/v1/intros", json={"mentee_id": mentee_id, "mentor_id": mentor_id,
                                                           "message": good_message(pair.mentor)})
    assert sent.status_code == 201, sent.json
    card = pair.mentor_client.get(f"/api/v1/members/{mentee_id}")
    assert card.status_code == 200 and card.json["name"] == pair.mentee["name"] and "email" not in card.json
    # the mentor is no longer recommended (a pending intro), but the intro keeps the card readable
    assert pair.mentee_client.get(f"/api/v1/members/{mentor_id}").status_code == 200
    assert pair.mentor_client.get(f"/api/v1/members/{stranger}").status_code == 404
    # their own record stays the whole record
    assert "email" in pair.mentor_client.get(f"/api/v1/members/{mentor_id}").json


def test_a_card_of_another_tenant_is_404(app, admin, tenant, other_tenant):
    mentee = make_member(app, tenant)
    elsewhere = make_member(app, other_tenant, role="mentor")
    client = token_client(app, admin, mentee)
    assert client.get(f"/api/v1/members/{elsewhere}").status_code == 404
