"""POST /api/v1/match-runs/{id}/apply of a big run (issue 16: big cohorts), this checkout against an older one.

Each measurement copies the database a `bench/bench_split_run.py --database NAME --keep` run left (`CREATE DATABASE
... TEMPLATE`, so the runs there stay unapplied for the next measurement and for the split-run bench), then, in a
child process, applies its newest succeeded run (a 50,000-mentee run: ~30,000 warm intros) through the app's test
client and reports the seconds, the intros created and the child's peak RSS. The copy is dropped afterwards.
Children alternate between the trees, `--rounds` times.

Usage: .venv/bin/python bench/bench_apply_run.py --database bench_split [--old-root CHECKOUT] [--rounds 2]
"""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
COPY = "bench_apply_copy"


def child(root, database):
    sys.path.insert(0, root)
    os.chdir(root)
    import importlib
    import resource
    import time

    from sqlalchemy import select

    from mentorship.extensions import db
    from mentorship.matchmaking.models import MatchRun
    from mentorship.tenancy.scope import tenant_scope

    mentorship = importlib.import_module("mentorship")  # this checkout's (imported above) ...
    _common = importlib.import_module("_common")  # ... before _common, which puts /work/main first on sys.path
    app, client, tenant_id, secret = _common.kept_database_client(database)
    with app.app_context(), tenant_scope(tenant_id):
        run_id = db.session.scalar(select(MatchRun.id).where(
            MatchRun.status == "succeeded", MatchRun.applied_at.is_(None)).order_by(MatchRun.id.desc()).limit(1))
    started = time.perf_counter()
    response = client.post(f"/api/v1/match-runs/{run_id}/apply", headers={"Authorization": f"Bearer {secret}"})
    body = response.get_json()
    seconds = time.perf_counter() - started
    return {"root": str(Path(mentorship.__file__).parent.parent), "status": response.status_code,
            "intros": len(body.get("intro_ids", [])), "skipped": len(body.get("skipped", [])),
            "seconds": round(seconds, 2), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


def _copy(database):
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {COPY}")
        if database is not None:
            admin.execute(f"CREATE DATABASE {COPY} TEMPLATE {database}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--old-root")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, COPY)))
        return
    roots = [str(ROOT)] + ([str(Path(args.old_root).resolve())] if args.old_root else [])
    try:
        for round_ in range(args.rounds):
            for root in roots if round_ % 2 == 0 else roots[::-1]:
                _copy(args.database)
                out = subprocess.run([sys.executable, __file__, "--database", args.database, "--child", root],
                                     capture_output=True, text=True, check=True).stdout
                print(out.strip().splitlines()[-1], flush=True)
    finally:
        _copy(None)


if __name__ == "__main__":
    main()
