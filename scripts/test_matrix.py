"""Run the suite on SQLite, then on PostgreSQL in a database made for this run (skipped, loudly, when down)."""
import os
import subprocess
import sys
import uuid

from sqlalchemy.engine import make_url

PG_ADMIN = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# Tests of the pure libraries (the matching engine, the coach): no database, no app; the PostgreSQL pass would run
# the very same code on the very same inputs again (~90 s), so it leaves them to the SQLite pass.
DATABASE_FREE = ("tests/matching", "tests/coach")


def pytest(env_extra, label, skip=()):
    print(f"\n=== test suite on {label} ===", flush=True)
    env = {**os.environ, **env_extra}
    args = sys.argv[1:]
    if skip and not any(not arg.startswith("-") for arg in args):  # the whole suite, not paths of one's choosing
        print(f"(database-free tests run in the SQLite pass only: {', '.join(skip)})", flush=True)
        args = [*args, *(f"--ignore={path}" for path in skip)]
    return subprocess.call([sys.executable, "-m", "pytest", *args], env=env)


def postgres_reachable():
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3, autocommit=True):
            return True
    except psycopg.OperationalError as exc:
        print(f"\n*** PostgreSQL is not reachable ({str(exc).strip().splitlines()[0]}): "
              "the PostgreSQL run is SKIPPED; only SQLite was tested. ***", flush=True)
        return False


def main():
    status = pytest({"TEST_DATABASE_URL": ""}, "SQLite")
    if not postgres_reachable():
        return status
    import psycopg

    # The suite connects as a role of this run that owns the database (so the migrations make it the tables' owner),
    # not as the admin: superusers pass by row-level security, owners do not (FORCE), so every test runs under it.
    name, password = f"mentorship_test_{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE \"{name}\" LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '{password}'")
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{name}"')
    try:
        url = make_url(PG_ADMIN).set(drivername="postgresql+psycopg", username=name, password=password, database=name)
        status = pytest({"TEST_DATABASE_URL": url.render_as_string(hide_password=False)}, "PostgreSQL",
                        skip=DATABASE_FREE) or status
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{name}"')
    return status


if __name__ == "__main__":
    sys.exit(main())
