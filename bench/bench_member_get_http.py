"""GET /api/v1/members/{id} over HTTP: one gunicorn process serving our app and two bare baselines, loaded by wrk.

The benchmark prepares a fresh SQLite file (Alembic migrations, one tenant, ~1,000 members through the CSV import),
then for each worker type (`sync`: one sync worker; `gthread`: one worker, 4 threads) starts ONE gunicorn process on
127.0.0.1 (a free port) serving `bench/http_app.py`: our app (production `Config` from the environment, rate limiter
on with `local://` storage and RATELIMIT_DEFAULT=1000000 per minute, so it never trips) at "/", and at "/bare" a bare
Flask app with a no-database route returning a member-sized JSON dict ("bare") and a route reading the same row with
plain sqlite3 ("bare_db"). wrk (`-t1 -c4`, a Lua script cycling through the member ids, Authorization header on every
request) runs a warm-up, then `--rounds` rounds of `--seconds` per series; the order of the series rotates each
round. Figures are medians over rounds; ratios are medians of the per-round ratios. Every answer must be a 200
(wrk counts anything else as a status error, which fails the run). The server is stopped at the end of each mode.

Usage: .venv/bin/python bench/bench_member_get_http.py [--members 1000] [--rounds 3] [--seconds 10]
       [--workers sync,gthread] [--connections 4] [--json out.json]
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import _common

TARGET_RATIO = 0.40
HERE = os.path.dirname(os.path.abspath(__file__))
SERIES = ("bare", "ours", "bare_db")
PREFIX = {"bare": "/bare/api/v1/members/", "ours": "/api/v1/members/", "bare_db": "/bare/db/api/v1/members/"}
WORKERS = {"sync": ["-k", "sync", "-w", "1"], "gthread": ["-k", "gthread", "-w", "1", "--threads", "4"]}
RATELIMIT_DEFAULT = "1000000 per minute"
# settings our Config reads that would change what is measured if the calling shell happened to set them
CLEARED_ENV = ("REDIS_URL", "RATELIMIT_ENABLED", "RATELIMIT_STORAGE_URI", "CREDENTIAL_CACHE_SECONDS",
               "POLICY_CACHE_SECONDS", "TEST_DATABASE_URL")

LUA = """
local ids = {%(ids)s}
local i = 0
local prefix = "/"

function init(args)
  prefix = args[1]
end

function request()
  i = i %% #ids + 1
  return wrk.format("GET", prefix .. ids[i])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %%.0f, "duration_us": %%.0f, "status_errors": %%.0f, "connect_errors": %%.0f, ' ..
    '"read_errors": %%.0f, "write_errors": %%.0f, "timeouts": %%.0f, "p50_us": %%.1f, "p99_us": %%.1f, ' ..
    '"mean_us": %%.1f, "max_us": %%.1f}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean, latency.max))
end
"""


def tools():
    """(gunicorn, wrk) paths, or None where missing."""
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    return (gunicorn if os.access(gunicorn, os.X_OK) else shutil.which("gunicorn")), shutil.which("wrk")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(database, members, seed):
    """Migrations, one tenant, `members` members; returns (admin secret, member ids, one member's JSON)."""
    from bench_member_get import seed_members

    from mentorship.extensions import db

    app = _common.make_app(database.url)
    _, secret = _common.make_tenant(app, "bench")
    ids = seed_members(app, secret, members, seed)
    sample = app.test_client().get(f"/api/v1/members/{ids[0]}", headers={"Authorization": f"Bearer {secret}"})
    assert sample.status_code == 200 and "profile" in sample.get_json(), sample.get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()  # the server opens its own connections
    return secret, ids, sample.get_json()


def _get(port, path, secret):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {secret}"})
        response = conn.getresponse()
        return response.status, response.read(), response.getheader("Connection", "")
    finally:
        conn.close()


class Server:
    """One gunicorn process (master + one worker) in its own process group; always stopped on exit."""

    def __init__(self, gunicorn, worker, port, env, log_path):
        self.cmd = [gunicorn, *WORKERS[worker], "-b", f"127.0.0.1:{port}", "--pythonpath", HERE,
                    "--graceful-timeout", "5", "--log-level", "info", "http_app:app"]
        self.env, self.log_path, self.port, self.proc = env, log_path, port, None

    def __enter__(self):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.cmd, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True, cwd=HERE)
        return self

    def wait_ready(self, path, secret, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                if _get(self.port, path, secret)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn not ready after {timeout} s:\n{self.tail()}")

    def tail(self, chars=4000):
        self.log.flush()
        with open(self.log_path) as fh:
            return fh.read()[-chars:]

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        try:  # the worker shares the master's process group; nothing of it may outlive the run
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            pass
        else:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def check_answers(port, secret, ids, sample):
    """Each series answers 200 with the member asked for, before any load; (body sizes, keep-alive offered?)."""
    member_id = ids[1]
    bodies, connection = {}, set()
    for name in SERIES:
        status, body, connection_header = _get(port, f"{PREFIX[name]}{member_id}", secret)
        connection.add(connection_header.lower())
        if status != 200:
            raise SystemExit(f"{name}: GET {PREFIX[name]}{member_id} -> {status} {body[:500]!r}")
        bodies[name] = json.loads(body)
        assert bodies[name]["id"] == member_id, (name, bodies[name])
    assert bodies["bare_db"]["name"] == bodies["ours"]["name"], (bodies["bare_db"], bodies["ours"])
    assert set(bodies["bare"]) == set(sample), "bare route must return a member-shaped body"
    return ({name: len(json.dumps(body, separators=(",", ":"))) for name, body in bodies.items()},
            "close" not in connection)


def wrk(wrk_path, port, script, secret, name, seconds, connections):
    cmd = [wrk_path, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", script,
           "-H", f"Authorization: Bearer {secret}", f"http://127.0.0.1:{port}", "--", PREFIX[name]]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    lines = [line for line in out.stdout.splitlines() if line.startswith("WRK_JSON ")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"wrk failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    result = json.loads(lines[-1].removeprefix("WRK_JSON "))
    if result["status_errors"] or result["timeouts"] or not result["requests"]:
        raise SystemExit(f"{name}: non-200 answers or timeouts under load: {result}")
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def run_mode(worker, tools_, database, secret, ids, sample, rounds, seconds, connections, workdir, verbose):
    gunicorn, wrk_path = tools_
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in CLEARED_ENV}
    env.update(DATABASE_URL=database.url, BENCH_DB_PATH=database.path, RATELIMIT_DEFAULT=RATELIMIT_DEFAULT,
               BENCH_SAMPLE_JSON=os.path.join(workdir, "sample.json"), PYTHONPATH=str(_common.ROOT),
               SECRET_KEY="bench-not-secret")
    script = os.path.join(workdir, "ids.lua")
    log_path = os.path.join(workdir, f"gunicorn-{worker}.log")
    results = {name: [] for name in SERIES}
    with Server(gunicorn, worker, port, env, log_path) as server:
        server.wait_ready(f"{PREFIX['ours']}{ids[0]}", secret)
        body_bytes, keep_alive = check_answers(port, secret, ids, sample)
        for name in SERIES:  # warm-up, not counted
            wrk(wrk_path, port, script, secret, name, 2, connections)
        for i in range(rounds):
            for name in SERIES[i % 3:] + SERIES[:i % 3]:
                results[name].append(wrk(wrk_path, port, script, secret, name, seconds, connections))
            if verbose:
                last = {name: results[name][-1] for name in SERIES}
                print(f"  {worker} round {i + 1}/{rounds}: "
                      + " | ".join(f"{name} {r['rps']:,.0f} req/s p50 {r['p50_us'] / 1000:.2f} ms "
                                   f"p99 {r['p99_us'] / 1000:.2f} ms" for name, r in last.items())
                      + f" | ours/bare {last['ours']['rps'] / last['bare']['rps']:.1%}"
                      + f" | ours/bare_db {last['ours']['rps'] / last['bare_db']['rps']:.1%}", flush=True)
        log = server.tail(200_000)
    boots = log.count("Booting worker")
    if boots != 1 or "Traceback" in log or "WORKER TIMEOUT" in log:
        raise SystemExit(f"gunicorn {worker}: {boots} worker boots or errors in its log:\n{log[-4000:]}")
    return summarise(worker, results, body_bytes, keep_alive, connections, seconds)


def summarise(worker, results, body_bytes, keep_alive, connections, seconds):
    out = {"worker": worker, "gunicorn_args": WORKERS[worker], "connections": connections, "seconds": seconds,
           "rounds": len(results["ours"]), "body_bytes": body_bytes, "keep_alive": keep_alive, "series": {}}
    for name in SERIES:
        runs = results[name]
        out["series"][name] = {
            "rps": [r["rps"] for r in runs], "p50_ms": [r["p50_us"] / 1000 for r in runs],
            "p99_ms": [r["p99_us"] / 1000 for r in runs], "non_status_errors": [
                r["connect_errors"] + r["read_errors"] + r["write_errors"] for r in runs],
            "rps_median": _common.median([r["rps"] for r in runs]),
            "p50_ms_median": _common.median([r["p50_us"] / 1000 for r in runs]),
            "p99_ms_median": _common.median([r["p99_us"] / 1000 for r in runs]),
        }
    for base in ("bare", "bare_db"):
        ratios = [o["rps"] / b["rps"] for o, b in zip(results["ours"], results[base], strict=True)]
        out[f"ratio_{base}"] = ratios
        out[f"ratio_{base}_median"] = _common.median(ratios)
        out[f"target_met_{base}"] = out[f"ratio_{base}_median"] >= TARGET_RATIO
    out["target"] = TARGET_RATIO
    return out


def run(members=1000, rounds=3, seconds=10, workers=("sync", "gthread"), connections=4, seed=11, verbose=True):
    found = tools()
    if not all(found):
        raise SystemExit(f"needs gunicorn and wrk (found: gunicorn={found[0]}, wrk={found[1]})")
    summary = {"members": members, "rounds": rounds, "seconds": seconds, "connections": connections,
               "ratelimit_default": RATELIMIT_DEFAULT, "modes": {}}
    with _common.FreshDatabase() as database:
        secret, ids, sample = prepare(database, members, seed)
        summary["members"] = len(ids)
        with open(os.path.join(database.dir, "sample.json"), "w") as fh:
            json.dump(sample, fh)
        with open(os.path.join(database.dir, "ids.lua"), "w") as fh:
            fh.write(LUA % {"ids": ", ".join(map(str, ids))})
        for worker in workers:
            summary["modes"][worker] = run_mode(worker, found, database, secret, ids, sample, rounds, seconds,
                                                connections, database.dir, verbose)
    return summary


def report(summary):
    print(f"GET /api/v1/members/{{id}} over HTTP ({summary['members']:,} members, SQLite file), one gunicorn "
          f"process, wrk -t1 -c{summary['connections']}, {summary['rounds']} interleaved rounds x "
          f"{summary['seconds']} s per series:")
    for worker, mode in summary["modes"].items():
        print(f"  {worker} ({' '.join(mode['gunicorn_args'])}); keep-alive: {'yes' if mode['keep_alive'] else 'no'}; "
              f"body bytes: " + ", ".join(f"{name} {size:,}" for name, size in mode["body_bytes"].items()))
        for name in SERIES:
            s = mode["series"][name]
            print(f"    {name:8s} {s['rps_median']:8,.0f} req/s   p50 {s['p50_ms_median']:6.2f} ms   "
                  f"p99 {s['p99_ms_median']:6.2f} ms")
        for base in ("bare", "bare_db"):
            print(f"    ours/{base}: {mode[f'ratio_{base}_median']:.1%} (rounds: "
                  f"{', '.join(f'{r:.1%}' for r in mode[f'ratio_{base}'])})   target >= {mode['target']:.0%}: "
                  f"{'MET' if mode[f'target_met_{base}'] else 'NOT MET'}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", default="sync,gthread", help="comma-separated: sync, gthread")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", help="also write the summary to this file")
    args = parser.parse_args(argv)
    workers = [w.strip() for w in args.workers.split(",") if w.strip()]
    unknown = set(workers) - set(WORKERS)
    if unknown:
        parser.error(f"unknown worker types: {', '.join(sorted(unknown))}")
    summary = run(args.members, args.rounds, args.seconds, workers, args.connections, args.seed)
    report(summary)
    _common.write_json(args.json, summary)


if __name__ == "__main__":
    main()
