"""Recommendations over HTTP, two code trees interleaved in one run (issue 16, acceptance 4).

Each `--tree` (default: this repository, and `--old` when given) is served by its own gunicorn (`-k sync`, the tree
first on PYTHONPATH, `bench/recs_http_app.py`: the tree's app at "/", a bare Flask JSON endpoint at "/bare" that
returns a copy of one real recommendations answer without a database), production Config from the environment
(RATELIMIT_DEFAULT=1000000 per minute, SWEEP_IN_PROCESS=false, no Redis). Data: `--mentors` ready mentors and
`--mentees` ready mentees through the CSV import (`bench_service_matching.cohort_csv`), then a warm intro from each
of the first `--intros` mentees to a mentor (pending intros: the loads and exclusions a live tenant has).

1. PostgreSQL, gunicorn x2 per tree: a throwaway database and owner role (`bench_rls.Throwaway`, row-level
   security on as in production). Series per tree: recs (`GET /api/v1/members/{id}/recommendations?limit=10`, the
   mentee rotating), floor (`GET /api/v1/tenant`, the same admin key: an authenticated trivial GET) and bare
   (`GET /bare/api/v1/members/{id}`), each with wrk `-t1 -c<connections>`; recs and floor again with one connection
   (latency without queueing).
2. SQLite, one file: per tree one server with 1 worker and one with 2; recs with wrk `-c<connections>`.

`--rounds` rounds of every series for `--seconds` each, the order rotating each round; figures are medians over the
rounds, ratios medians of the per-round ratios: recs/bare requests/s (same server), recs/floor p95 (one connection),
p95 of 2 workers / 1 worker on SQLite. Every answer must be a 2xx (wrk counts the others).

Usage: .venv/bin/python bench/bench_recs_http.py --old /path/to/old/tree [--mentors 5000] [--mentees 500]
       [--intros 250] [--seconds 4] [--rounds 3] [--connections 4] [--json out.json]
"""
import argparse
import json
import os
import subprocess
import tempfile

import _common
from bench_member_get_http import CLEARED_ENV, HERE, Server, free_port, tools
from bench_rls import Throwaway
from bench_service_matching import cohort_csv, import_members, member_summary

RECS = "/api/v1/members/{}/recommendations?limit=10"
FLOOR = "/api/v1/tenant"
BARE = "/bare/api/v1/members/{}"
LUA = """
local paths = {%s}
local i = 0
function request()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests": %%.0f, "duration_us": %%.0f, "errors": %%.0f, "p50_us": %%.1f, ' ..
    '"p95_us": %%.1f, "p99_us": %%.1f}\\n', summary.requests, summary.duration,
    e.status + e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
"""


def seed(url, mentors, mentees, intros, seed_):
    """(admin secret, mentee ids, one recommendations answer) of a fresh tenant on `url`."""
    from sqlalchemy import select

    from mentorship.extensions import db
    from mentorship.members.models import Member
    from mentorship.members.operations import get_member
    from mentorship.outreach.operations import send_warm_intro
    from mentorship.tenancy.scope import tenant_scope

    app = _common.make_app(url)
    tenant_id, secret = _common.make_tenant(app, "bench")
    import_members(app, secret, cohort_csv(mentees, mentors, seed_), mentors + mentees)
    _, mentee_ids = member_summary(app)
    with app.app_context(), tenant_scope(tenant_id):
        mentor_ids = db.session.scalars(select(Member.id).where(Member.role == "mentor").order_by(Member.id)).all()
        for n, mentee in enumerate(mentee_ids[:intros]):
            send_warm_intro(get_member(mentee), get_member(mentor_ids[n * 7 % len(mentor_ids)]), "Warm intro.", None)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # planner statistics, as autovacuum keeps them in production
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE")
    answer = app.test_client().get(RECS.format(mentee_ids[-1]), headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200 and len(answer.get_json()["items"]) == 10, answer.get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()
    return secret, mentee_ids, answer.get_json()


def server(tree, url, workers, workdir, sample_path, name):
    gunicorn, _ = tools()
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in CLEARED_ENV}
    env.update(DATABASE_URL=url, RATELIMIT_DEFAULT="1000000 per minute", SWEEP_IN_PROCESS="false", PYTHONPATH=tree,
               SECRET_KEY="bench-not-secret", BENCH_SAMPLE_JSON=sample_path)
    served = Server(gunicorn, "sync", port, env, os.path.join(workdir, f"{name}.log"))
    served.cmd = [gunicorn, "-k", "sync", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--chdir", HERE,
                  "--graceful-timeout", "5", "--timeout", "120", "--log-level", "warning", "recs_http_app:app"]
    return served


def lua(workdir, name, paths):
    path = os.path.join(workdir, f"{name}.lua")
    with open(path, "w") as fh:
        fh.write(LUA % ", ".join(json.dumps(p) for p in paths))
    return path


def wrk(port, script, secret, seconds, connections):
    _, wrk_path = tools()
    out = subprocess.run([wrk_path, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script,
                          "-H", f"Authorization: Bearer {secret}", f"http://127.0.0.1:{port}/"],
                         capture_output=True, text=True, check=True)
    line = [row for row in out.stdout.splitlines() if row.startswith("WRK_JSON ")][-1]
    result = json.loads(line.removeprefix("WRK_JSON "))
    if result["errors"]:
        raise SystemExit(f"wrk: {result['errors']} errors:\n{out.stdout}")
    return {"rps": result["requests"] / result["duration_us"] * 1e6, "p50_ms": result["p50_us"] / 1000,
            "p95_ms": result["p95_us"] / 1000, "p99_ms": result["p99_us"] / 1000}


def measure(series, servers, secret, rounds, seconds, verbose):
    """{series name: [result per round]}; `series`: [(name, server key, lua path, connections)]."""
    for _name, key, script, connections in series:  # untimed warm-up: 3 s, so both workers have computed and
        wrk(servers[key].port, script, secret, 3, connections)  # kept every mentee's answer (freshness.py)
    results = {name: [] for name, *_ in series}
    for r in range(rounds):
        shift = r % len(series)
        for name, key, script, connections in series[shift:] + series[:shift]:
            results[name].append(wrk(servers[key].port, script, secret, seconds, connections))
            if verbose:
                print(f"  round {r + 1} {name:<22} {results[name][-1]}", flush=True)
    return results


def start(servers, secret):
    for served in servers.values():
        served.__enter__()
    for key, served in servers.items():
        served.wait_ready(FLOOR, secret)
        if "BENCH_TREE" not in served.tail(100_000):
            raise SystemExit(f"{key}: no BENCH_TREE line")


def stop(servers):
    for served in servers.values():
        served.__exit__(None, None, None)


def postgres_part(trees, args, workdir, verbose):
    with Throwaway() as database:
        secret, mentees, sample = seed(database.url, args.mentors, args.mentees, args.intros, args.seed)
        sample_path = os.path.join(workdir, "sample.json")
        with open(sample_path, "w") as fh:
            json.dump(sample, fh)
        recs = lua(workdir, "recs", [RECS.format(i) for i in mentees])
        floor, bare = lua(workdir, "floor", [FLOOR]), lua(workdir, "bare", [BARE.format(i) for i in mentees])
        servers = {label: server(tree, database.url, 2, workdir, sample_path, f"pg-{label}")
                   for label, tree in trees.items()}
        series = []
        for label in trees:
            series += [(f"{label} recs", label, recs, args.connections), (f"{label} floor", label, floor,
                                                                           args.connections),
                       (f"{label} bare", label, bare, args.connections), (f"{label} recs c1", label, recs, 1),
                       (f"{label} floor c1", label, floor, 1)]
        try:
            start(servers, secret)
            return measure(series, servers, secret, args.rounds, args.seconds, verbose)
        finally:
            stop(servers)


def sqlite_part(trees, args, workdir, verbose):
    with _common.FreshDatabase() as database:
        secret, mentees, sample = seed(database.url, args.mentors, args.mentees, args.intros, args.seed)
        sample_path = os.path.join(workdir, "sample-sqlite.json")
        with open(sample_path, "w") as fh:
            json.dump(sample, fh)
        recs = lua(workdir, "recs-sqlite", [RECS.format(i) for i in mentees])
        servers = {f"{label} x{w}": server(tree, database.url, w, workdir, sample_path, f"sqlite-{label}-{w}")
                   for label, tree in trees.items() for w in (1, 2)}
        series = [(f"{key} recs", key, recs, args.connections) for key in servers]
        try:
            start(servers, secret)
            return measure(series, servers, secret, args.rounds, args.seconds, verbose)
        finally:
            stop(servers)


def summarise(trees, pg, lite):
    def med(results, key):
        return _common.median([r[key] for r in results])

    def ratio(a, b, key):
        return _common.median([x[key] / y[key] for x, y in zip(a, b, strict=True)])

    summary = {"series": {name: {key: med(results, key) for key in ("rps", "p50_ms", "p95_ms", "p99_ms")}
                          for name, results in {**pg, **lite}.items()}}
    for label in trees:
        summary[label] = {
            "recs_over_bare_rps": ratio(pg[f"{label} recs"], pg[f"{label} bare"], "rps"),
            "recs_over_floor_p95_c1": ratio(pg[f"{label} recs c1"], pg[f"{label} floor c1"], "p95_ms"),
            "recs_over_floor_p95": ratio(pg[f"{label} recs"], pg[f"{label} floor"], "p95_ms"),
            "sqlite_x2_over_x1_p95": ratio(lite[f"{label} x2 recs"], lite[f"{label} x1 recs"], "p95_ms"),
        }
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", help="another code tree to serve beside this one (e.g. a worktree at main)")
    parser.add_argument("--mentors", type=int, default=5000)
    parser.add_argument("--mentees", type=int, default=500)
    parser.add_argument("--intros", type=int, default=250)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    trees = {**({"old": os.path.abspath(args.old)} if args.old else {}), "new": str(_common.ROOT)}
    started = {"load_average": os.getloadavg(), **_common.machine()}
    with tempfile.TemporaryDirectory(prefix="bench-recs-") as workdir:
        pg = postgres_part(trees, args, workdir, verbose=True)
        lite = sqlite_part(trees, args, workdir, verbose=True)
    summary = {"trees": trees, "started": started, "load_average_end": os.getloadavg(), "args": vars(args),
               **summarise(trees, pg, lite), "rounds": {"postgresql": pg, "sqlite": lite}}
    print(json.dumps({key: value for key, value in summary.items() if key != "rounds"}, indent=1, default=str))
    _common.write_json(args.json, summary)


if __name__ == "__main__":
    main()
