"""Load test: gunicorn x2 on PostgreSQL + Redis, recommendations and the intro preview beside a bare Flask endpoint.

Issue 15, acceptance 4. One run:
1. A throwaway PostgreSQL database and its owner role (`bench_rls.Throwaway`: not a superuser, so row-level security
   applies as in production; both dropped at the end), migrated by `flask --app wsgi db upgrade` (a subprocess, as
   an operator would). One tenant; `--mentors` ready mentors and `--mentees` ready mentees through the CSV import
   (`bench_service_matching.cohort_csv`, section 5's cohort, one synchronous import).
2. ONE gunicorn server with the repository's `gunicorn.conf.py` (`--config`; JSON access log to stdout, into a file
   here, metrics in multiprocess mode), the command line setting `--workers 2` (`-k sync` by default,
   `--worker-class gthread` for 4 threads a worker), the address and the app, `bench/http_app.py`: our app
   (`mentorship.create_app()`, the production `Config` from the environment: DATABASE_URL to the throwaway database,
   REDIS_URL to Redis database 14 (rate-limit counters in Redis, as in production), RATELIMIT_DEFAULT=1000000 per
   minute so limits never trip, SWEEP_IN_PROCESS=false) at "/", and a bare Flask app at "/bare" whose
   `/bare/api/v1/members/<id>` returns, without a database, a copy of one real recommendations answer (same body
   size) — the baseline.
3. wrk (`-t1 -c<connections>`, one Lua script, the admin key on every request), `--rounds` rounds, each running the
   three series for `--seconds` each, the order rotating each round (after a short untimed warm-up of each):
   - recs: `GET /api/v1/members/{id}/recommendations?limit=10`, the mentee id rotating over every mentee;
   - preview: `POST /api/v1/intros/preview` with `{"mentee_id", "mentor_id", "message"}`, rotating over 200 pairs
     (a mentee and one of its recommended mentors; a 250-400 character message naming the mentor's company,
     title and field — what a real first message looks like);
   - floor: `GET /api/v1/tenant` with the same key: an authenticated trivial GET (the app's own fixed cost);
   - bare: `GET /bare/api/v1/members/{id}`, rotating ids.
   Per series and round: requests/s, p50/p95/p99 latency (wrk's own histogram; latency includes the wait for a
   free worker), errors (non-2xx answers, connect/read/write errors, timeouts > 5 s); ratio of each series'
   requests/s to the bare endpoint's in the same round.
4. Where the time goes (in this process, after the load, same database and Config): SQL statements per request for
   each series, and a cProfile of `--profile-requests` recommendations requests (top functions by own time).

Targets (issue 15): recs >= 35 % of bare's throughput, recs p99 <= 150 ms at 5,000 mentors, 0 errors.

Usage: .venv/bin/python bench/load.py [--mentors 5000] [--mentees 500] [--seconds 10] [--rounds 3]
       [--connections 8] [--workers 2] [--worker-class sync|gthread] [--config gunicorn.conf.py]
       [--profile-requests 50] [--json out.json] [--env KEY=VALUE ...] [--churn WRITES_PER_SECOND]
`--env` sets a variable in the server's environment after the benchmark's own: what a setting costs, e.g.
`--env RATELIMIT_ENABLED=false`, or `--env RECOMMENDATIONS_CACHE_ENTRIES=0` for recommendations computed on every
request (no answer kept: matchmaking/freshness.py). `--churn N`: N mentee profile changes a second (PATCH over
HTTP) while the recs series runs, as a live tenant's students make them: each one makes every kept answer of the
tenant stale.
Needs PostgreSQL (BENCH_PG_ADMIN_URL, default postgresql://postgres@127.0.0.1:5432/postgres, a superuser that may
create roles and databases), Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/14; the database is flushed
before and after), `.venv/bin/gunicorn` and `wrk` (`apt-get install -y wrk`).
"""
import argparse
import cProfile
import http.client
import io
import json
import os
import pstats
import random
import subprocess
import sys
import tempfile
import threading
import time

import _common
from bench_member_get_http import CLEARED_ENV, HERE, Server, free_port, tools
from bench_rls import Throwaway
from bench_service_matching import cohort_csv, import_members, member_summary

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
RATELIMIT_DEFAULT = "1000000 per minute"
TARGET_RATIO, TARGET_P99_MS = 0.35, 150.0
SERIES = ("recs", "preview", "floor", "bare")
PAIRS = 200
DEFAULT_CONFIG = str(_common.ROOT / "gunicorn.conf.py") if (_common.ROOT / "gunicorn.conf.py").exists() else ""
WORKER_ARGS = {"sync": ["-k", "sync"], "gthread": ["-k", "gthread", "--threads", "4"]}

LUA = """
local mentees = {%(mentees)s}
local bodies = {%(bodies)s}
local mode = "bare"
local i = 0

function init(args)
  mode = args[1]
  if mode == "preview" then
    wrk.headers["Content-Type"] = "application/json"  -- wrk.format(m, p, nil, body) keeps -H's Authorization
  end
end

function request()
  if mode == "recs" then
    i = i %% #mentees + 1
    return wrk.format("GET", "/api/v1/members/" .. mentees[i] .. "/recommendations?limit=10")
  elseif mode == "preview" then
    i = i %% #bodies + 1
    return wrk.format("POST", "/api/v1/intros/preview", nil, bodies[i])
  elseif mode == "floor" then
    return wrk.format("GET", "/api/v1/tenant")
  else
    i = i %% #mentees + 1
    return wrk.format("GET", "/bare/api/v1/members/" .. mentees[i])
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %%.0f, "duration_us": %%.0f, "status_errors": %%.0f, "connect_errors": %%.0f, ' ..
    '"read_errors": %%.0f, "write_errors": %%.0f, "timeouts": %%.0f, "p50_us": %%.1f, "p95_us": %%.1f, ' ..
    '"p99_us": %%.1f, "mean_us": %%.1f, "max_us": %%.1f}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
"""


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def flush_redis():
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def migrate(url):
    """`flask --app wsgi db upgrade` against the throwaway database, as an operator would run it."""
    env = {key: value for key, value in os.environ.items() if key not in CLEARED_ENV}
    env.update(DATABASE_URL=url, PYTHONPATH=str(_common.ROOT))
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    out = subprocess.run([flask, "--app", "wsgi", "db", "upgrade"], cwd=_common.ROOT, env=env, capture_output=True,
                         text=True, check=False, timeout=300)
    if out.returncode != 0:
        raise SystemExit(f"flask db upgrade failed:\n{out.stdout}\n{out.stderr}")


def bench_app(url):
    """The app in this process on the throwaway database (rate limits and jobs out of the way): import, checks."""
    from mentorship import create_app
    from mentorship.config import TestConfig

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(BenchConfig)


def message(mentor):
    """A first message that names what a real one would: the mentor's company, title and field."""
    field = (mentor.get("domains") or ["your field"])[0].replace("/", " ").replace("-", " ")
    company = mentor.get("company") or "your company"
    title = mentor.get("title") or "your role"
    return (f"Hi {mentor.get('name', 'there')}, I read that you work as {title} at {company} and that you spend "
            f"much of your time on {field}. I am finishing my degree and would like to understand how people in "
            f"{field} decide what to learn first, and what your first year at {company} looked like. Would you "
            f"have twenty minutes for a call in the coming weeks? Thank you for reading this.")


def prepare(app, secret, mentee_ids, seed):
    """(recommendations sample body, preview bodies, share of previews the coach lets through), checked in-process."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    rng = random.Random(seed)
    sample, bodies, oks = None, [], 0
    for mentee_id in rng.sample(mentee_ids, min(PAIRS, len(mentee_ids))):
        got = client.get(f"/api/v1/members/{mentee_id}/recommendations?limit=10", headers=headers)
        if got.status_code != 200 or len(got.get_json()["items"]) != 10:
            raise SystemExit(f"recommendations for {mentee_id}: {got.status_code} {got.get_data(as_text=True)[:500]}")
        sample = sample or got.get_json()
        mentor_id = rng.choice(got.get_json()["items"])["mentor"]["id"]
        mentor = client.get(f"/api/v1/members/{mentor_id}", headers=headers).get_json()
        mentor = {**mentor, **(mentor.get("profile") or {})}
        body = {"mentee_id": mentee_id, "mentor_id": mentor_id, "message": message(mentor)}
        got = client.post("/api/v1/intros/preview", json=body, headers=headers)
        if got.status_code != 200:
            raise SystemExit(f"preview {body}: {got.status_code} {got.get_data(as_text=True)[:500]}")
        oks += got.get_json()["ok"]
        bodies.append(json.dumps(body))
    return sample, bodies, oks / len(bodies)


def lua_script(path, mentee_ids, bodies):
    for body in bodies:
        assert "]==]" not in body
    with open(path, "w") as fh:
        fh.write(LUA % {"mentees": ", ".join(map(str, mentee_ids)),
                        "bodies": ",\n".join(f"[==[{body}]==]" for body in bodies)})


def wrk(wrk_path, port, script, secret, series, seconds, connections):
    cmd = [wrk_path, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", script,
           "-H", f"Authorization: Bearer {secret}", f"http://127.0.0.1:{port}", "--", series]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    lines = [line for line in out.stdout.splitlines() if line.startswith("WRK_JSON ")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"wrk failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    result = json.loads(lines[-1].removeprefix("WRK_JSON "))
    if not result["requests"]:
        raise SystemExit(f"{series}: no request answered: {result}")
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("status_errors", "connect_errors", "read_errors", "write_errors",
                                                 "timeouts"))
    return result


class Churn:
    """`per_second` profile changes while a series runs (`--churn`): PATCH a mentee's headline over HTTP, as a live
    tenant's students do, each write bumping the tenant's recommendations version (matchmaking/freshness.py), so
    kept answers are made again. 0: nothing."""

    def __init__(self, port, secret, mentee_ids, per_second):
        self.port, self.secret, self.mentee_ids, self.per_second = port, secret, mentee_ids, per_second
        self.writes, self._stop, self._thread = 0, threading.Event(), None

    def __enter__(self):
        if self.per_second:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread:
            self._thread.join(30)

    def _run(self):
        every, n = 1.0 / self.per_second, 0
        next_at = time.monotonic()
        while not self._stop.is_set():
            mentee = self.mentee_ids[n % len(self.mentee_ids)]
            body = json.dumps({"headline": f"Analytics student, draft {n}"})
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                conn.request("PATCH", f"/api/v1/members/{mentee}", body=body,
                             headers={"Authorization": f"Bearer {self.secret}", "Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    raise SystemExit(f"churn PATCH: {response.status}")
                self.writes += 1
            finally:
                conn.close()
            n += 1
            next_at += every
            self._stop.wait(max(0.0, next_at - time.monotonic()))


def check_answers(port, secret, mentee_id, body):
    """Each series answers 200 over HTTP before any load (a 401 or 404 would look fast)."""
    requests = {"recs": ("GET", f"/api/v1/members/{mentee_id}/recommendations?limit=10", None),
                "preview": ("POST", "/api/v1/intros/preview", body),
                "floor": ("GET", "/api/v1/tenant", None),
                "bare": ("GET", f"/bare/api/v1/members/{mentee_id}", None)}
    for name, (method, path, data) in requests.items():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(method, path, body=data, headers={"Authorization": f"Bearer {secret}",
                                                           "Content-Type": "application/json"})
            response = conn.getresponse()
            answer = response.read()
        finally:
            conn.close()
        if response.status != 200:
            raise SystemExit(f"{name}: {method} {path} -> {response.status} {answer[:500]!r}")


def serve_and_load(database, secret, mentee_ids, sample, bodies, args, workdir, verbose):
    gunicorn, wrk_path = tools()
    if not gunicorn or not wrk_path:
        raise SystemExit(f"needs gunicorn and wrk (found: gunicorn={gunicorn}, wrk={wrk_path})")
    with open(os.path.join(workdir, "sample.json"), "w") as fh:
        json.dump(sample, fh)
    script = os.path.join(workdir, "load.lua")
    lua_script(script, mentee_ids, bodies)
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in CLEARED_ENV}
    env.update(DATABASE_URL=database.url, REDIS_URL=REDIS_URL, RATELIMIT_DEFAULT=RATELIMIT_DEFAULT,
               SWEEP_IN_PROCESS="false", BENCH_SAMPLE_JSON=os.path.join(workdir, "sample.json"),
               PYTHONPATH=str(_common.ROOT), SECRET_KEY="bench-not-secret")
    env.update(dict(item.split("=", 1) for item in args.env))  # experiments: what a setting costs
    server = Server(gunicorn, "sync", port, env, os.path.join(workdir, "gunicorn.log"))
    config = ["-c", args.config] if args.config else ["--graceful-timeout", "5", "--timeout", "60",
                                                        "--log-level", "info"]
    # the command line wins over the config file: the worker count and class, the address and the app are ours
    server.cmd = [gunicorn, *config, *WORKER_ARGS[args.worker_class], "-w", str(args.workers),
                  "-b", f"127.0.0.1:{port}", "--pythonpath", HERE, "http_app:app"]
    results = {name: [] for name in SERIES}
    with server:
        server.wait_ready("/bare/api/v1/members/1", secret)
        check_answers(port, secret, mentee_ids[0], bodies[0])
        for name in SERIES:  # warm-up, not counted: both workers build their mentor index, import the coach
            wrk(wrk_path, port, script, secret, name, args.warmup, args.connections)
        loads = [uptime()]
        for i in range(args.rounds):
            order = SERIES[i % len(SERIES):] + SERIES[:i % len(SERIES)]
            for name in order:
                with Churn(port, secret, mentee_ids, args.churn if name == "recs" else 0) as churn:
                    results[name].append(wrk(wrk_path, port, script, secret, name, args.seconds, args.connections))
                results[name][-1]["churn_writes"] = churn.writes
            loads.append(uptime())
            if verbose:
                bare = results["bare"][-1]["rps"]
                print(f"  round {i + 1}/{args.rounds} ({', '.join(order)}): " + " | ".join(
                    f"{name} {results[name][-1]['rps']:,.0f}/s p50 {results[name][-1]['p50_us'] / 1000:.1f} "
                    f"p99 {results[name][-1]['p99_us'] / 1000:.1f} ms err {results[name][-1]['errors']}"
                    for name in SERIES) + f" | recs/bare {results['recs'][-1]['rps'] / bare:.1%} preview/bare "
                    f"{results['preview'][-1]['rps'] / bare:.1%} | {loads[-1].split('load average:')[-1].strip()}",
                    flush=True)
        server.log.flush()
    with open(server.log_path, errors="replace") as fh:  # the access log is in it too: read it all
        log = fh.read()
    boots = log.count("Booting worker")
    if boots != args.workers or "WORKER TIMEOUT" in log:
        raise SystemExit(f"gunicorn: {boots} worker boots (expected {args.workers}) or timeouts:\n{log[-4000:]}")
    at = log.find("Traceback")
    if at >= 0 and verbose:  # say what it was: a traceback is a bug to look at, not only a flag
        print("  TRACEBACK in the gunicorn log:\n" + log[max(0, log.rfind("\n", 0, at)):at + 3000], flush=True)
    return results, loads, at >= 0


def summarise(results):
    out = {}
    for name in SERIES:
        runs = results[name]
        out[name] = {
            "rps": [r["rps"] for r in runs], "requests": [r["requests"] for r in runs],
            "p50_ms": [r["p50_us"] / 1000 for r in runs], "p95_ms": [r["p95_us"] / 1000 for r in runs],
            "p99_ms": [r["p99_us"] / 1000 for r in runs], "max_ms": [r["max_us"] / 1000 for r in runs],
            "status_errors": [r["status_errors"] for r in runs],
            "socket_errors": [r["connect_errors"] + r["read_errors"] + r["write_errors"] for r in runs],
            "timeouts": [r["timeouts"] for r in runs],
            "ratio_to_bare": [r["rps"] / b["rps"] for r, b in zip(runs, results["bare"], strict=True)],
        }
        for key in ("rps", "p50_ms", "p95_ms", "p99_ms", "ratio_to_bare"):
            out[name][f"{key}_median"] = _common.median(out[name][key])
        out[name]["errors_total"] = sum(r["errors"] for r in runs)
    recs = out["recs"]
    out["targets"] = {
        "ratio": {"target": TARGET_RATIO, "median": recs["ratio_to_bare_median"],
                  "met": recs["ratio_to_bare_median"] >= TARGET_RATIO,
                  "rounds_met": sum(r >= TARGET_RATIO for r in recs["ratio_to_bare"])},
        "p99_ms": {"target": TARGET_P99_MS, "median": recs["p99_ms_median"],
                   "met": recs["p99_ms_median"] <= TARGET_P99_MS,
                   "rounds_met": sum(p <= TARGET_P99_MS for p in recs["p99_ms"])},
        "errors": {"target": 0, "total": sum(out[name]["errors_total"] for name in SERIES),
                   "met": all(out[name]["errors_total"] == 0 for name in SERIES)},
    }
    return out


def where_time_goes(url, secret, mentee_ids, bodies, profile_requests):
    """SQL statements per request of each series and a cProfile of recommendations, in this process."""
    from sqlalchemy import event

    from mentorship import create_app
    from mentorship.config import Config
    from mentorship.extensions import db

    class ProfileConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        REDIS_URL = None
        RATELIMIT_STORAGE_URI = "local://"
        RATELIMIT_DEFAULT = RATELIMIT_DEFAULT
        SWEEP_IN_PROCESS = False

    app = create_app(ProfileConfig)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    calls = {
        "recs": lambda i: client.get(f"/api/v1/members/{mentee_ids[i % len(mentee_ids)]}/recommendations?limit=10",
                                     headers=headers),
        "preview": lambda i: client.post("/api/v1/intros/preview", data=bodies[i % len(bodies)],
                                         headers={**headers, "Content-Type": "application/json"}),
    }
    statements = []
    with app.app_context():
        engine = db.engine

    def count(*_):
        statements.append(1)

    out = {}
    event.listen(engine, "before_cursor_execute", count)
    try:
        for name, call in calls.items():
            for i in range(20):  # warm: the mentor index, the coach
                call(i)
            statements.clear()
            started = time.perf_counter()
            for i in range(profile_requests):
                assert call(i).status_code == 200
            out[f"{name}_ms_in_process"] = (time.perf_counter() - started) * 1000 / profile_requests
            out[f"{name}_sql_per_request"] = len(statements) / profile_requests
    finally:
        event.remove(engine, "before_cursor_execute", count)
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(profile_requests):
        calls["recs"](i)
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(25)
    out["recs_profile_tottime"] = text.getvalue()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
    out["recs_profile_cumulative"] = text.getvalue()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).print_callers(r"psycopg/cursor.py:\d+\(execute\)")
    out["recs_profile_execute_callers"] = text.getvalue()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return out


def run(args, verbose=True):
    from mentorship.extensions import db

    summary = {"machine": _common.machine(), "uptime_before": uptime(), "mentors_asked": args.mentors,
               "mentees_asked": args.mentees, "seconds": args.seconds, "rounds": args.rounds,
               "connections": args.connections, "workers": args.workers, "worker_class": args.worker_class,
               "churn_per_second": args.churn, "env": args.env,
               "gunicorn_config": args.config or None,
               "redis_url": REDIS_URL, "ratelimit_default": RATELIMIT_DEFAULT,
               "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=_common.ROOT,
                                        capture_output=True, text=True, check=False).stdout.strip()}
    flush_redis()
    try:
        with Throwaway() as database, tempfile.TemporaryDirectory(prefix="mentorship-load-") as workdir:
            started = time.perf_counter()
            migrate(database.url)
            summary["migrate_s"] = time.perf_counter() - started
            app = bench_app(database.url)
            _, secret = _common.make_tenant(app, "bench")
            summary["import_s"] = import_members(app, secret, cohort_csv(args.mentees, args.mentors, args.seed),
                                                 args.mentees + args.mentors)
            counts, mentee_ids = member_summary(app)
            summary["members"] = counts
            if verbose:
                print(f"  migrated in {summary['migrate_s']:.1f} s, imported {args.mentors + args.mentees:,} members "
                      f"in {summary['import_s']:.1f} s; (total, ready) by role: {counts}", flush=True)
            sample, bodies, ok_share = prepare(app, secret, mentee_ids, args.seed)
            summary["preview_ok_share"] = ok_share
            summary["bare_body_bytes"] = len(json.dumps({**sample, "id": 1}))
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            if verbose:
                print(f"  {len(bodies)} preview bodies, the coach lets {ok_share:.0%} through; bare body "
                      f"{summary['bare_body_bytes']:,} bytes; {uptime()}", flush=True)
            results, loads, traceback = serve_and_load(database, secret, mentee_ids, sample, bodies, args, workdir,
                                                       verbose)
            summary["uptime_during"] = loads
            summary["traceback_in_log"] = traceback
            summary["raw"] = results
            summary["series"] = summarise(results)
            if args.profile_requests:
                summary["profile"] = where_time_goes(database.url, secret, mentee_ids, bodies, args.profile_requests)
    finally:
        flush_redis()
    summary["uptime_after"] = uptime()
    return summary


def report(summary):
    m = summary["machine"]
    print(f"machine: nproc {m['nproc']}, Python {m['python']}, {m['date']}, commit {summary['commit']}")
    print(f"  before: {summary['uptime_before']}\n  after:  {summary['uptime_after']}")
    print(f"gunicorn -c {summary['gunicorn_config']} -w {summary['workers']} -k {summary['worker_class']}, "
          f"PostgreSQL + Redis, members "
          f"(total, ready) {summary['members']}; wrk -t1 -c{summary['connections']}, {summary['rounds']} rounds x "
          f"{summary['seconds']} s per series, order rotating:")
    series = summary["series"]
    for name in SERIES:
        s = series[name]
        print(f"  {name:8s} {s['rps_median']:8,.0f} req/s  p50 {s['p50_ms_median']:7.1f}  p95 {s['p95_ms_median']:7.1f}"
              f"  p99 {s['p99_ms_median']:7.1f} ms  errors {s['errors_total']}  /bare {s['ratio_to_bare_median']:.1%}"
              f" (rounds {', '.join(f'{r:.1%}' for r in s['ratio_to_bare'])})")
    t = series["targets"]
    print(f"  targets: recs/bare >= {t['ratio']['target']:.0%}: {'MET' if t['ratio']['met'] else 'NOT MET'} "
          f"({t['ratio']['rounds_met']}/{summary['rounds']} rounds); recs p99 <= {t['p99_ms']['target']:.0f} ms: "
          f"{'MET' if t['p99_ms']['met'] else 'NOT MET'} ({t['p99_ms']['rounds_met']}/{summary['rounds']} rounds); "
          f"0 errors: {'MET' if t['errors']['met'] else 'NOT MET'} ({t['errors']['total']})")
    if summary.get("churn_per_second"):
        writes = [r.get("churn_writes", 0) for r in summary["raw"]["recs"]]
        print(f"  churn: {summary['churn_per_second']:g} mentee profile changes/s during recs: {writes} writes a round")
    print(f"  Traceback in the gunicorn log: {'YES' if summary['traceback_in_log'] else 'no'}; preview bodies "
          f"the coach lets through: {summary['preview_ok_share']:.0%}")
    if "profile" in summary:
        p = summary["profile"]
        print(f"  in-process (one thread, test client): recs {p['recs_ms_in_process']:.1f} ms, "
              f"{p['recs_sql_per_request']:.1f} SQL/request; preview {p['preview_ms_in_process']:.1f} ms, "
              f"{p['preview_sql_per_request']:.1f} SQL/request")
        print(p["recs_profile_tottime"][:6000])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=5000)
    parser.add_argument("--mentees", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3, help="seconds of untimed load per series first")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=sorted(WORKER_ARGS), default="sync")
    parser.add_argument("--config", default=DEFAULT_CONFIG,
                        help="gunicorn config file (default: the repository's gunicorn.conf.py when there is one); "
                             "'' for command-line options only")
    parser.add_argument("--profile-requests", type=int, default=50, help="0: no SQL count, no cProfile")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--json", help="also write the summary to this file")
    parser.add_argument("--churn", type=float, default=0,
                        help="mentee profile changes per second (PATCH over HTTP) while the recs series runs")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="set in the server's environment (after the benchmark's own), e.g. "
                             "RATELIMIT_ENABLED=false to see what the limiter costs")
    args = parser.parse_args(argv)
    summary = run(args)
    report(summary)
    _common.write_json(args.json, summary)


if __name__ == "__main__":
    main()
