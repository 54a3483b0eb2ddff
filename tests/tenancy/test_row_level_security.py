"""PostgreSQL row-level security (migration 0010, tenancy/rls.py): SQL that bypasses the ORM's tenant filter (text,
Core on a Connection, PreparedRead) still sees only the tenant in scope, every tenant inside unscoped(), none without
either; a row for another tenant is refused. Superusers pass by every policy, so when the suite connects as one these
tests switch to a role of their own (created, granted and SET LOCAL inside the test's rolled-back transaction).
"""
import importlib.util
import os
import shutil
import textwrap
from pathlib import Path

import pytest
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.members.operations import _MEMBER_ROW
from mentorship.tenancy.scope import tenant_scope, unscoped
from tests.factories import make_member

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "migrations"
PG = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
pg_only = pytest.mark.skipif(not PG, reason="row-level security is PostgreSQL's; SQLite has none (nothing to test)")
MEMBERS = Member.__table__


def _policed_tables():
    """Every table a migration puts under the policy: 0010's TENANT_TABLES, and those of any later migration that
    creates a tenant-owned table (it declares its own TENANT_TABLES)."""
    listed = []
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"migration_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        listed += getattr(module, "TENANT_TABLES", ())
    return listed


def test_the_policy_lists_name_every_tenant_scoped_table(app):
    """The migrations name their tables (never read from the models); a new tenant-owned table must be named too."""
    listed = _policed_tables()
    tables = db.metadata.tables.values()
    assert len(set(listed)) == len(listed)
    assert set(listed) == {t.name for t in tables if getattr(t, "_tenant_scoped", False)}
    assert set(listed) == {t.name for t in tables if "tenant_id" in t.c}


@pytest.fixture
def rows(app, tenant, other_tenant):
    """(member of `tenant`, member of `other_tenant`), then the test runs as a role the policies apply to."""
    ids = make_member(app, tenant), make_member(app, other_tenant)
    with app.app_context():
        connection = db.session.get_bind()
        if connection.exec_driver_sql("SELECT rolsuper OR rolbypassrls FROM pg_roles "
                                      "WHERE rolname = current_user").scalar():
            role = f"rls_probe_{os.getpid()}"
            for statement in (f"CREATE ROLE {role} NOLOGIN",
                              f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
                              f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}",
                              f"SET LOCAL ROLE {role}"):
                connection.exec_driver_sql(statement)
        assert connection.exec_driver_sql("SELECT rolsuper OR rolbypassrls FROM pg_roles "
                                          "WHERE rolname = current_user").scalar() is False
    return ids


def _tenants_by_text():
    return set(db.session.execute(text("SELECT DISTINCT tenant_id FROM members")).scalars())


def _tenants_by_core():
    return set(db.session.connection().execute(select(MEMBERS.c.tenant_id).distinct()).scalars())


def _prepared(member_id, tenant_id):
    return _MEMBER_ROW.first(db.session, {"member_id": member_id, "tenant_id": tenant_id})


@pg_only
def test_every_tenant_table_has_the_forced_policy(app):
    with app.app_context():
        found = db.session.execute(text(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
            "       EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND EXISTS ("
            "  SELECT 1 FROM information_schema.columns i WHERE i.table_schema = n.nspname "
            "  AND i.table_name = c.relname AND i.column_name = 'tenant_id')")).all()
    assert {name for name, *_ in found} == set(_policed_tables())
    assert all(enabled and forced and policy for _, enabled, forced, policy in found), found


@pg_only
def test_raw_sql_in_a_tenant_scope_sees_that_tenant_only(app, tenant, other_tenant, rows):
    mine, theirs = rows
    with app.app_context(), tenant_scope(tenant.id):
        assert _prepared(mine, tenant.id)[0] == mine  # first: PreparedRead sets the tenant itself
        assert _tenants_by_text() == {tenant.id}
        assert _tenants_by_core() == {tenant.id}
        # even a hand-written WHERE naming the other tenant finds nothing
        assert _prepared(theirs, other_tenant.id) is None
        assert db.session.execute(text("SELECT count(*) FROM api_keys WHERE tenant_id = :t"),
                                  {"t": other_tenant.id}).scalar() == 0


@pg_only
def test_raw_sql_with_no_scope_sees_no_tenant_rows(app, tenant, rows):
    mine, _ = rows
    with app.app_context():
        assert _tenants_by_text() == set()
        assert _tenants_by_core() == set()
        assert _prepared(mine, tenant.id) is None
        assert db.session.execute(text("SELECT count(*) FROM api_keys")).scalar() == 0
        assert db.session.execute(text("SELECT count(*) FROM tenants")).scalar() >= 2  # not tenant-owned


@pg_only
def test_raw_sql_unscoped_sees_every_tenant_and_a_nested_scope_narrows_it(app, tenant, other_tenant, rows):
    _, theirs = rows
    with app.app_context(), unscoped():
        assert _tenants_by_text() >= {tenant.id, other_tenant.id}
        assert _tenants_by_core() >= {tenant.id, other_tenant.id}
        assert _prepared(theirs, other_tenant.id)[0] == theirs
        with tenant_scope(tenant.id):  # as the ORM hook: the tenant in scope wins over unscoped()
            assert _tenants_by_text() == {tenant.id}
            assert _prepared(theirs, other_tenant.id) is None
        assert _tenants_by_text() >= {tenant.id, other_tenant.id}


@pg_only
def test_rows_for_another_tenant_are_refused(app, tenant, other_tenant, rows):
    mine, theirs = rows
    columns = [c.name for c in MEMBERS.c if c.name != "id"]
    copied = ", ".join({"tenant_id": ":other", "email": "'copy@example.edu'"}.get(c, c) for c in columns)
    insert = text(f"INSERT INTO members ({', '.join(columns)}) SELECT {copied} FROM members WHERE id = :id")
    with app.app_context(), tenant_scope(tenant.id):
        with pytest.raises(DBAPIError, match="row-level security"), db.session.begin_nested():
            db.session.execute(insert, {"other": other_tenant.id, "id": mine})
        with pytest.raises(DBAPIError, match="row-level security"), db.session.begin_nested():
            db.session.connection().execute(update(MEMBERS).where(MEMBERS.c.id == mine)
                                            .values(tenant_id=other_tenant.id))
        changed = db.session.connection().execute(update(MEMBERS).where(MEMBERS.c.id == theirs).values(name="x"))
        assert changed.rowcount == 0
        db.session.execute(insert, {"other": tenant.id, "id": mine})  # the tenant in scope may write its own
        assert _tenants_by_text() == {tenant.id}


@pg_only
def test_the_setting_follows_scope_changes_and_savepoint_rollbacks(app, tenant, other_tenant, rows):
    with app.app_context():
        with tenant_scope(tenant.id):
            assert _tenants_by_text() == {tenant.id}
        assert _tenants_by_text() == set()
        with tenant_scope(other_tenant.id):
            assert _tenants_by_text() == {other_tenant.id}
        savepoint = db.session.begin_nested()
        with tenant_scope(tenant.id):
            assert _tenants_by_text() == {tenant.id}
        savepoint.rollback()  # PostgreSQL's app.tenant_id is the other tenant's again
        with tenant_scope(tenant.id):
            assert _tenants_by_text() == {tenant.id}


@pg_only
def test_the_setting_does_not_outlive_its_transaction_on_a_pooled_connection(app, tenant):
    with app.app_context():
        engine = db.engine
        for _ in range(3):  # whichever pooled connection comes back
            with tenant_scope(tenant.id), engine.connect() as connection:
                assert connection.execute(text("SELECT current_setting('app.tenant_id', true)")).scalar() \
                    == str(tenant.id)
                connection.commit()
            with engine.connect() as connection:
                assert connection.execute(text("SELECT current_setting('app.tenant_id', true)")).scalar() \
                    in (None, "")


def _probe_migration(directory, head, tenant_ids):
    (directory / "versions" / "9999_probe.py").write_text(textwrap.dedent(f'''\
        """probe: what a data migration sees"""
        from alembic import op
        import sqlalchemy as sa

        revision = '9999'
        down_revision = {head!r}
        branch_labels = None
        depends_on = None


        def upgrade():
            bind = op.get_bind()
            assert bind.execute(sa.text("SELECT current_setting('app.tenant_id', true)")).scalar() == 'all'
            seen = bind.execute(sa.text("SELECT DISTINCT tenant_id FROM api_keys WHERE tenant_id IN :ids")
                                .bindparams(sa.bindparam("ids", expanding=True)), {{"ids": {list(tenant_ids)!r}}})
            assert sorted(seen.scalars()) == {sorted(tenant_ids)!r}, "a data migration must see every tenant"


        def downgrade():
            pass
        '''))


@pg_only
def test_a_data_migration_sees_every_tenant(app, tmp_path):
    """Migrations run unscoped (migrations/env.py): a data migration on top of 0010 reads every tenant's rows."""
    from flask_migrate import downgrade, upgrade

    alembic = AlembicConfig()
    alembic.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(alembic).get_current_head()
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, directory, ignore=shutil.ignore_patterns("__pycache__"))
    with app.app_context(), unscoped(), db.engine.begin() as connection:  # committed: the migration has its own
        tenant_ids = [connection.execute(text(
            "INSERT INTO tenants (slug, name, policy, created_at) VALUES (:s, 'Probe', '{}', now()) RETURNING id"),
            {"s": f"rls-probe-{os.getpid()}-{n}"}).scalar() for n in range(2)]
        for n, tenant_id in enumerate(tenant_ids):
            connection.execute(text("INSERT INTO api_keys (tenant_id, name, kind, prefix, secret_hash, created_at) "
                                    "VALUES (:t, 'probe', 'admin', 'msk_', :h, now())"),
                               {"t": tenant_id, "h": f"rls-probe-{os.getpid()}-{n}"})
    _probe_migration(directory, head, tenant_ids)
    try:
        with app.app_context():
            upgrade(directory=str(directory))
            downgrade(directory=str(directory), revision=head)
    finally:
        with app.app_context(), unscoped(), db.engine.begin() as connection:
            connection.execute(text("DELETE FROM tenants WHERE id = ANY(:ids)"), {"ids": tenant_ids})
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head


@pg_only
def test_the_versions_function_reads_its_own_tenant_and_restores_the_setting(app, tenant, other_tenant, rows):
    """matchmaking_versions (migration 0017) sets the tenant for its own read, with the caller's rights, and leaves
    the transaction's setting as it found it: unscoped, still no tenant row; scoped, still that tenant only."""
    with app.app_context():
        mine = db.session.execute(text("SELECT * FROM matchmaking_versions(:t)"), {"t": tenant.id}).one()
        assert mine[0] >= 1  # make_member's commit bumped it
        assert _tenants_by_text() == set()
        with tenant_scope(tenant.id):
            assert _tenants_by_text() == {tenant.id}
            theirs = db.session.execute(text("SELECT * FROM matchmaking_versions(:t)"),
                                        {"t": other_tenant.id}).one()
            assert theirs[0] >= 1
            assert _tenants_by_text() == {tenant.id}
