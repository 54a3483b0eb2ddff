"""Run the suite on SQLite, then on PostgreSQL in a database made for this run (skipped, loudly, when down)."""
import os
import subprocess
import sys
import uuid

PG_ADMIN = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def pytest(env_extra, label):
    print(f"\n=== test suite on {label} ===", flush=True)
    env = {**os.environ, **env_extra}
    return subprocess.call([sys.executable, "-m", "pytest", *sys.argv[1:]], env=env)


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

    name = f"mentorship_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name
        status = pytest({"TEST_DATABASE_URL": url}, "PostgreSQL") or status
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return status


if __name__ == "__main__":
    sys.exit(main())
