"""A 100,000-row CSV import through the API as a job (issue 11), on PostgreSQL and SQLite, against the synchronous
path on the same file, interleaved in one session.

Every run gets a fresh database (a new PostgreSQL database, or a new SQLite file) migrated by `flask db upgrade`,
a tenant from `flask tenants create`, and gunicorn (1 sync worker) serving wsgi:app over loopback.
- job: gunicorn's default 30 s timeout; the POST answers 202, then an RQ worker process starts (this script's
  `--worker` mode: a SimpleWorker in burst mode on Redis, under a queue prefix of this run) and the client polls
  `GET /api/v1/members/imports/{id}` every 0.5 s until it ends. Reported: the time from the POST to `succeeded`,
  every request's latency, the progress seen, the worker's peak RSS (getrusage ru_maxrss) and the web worker's
  (VmHWM).
- sync: the same file with IMPORT_SYNC_MAX_ROWS above its rows (today's synchronous path) and a 900 s timeout so
  it can finish: its request time and the web worker's peak RSS.
Usage: .venv/bin/python bench/bench_import_job.py [--rows 100000] [--reps 1] [--databases postgresql,sqlite]
       [--modes job,sync] [--json out.json]
"""
import argparse
import http.client
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import _common
from bench_import import generate_csv

ROOT = str(_common.ROOT)
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
BLANK = ("bio", "photo_url")  # the full rows of bench_import.py would make 43 MB, over the 32 MB body limit


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _hwm_mb(pid):
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024


class Database:
    """A fresh, migrated database of `kind`, dropped on exit."""

    def __init__(self, kind):
        self.kind = kind

    def __enter__(self):
        if self.kind == "sqlite":
            self.dir = tempfile.mkdtemp(prefix="mentorship-bench-")
            self.url = f"sqlite:///{self.dir}/bench.db"
        else:
            import psycopg

            self.name = f"bench_import_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + self.name
        return self

    def __exit__(self, *exc):
        if self.kind == "sqlite":
            import shutil

            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _env(database, sync_max_rows, prefix):
    return {**os.environ, "DATABASE_URL": database.url, "REDIS_URL": REDIS_URL, "JOBS_QUEUE_PREFIX": prefix,
            "IMPORT_SYNC_MAX_ROWS": str(sync_max_rows), "SWEEP_IN_PROCESS": "0",
            "RATELIMIT_DEFAULT": "1000000 per minute", "PYTHONPATH": ROOT}


def _flask(env, *args):
    out = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    return out.stdout


class Server:
    """gunicorn, 1 sync worker, on a free port."""

    def __init__(self, env, timeout):
        self.port = _free_port()
        self.proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "--timeout", str(timeout),
                                      "-b", f"127.0.0.1:{self.port}", "wsgi:app"], cwd=ROOT, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(200):
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not start")

    def worker_pid(self):
        with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as fh:
            return int(fh.read().split()[0])

    def request(self, method, path, body=None, headers=None):
        """(status, json body, seconds, headers)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        conn.close()
        try:
            payload = json.loads(data)
        except ValueError:
            payload = data[:200]
        return response.status, payload, elapsed, dict(response.getheaders())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _wipe_queue(prefix):
    from redis import Redis

    redis = Redis.from_url(REDIS_URL)
    keys = list(redis.scan_iter(f"*{prefix}*"))
    if keys:
        redis.delete(*keys)


def one_run(kind, mode, body, rows):
    prefix = f"bench-import-{uuid.uuid4().hex[:8]}:"
    with Database(kind) as database:
        env = _env(database, rows if mode == "sync" else 5000, prefix)
        _flask(env, "db", "upgrade")
        secret = json.loads(_flask(env, "tenants", "create", "--slug", "bench", "--name", "Bench"))["api_key"]
        server = Server(env, timeout=30 if mode == "job" else 900)
        try:
            auth = {"Authorization": f"Bearer {secret}"}
            status, answer, post_s, headers = server.request("POST", "/api/v1/members/import", body,
                                                             {**auth, "Content-Type": "text/csv"})
            result = {"database": kind, "mode": mode, "post_status": status, "post_s": post_s}
            if mode == "sync":
                assert status == 200 and answer == {"created": rows, "updated": 0}, (status, answer)
                result.update(total_s=post_s, web_peak_mb=_hwm_mb(server.worker_pid()))
                return result
            assert status == 202, (status, answer)
            result.update(_run_job(server, auth, headers["Location"], env, rows))
            result["total_s"] += post_s
            result["web_peak_mb"] = _hwm_mb(server.worker_pid())
            return result
        finally:
            server.stop()
            _wipe_queue(prefix)


def _run_job(server, auth, location, env, rows):
    """Start the worker, poll until the import ends; the POST's time is added by the caller."""
    started = time.perf_counter()
    worker = subprocess.Popen([sys.executable, __file__, "--worker"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    polls, seen, failed = [], [], []
    while True:
        status, got, elapsed, _ = server.request("GET", location, headers=auth)
        polls.append(elapsed)
        if status != 200:  # SQLite: a poll waiting out busy_timeout behind the writing phase's lock
            failed.append((round(time.perf_counter() - started, 1), status, round(elapsed, 2)))
            continue
        seen.append((round(time.perf_counter() - started, 1), got["status"], got["phase"], got["rows_done"]))
        if got["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.5)
    total_s = time.perf_counter() - started
    worker_out, _ = worker.communicate(timeout=120)
    assert got["status"] == "succeeded" and got["created"] == rows, got
    writing = [t for t, _, phase, _ in seen if phase == "writing"]
    return {"total_s": total_s, "polls": len(polls), "poll_max_s": max(polls), "poll_median_s": _common.median(polls),
            "failed_polls": failed,
            "writing_seen_s": (writing[-1] - writing[0]) if writing else 0.0,
            "progress": seen[:: max(1, len(seen) // 12)] + seen[-1:], **json.loads(worker_out.splitlines()[-1])}


def worker_main():
    """The job's process: an RQ SimpleWorker on this run's queues until they are empty; prints its peak RSS."""
    from rq import SimpleWorker

    from mentorship import create_app
    from mentorship.jobs.registry import QUEUES
    from mentorship.jobs.runner import backend

    app = create_app()
    with app.app_context():
        jobs = backend()
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        SimpleWorker([jobs.queue(n) for n in QUEUES], connection=jobs.redis).work(burst=True)
    print(json.dumps({"worker_start_mb": baseline,
                      "worker_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def run(rows, reps, databases, modes, seed=7):
    body = generate_csv(rows, seed, blank=BLANK).encode()
    print(f"{rows:,} rows, {len(body):,} bytes", flush=True)
    results = []
    for rep in range(reps):
        for kind in databases:
            for mode in (modes if rep % 2 == 0 else modes[::-1]):  # interleaved, order alternating
                result = one_run(kind, mode, body, rows)
                results.append(result)
                print(f"  rep {rep + 1} {kind:10s} {mode:4s}: {_line(result)}", flush=True)
    return {"rows": rows, "bytes": len(body), "reps": reps, "results": results, "machine": _common.machine()}


def _line(r):
    text = (f"POST {r['post_status']} in {r['post_s']:.2f} s, total {r['total_s']:.1f} s, "
            f"web peak {r['web_peak_mb']:.0f} MB")
    if r["mode"] == "job":
        text += (f", worker peak {r['worker_peak_mb']:.0f} MB (at start {r['worker_start_mb']:.0f} MB), "
                 f"{r['polls']} polls max {r['poll_max_s']:.3f} s ({len(r['failed_polls'])} not 200: "
                 f"{r['failed_polls']}), writing phase seen {r['writing_seen_s']:.1f} s")
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--modes", default="job,sync")
    parser.add_argument("--json", help="also write the summary to this file")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker_main()
        return
    summary = run(args.rows, args.reps, args.databases.split(","), args.modes.split(","))
    for r in summary["results"]:
        if r["mode"] == "job":
            print(f"  {r['database']} progress seen (s, status, phase, rows_done): {r['progress']}")
    _common.write_json(args.json, summary)


if __name__ == "__main__":
    main()
