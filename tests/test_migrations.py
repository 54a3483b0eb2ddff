"""The schema comes from Alembic alone: the migrated database must match the models exactly."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from mentorship.common.types import render_item
from mentorship.extensions import db


def test_migrations_match_models(app):
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                   "render_item": render_item})
            diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_app_does_not_create_tables_itself():
    import inspect

    import mentorship

    source = inspect.getsource(mentorship)
    assert "create_all" not in source


def test_0002_moves_member_domains_into_a_json_list(tmp_path):
    """Upgrade from 0001 keeps each member's domains in order; downgrade restores the rows."""
    import json

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from mentorship import create_app
    from mentorship.config import TestConfig

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/migrate.db"

    app = create_app(Config)
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO tenants (id, slug, name, policy, created_at) "
                              "VALUES (1, 't', 'T', '{}', '2026-01-01')"))
            conn.execute(text(
                "INSERT INTO members (id, tenant_id, role, name, email, goals, skills, languages, timezone, "
                "availability, international, profile_score, profile_gaps, created_at, updated_at) VALUES "
                "(7, 1, 'mentee', 'A', 'a@x.edu', '[]', '[]', '[]', 'UTC', '[]', 0, 0, '[]', '2026-01-01', "
                "'2026-01-01')"))
            conn.execute(text("INSERT INTO member_tokens (tenant_id, member_id, secret_hash, created_at, expires_at) "
                              "VALUES (1, 7, 'h', '2026-01-01', '2027-01-01')"))
            for position, domain in enumerate(["software/backend", "finance/credit-risk"]):
                conn.execute(text("INSERT INTO member_domains (tenant_id, member_id, domain, position) "
                                  "VALUES (1, 7, :d, :p)"), {"d": domain, "p": position})
        upgrade()
        with db.engine.connect() as conn:
            stored = conn.execute(text("SELECT domains FROM members WHERE id = 7")).scalar()
        assert json.loads(stored) == ["software/backend", "finance/credit-risk"]
        downgrade(revision="0001")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT domain FROM member_domains ORDER BY position")).scalars().all()
        assert rows == ["software/backend", "finance/credit-risk"]
        with db.engine.connect() as conn:  # rebuilding members must not cascade-delete what references it
            assert conn.execute(text("SELECT count(*) FROM member_tokens")).scalar() == 1
        db.engine.dispose()


def test_0008_counts_existing_member_tokens_as_admin_minted(tmp_path):
    """Tokens from before 0008 keep what they could do (issued_by 'admin'); downgrade keeps the tokens."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from mentorship import create_app
    from mentorship.config import TestConfig

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/migrate.db"

    app = create_app(Config)
    with app.app_context():
        upgrade(revision="0007")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO tenants (id, slug, name, policy, created_at) "
                              "VALUES (1, 't', 'T', '{}', '2026-01-01')"))
            conn.execute(text(
                "INSERT INTO members (id, tenant_id, role, name, email, domains, goals, skills, languages, timezone, "
                "availability, international, profile_score, profile_gaps, created_at, updated_at) VALUES "
                "(7, 1, 'mentee', 'A', 'a@x.edu', '[]', '[]', '[]', '[]', 'UTC', '[]', 0, 0, '[]', '2026-01-01', "
                "'2026-01-01')"))
            conn.execute(text("INSERT INTO member_tokens (tenant_id, member_id, secret_hash, created_at, expires_at) "
                              "VALUES (1, 7, 'h', '2026-01-01', '2027-01-01')"))
        upgrade(revision="0008")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT issued_by FROM member_tokens")).scalars().all() == ["admin"]
        downgrade(revision="0007")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM member_tokens")).scalar() == 1
        db.engine.dispose()


def test_0011_recomputes_fingerprints_without_the_recipient(tmp_path):
    """Intros stored before 0011 get the recipient-independent fingerprint and its band keys; an erased message
    keeps none. The same text sent to two mentors then has one fingerprint."""
    import numpy as np
    from flask_migrate import upgrade
    from sqlalchemy import text

    import coach
    from mentorship import create_app
    from mentorship.config import TestConfig

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/migrate.db"

    script = ("Hi {n}, I'm Ana, a data science student at Fudan. Your work at {c} on fraud models caught my eye, and "
              "I would love to learn how your team labels chargebacks that arrive weeks later. Could we talk?")
    app = create_app(Config)
    with app.app_context():
        upgrade(revision="0010")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO tenants (id, slug, name, policy, created_at) "
                              "VALUES (1, 't', 'T', '{}', '2026-01-01')"))
            for member_id, role, name in ((7, "mentee", "Ana Li"), (8, "mentor", "Sam"), (9, "mentor", "Kim")):
                conn.execute(text(
                    "INSERT INTO members (id, tenant_id, role, name, email, school, domains, goals, skills, "
                    "languages, timezone, availability, international, profile_score, profile_gaps, created_at, "
                    "updated_at) VALUES (:id, 1, :role, :name, :email, 'Fudan University', '[]', '[]', '[]', '[]', "
                    "'UTC', '[]', 0, 0, '[]', '2026-01-01', '2026-01-01')"),
                    {"id": member_id, "role": role, "name": name, "email": f"{member_id}@x.edu"})
            for intro_id, mentor_id, status, message in ((1, 8, "pending", script.format(n="Sam", c="Stripe")),
                                                         (2, 9, "pending", script.format(n="Kim", c="Adyen")),
                                                         (3, 9, "declined", None)):
                conn.execute(text(
                    "INSERT INTO intros (id, tenant_id, mentee_id, mentor_id, source, status, message, fingerprint, "
                    "created_at, updated_at, expires_at) VALUES (:id, 1, 7, :mentor, 'mentee', :status, :message, "
                    ":fp, '2026-01-01', '2026-01-01', '2026-01-15')"),
                    {"id": intro_id, "mentor": mentor_id, "status": status, "message": message,
                     "fp": b"\x00" * 512})
                conn.execute(text("INSERT INTO intro_bands (tenant_id, intro_id, band_key, mentee_id) "
                                  "VALUES (1, :id, 42, 7)"), {"id": intro_id})
        upgrade(revision="0011")
        with db.engine.connect() as conn:
            stored = dict(conn.execute(text("SELECT id, fingerprint FROM intros")).all())
            bands = conn.execute(text("SELECT intro_id, band_key FROM intro_bands ORDER BY intro_id")).all()
        expected = coach.fingerprint(script.format(n="Sam", c="Stripe"),
                                     coach.Party(id=7, name="Ana Li", school="Fudan University"))
        assert np.frombuffer(stored[1], dtype="<u4").tolist() == list(expected.signature)
        assert stored[1] == stored[2] and stored[3] is None
        assert sorted(k for i, k in bands if i == 1) == sorted(set(expected.band_keys))
        assert not [k for i, k in bands if i == 3] and 42 not in {k for _, k in bands}
        db.engine.dispose()


def test_0012_recomputes_profile_gaps_with_latin_equivalent_lengths(tmp_path):
    """A Chinese bio of 60 characters was `bio_too_short` by raw count (60 < 150); after 0012 it counts 180."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from mentorship import create_app
    from mentorship.config import TestConfig

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/migrate.db"

    bio = ("我是复旦大学金融工程专业的硕士生，本科在武汉读数学。"
           "最近一年在做信用风险模型，想转到量化研究方向，也希望多认识业界的前辈。")
    assert 50 <= len(bio) < 150
    app = create_app(Config)
    with app.app_context():
        upgrade(revision="0011")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO tenants (id, slug, name, policy, created_at) "
                              "VALUES (1, 't', 'T', '{}', '2026-01-01')"))
            conn.execute(text(
                "INSERT INTO members (id, tenant_id, role, name, email, headline, bio, photo_url, domains, goals, "
                "skills, languages, timezone, availability, international, profile_score, profile_gaps, created_at, "
                "updated_at) VALUES (7, 1, 'mentee', 'A', 'a@x.edu', 'MS student', :bio, 'https://x.edu/a.jpg', "
                "'[\"finance/quant\"]', '[\"domain-knowledge\"]', '[]', '[]', 'UTC', "
                "'[{\"weekday\": 0, \"start\": \"09:00\", \"end\": \"10:00\"}]', 0, 75, '[\"bio_too_short\"]', "
                "'2026-01-01', '2026-01-01')"), {"bio": bio})
        upgrade(revision="0012")
        with db.engine.connect() as conn:
            score, gaps = conn.execute(text("SELECT profile_score, profile_gaps FROM members WHERE id = 7")).one()
        assert (score, gaps) == (100, "[]")
        db.engine.dispose()


def test_0019_compresses_big_documents_with_lz4_where_postgresql_has_it(app):
    """A match run's result and a split run's block profiles: lz4 (2.6 x faster than pglz to write 16 MB)."""
    import pytest

    big = ("match_runs.assignments", "match_runs.unmatched", "match_runs.unmatched_mentee_ids",
           "match_run_blocks.profiles")
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's column compression")
        if not connection.exec_driver_sql("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                                          "WHERE name = 'default_toast_compression'").scalar():
            pytest.skip("this PostgreSQL was built without lz4")
        methods = dict(connection.exec_driver_sql(
            "SELECT attrelid::regclass::text || '.' || attname, attcompression FROM pg_attribute "
            "WHERE attrelid IN ('match_runs'::regclass, 'match_run_blocks'::regclass) AND attnum > 0").all())
    assert {column: methods[column] for column in big} == dict.fromkeys(big, "l")
    assert methods["match_runs.stats"] == ""  # the others as they were: the server's default
