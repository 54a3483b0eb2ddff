"""Recommendations answers kept per process (matchmaking/freshness.py): after any change a portal can make, the
answer served is exactly the one computed afresh; the tenant's version moves once per committing transaction that
wrote a member, intro, mentorship or the tenant, and not for a rollback or a guarded update that matched nothing."""
import random

import pytest
from sqlalchemy import select

from mentorship.extensions import db
from mentorship.matchmaking import freshness
from mentorship.matchmaking.models import MentorIndexVersion
from mentorship.matchmaking.recommendations import recommendations_for
from mentorship.matchmaking.schemas import RecommendationsSchema
from mentorship.members.models import Member
from mentorship.tenancy.scope import tenant_scope
from tests.factories import mentee_payload, mentor_payload, sql_statements
from tests.pairs import good_message

DOMAINS = ["finance/credit-risk", "data/analytics", "software/backend"]


def _version(app, tenant):
    with app.app_context(), tenant_scope(tenant.id):
        return db.session.scalar(select(MentorIndexVersion.recommendations_version)) or 0


def _afresh(app, tenant, mentee_id, limit):
    """The answer computed now from the database, nothing kept: what the served one must equal."""
    with app.app_context(), tenant_scope(tenant.id):
        mentee = db.session.get(Member, mentee_id)
        if mentee is None or mentee.erased_at is not None:
            return None
        return RecommendationsSchema().dump(recommendations_for(mentee, limit))


def _served(admin, mentee_id, limit):
    got = admin.get(f"/api/v1/members/{mentee_id}/recommendations?limit={limit}")
    return got.json if got.status_code == 200 else None


class Portal:
    """Random changes a portal, a mentor and the career office make, all through the API."""

    def __init__(self, admin, rng):
        self.admin, self.rng = admin, rng
        self.mentors = [self._create(mentor_payload(domains=[rng.choice(DOMAINS)], capacity=rng.randint(1, 2)))
                        for _ in range(6)]
        self.mentees = [self._create(mentee_payload(domains=[rng.choice(DOMAINS)])) for _ in range(4)]
        self.pending, self.mentorships = [], []

    def _create(self, payload):
        got = self.admin.post("/api/v1/members", json=payload)
        assert got.status_code == 201, got.json
        return got.json

    def intro(self):
        mentee, mentor = self.rng.choice(self.mentees), self.rng.choice(self.mentors)
        got = self.admin.post("/api/v1/intros", json={"mentee_id": mentee["id"], "mentor_id": mentor["id"],
                                                      "message": good_message(mentor)})
        if got.status_code == 201:
            self.pending.append(got.json["id"])

    def answer(self):
        if not self.pending:
            return self.intro()
        intro = self.pending.pop(self.rng.randrange(len(self.pending)))
        action = self.rng.choice(["accept", "decline", "withdraw"])
        got = self.admin.post(f"/api/v1/intros/{intro}/{action}", json={} if action == "decline" else None)
        if action == "accept" and got.status_code == 200:
            self.mentorships.append(got.json["mentorship_id"])

    def close(self):
        if self.mentorships:
            mentorship = self.mentorships.pop(self.rng.randrange(len(self.mentorships)))
            self.admin.post(f"/api/v1/mentorships/{mentorship}/close", json={"reason": "goals_met"})

    def mentee_profile(self):
        mentee = self.rng.choice(self.mentees)
        self.admin.patch(f"/api/v1/members/{mentee['id']}", json={"domains": [self.rng.choice(DOMAINS)]})

    def mentor_profile(self):
        mentor = self.rng.choice(self.mentors)
        change = self.rng.choice([{"capacity": self.rng.randint(0, 3)}, {"domains": [self.rng.choice(DOMAINS)]},
                                  {"headline": f"Now at {self.rng.randint(1, 99)} Bank"}])
        self.admin.patch(f"/api/v1/members/{mentor['id']}", json=change)

    def policy(self):
        got = self.admin.patch("/api/v1/tenant/policy", json={"min_profile_score": self.rng.choice([40, 70, 95])})
        assert got.status_code == 200, got.json

    def erase(self):
        if len(self.mentors) > 3:
            mentor = self.mentors.pop(self.rng.randrange(len(self.mentors)))
            self.admin.delete(f"/api/v1/members/{mentor['id']}")

    def step(self):
        self.rng.choice([self.intro, self.intro, self.answer, self.answer, self.close, self.mentee_profile,
                         self.mentor_profile, self.policy, self.erase])()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_answer_served_is_the_answer_computed_afresh(app, admin, tenant, seed):
    portal = Portal(admin, random.Random(seed))
    for _ in range(25):
        for mentee in portal.mentees:  # fill this process's answers at the current version
            _served(admin, mentee["id"], 10)
        portal.step()
        for mentee in portal.mentees:
            for limit in (3, 10):
                assert _served(admin, mentee["id"], limit) == _afresh(app, tenant, mentee["id"], limit)


def test_an_answer_is_served_again_without_computing(app, admin, tenant, monkeypatch):
    portal = Portal(admin, random.Random(4))
    mentee = portal.mentees[0]["id"]
    first = _served(admin, mentee, 10)
    calls = []
    monkeypatch.setattr("mentorship.matchmaking.recommendations.recommendations_for",
                        lambda *a: calls.append(a) or pytest.fail("computed again"))
    assert _served(admin, mentee, 10) == first and calls == []


def test_the_version_moves_once_per_committed_write(app, admin, tenant):
    portal = Portal(admin, random.Random(5))
    before = _version(app, tenant)
    portal.mentee_profile()
    assert _version(app, tenant) == before + 1
    mentor = portal.mentors[0]
    got = admin.post("/api/v1/intros", json={"mentee_id": portal.mentees[0]["id"], "mentor_id": mentor["id"],
                                             "message": good_message(mentor)})
    assert got.status_code == 201, got.json
    assert _version(app, tenant) == before + 2
    assert admin.post(f"/api/v1/intros/{got.json['id']}/withdraw").status_code == 200
    assert _version(app, tenant) == before + 3
    # a second withdraw is a 409: its guarded UPDATE matched nothing and nothing was committed
    assert admin.post(f"/api/v1/intros/{got.json['id']}/withdraw").status_code == 409
    assert _version(app, tenant) == before + 3
    admin.get(f"/api/v1/members/{portal.mentees[0]['id']}/recommendations")  # reads change nothing
    assert _version(app, tenant) == before + 3


def test_a_rolled_back_write_does_not_move_the_version(app, tenant):
    with app.app_context(), tenant_scope(tenant.id):
        db.session.add(Member(role="mentee", name="Rolled Back", email="gone@example.edu", headline="Student",
                              timezone="UTC"))
        db.session.flush()
        db.session.rollback()  # (a rolled-back SAVEPOINT's writes may still bump at the next commit: one more
    assert _version(app, tenant) == 0  # bump never serves a stale answer, one fewer would)


def test_the_versions_of_other_tenants_stay(app, admin, tenant, other_admin, other_tenant):
    Portal(other_admin, random.Random(6))
    assert _version(app, tenant) == 0 and _version(app, other_tenant) > 0


def test_writes_are_recognised_by_table_and_verb():
    spotted = [m and (m.group(1).upper(), m.group(2)) for m in map(freshness._WRITE.search, [
        "INSERT INTO members (role) VALUES (?)", 'UPDATE intros SET status=? WHERE intros.id = ?',
        "DELETE FROM mentorships WHERE id = 1", "WITH due AS (SELECT 1) UPDATE tenants SET policy = 1",
        "SELECT members.id FROM members FOR UPDATE OF members", "INSERT INTO member_imports (x) VALUES (1)",
        "UPDATE members_archive SET x = 1", "INSERT INTO mentor_index_versions (tenant_id) VALUES (1)"])]
    assert spotted == [("INSERT INTO", "members"), ("UPDATE", "intros"), ("DELETE FROM", "mentorships"),
                       ("UPDATE", "tenants"), None, None, None, None]


def test_a_closed_mentorship_frees_its_mentor_in_the_answer_at_once(app, admin, tenant):
    from tests.pairs import make_pair

    pair = make_pair(app, admin, mentor={"capacity": 1})
    other = admin.post("/api/v1/members", json=mentee_payload()).json["id"]
    assert pair.mentor["id"] in [i["mentor"]["id"] for i in _served(admin, other, 10)["items"]]
    mentorship = pair.mentorship()
    assert pair.mentor["id"] not in [i["mentor"]["id"] for i in _served(admin, other, 10)["items"]]  # full
    closed = admin.post(f"/api/v1/mentorships/{mentorship}/close", json={"reason": "goals_met"})
    assert closed.status_code == 200, closed.json
    assert pair.mentor["id"] in [i["mentor"]["id"] for i in _served(admin, other, 10)["items"]]


def test_the_version_row_is_the_last_lock_of_every_transaction(app, admin, tenant):
    """Both versions are bumped by the transaction's last statements (then the changed mentors stamped), never in
    the middle: a transaction holding the version row takes no other row after it, so no lock cycle runs through
    it (an import re-writing mentors while an intro to one of them is accepted, an erasure withdrawing intros)."""
    from tests.members.test_import import _csv, _row
    from tests.pairs import make_pair

    pair, other = make_pair(app, admin), make_pair(app, admin)
    with sql_statements(app) as statements:
        admin.patch(f"/api/v1/members/{pair.mentor['id']}", json={"capacity": 2})
        assert admin.post("/api/v1/members/import", data=_csv([_row(), _row(email="two@example.com")]).encode(),
                          headers={"Content-Type": "text/csv"}, json=None).status_code == 200
        pair.mentorship()
        intro = other.intro()
        assert intro.status_code == 201, intro.json
        assert admin.delete(f"/api/v1/members/{other.mentee['id']}").status_code in (200, 204)
        admin.patch("/api/v1/tenant/policy", json={"min_profile_score": 60})
    transactions, current = [], []
    for statement in statements:
        if statement.startswith(("RELEASE SAVEPOINT", "COMMIT")):
            transactions.append(current)
            current = []
        elif statement.startswith(("ROLLBACK", "SAVEPOINT")):
            current = []
        else:
            current.append(statement)
    bumping = [t for t in transactions if any("mentor_index_versions" in s for s in t)]
    assert len(bumping) >= 6
    for transaction in bumping:
        first = next(i for i, s in enumerate(transaction) if "mentor_index_versions" in s)
        assert all("mentor_index_" in s for s in transaction[first:]), transaction[first:]
