"""Matching through the service: recommendations over HTTP (SQLite) and whole match runs (PostgreSQL).

1. `GET /api/v1/members/{id}/recommendations?limit=10` over HTTP. A fresh SQLite file (Alembic migrations, one
   tenant), ~5,000 ready mentors + ~500 ready mentees through the CSV import endpoint, served by ONE gunicorn process
   (`wsgi:app`, production Config from the environment: DATABASE_URL, RATELIMIT_DEFAULT=1000000 per minute,
   SWEEP_IN_PROCESS=false so the background sweep does not run during the measurement). One warm-up request, then
   `--requests` sequential requests (http.client, one keep-alive connection) over rotating mentee ids; every answer
   must be a 200 with 10 items. Target: p95 <= 25 ms.
2. A whole match run for 10,000 mentees x 2,000 mentors on PostgreSQL: throwaway database `bench_<pid>` (dropped at
   the end), TestConfig with JOBS_LOCAL_AUTOSTART=False, migrations, tenant, members through the CSV endpoint
   (app.test_client()), POST /api/v1/match-runs (202), then `app.extensions["jobs"].wait()` is timed (it runs the job
   in this thread: load members, build features, solve, store) and the run is read back. Once with the default
   strategy ("optimal"), once with "stable". Target: <= 10 s.

Profiles come from bench/data_matching.py (the cohorts of the matching benchmarks), written as ready CSV rows.
Usage: .venv/bin/python bench/bench_service_matching.py [--part http|run|both] [--requests 500] [--json out.json]
"""
import argparse
import csv
import http.client
import io
import json
import os
import time

import _common
import data_matching
from bench_member_get_http import CLEARED_ENV, Server, free_port, tools

HTTP_TARGET_P95_MS = 25.0
RUN_TARGET_S = 10.0
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
HEADER = ["role", "name", "email", "headline", "bio", "photo_url", "domains", "goals", "skills", "languages",
          "timezone", "availability", "international", "school", "graduation_year", "company", "title",
          "years_experience", "capacity", "company_sponsors_visa", "needs_visa_sponsorship"]
HEADLINES = {"mentee": "Graduate student looking for guidance in {}", "mentor": "Practitioner in {}, happy to help"}


def _row(profile, n):
    role = profile.role
    field = profile.domains[0].replace("/", " ").replace("-", " ")
    bio = (f"I am a {role} working on {field}; here is what I care about and what I would like to talk about. "
           + profile.text)[:1900]
    row = {
        "role": role, "name": f"Bench {role.title()} {n}", "email": f"{role}{n}@example.com",
        "headline": HEADLINES[role].format(field), "bio": bio, "photo_url": f"https://cdn.example.com/p/{role}{n}.jpg",
        "domains": "; ".join(profile.domains), "goals": ";".join(profile.goals),
        "skills": "; ".join(profile.text.split()[:4]), "languages": ";".join(profile.languages),
        "timezone": profile.timezone, "availability": "; ".join(f"{d} {s}-{e}" for d, s, e in profile.availability),
        "international": "true" if profile.international else "false", "school": profile.school or "",
    }
    if role == "mentor":
        row.update(company=f"Company {n % 97}", title="Senior Analyst", years_experience=str(3 + n % 20),
                   capacity=str(profile.free_capacity),
                   company_sponsors_visa="true" if profile.company_sponsors_visa else "false")
    else:
        row.update(graduation_year=str(2025 + n % 4),
                   needs_visa_sponsorship="true" if profile.needs_visa_sponsorship else "false")
    return row


def cohort_csv(mentees, mentors, seed):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, restval="", lineterminator="\n")
    writer.writeheader()
    for n, p in enumerate(data_matching.mentors(mentors, seed=seed)):
        writer.writerow(_row(p, n))
    for n, p in enumerate(data_matching.mentees(mentees, seed=seed)):
        writer.writerow(_row(p, n))
    return out.getvalue().encode()


def import_members(app, secret, body, expected):
    app.config["IMPORT_SYNC_MAX_ROWS"] = max(app.config["IMPORT_SYNC_MAX_ROWS"], expected)  # one import, not a job
    started = time.perf_counter()
    response = app.test_client().post("/api/v1/members/import", data=body,
                                      headers={"Authorization": f"Bearer {secret}", "Content-Type": "text/csv"})
    if response.status_code != 200 or response.get_json() != {"created": expected, "updated": 0}:
        raise SystemExit(f"import failed: {response.status_code} {response.get_data(as_text=True)[:2000]}")
    return time.perf_counter() - started


def member_summary(app):
    """{role: (count, ready count at the default policy score 70)} and the mentee ids, read from the database."""
    from sqlalchemy import select

    from mentorship.extensions import db
    from mentorship.members.models import Member
    from mentorship.members.profile import is_ready
    from mentorship.tenancy.scope import unscoped

    with app.app_context(), unscoped():
        rows = db.session.execute(select(Member.id, Member.role, Member.profile_score, Member.profile_gaps)).all()
    counts = {}
    for _, role, score, gaps in rows:
        total, ready = counts.get(role, (0, 0))
        counts[role] = (total + 1, ready + is_ready(score, gaps, 70))
    return counts, sorted(r.id for r in rows if r.role == "mentee")


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


# ---------------------------------------------------------------- part 1: recommendations over HTTP (SQLite)

def run_http(mentors=5000, mentees=500, requests=500, seed=3, verbose=True):
    from mentorship.extensions import db

    gunicorn, _ = tools()
    if not gunicorn:
        raise SystemExit("needs gunicorn")
    with _common.FreshDatabase() as database:
        app = _common.make_app(database.url)
        _, secret = _common.make_tenant(app, "bench")
        import_s = import_members(app, secret, cohort_csv(mentees, mentors, seed), mentees + mentors)
        counts, mentee_ids = member_summary(app)
        with app.app_context():
            db.engine.dispose()
        if verbose:
            print(f"  imported {mentors + mentees:,} members in {import_s:.1f} s; (total, ready) by role: {counts}",
                  flush=True)
        port = free_port()
        env = {key: value for key, value in os.environ.items() if key not in CLEARED_ENV}
        env.update(DATABASE_URL=database.url, RATELIMIT_DEFAULT="1000000 per minute", SWEEP_IN_PROCESS="false",
                   PYTHONPATH=str(_common.ROOT), SECRET_KEY="bench-not-secret")
        server = Server(gunicorn, "sync", port, env, os.path.join(database.dir, "gunicorn.log"))
        server.cmd = [gunicorn, "-k", "sync", "-w", "1", "-b", f"127.0.0.1:{port}", "--chdir", str(_common.ROOT),
                      "--graceful-timeout", "5", "--timeout", "120", "--log-level", "info", "wsgi:app"]
        latencies, sizes = [], set()
        with server:
            path = "/api/v1/members/{}/recommendations?limit=10"
            _wait(server)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            headers = {"Authorization": f"Bearer {secret}"}
            started = time.perf_counter()
            first = _request(conn, path.format(mentee_ids[0]), headers)
            first_ms = (time.perf_counter() - started) * 1000
            for i in range(requests):
                member_id = mentee_ids[(i + 1) % len(mentee_ids)]
                started = time.perf_counter()
                body = _request(conn, path.format(member_id), headers)
                latencies.append((time.perf_counter() - started) * 1000)
                sizes.add(len(body["items"]))
            conn.close()
            log = server.tail(200_000)
        if log.count("Booting worker") != 1 or "Traceback" in log:
            raise SystemExit(f"gunicorn: worker restarts or errors in its log:\n{log[-4000:]}")
    result = {"mentors": counts.get("mentor"), "mentees": counts.get("mentee"), "requests": len(latencies),
              "import_s": import_s, "warmup_ms": first_ms, "warmup_items": len(first["items"]),
              "items_per_answer": sorted(sizes), "p50_ms": percentile(latencies, 50),
              "p95_ms": percentile(latencies, 95), "p99_ms": percentile(latencies, 99),
              "mean_ms": sum(latencies) / len(latencies), "max_ms": max(latencies), "min_ms": min(latencies),
              "target_p95_ms": HTTP_TARGET_P95_MS}
    result["target_met"] = result["p95_ms"] <= HTTP_TARGET_P95_MS
    return result


def _wait(server, timeout=60):
    """Until the server answers anything (the openapi document needs no credential)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.proc.returncode}):\n{server.tail()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            conn.request("GET", "/openapi.json")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn not ready after {timeout} s:\n{server.tail()}")


def _request(conn, path, headers):
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"GET {path} -> {response.status} {body[:1000]!r}")
    return json.loads(body)


# ---------------------------------------------------------------- part 2: whole match runs (PostgreSQL)

def run_match_runs(mentees=10_000, mentors=2000, seed=1, strategies=("optimal", "stable"), verbose=True):
    import psycopg

    name = f"bench_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        return _match_runs(name, mentees, mentors, seed, strategies, verbose)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _match_runs(name, mentees, mentors, seed, strategies, verbose):
    from flask_migrate import upgrade

    from mentorship import create_app
    from mentorship.config import TestConfig
    from mentorship.extensions import db
    from mentorship.jobs.runner import bind

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        JOBS_LOCAL_AUTOSTART = False

    app = create_app(BenchConfig)
    bind(app)  # jobs run in this app (with --part both, the HTTP part made another app first in this process)
    try:
        with app.app_context():
            upgrade()
        _, secret = _common.make_tenant(app, "bench")
        import_s = import_members(app, secret, cohort_csv(mentees, mentors, seed), mentees + mentors)
        counts, _ = member_summary(app)
        if verbose:
            print(f"  imported {mentees + mentors:,} members in {import_s:.1f} s; (total, ready) by role: {counts}",
                  flush=True)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}"}
        out = {"database": "postgresql", "members": counts, "import_s": import_s, "runs": {},
               "target_s": RUN_TARGET_S}
        for strategy in strategies:
            body = {} if strategy == "optimal" else {"strategy": strategy}
            queued = client.post("/api/v1/match-runs", json=body, headers=headers)
            if queued.status_code != 202:
                raise SystemExit(f"POST match-runs -> {queued.status_code} {queued.get_data(as_text=True)[:2000]}")
            run_id = queued.get_json()["id"]
            started = time.perf_counter()
            finished = app.extensions["jobs"].wait(timeout=600)
            wall_s = time.perf_counter() - started
            got = client.get(f"/api/v1/match-runs/{run_id}", headers=headers)
            run = got.get_json()
            if got.status_code != 200:
                raise SystemExit(f"GET match-runs/{run_id} -> {got.status_code} {got.get_data(as_text=True)[:2000]}")
            stats = run.get("stats") or {}
            result = {"body": body, "wall_s": wall_s, "finished": finished, "status": run["status"],
                      "error": run.get("error"), "stats": stats, "assignments": len(run["assignments"]),
                      "unmatched": len(run["unmatched_mentee_ids"])}
            result["target_met"] = run["status"] == "succeeded" and wall_s <= RUN_TARGET_S
            out["runs"][strategy] = result
            if verbose:
                print(f"  {strategy}: wall {wall_s:.2f} s, status {run['status']}, stats {stats}", flush=True)
        return out
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def report(summary):
    print(f"machine: nproc {summary['machine']['nproc']}, Python {summary['machine']['python']}, "
          f"{summary['machine']['date']}")
    if "http" in summary:
        h = summary["http"]
        print(f"recommendations over HTTP (SQLite, 1 gunicorn sync worker), {h['mentors']} mentors / "
              f"{h['mentees']} mentees (total, ready), {h['requests']} sequential requests:")
        print(f"  warm-up {h['warmup_ms']:.1f} ms | p50 {h['p50_ms']:.2f} ms | p95 {h['p95_ms']:.2f} ms | "
              f"p99 {h['p99_ms']:.2f} ms | max {h['max_ms']:.2f} ms | items {h['items_per_answer']}"
              f"  target p95 <= {h['target_p95_ms']} ms: {'MET' if h['target_met'] else 'NOT MET'}")
    if "runs" in summary:
        r = summary["runs"]
        print(f"match runs (PostgreSQL), members (total, ready): {r['members']}:")
        for strategy, run in r["runs"].items():
            print(f"  {strategy}: wall {run['wall_s']:.2f} s | stats.seconds {run['stats'].get('seconds')} | "
                  f"matched {run['stats'].get('matched')} | status {run['status']}"
                  f"  target <= {r['target_s']} s: {'MET' if run['target_met'] else 'NOT MET'}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("http", "run", "both"), default="both")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--json", help="also write the summary to this file")
    args = parser.parse_args(argv)
    summary = {"machine": _common.machine()}
    if args.part in ("http", "both"):
        summary["http"] = run_http(requests=args.requests)
    if args.part in ("run", "both"):
        summary["runs"] = run_match_runs()
    report(summary)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(summary, fh, indent=2, default=str)


if __name__ == "__main__":
    main()
