"""GET /api/v1/members/{id} takes a fast path (a PreparedRead and a hand-written dump, no marshmallow, no ORM):
its answers must be exactly what MemberSchema would have made of the ORM member, and it must stay tenant-scoped.
"""
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import jsonify
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, bindparam, create_engine, select
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from mentorship.common.types import UtcDateTime
from mentorship.database import PreparedRead, configure_engine
from mentorship.extensions import db
from mentorship.members import operations
from mentorship.members.models import Member
from mentorship.members.schemas import MEMBER_FIELDS, SHOWN_COLUMNS, MemberSchema, dump_member
from mentorship.members.vocab import GOALS
from mentorship.tenancy.scope import TenancyError, tenant_scope, unscoped
from tests.factories import WEEK, make_member, mentee_payload, mentor_payload

TEXT = ["Ana Lima", "Zoë Ødegård", "李小龙", "O'Brien \"quoted\"", "emoji 🚀 and \\ backslash", "tab\tand\nnewline"]


def _random_payload(rng, n):
    """A valid member payload with optional parts present, empty or absent."""
    role = rng.choice(["mentee", "mentor"])
    maybe = lambda value: rng.choice([value, None])  # noqa: E731
    data = (mentor_payload if role == "mentor" else mentee_payload)(
        name=f"{rng.choice(TEXT)} {n}".replace("\t", " ").replace("\n", " "),
        headline=maybe(rng.choice(TEXT).replace("\t", " ").replace("\n", " ")),
        bio=maybe(rng.choice(TEXT) * rng.randint(1, 40)),
        photo_url=maybe(f"https://example.org/{n}.png"),
        domains=rng.sample(["finance", "finance/credit-risk", "software/backend", "health"], rng.randint(0, 3)),
        goals=rng.sample(sorted(GOALS), rng.randint(0, 3)),
        skills=rng.sample(["python", "sql", "sas", "excel", "r"], rng.randint(0, 4)),
        languages=rng.sample(["en", "zh", "pt", "es"], rng.randint(0, 3)),
        availability=rng.choice([[], WEEK[:1], WEEK, [{"weekday": 6, "start": "00:00", "end": "24:00"}]]),
        international=rng.choice([True, False]),
        school=maybe("Universidade de São Paulo"),
    )
    if role == "mentor":
        data.update(capacity=rng.randint(0, 20), years_experience=maybe(rng.randint(0, 70)), company=maybe("Acme"),
                    title=maybe("Analyst"), company_sponsors_visa=maybe(rng.choice([True, False])),
                    prefers=rng.choice([None, {}, {"domains": ["finance"]},
                                        {"domains": ["health"], "schools": ["MIT"], "international": False}]))
    else:
        data.update(graduation_year=maybe(rng.randint(1950, 2100)),
                    needs_visa_sponsorship=maybe(rng.choice([True, False])))
    return data


@pytest.fixture
def many_members(app, tenant, admin):
    rng = random.Random(20261126)
    ids = []
    for n in range(60):
        r = admin.post("/api/v1/members", json=_random_payload(rng, n))
        assert r.status_code == 201, r.json
        ids.append(r.json["id"])
    return ids


def _schema_dump(app, tenant, member_id):
    with app.app_context(), tenant_scope(tenant.id):
        return MemberSchema().dump(operations.get_member(member_id))


def test_get_answers_exactly_what_member_schema_dumps(app, tenant, admin, many_members):
    for member_id in many_members:
        r = admin.get(f"/api/v1/members/{member_id}")
        assert r.status_code == 200
        expected = _schema_dump(app, tenant, member_id)
        assert r.json == expected
        with app.test_request_context():  # byte for byte what flask-smorest's jsonify(dump) would send
            assert r.get_data() == jsonify(expected).get_data()
        assert r.mimetype == "application/json"


def test_dump_member_equals_member_schema_for_orm_members(app, tenant, many_members):
    with app.app_context(), tenant_scope(tenant.id):
        for member_id in many_members:
            member = operations.get_member(member_id)
            assert dump_member(member, member.profile) == MemberSchema().dump(member)


def test_dump_member_keeps_the_schema_shape_for_odd_stored_values(app, tenant):
    """Values the API never writes but the columns allow: lists holding None, partial windows, no timestamps."""
    member = Member(id=7, role="mentor", name="Odd", domains=None, goals=["x", None], skills=[], languages=[],
                    timezone="UTC", availability=[{"weekday": 1}, None, {"start": "09:00", "extra": 1}, "restart"],
                    international=None, prefers={"schools": ["A"], "unknown": 1}, profile_score=55,
                    profile_gaps=["photo_missing"], tenant_id=tenant.id,
                    created_at=datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=UTC), updated_at=None)
    with app.app_context(), tenant_scope(tenant.id):
        assert dump_member(member, member.profile) == MemberSchema().dump(member)


def test_the_fast_dump_covers_every_schema_field():
    assert [*SHOWN_COLUMNS[:len(MEMBER_FIELDS)], "profile", *SHOWN_COLUMNS[len(MEMBER_FIELDS):]] == \
        list(MemberSchema().dump_fields)


def test_other_tenants_erased_and_missing_members_are_404(app, admin, other_admin, tenant):
    mine = make_member(app, tenant)
    assert admin.get(f"/api/v1/members/{mine}").status_code == 200
    r = other_admin.get(f"/api/v1/members/{mine}")
    assert r.status_code == 404 and r.mimetype == "application/problem+json" and r.json["code"] == "not_found"
    assert admin.get(f"/api/v1/members/{mine + 10_000}").status_code == 404
    assert admin.delete(f"/api/v1/members/{mine}").status_code == 204
    assert admin.get(f"/api/v1/members/{mine}").status_code == 404


def test_member_token_reads_only_itself(app, admin, tenant):
    me, other = make_member(app, tenant), make_member(app, tenant)
    token = admin.post(f"/api/v1/members/{me}/tokens", json={"days": 1}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    assert client.get(f"/api/v1/members/{me}", headers=headers).json == _schema_dump(app, tenant, me)
    # someone it does not deal with is nobody to it (SPEC §3): 404, as for a member that does not exist
    assert client.get(f"/api/v1/members/{other}", headers=headers).status_code == 404


def test_the_read_fails_closed_without_a_tenant(app, tenant):
    member_id = make_member(app, tenant)
    with app.app_context():
        with pytest.raises(TenancyError):
            operations.member_document(member_id)
        with unscoped(), pytest.raises(TenancyError):  # a hand-filtered read is never opened to every tenant
            operations.member_document(member_id)
        with tenant_scope(tenant.id):
            assert operations.member_document(member_id)["id"] == member_id


def test_the_read_sees_the_sessions_own_uncommitted_changes(app, tenant):
    member_id = make_member(app, tenant)
    with app.app_context(), tenant_scope(tenant.id):
        member = operations.get_member(member_id)  # the session is in a transaction now
        member.headline = "changed, flushed, not committed"
        db.session.flush()
        assert operations.member_document(member_id)["headline"] == "changed, flushed, not committed"
        db.session.rollback()
        assert operations.member_document(member_id)["headline"] != "changed, flushed, not committed"


def test_the_profile_follows_the_tenant_policy(app, admin, tenant):
    member_id = make_member(app, tenant, photo_url=None)  # score 85, no blocking gap
    assert admin.get(f"/api/v1/members/{member_id}").json["profile"]["ready"] is True
    assert admin.patch("/api/v1/tenant/policy", json={"min_profile_score": 90}).status_code == 200
    assert admin.get(f"/api/v1/members/{member_id}").json["profile"]["ready"] is False


def test_prepared_read_types_values_as_sqlalchemy_does_on_every_path():
    """On an engine: a pooled connection when no session is open, or one is open but not in a transaction (checked
    out and back in); the session's own connection while it is in a transaction."""
    metadata = MetaData()
    things = Table("things", metadata, Column("id", Integer, primary_key=True), Column("name", String(20)),
                   Column("tags", JSON), Column("at", UtcDateTime()))
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'read.db'}")
        configure_engine(engine)
        sessions = scoped_session(sessionmaker(engine))
        try:
            metadata.create_all(engine)
            at = datetime(2026, 11, 26, 1, 2, 3, 456789, tzinfo=UTC)
            with engine.begin() as conn:
                conn.execute(things.insert(), [{"id": 1, "name": "a", "tags": ["x", {"y": None}], "at": at},
                                               {"id": 2, "name": None, "tags": None, "at": None}])
            statement = select(things.c.id, things.c.name, things.c.tags, things.c.at).where(
                things.c.id == bindparam("thing_id"))
            read = PreparedRead(statement)
            with Session(engine) as session:
                expected = {i: list(session.execute(statement, {"thing_id": i}).one()) for i in (1, 2)}
            assert expected[1][2:] == [["x", {"y": None}], at]
            for thing_id in (1, 2):
                assert read.first(sessions, {"thing_id": thing_id}) == expected[thing_id]  # no session open
                assert not sessions.registry.has()
                sessions()  # open, not in a transaction
                assert read.first(sessions, {"thing_id": thing_id}) == expected[thing_id]
                assert not sessions().in_transaction() and engine.pool.checkedout() == 0
                sessions.execute(things.update().where(things.c.id == thing_id).values(name="uncommitted"))
                assert read.first(sessions, {"thing_id": thing_id})[1] == "uncommitted"  # in its transaction
                sessions.remove()  # rolls back
                assert read.first(sessions, {"thing_id": thing_id}) == expected[thing_id]
            assert read.first(sessions, {"thing_id": 3}) is None
            assert engine.pool.checkedout() == 0
        finally:
            sessions.remove()
            engine.dispose()


def test_prepared_read_refuses_parameters_that_need_conversion():
    things = Table("things", MetaData(), Column("id", Integer, primary_key=True), Column("at", UtcDateTime()))
    read = PreparedRead(select(things.c.id).where(things.c.at == bindparam("at")))
    engine = create_engine("sqlite://")
    try:
        with pytest.raises(TypeError, match="needs conversion"):
            read.first(scoped_session(sessionmaker(engine)), {"at": datetime.now(UTC)})
    finally:
        engine.dispose()


@pytest.mark.parametrize("listeners", [False, True], ids=["pooled", "with-rls-listener"])
def test_a_prepared_read_on_a_connection_the_server_dropped_is_a_503_and_the_pool_replaces_it(listeners):
    """PostgreSQL stopping between a connection's checkout and the statement (tests/faults/test_postgres_outage.py
    saw it as a 500 once): the driver's error comes out as SQLAlchemy's, which errors.py answers with a 503, and
    the dropped connection is not lent out again. Both paths: a bare pooled connection, and a Connection for the
    engine's before_cursor_execute listeners (row-level security's set_config is then the first to fail)."""
    import os

    import psycopg
    from sqlalchemy import func
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from mentorship.errors import database_unavailable
    from mentorship.tenancy import rls

    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: a server that drops a connection")
    engine = create_engine(url, pool_size=1, max_overflow=0)
    configure_engine(engine, {"DATABASE_PING_AFTER_IDLE_SECONDS": 3600})  # no ping at checkout: it is lent as it is
    if listeners:
        rls.init_engine(engine)
    sessions = scoped_session(sessionmaker(engine))
    read = PreparedRead(select(func.pg_backend_pid()))
    try:
        pid = read.first(sessions, {})[0]
        plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(plain, autocommit=True) as other:
            assert other.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
            while other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
                time.sleep(0.01)
        with pytest.raises(DBAPIError) as caught:
            read.first(sessions, {})
        assert database_unavailable(caught.value) and caught.value.connection_invalidated
        assert read.first(sessions, {})[0] != pid and engine.pool.checkedout() == 0
    finally:
        sessions.remove()
        engine.dispose()


def test_get_is_still_counted_by_metrics(app, admin, client, tenant):
    member_id = make_member(app, tenant)
    line = 'mentorship_http_requests_total{endpoint="/api/v1/members/<id:member_id>",method="GET",status="200"}'

    def count():
        for row in client.get("/metrics").get_data(as_text=True).splitlines():
            if row.startswith(line):
                return float(row.rsplit(" ", 1)[1])
        return 0.0

    before = count()
    for _ in range(3):
        admin.get(f"/api/v1/members/{member_id}")
    admin.get(f"/api/v1/members/{member_id + 10_000}")
    assert count() == before + 3
