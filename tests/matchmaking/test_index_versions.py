"""The mentor index's freshness: one version row per tenant, bumped with each member change in its transaction;
a process re-reads only the changed mentors, and never counts every mentor to find out."""
import pytest
from sqlalchemy import select

import mentorship.matchmaking.index as index
from mentorship.extensions import db
from mentorship.matchmaking.models import MentorIndexChange, MentorIndexVersion
from mentorship.members.models import Member
from mentorship.members.operations import update_member
from mentorship.tenancy.scope import tenant_scope
from tests.factories import make_member, sql_statements
from tests.members.test_import import _csv, _row


def _recs(client, mentee):
    return [i["mentor"]["id"] for i in client.get(f"/api/v1/members/{mentee}/recommendations").json["items"]]


def _version(app, tenant):
    with app.app_context(), tenant_scope(tenant.id):
        return db.session.scalar(select(MentorIndexVersion.version)) or 0


@pytest.fixture
def builds(monkeypatch):
    calls = []
    original = index._build
    monkeypatch.setattr(index, "_build", lambda *a: calls.append(a) or original(*a))
    return calls


def test_changes_are_upserted_without_a_rebuild(app, admin, tenant, builds):
    a = make_member(app, tenant, role="mentor", domains=["software/backend"])
    b = make_member(app, tenant, role="mentor", domains=["data/analytics"])
    mentee = make_member(app, tenant, domains=["data/analytics"])
    assert _recs(admin, mentee)[0] == b and len(builds) == 1
    before = _version(app, tenant)
    admin.patch(f"/api/v1/members/{a}", json={"domains": ["data/analytics"], "goals": ["domain-knowledge",
                                                                                     "career-plan"]})
    admin.patch(f"/api/v1/members/{b}", json={"capacity": 0})
    admin.patch(f"/api/v1/members/{mentee}", json={"headline": "Analyst"})  # a mentee: the index does not care
    assert _version(app, tenant) == before + 2
    assert _recs(admin, mentee) == [a]
    c = make_member(app, tenant, role="mentor", domains=["data/analytics"])
    assert c in _recs(admin, mentee)
    assert admin.delete(f"/api/v1/members/{c}").status_code == 204
    assert c not in _recs(admin, mentee)
    assert len(builds) == 1


def test_a_change_made_elsewhere_is_seen_by_the_next_query(app, admin, tenant, builds):
    # Another worker process: its own cached index, the same database. Simulated by a change that never goes
    # through this process's index, written straight through the operation in its own app context.
    mentor = make_member(app, tenant, role="mentor", domains=["software/backend"])
    mentee = make_member(app, tenant, domains=["data/analytics"])
    assert _recs(admin, mentee) == [mentor]
    with app.app_context(), tenant_scope(tenant.id):
        update_member(db.session.get(Member, mentor), {"capacity": 0})
    assert _recs(admin, mentee) == []
    assert len(builds) == 1


def test_the_version_rolls_back_with_its_change(app, admin, tenant):
    mentor = make_member(app, tenant, role="mentor")
    before = _version(app, tenant)
    with app.app_context(), tenant_scope(tenant.id):
        member = db.session.get(Member, mentor)
        member.capacity = 0
        index.on_member_changed(member)
        db.session.rollback()
    assert _version(app, tenant) == before


def test_imported_members_are_stamped(app, admin, tenant):
    mentee = make_member(app, tenant, domains=["finance/credit-risk"])
    assert _recs(admin, mentee) == []
    assert admin.post("/api/v1/members/import", data=_csv([_row()]).encode(),
                      headers={"Content-Type": "text/csv"}, json=None).status_code == 200
    with app.app_context(), tenant_scope(tenant.id):
        ana = db.session.scalar(select(Member.id).where(Member.email == "ana@example.com"))
        created = db.session.scalar(select(MentorIndexChange.version).where(MentorIndexChange.member_id == ana))
    assert _recs(admin, mentee) == [ana]
    assert admin.post("/api/v1/members/import", data=_csv([_row(capacity="0")]).encode(),
                      headers={"Content-Type": "text/csv"}, json=None).status_code == 200
    with app.app_context(), tenant_scope(tenant.id):
        assert db.session.scalar(select(MentorIndexChange.version).where(MentorIndexChange.member_id == ana)) \
            > created
    assert _recs(admin, mentee) == []


def test_an_unchanged_index_reads_no_member_row(app, admin, tenant):
    make_member(app, tenant, role="mentor")
    with app.app_context(), tenant_scope(tenant.id):
        index.query(tenant.id, lambda entry: None)
        with sql_statements(app) as statements:
            index.query(tenant.id, lambda entry: None)
    assert [s for s in statements if "members" in s] == []
    assert len([s for s in statements if "mentor_index_versions" in s]) == 1
