"""The mentee's home page (`GET /t/<slug>/me`) beside the JSON recommendations, interleaved in one served app.

Issue 13, acceptance line 5: the page answers p95 <= 50 ms for the mentee home at 5,000 mentors, measured beside
`GET /api/v1/members/{id}/recommendations` in the same run.

Per database (SQLite file, PostgreSQL throwaway database `bench_web_<pid>`, dropped at the end):
- migrations, one tenant, ~5,000 ready mentors + ~500 ready mentees through the CSV import endpoint (the cohort of
  bench_service_matching.py, `bench/data_matching.py`), synchronously (IMPORT_SYNC_MAX_ROWS raised to the row count);
- the measured mentee (the first imported) gets a member token (POST /api/v1/members/{id}/tokens with the admin
  key) and, through the API with that token, intros to its 2nd and 3rd recommended mentors; the 2nd mentor accepts
  (its own member token); two calls are booked at agreed times (3 and 10 days ahead), so the page lists two intros,
  one mentorship and two coming calls besides the 10 recommendations;
- the page session is a cookie signed with the app's own session interface
  (`get_signing_serializer(app).dumps({"member_id", "tenant_id", "_permanent": True})`, the server's SECRET_KEY),
  i.e. what signing in by the e-mailed link leaves in the cookie; not the sign-in flow itself;
- ONE gunicorn process serves `wsgi:app` (one sync worker, the production `Config` from the environment:
  DATABASE_URL, SECRET_KEY, RATELIMIT_DEFAULT="1000000 per minute", SWEEP_IN_PROCESS=false), as in
  bench_service_matching.py; one keep-alive http.client connection.
- warm-up (`--warmup` pairs, untimed), then `--rounds` rounds of `--pairs` pairs A, B, A, B, ...:
  A = GET /api/v1/members/{mentee}/recommendations (the mentee's member token; default limit, 10 items),
  B = GET /t/<slug>/me (the session cookie). Every answer is checked: A a 200 with 10 items; B a 200 whose HTML
  contains the first recommended mentor's name (from the A just before it) and the page's own headings.
Reported per round: p50/p95 of A and B and the ratios B/A.
Usage: .venv/bin/python bench/bench_web_home.py [--databases sqlite,postgresql] [--rounds 3] [--pairs 200]
       [--json out.json]
"""
import argparse
import html
import http.client
import json
import os
import time
from datetime import UTC, datetime, timedelta

import _common
from bench_member_get_http import CLEARED_ENV, Server, free_port, tools
from bench_service_matching import _wait, cohort_csv, import_members, member_summary, percentile

TARGET_P95_MS = 50.0
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET_KEY = "bench-not-secret"
MESSAGES = (
    "Hi {name}, I'm a graduate analytics student. Your work as a Senior Analyst at {company} caught my eye because I "
    "spent last summer cleaning loan data and building a small forecasting model in Python. I'd love to learn how "
    "your team decides when a model is good enough to ship. What skills should I build this year to be useful on a "
    "team like yours?",
    "Hello {name}! I am finishing a master's in supply chain and read that {company} runs its own logistics "
    "analytics group. Last spring I mapped warehouse delays for a regional grocer with SQL and Tableau, and I keep "
    "wondering how a larger company prioritises which delays to fix first. Could you tell me what a first year in "
    "your group looks like, and which course you would take if you were me?")


class Database:
    """A fresh SQLite file or a throwaway PostgreSQL database; removed on exit."""

    def __init__(self, kind):
        self.kind = kind

    def __enter__(self):
        if self.kind == "sqlite":
            self.fresh = _common.FreshDatabase().__enter__()
            self.dir, self.url = self.fresh.dir, self.fresh.url
        else:
            import tempfile

            import psycopg

            self.dir = tempfile.mkdtemp(prefix="mentorship-bench-")
            self.name = f"bench_web_{os.getpid()}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + self.name
        return self

    def __exit__(self, *exc):
        if self.kind == "sqlite":
            self.fresh.__exit__(*exc)
        else:
            import shutil

            import psycopg

            shutil.rmtree(self.dir, ignore_errors=True)
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _json(response, status=200):
    if response.status_code != status:
        raise SystemExit(f"{response.request.method} {response.request.path} -> {response.status_code} "
                         f"{response.get_data(as_text=True)[:2000]}")
    return response.get_json()


def prepare(app, secret, mentee_id):
    """The mentee's member token; intros to its 2nd and 3rd recommendations, the 2nd accepted, two meetings."""
    client = app.test_client()
    admin = {"Authorization": f"Bearer {secret}"}

    def token_of(member_id):
        return _json(client.post(f"/api/v1/members/{member_id}/tokens", json={}, headers=admin), 201)["token"]

    token = token_of(mentee_id)
    mine = {"Authorization": f"Bearer {token}"}
    items = _json(client.get(f"/api/v1/members/{mentee_id}/recommendations", headers=mine))["items"]
    intros = []
    for item, message in zip(items[1:3], MESSAGES, strict=True):
        mentor = item["mentor"]
        text = message.format(name=mentor["name"], company=mentor.get("company") or "your company")
        body = {"mentee_id": mentee_id, "mentor_id": mentor["id"], "message": text}
        intros.append(_json(client.post("/api/v1/intros", json=body, headers=mine), 201))
    mentor = {"Authorization": f"Bearer {token_of(intros[0]['mentor_id'])}"}
    ms = _json(client.post(f"/api/v1/intros/{intros[0]['id']}/accept", json={}, headers=mentor))["mentorship_id"]
    # two calls booked at agreed times, 3 and 10 days ahead (a proposal needs common free time, which these
    # synthetic profiles rarely have)
    for days, who in ((3, mine), (10, mentor)):
        start = (datetime.now(UTC) + timedelta(days=days)).replace(hour=15, minute=0, second=0, microsecond=0)
        _json(client.post(f"/api/v1/mentorships/{ms}/meetings", json={"duration_minutes": 30, "mode": "video",
                                                                      "start": start.isoformat()}, headers=who), 201)
    return token


def session_cookie(app, mentee_id, tenant_id):
    """What signing in leaves in the cookie, signed as the server (same SECRET_KEY) signs it."""
    app.config["SECRET_KEY"] = SECRET_KEY
    return app.session_interface.get_signing_serializer(app).dumps(
        {"member_id": mentee_id, "tenant_id": tenant_id, "_permanent": True})


def _get(conn, path, headers):
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise SystemExit(f"GET {path} -> {response.status} {body[:1000]!r}")
    return elapsed, body


def measure(port, slug, mentee_id, token, cookie, rounds, pairs, warmup):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    api_path, api_headers = f"/api/v1/members/{mentee_id}/recommendations", {"Authorization": f"Bearer {token}"}
    page_path, page_headers = f"/t/{slug}/me", {"Cookie": f"session={cookie}"}
    first_ms = {}

    def pair():
        a_ms, body = _get(conn, api_path, api_headers)
        items = json.loads(body)["items"]
        if len(items) != 10:
            raise SystemExit(f"recommendations: {len(items)} items, not 10")
        b_ms, page = _get(conn, page_path, page_headers)
        text = page.decode()
        name = html.escape(items[0]["mentor"]["name"])
        for needle in (name, 'id="recommended-title"', "Call with ", "With ", "To "):
            if needle not in text:
                raise SystemExit(f"the page lacks {needle!r}:\n{text[:3000]}")
        return a_ms, b_ms, len(page)

    first_ms["api"], first_ms["page"], size = pair()
    for _ in range(warmup):
        pair()
    out = []
    for _ in range(rounds):
        a, b = [], []
        for _ in range(pairs):
            a_ms, b_ms, size = pair()
            a.append(a_ms)
            b.append(b_ms)
        out.append({"api": _stats(a), "page": _stats(b),
                    "ratio_p50": percentile(b, 50) / percentile(a, 50),
                    "ratio_p95": percentile(b, 95) / percentile(a, 95)})
    conn.close()
    return {"first_ms": first_ms, "page_bytes": size, "rounds": out}


def _stats(values):
    return {"p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95), "max_ms": max(values),
            "n": len(values)}


def run(kind, mentors, mentees, rounds, pairs, warmup, seed=3, verbose=True):
    from mentorship.extensions import db

    gunicorn, _ = tools()
    if not gunicorn:
        raise SystemExit("needs gunicorn")
    with Database(kind) as database:
        app = _common.make_app(database.url)
        app.config["IMPORT_SYNC_MAX_ROWS"] = mentors + mentees  # one synchronous import, not a job
        tenant_id, secret = _common.make_tenant(app, "bench")
        import_s = import_members(app, secret, cohort_csv(mentees, mentors, seed), mentees + mentors)
        counts, mentee_ids = member_summary(app)
        mentee_id = mentee_ids[0]
        token = prepare(app, secret, mentee_id)
        cookie = session_cookie(app, mentee_id, tenant_id)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if verbose:
            print(f"[{kind}] imported {mentors + mentees:,} members in {import_s:.1f} s; (total, ready) by role: "
                  f"{counts}; measured mentee {mentee_id}", flush=True)
        port = free_port()
        env = {key: value for key, value in os.environ.items() if key not in CLEARED_ENV}
        env.update(DATABASE_URL=database.url, RATELIMIT_DEFAULT="1000000 per minute", SWEEP_IN_PROCESS="false",
                   PYTHONPATH=str(_common.ROOT), SECRET_KEY=SECRET_KEY)
        server = Server(gunicorn, "sync", port, env, os.path.join(database.dir, "gunicorn.log"))
        server.cmd = [gunicorn, "-k", "sync", "-w", "1", "-b", f"127.0.0.1:{port}", "--chdir", str(_common.ROOT),
                      "--graceful-timeout", "5", "--timeout", "120", "--log-level", "info", "wsgi:app"]
        with server:
            _wait(server)
            result = measure(port, "bench", mentee_id, token, cookie, rounds, pairs, warmup)
            log = server.tail(200_000)
        if log.count("Booting worker") != 1 or "Traceback" in log:
            raise SystemExit(f"gunicorn: worker restarts or errors in its log:\n{log[-4000:]}")
    result.update(database=kind, members=counts, import_s=import_s, target_p95_ms=TARGET_P95_MS)
    result["target_met"] = all(r["page"]["p95_ms"] <= TARGET_P95_MS for r in result["rounds"])
    if verbose:
        report_one(result)
    return result


def report_one(r):
    print(f"[{r['database']}] first request: API {r['first_ms']['api']:.0f} ms, page {r['first_ms']['page']:.0f} ms; "
          f"page {r['page_bytes']:,} bytes")
    for i, rnd in enumerate(r["rounds"], 1):
        a, b = rnd["api"], rnd["page"]
        print(f"  round {i} ({a['n']} pairs): API p50 {a['p50_ms']:.2f} / p95 {a['p95_ms']:.2f} ms | page p50 "
              f"{b['p50_ms']:.2f} / p95 {b['p95_ms']:.2f} ms | page/API p50 {rnd['ratio_p50']:.2f}x, "
              f"p95 {rnd['ratio_p95']:.2f}x")
    print(f"  target page p95 <= {r['target_p95_ms']} ms in every round: {'MET' if r['target_met'] else 'NOT MET'}",
          flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--mentors", type=int, default=5000)
    parser.add_argument("--mentees", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--json", help="also write the summary to this file")
    args = parser.parse_args(argv)
    summary = {"machine": _common.machine(), "results": []}
    for kind in args.databases.split(","):
        summary["results"].append(run(kind, args.mentors, args.mentees, args.rounds, args.pairs, args.warmup))
    print(f"machine: nproc {summary['machine']['nproc']}, Python {summary['machine']['python']}, "
          f"{summary['machine']['date']}")
    for result in summary["results"]:
        report_one(result)
    _common.write_json(args.json, summary)


if __name__ == "__main__":
    main()
