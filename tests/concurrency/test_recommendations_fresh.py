"""Recommendations answers kept per process, on PostgreSQL with real parallel requests (matchmaking/freshness.py):
each request reads the tenant's version in one autocommit statement on its own pooled connection, and after a
change commits, every request on every connection answers what the database holds now."""
from sqlalchemy import text

from mentorship.extensions import db
from mentorship.matchmaking import freshness
from mentorship.matchmaking.recommendations import recommendations_for
from mentorship.matchmaking.schemas import RecommendationsSchema
from mentorship.members.models import Member
from mentorship.tenancy.scope import tenant_scope
from tests.concurrency.conftest import N, race


def _afresh(served, office, mentee_id):
    with served.app.app_context(), tenant_scope(office.tenant_id):
        try:
            return RecommendationsSchema().dump(recommendations_for(db.session.get(Member, mentee_id), 10))
        finally:
            db.session.remove()


def test_every_connection_answers_the_committed_state(served, office, monkeypatch):
    reads = []
    original = freshness._autocommit_read
    monkeypatch.setattr(freshness, "_autocommit_read", lambda *a: reads.append(a) or original(*a))
    mentors = [office.member("mentor", domains=["data/analytics"], capacity=2) for _ in range(4)]
    mentee = office.member(domains=["data/analytics"])
    path = f"/api/v1/members/{mentee['id']}/recommendations?limit=10"
    changes = [("PATCH", f"/api/v1/members/{mentors[0]['id']}", {"capacity": 0}),
               ("PATCH", f"/api/v1/members/{mentee['id']}", {"domains": ["software/backend"]}),
               ("PATCH", f"/api/v1/members/{mentors[1]['id']}", {"domains": ["software/backend"]}),
               ("PATCH", f"/api/v1/members/{mentors[0]['id']}", {"capacity": 3}),
               ("DELETE", f"/api/v1/members/{mentors[2]['id']}", None)]
    seen = []
    for method, change, body in [(None, None, None), *changes]:
        if method:
            office.ok(method, change, body, status=(200, 204))
        expected = _afresh(served, office, mentee["id"])
        for _ in range(2):  # the first wave fills the answers, the second is served from them
            answers = race(N, lambda _i: office.ok("GET", path))
            assert all(answer == expected for answer in answers), (change, expected, answers)
        seen.append([item["mentor"]["id"] for item in expected["items"]])
    assert len({tuple(ids) for ids in seen}) > 2  # the changes did change the answer
    # requests read the version in autocommit (those that loaded a credential or the policy first were already in
    # a transaction, and read there)
    assert len(reads) >= N * len(seen)


def test_the_read_leaves_no_tenant_on_the_connection(served, office):
    office.member("mentor")
    with served.app.app_context():
        versions = freshness.versions(office.tenant_id)
        assert versions[0] > 0 and versions[1] >= 0
        with db.engine.connect() as connection:
            row = connection.execute(text("SELECT * FROM matchmaking_versions(:t)"), {"t": office.tenant_id}).one()
            assert tuple(row) == versions
            # inside a transaction the function restores what the transaction held
            assert connection.scalar(text("SELECT current_setting('app.tenant_id', true)")) in ("", None)
        db.session.remove()
