"""GET /api/v1/reports/funnel with and without breakdowns on PostgreSQL, over a tenant of 100,000 members and
200,000 intros (target: ≤ 500 ms with breakdowns).

A throwaway database and owner role (bench_rls.Throwaway: not a superuser, so row-level security applies as in
production), schema by the migrations, the data bulk-inserted with INSERT ... SELECT generate_series (seconds,
not the API): `--members` members (4 mentees to 1 mentor, 12 schools, 8 top-level domains), `--intros` intros
(30 % of the first pending, then accepted 40 %, declined 30 %, expired 30 %; a fifth from the career office) over
90 days, a mentorship per accepted intro with its six milestones, a meeting per mentorship (completed, missed,
scheduled), a referral request per tenth mentorship. Then rounds of one request per series (none, by=school,
by=domain, by=source; the order rotates each round), through the WSGI test client with an admin key; the
whole tenant (no from/to: the largest period). Medians of ms per request.

`--reference N`: also N rounds of the row-by-row funnel the database-counted one replaced
(tests/reports/funnel_reference.py, called in the app directly, not over HTTP), interleaved with the HTTP series,
and each series' answer compared with it (counts equal, medians to the hundredth): the baseline of the ratio.
Usage: .venv/bin/python bench/bench_funnel.py [--members 100000] [--intros 200000] [--rounds 5] [--reference 1]
       [--json out.json]
"""
import argparse
import time

import _common
from bench_rls import Throwaway

SERIES = ("none", "school", "domain", "source")
MILESTONES = ("intro_accepted", "questions_prepared", "first_meeting_completed", "career_plan_shared",
              "follow_up_completed", "mentor_endorsement")


def populate(conn, tenant_id, members, intros):
    """The tenant's data in bulk: SQL only, every NOT NULL column given (the models' defaults are Python's)."""
    mentees = members * 4 // 5
    pending = intros * 3 // 10
    conn.execute(f"SET app.tenant_id = '{tenant_id}'")
    conn.execute(f"""
        INSERT INTO members (tenant_id, role, name, email, domains, goals, skills, languages, timezone, availability,
                             international, school, graduation_year, capacity, profile_score, profile_gaps,
                             created_at, updated_at)
        SELECT {tenant_id}, CASE WHEN i <= {mentees} THEN 'mentee' ELSE 'mentor' END, 'Member ' || i,
               'm' || i || '@example.edu', json_build_array('d' || (i % 8) || '/sub' || (i % 5)),
               '["career-plan"]', '["python"]', '["en"]', 'UTC', '[]', i % 3 = 0, 'School ' || (i % 12),
               2025 + i % 4, CASE WHEN i > {mentees} THEN 3 END, 60 + i % 41,
               CASE WHEN i % 10 = 0 THEN '["goals_missing"]' ELSE '[]' END::json,
               now() - interval '200 days', now() - interval '200 days'
        FROM generate_series(1, {members}) AS i""")
    first = conn.execute("SELECT min(id) FROM members").fetchone()[0]
    mentors = members - mentees
    conn.execute(f"""
        INSERT INTO intros (tenant_id, mentee_id, mentor_id, message, source, status, created_at, updated_at,
                            expires_at, responded_at)
        SELECT {tenant_id}, {first} + (i % {mentees}), {first} + {mentees} + (i % {mentors}), 'Hello',
               CASE WHEN i % 5 = 0 THEN 'career_office' ELSE 'mentee' END,
               CASE WHEN i < {pending} THEN 'pending' WHEN i % 10 < 4 THEN 'accepted'
                    WHEN i % 10 < 7 THEN 'declined' ELSE 'expired' END,
               t, t, t + interval '14 days', CASE WHEN i >= {pending} AND i % 10 < 7 THEN t + interval '30 hours' END
        FROM (SELECT i, now() - make_interval(days => 1 + i % 90, mins => i % 1440) AS t
              FROM generate_series(0, {intros - 1}) AS i) AS s""")
    conn.execute(f"""
        INSERT INTO mentorships (tenant_id, mentee_id, mentor_id, intro_id, status, started_at, last_activity_at)
        SELECT {tenant_id}, mentee_id, mentor_id, id, CASE WHEN id % 7 = 0 THEN 'closed' ELSE 'active' END,
               responded_at, responded_at + make_interval(days => id % 50)
        FROM intros WHERE status = 'accepted'""")
    conn.execute("UPDATE intros SET mentorship_id = m.id FROM mentorships m WHERE m.intro_id = intros.id")
    keys = ", ".join(f"('{key}', {position})" for position, key in enumerate(MILESTONES))
    conn.execute(f"""
        INSERT INTO milestones (tenant_id, mentorship_id, key, position, status, completed_at)
        SELECT {tenant_id}, m.id, k.key, k.position,
               CASE WHEN k.position = 0 OR (k.position < 3 AND m.id % 3 = 0) THEN 'completed' ELSE 'pending' END,
               CASE WHEN k.position = 0 OR (k.position < 3 AND m.id % 3 = 0)
                    THEN m.started_at + make_interval(days => k.position * 5) END
        FROM mentorships m CROSS JOIN (VALUES {keys}) AS k(key, position)""")
    conn.execute(f"""
        INSERT INTO meetings (tenant_id, mentorship_id, mentee_id, mentor_id, status, mode, duration_minutes,
                              proposed_slots, start, "end", no_show_member_ids, sequence, created_at, scheduled_at,
                              finished_at)
        SELECT {tenant_id}, id, mentee_id, mentor_id, s.status, 'video', 30, '[]', s.start, s.start + interval '30 min',
               CASE WHEN s.status = 'missed' THEN json_build_array(mentor_id) ELSE '[]'::json END, 0,
               started_at + interval '1 day', started_at + interval '1 day',
               CASE WHEN s.status IN ('completed', 'missed') THEN s.start + interval '30 min' END
        FROM (SELECT m.id, m.mentee_id, m.mentor_id, m.started_at,
                     CASE WHEN m.id % 4 = 0 THEN 'missed' WHEN m.id % 4 = 1 THEN 'scheduled' ELSE 'completed'
                     END AS status,
                     CASE WHEN m.id % 4 = 1 THEN now() + interval '3 days' ELSE m.started_at + interval '5 days'
                     END AS start
              FROM mentorships m) AS s""")
    conn.execute(f"""
        INSERT INTO referral_requests (tenant_id, mentorship_id, mentee_id, mentor_id, company, job_title, status,
                                       outcome, created_at)
        SELECT {tenant_id}, id, mentee_id, mentor_id, 'Example', 'Analyst',
               CASE WHEN id % 3 = 0 THEN 'approved' WHEN id % 3 = 1 THEN 'declined' ELSE 'requested' END,
               CASE WHEN id % 3 = 0 THEN 'interviewing' END, started_at + interval '40 days'
        FROM mentorships WHERE id % 10 = 0""")
    # as autovacuum leaves a table in use: statistics, the visibility map, no dead versions of the updated intros
    conn.execute("VACUUM ANALYZE")
    return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("members", "intros", "mentorships", "milestones", "meetings", "referral_requests")}


def _reference(app, tenant_id, by):
    """(ms, answer) of the row-by-row funnel, in a request-like context (one session, the tenant in scope)."""
    from mentorship.extensions import db
    from mentorship.tenancy.scope import tenant_scope
    from tests.reports import funnel_reference

    with app.app_context(), tenant_scope(tenant_id):
        begun = time.perf_counter()
        answer = funnel_reference.funnel(None, None, by)
        elapsed = (time.perf_counter() - begun) * 1000
        db.session.rollback()
    return elapsed, answer


def _agree(new, old, path="funnel"):
    """The first difference between the two answers (None when they agree; medians to the hundredth)."""
    if isinstance(old, dict):
        if not isinstance(new, dict) or set(new) != set(old):
            return path
        return next((d for key in old if (d := _agree(new[key], old[key], f"{path}.{key}"))), None)
    if isinstance(old, list):
        if not isinstance(new, list) or len(new) != len(old):
            return path
        return next((d for i, (a, b) in enumerate(zip(new, old, strict=True)) if (d := _agree(a, b, f"{path}[{i}]"))),
                    None)
    if isinstance(old, float) or isinstance(new, float):
        return None if new is not None and old is not None and abs(new - old) <= 0.0101 else path
    return None if new == old else path


def run(members, intros, rounds, reference_rounds=0):
    import psycopg

    with Throwaway() as database:
        app = _common.make_app(database.url)
        tenant_id, secret = _common.make_tenant(app, "bench")
        started = time.perf_counter()
        with psycopg.connect(database.owner_url, autocommit=True) as owner:
            rows = populate(owner, tenant_id, members, intros)
        loaded = time.perf_counter() - started
        client, headers = app.test_client(), {"Authorization": f"Bearer {secret}"}
        times = {name: [] for name in SERIES}
        reference = {name: [] for name in SERIES}
        check, disagreements = None, []
        for round_ in range(rounds + 1):  # the first round warms up (caches, plans) and is not counted
            order = SERIES[round_ % len(SERIES):] + SERIES[:round_ % len(SERIES)]
            for name in order:
                path = "/api/v1/reports/funnel" + ("" if name == "none" else f"?by={name}")
                begun = time.perf_counter()
                response = client.get(path, headers=headers)
                elapsed = (time.perf_counter() - begun) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"GET {path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
                if name == "none":
                    check = response.json["intros"]["sent"]
                if round_:
                    times[name].append(elapsed)
                if round_ and round_ <= reference_rounds:
                    ms, answer = _reference(app, tenant_id, None if name == "none" else name)
                    reference[name].append(ms)
                    difference = _agree(response.json, answer)
                    if difference:
                        disagreements.append(f"{name}: {difference}")
    return {"rows": rows, "load_seconds": round(loaded, 1), "intros_counted": check,
            "reference_ms": {name: round(_common.median(values), 1) for name, values in reference.items() if values},
            "disagreements": disagreements,
            "median_ms": {name: round(_common.median(values), 1) for name, values in times.items()},
            "max_ms": {name: round(max(values), 1) for name, values in times.items()},
            "rounds": rounds, "machine": _common.machine()}


def report(summary):
    print(f"rows: {summary['rows']} (bulk load {summary['load_seconds']} s); intros counted "
          f"{summary['intros_counted']}")
    for name in SERIES:
        line = f"  {name:7s} median {summary['median_ms'][name]:8.1f} ms   max {summary['max_ms'][name]:8.1f} ms"
        if name in summary["reference_ms"]:
            ref = summary["reference_ms"][name]
            line += f"   row-by-row {ref:9.1f} ms ({ref / summary['median_ms'][name]:.0f} x)"
        print(line)
    if summary["reference_ms"]:
        print("  answers: " + ("the same as the row-by-row funnel's" if not summary["disagreements"]
                               else "DIFFERENT: " + "; ".join(summary["disagreements"])))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--intros", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reference", type=int, default=0, help="rounds of the row-by-row baseline (0: none)")
    parser.add_argument("--json", help="also write the summary to this file")
    args = parser.parse_args(argv)
    summary = run(args.members, args.intros, args.rounds, args.reference)
    report(summary)
    _common.write_json(args.json, summary)


if __name__ == "__main__":
    main()
