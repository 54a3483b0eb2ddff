"""A big match run split across RQ workers (issue 16, acceptance 3; mentorship/matchmaking/split.py).

A throwaway PostgreSQL database (`bench_split_<pid>`, dropped at the end; or `--database NAME --keep` to make it once
and reuse it) holds one tenant with the cohort of bench/data_matching.py (default 50,000 mentees x 10,000 mentors),
imported as ready CSV rows through POST /api/v1/members/import in chunks of 10,000 (untimed). Then, for each series
in turn (rounds x the order given by --series, e.g. 1,2,2,1):

- `N` real worker processes (`flask --app wsgi worker --queues low`: RQ SimpleWorker, the production Config from the
  environment, numpy single-threaded per worker as WORKER_BLAS_THREADS=1 makes it) are started on a queue prefix of
  their own, and the clock waits until every one is idle on the queue (RQ's worker state);
- POST /api/v1/match-runs (optimal, min score 0.2) through the app on the same database and Redis; the clock runs
  from the POST until GET /api/v1/match-runs/{id} says `succeeded` (polled every 200 ms; each poll's `progress` is
  kept, so the blocks are seen coming in): `wall_s` includes that last GET (the result, 17 MB at 50,000 mentees,
  fetched and parsed), `done_s` stops when it was sent (the run was over by then: its status was committed with the
  result);
- the workers get SIGTERM.

Series `1` and `2` are the split run over one and two workers; series `whole` is the run in one piece (threshold
above the cohort) on one worker, for reference. Every run's assignments are hashed: they must be the same.
Load average is recorded at each run's start.

Usage: .venv/bin/python bench/bench_split_run.py [--mentees 50000] [--mentors 10000] [--series 1,2,2,1]
       [--rounds 1] [--database NAME --keep] [--json out.json]
"""
import argparse
import hashlib
import json
import os
import time
from datetime import datetime

import _common
import _workers
import bench_service_matching as bsm

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
POLL_SECONDS = 0.2  # often enough to see the blocks come in, seldom enough to leave the CPUs to the workers


def _database(name, mentees, mentors, keep):
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
        if exists and not keep:
            raise SystemExit(f"database {name} exists; pass --keep to reuse it")
        if not exists:
            admin.execute(f"CREATE DATABASE {name}")
    return exists


def _app(url, prefix, **config):
    from mentorship import create_app
    from mentorship.config import TestConfig

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        REDIS_URL = globals()["REDIS_URL"]
        JOBS_QUEUE_PREFIX = prefix

    for key, value in config.items():
        setattr(BenchConfig, key, value)
    return create_app(BenchConfig)


def _import(app, mentees, mentors):
    _, secret = _common.make_tenant(app, "bench")
    lines = bsm.cohort_csv(mentees, mentors, 1).split(b"\n")
    head, rows = lines[0], [line for line in lines[1:] if line]
    started = time.perf_counter()
    for start in range(0, len(rows), 10_000):
        chunk = rows[start:start + 10_000]
        bsm.import_members(app, secret, b"\n".join([head, *chunk]) + b"\n", len(chunk))
    return secret, time.perf_counter() - started


def _one_run(app, secret, backend, prefix, env, workers, split_at):
    from rq import Worker

    env = {**env, "MATCH_RUN_SPLIT_MENTEES": str(split_at)}
    log = f"/tmp/bench-split-{os.getpid()}.log"
    with open(log, "w"):
        pass
    with _workers.workers(env, workers, "low", backend, prefix, log=log):
        deadline = time.monotonic() + 60
        # idle = waiting on the queue: a worker registers a second or two before it listens (its start-up, which a
        # long-running deployment's workers have behind them, is not part of a run)
        while len([w for w in Worker.all(connection=backend.redis)
                   if any(q.name == prefix + "low" for q in w.queues) and w.get_state() == "idle"]) < workers:
            if time.monotonic() > deadline:
                raise SystemExit("the workers did not start listening on the queue")
            time.sleep(0.1)
        client, headers = app.test_client(), {"Authorization": f"Bearer {secret}"}
        load = os.getloadavg()[0]
        posted_at = time.time()
        started = time.perf_counter()
        queued = client.post("/api/v1/match-runs", json={}, headers=headers)
        if queued.status_code != 202:
            raise SystemExit(f"POST match-runs -> {queued.status_code} {queued.get_data(as_text=True)[:500]}")
        seen = []
        while True:
            asked = time.perf_counter()
            run = client.get(f"/api/v1/match-runs/{queued.get_json()['id']}", headers=headers).get_json()
            if run["status"] in ("succeeded", "failed"):
                done, last_get = asked - started, time.perf_counter() - asked
                break
            if run.get("progress"):
                seen.append((round(time.perf_counter() - started, 2), run["progress"]["blocks_done"]))
            if time.perf_counter() - started > 900:
                raise SystemExit("the run took more than 15 minutes")
            time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - started
    if run["status"] != "succeeded":
        raise SystemExit(f"run failed: {run.get('error')}")
    with open(log) as lines:
        logged = [line.strip() for line in lines if "match run" in line]
    phases = [line for line in logged if "mentees" in line]
    blocks_here = [line.split(": ", 2)[-1] for line in logged if "blocks computed here" in line]
    at = {name: datetime.fromisoformat(run[f"{name}_at"]).timestamp() - posted_at
          for name in ("created", "started", "finished")}
    digest = hashlib.sha256(json.dumps(run["assignments"], sort_keys=True).encode()).hexdigest()[:16]
    return {"workers": workers, "wall_s": round(wall, 2), "done_s": round(done, 2), "job_s": run["stats"]["seconds"],
            "load": round(load, 2),
            "matched": run["stats"]["matched"], "total_score": run["stats"]["total_score"], "assignments": digest,
            "progress": run.get("progress"), "blocks_seen": seen[::max(1, len(seen) // 12)],
            "timeline": {"job_started": round(at["started"], 2), "job_finished": round(at["finished"], 2),
                         "last_get": round(last_get, 2)},
            "phases": phases[-1].split(": ", 2)[-1] if phases else None,
            "blocks_here": blocks_here[-1] if blocks_here else None}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentees", type=int, default=50_000)
    parser.add_argument("--mentors", type=int, default=10_000)
    parser.add_argument("--series", default="1,2,2,1,whole")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--database")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    name = args.database or f"bench_split_{os.getpid()}"
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    existed = _database(name, args.mentees, args.mentors, args.keep)
    prefix = f"bench-split-{os.getpid()}:"
    try:
        env = _workers.migrated_env(url, REDIS_URL, prefix, WORKER_BLAS_THREADS="1", SECRET_KEY="bench-not-secret")
        app = _app(url, prefix)
        if existed:
            secret = open(os.path.join("/tmp", f"{name}.secret")).read()
            imported = None
        else:
            secret, imported = _import(app, args.mentees, args.mentors)
            with open(os.path.join("/tmp", f"{name}.secret"), "w") as out:
                out.write(secret)
            print(f"imported {args.mentees:,} mentees and {args.mentors:,} mentors in {imported:.0f} s", flush=True)
        backend = app.extensions["jobs"]
        results = []
        for _ in range(args.rounds):
            for series in args.series.split(","):
                workers, split_at = (1, 10**9) if series == "whole" else (int(series), 20_000)
                result = _one_run(app, secret, backend, prefix, env, workers, split_at)
                result["series"] = series
                results.append(result)
                print(json.dumps(result), flush=True)
        digests = {r["assignments"] for r in results}
        summary = {"machine": _common.machine(), "mentees": args.mentees, "mentors": args.mentors,
                   "import_s": imported, "runs": results, "same_assignments": len(digests) == 1}
        for series in {r["series"] for r in results}:
            for measure in ("wall", "done"):
                summary[f"median_{measure}_{series}"] = _common.median(
                    [r[f"{measure}_s"] for r in results if r["series"] == series])
        if "median_wall_1" in summary and "median_wall_2" in summary:
            summary["speedup_2_over_1"] = round(summary["median_wall_1"] / summary["median_wall_2"], 3)
            summary["speedup_2_over_1_done"] = round(summary["median_done_1"] / summary["median_done_2"], 3)
        print(json.dumps({k: v for k, v in summary.items() if k != "runs"}, indent=1))
        if args.json:
            _common.write_json(args.json, summary)
        if len(digests) != 1:
            raise SystemExit(f"the runs' assignments differ: {digests}")
    finally:
        if not args.keep:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
