"""POST /api/v1/intros and POST /api/v1/intros/{id}/accept on PostgreSQL: what the row locks and guarded updates
of issue 11 cost one request at a time.

A throwaway PostgreSQL database (`bench_transitions_<pid>`, dropped at the end), the real app (TestConfig: rate limits
out of the way, jobs in-process but not run), one tenant, `--pairs` mentees and mentors made untimed. Then for each
pair, through the WSGI test client with the admin key: one intro with a personal message of its own (timed), and its
accept (timed; it starts a mentorship). p50 and p95 of each are reported. Run it from two checkouts, alternated,
to compare commits (see bench/RESULTS.md).
Usage: .venv/bin/python bench/bench_transitions.py [--pairs 300] [--json out.json]
"""
import argparse
import json
import os
import random
import statistics
import string
import time

import _common

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _message(rng, mentor):
    words = " ".join("".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9))) for _ in range(45))
    return (f"Hi {mentor['name']}, your work as a {mentor['title']} at {mentor['company']} with {mentor['skills'][0]} "
            f"is why I write. My notes from this term read: {words}. How does your team decide when a model is good?")


def _p(values, q):
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def measure(pairs):
    import psycopg
    from flask_migrate import upgrade

    from mentorship import create_app
    from mentorship.config import TestConfig
    from mentorship.extensions import db
    from tests.factories import mentee_payload, mentor_payload

    name = f"bench_transitions_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"

    app = create_app(Config)
    try:
        with app.app_context():
            upgrade()
        _, secret = _common.make_tenant(app, "bench")
        client, headers, rng = app.test_client(), {"Authorization": f"Bearer {secret}"}, random.Random(11)
        people = [(client.post("/api/v1/members", json=mentee_payload(), headers=headers).get_json(),
                   client.post("/api/v1/members", json=mentor_payload(company=f"Company {i}"), headers=headers)
                   .get_json()) for i in range(pairs)]
        sent, accepted = [], []
        for mentee, mentor in people:
            body = {"mentee_id": mentee["id"], "mentor_id": mentor["id"], "message": _message(rng, mentor)}
            started = time.perf_counter()
            r = client.post("/api/v1/intros", json=body, headers=headers)
            sent.append(time.perf_counter() - started)
            assert r.status_code == 201, r.get_json()
            started = time.perf_counter()
            a = client.post(f"/api/v1/intros/{r.get_json()['id']}/accept", headers=headers)
            accepted.append(time.perf_counter() - started)
            assert a.status_code == 200, a.get_json()
        return {"pairs": pairs, "intro_p50_ms": _p(sent, 50), "intro_p95_ms": _p(sent, 95),
                "accept_p50_ms": _p(accepted, 50), "accept_p95_ms": _p(accepted, 95)}
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--json", help="also write the summary to this file")
    args = parser.parse_args(argv)
    summary = {"machine": _common.machine(), **measure(args.pairs)}
    print(f"{summary['pairs']} intros then accepts, PostgreSQL: intro p50 {summary['intro_p50_ms']:.2f} ms, "
          f"p95 {summary['intro_p95_ms']:.2f} ms | accept p50 {summary['accept_p50_ms']:.2f} ms, "
          f"p95 {summary['accept_p95_ms']:.2f} ms")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(summary, fh, indent=2, default=str)


if __name__ == "__main__":
    main()
