"""The mentor index's per-request freshness check, and its refresh after one profile change (issue 16), on
PostgreSQL: a throwaway database `bench_fresh_<pid>` (dropped at the end), the schema by the migrations, one tenant
with `--mentors` ready mentors and 100 mentees through the CSV import, then, interleaved per round:

- `stamp`: what the check was before issue 16, `count(*), max(updated_at)` over the tenant's mentor rows;
- `version`: what it is now (`index._version`: one primary-key lookup);
- `refresh`: one mentor's capacity changed through `update_member` (its own commit, not timed), then the next
  `index.query` (the version read, the changed mentor re-read and upserted);
- `steady`: `index.query` with nothing changed.

Figures: ms per call, median and p95. Usage: .venv/bin/python bench/bench_index_freshness.py [--mentors 5000]
[--rounds 200] [--json out.json]
"""
import argparse
import json
import os
import time

import _common
import data_matching
import numpy as np
import psycopg
from bench_service_matching import PG_ADMIN, cohort_csv, import_members


def _ms(values):
    ms = np.asarray(values) * 1e3
    return {"median": round(float(np.median(ms)), 3), "p95": round(float(np.percentile(ms, 95)), 3)}


def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(app, tenant_id, rounds):
    from sqlalchemy import func, select

    from mentorship.extensions import db
    from mentorship.matchmaking import index
    from mentorship.members.models import Member
    from mentorship.members.operations import update_member
    from mentorship.tenancy.scope import tenant_scope

    def stamp():
        db.session.execute(select(func.count(), func.max(Member.updated_at)).where(Member.role == "mentor")).one()

    series = {"stamp": [], "version": [], "refresh": [], "steady": []}
    with app.app_context(), tenant_scope(tenant_id):
        mentor_ids = db.session.scalars(select(Member.id).where(Member.role == "mentor")).all()
        index.query(tenant_id, lambda entry: None)  # the build, once
        for i in range(rounds):
            series["stamp"].append(_timed(stamp))
            series["version"].append(_timed(lambda: index._version(tenant_id)))
            db.session.commit()
            update_member(db.session.get(Member, mentor_ids[i % len(mentor_ids)]), {"capacity": 1 + i % 3})
            series["refresh"].append(_timed(lambda: index.query(tenant_id, lambda entry: None)))
            db.session.commit()
            series["steady"].append(_timed(lambda: index.query(tenant_id, lambda entry: None)))
            db.session.commit()
    return {name: _ms(values) for name, values in series.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    from flask_migrate import upgrade

    from mentorship import create_app
    from mentorship.config import TestConfig

    name = f"bench_fresh_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        JOBS_LOCAL_AUTOSTART = False

    try:
        app = create_app(BenchConfig)
        with app.app_context():
            upgrade()
        tenant_id, secret = _common.make_tenant(app, "bench")
        import_members(app, secret, cohort_csv(100, args.mentors, 3), 100 + args.mentors)
        summary = {"machine": _common.machine(), "mentors": args.mentors, "rounds": args.rounds,
                   **measure(app, tenant_id, args.rounds)}
        with app.app_context():
            from mentorship.extensions import db
            db.engine.dispose()
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(json.dumps(summary, indent=2))
    if args.json:
        _common.write_json(args.json, summary)


if __name__ == "__main__":
    assert data_matching  # the cohorts bench_service_matching writes as CSV rows
    main()
