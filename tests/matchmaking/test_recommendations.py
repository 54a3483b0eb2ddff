import pytest

from mentorship.extensions import db
from mentorship.matchmaking import eligibility, recommendations
from mentorship.tenancy.scope import tenant_scope
from tests.factories import ApiClient, make_member


def _recs(client, mentee, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(f"/api/v1/members/{mentee}/recommendations?{query}")


def test_planted_domains_rank_first_with_reasons(app, admin, tenant):
    domains = ["finance/credit-risk", "software/backend", "data/analytics", "marketing/brand"]
    mentors = {d: make_member(app, tenant, role="mentor", domains=[d], school="Columbia University",
                              goals=["career-plan"]) for d in domains}
    make_member(app, tenant, role="mentor", domains=["finance/market-risk"], school="NYU", goals=["networking"])
    for domain in domains:
        mentee = make_member(app, tenant, domains=[domain], school="Columbia University", goals=["career-plan"])
        items = _recs(admin, mentee, limit=5).json["items"]
        assert items[0]["mentor"]["id"] == mentors[domain]
        codes = {r["code"] for r in items[0]["reasons"]}
        assert {"shared_domain", "goal_match", "same_school"} <= codes
        assert set(items[0]["mentor"]) == {"id", "name", "headline", "company", "title"}
        scores = [i["score"] for i in items]
        assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)


def test_related_domain_reason_and_determinism(app, admin, tenant):
    make_member(app, tenant, role="mentor", domains=["finance/market-risk"])
    mentee = make_member(app, tenant, domains=["finance/credit-risk"])
    first = _recs(admin, mentee).json
    assert "related_domain" in {r["code"] for r in first["items"][0]["reasons"]}
    assert _recs(admin, mentee).json == first


def test_only_ready_mentors_with_capacity(app, admin, tenant):
    ready = make_member(app, tenant, role="mentor")
    make_member(app, tenant, role="mentor", capacity=0)
    make_member(app, tenant, role="mentor", bio="CS 101, MATH 2030, STAT 2110, FIN 6301")
    erased = make_member(app, tenant, role="mentor")
    admin.delete(f"/api/v1/members/{erased}")
    mentee = make_member(app, tenant)
    assert [i["mentor"]["id"] for i in _recs(admin, mentee).json["items"]] == [ready]


def test_index_follows_profile_changes(app, admin, tenant):
    a = make_member(app, tenant, role="mentor", domains=["software/backend"])
    b = make_member(app, tenant, role="mentor", domains=["data/analytics"])
    mentee = make_member(app, tenant, domains=["data/analytics"])
    assert _recs(admin, mentee).json["items"][0]["mentor"]["id"] == b
    admin.patch(f"/api/v1/members/{a}", json={"domains": ["data/analytics"], "goals": ["domain-knowledge",
                                                                                     "career-plan"]})
    admin.patch(f"/api/v1/members/{b}", json={"capacity": 0})
    assert [i["mentor"]["id"] for i in _recs(admin, mentee).json["items"]] == [a]
    c = make_member(app, tenant, role="mentor", domains=["data/analytics"])
    assert c in [i["mentor"]["id"] for i in _recs(admin, mentee).json["items"]]


def test_requests_reuse_the_index(app, admin, tenant, monkeypatch):
    import mentorship.matchmaking.index as index

    make_member(app, tenant, role="mentor")
    mentee = make_member(app, tenant)
    _recs(admin, mentee)
    builds = []
    original = index._build
    monkeypatch.setattr(index, "_build", lambda *a: builds.append(a) or original(*a))
    for _ in range(3):
        assert _recs(admin, mentee).status_code == 200
    assert builds == []


def test_mentor_id_and_bad_limits_are_422(app, admin, tenant):
    mentor = make_member(app, tenant, role="mentor")
    mentee = make_member(app, tenant)
    r = _recs(admin, mentor)
    assert r.status_code == 422 and r.json["code"] == "not_a_mentee"
    for limit in (0, 51, -5, "x"):
        assert _recs(admin, mentee, limit=limit).status_code == 422


def test_member_token_sees_only_its_own(app, admin, tenant):
    me = make_member(app, tenant)
    other = make_member(app, tenant)
    token = ApiClient(app.test_client(), admin.post(f"/api/v1/members/{me}/tokens").json["token"])
    assert _recs(token, me).status_code == 200
    assert _recs(token, other).status_code == 403


def _fill(app, tenant, mentor_ids):
    """One pending intro from a new mentee to each mentor (a capacity-1 mentor is full after it)."""
    from mentorship.members.operations import get_member
    from mentorship.outreach.operations import send_warm_intro

    others = [make_member(app, tenant, domains=["marketing/brand"]) for _ in mentor_ids]
    with app.app_context(), tenant_scope(tenant.id):
        for mentee, mentor in zip(others, mentor_ids, strict=True):
            send_warm_intro(get_member(mentee), get_member(mentor), "Warm intro.", None)
        db.session.commit()


@pytest.mark.parametrize("whole_tenant_after", [400, 1])
def test_full_mentors_at_the_top_are_skipped(app, admin, tenant, monkeypatch, whole_tenant_after):
    """Only the loads of the mentors the engine returns are read; full ones are excluded and the engine asked
    again (for more each round), or past WHOLE_TENANT_AFTER every mentor's load is read at once."""
    monkeypatch.setattr(recommendations, "WHOLE_TENANT_AFTER", whole_tenant_after)
    for n in range(4):
        make_member(app, tenant, role="mentor", capacity=1, domains=["data/analytics"], company=f"Bank {n}")
    two = make_member(app, tenant, role="mentor", capacity=2, domains=["finance/credit-risk"])
    mentee = make_member(app, tenant, domains=["data/analytics"])
    ranked = [i["mentor"]["id"] for i in _recs(admin, mentee, limit=5).json["items"]]
    assert len(ranked) == 5 and ranked[-1] == two
    _fill(app, tenant, ranked[:3] + [two])  # the best three are full now; `two` holds one place of two
    read, full_among = [], eligibility.full_among
    monkeypatch.setattr(eligibility, "full_among", lambda ids, caps: read.append(ids) or full_among(ids, caps))
    assert [i["mentor"]["id"] for i in _recs(admin, mentee, limit=1).json["items"]] == [ranked[3]]
    # the loads read: the engine's pick, then twice as many past the full ones, ...; or the whole tenant at once
    assert read == ([{ranked[0]}, set(ranked[1:3]), {ranked[3], two}] if whole_tenant_after > 5 else [{ranked[0]}])
    assert [i["mentor"]["id"] for i in _recs(admin, mentee, limit=5).json["items"]] == [ranked[3], two]
