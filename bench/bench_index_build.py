"""Building a MentorIndex from scratch (issue 16): what a match run pays before its first block on every worker, and
what a service process pays for a tenant's first recommendation.

The bench cohort's mentors (bench/data_matching.py, 10,000 and 100,000), and with `--database NAME` the mentors a
match run reads from that PostgreSQL database (as the service builds them from member rows: headline, bio and skills
as one text, e.g. the cohort bench/bench_split_run.py imported), are indexed in child processes, the code of
`--old-root` (another checkout, e.g. a git worktree) and of this checkout alternating, each child timing `--builds`
builds in a row after one untimed; medians of the children's medians, and new ÷ old per cohort. Load average at the
start of each child is recorded. Children run with one BLAS thread.

Usage: .venv/bin/python bench/bench_index_build.py --old-root /tmp/oldtree [--rounds 3] [--builds 3]
       [--sizes 10000,100000] [--database bench_split] [--json out.json]
"""
import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common

WEEK = "2026-12-07"


def child(root, mentors, builds):
    sys.path.insert(0, root)
    sys.path.insert(1, str(Path(__file__).resolve().parent))
    from datetime import date

    from matching import MentorIndex  # first: data_matching puts this checkout's root first on sys.path

    if not sys.modules["matching"].__file__.startswith(root):
        raise SystemExit(f"matching was not imported from {root}")
    from data_matching import mentors as make_mentors
    week = date.fromisoformat(WEEK)
    if mentors.isdigit():
        pool = make_mentors(int(mentors), seed=5)
    else:  # a pickle of the service's profiles (plain matching.Profile values: either checkout reads them)
        with open(mentors, "rb") as saved:
            pool = pickle.load(saved)
    MentorIndex.build(pool, week_of=week)  # untimed: imports, caches
    seconds = []
    for _ in range(builds):
        started = time.perf_counter()
        MentorIndex.build(pool, week_of=week)
        seconds.append(time.perf_counter() - started)
    print(json.dumps({"seconds": seconds}))


def _service_mentors(database):
    """A pickle of the mentors a match run reads from `database` (its newest run's tenant), as tasks._cohort makes
    them."""
    from sqlalchemy import select, text

    from mentorship import create_app
    from mentorship.config import TestConfig
    from mentorship.extensions import db
    from mentorship.matchmaking import tasks
    from mentorship.matchmaking.models import MatchRun
    from mentorship.tenancy.scope import tenant_scope

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
        REDIS_URL = None

    app = create_app(Config)
    with app.app_context():
        tenant_id = db.session.execute(text("SELECT tenant_id FROM match_runs ORDER BY id DESC LIMIT 1")).scalar()
        with tenant_scope(tenant_id):
            run = db.session.scalar(select(MatchRun).order_by(MatchRun.id.desc()).limit(1))
            _, mentors, _ = tasks._cohort(tenant_id, run)
    path = os.path.join(tempfile.gettempdir(), f"bench-index-build-{os.getpid()}.pickle")
    with open(path, "wb") as out:
        pickle.dump(mentors, out)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old-root")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--builds", type=int, default=3)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--database")
    parser.add_argument("--json")
    parser.add_argument("--child", nargs=3, metavar=("ROOT", "MENTORS", "BUILDS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child[0], args.child[1], int(args.child[2]))
    if not args.old_root:
        parser.error("--old-root is required")
    roots = {"old": str(Path(args.old_root).resolve()), "new": str(_common.ROOT)}
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    results = {}
    cohorts = args.sizes.split(",")
    if args.database:
        cohorts.append(_service_mentors(args.database))
    for size in cohorts:
        runs = {"old": [], "new": []}
        for round_ in range(args.rounds):
            for code in (("old", "new") if round_ % 2 == 0 else ("new", "old")):
                load = os.getloadavg()[0]
                out = subprocess.run([sys.executable, __file__, "--child", roots[code], str(size), str(args.builds)],
                                     env=env, check=True, capture_output=True, text=True).stdout
                seconds = json.loads(out.strip().splitlines()[-1])["seconds"]
                runs[code].append({"median_s": round(_common.median(seconds), 3), "load": round(load, 2)})
                print(size if size.isdigit() else "service", code, runs[code][-1], flush=True)
        medians = {code: _common.median([r["median_s"] for r in runs[code]]) for code in runs}
        name = size if size.isdigit() else f"service mentors of {args.database}"
        results[name] = {"runs": runs, "median_old_s": medians["old"], "median_new_s": medians["new"],
                         "new_over_old": round(medians["new"] / medians["old"], 3)}
    summary = {"machine": _common.machine(), "old_root": roots["old"], "results": results}
    print(json.dumps({size: {k: v for k, v in r.items() if k != "runs"} for size, r in results.items()}, indent=1))
    if args.json:
        _common.write_json(args.json, summary)


if __name__ == "__main__":
    main()
