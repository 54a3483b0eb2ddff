"""GET /api/v1/members/{id} throughput vs. a bare Flask endpoint, both through the WSGI test client, in one process.

Rounds interleave the series (the order rotates every round) so that noise on a shared machine hits all alike; each
figure is the median over rounds, the ratio is the median of the per-round ratios. The app runs as TestConfig
configures it (rate limiter on, `local://` storage). A third, diagnostic series "ours, limiter off" switches
Flask-Limiter off at run time (`limiter.enabled = False`) to show its share; the target is judged on "ours".
`--breakdown` times the pieces of one request in isolation (microseconds per call).
Usage: .venv/bin/python bench/bench_member_get.py [--members 1000] [--rounds 5] [--requests 2000] [--breakdown]
"""
import argparse
import time
from contextlib import contextmanager

import _common

TARGET_RATIO = 0.40
SERIES = ("bare", "ours", "ours_no_limiter")


def bare_app():
    """The floor: Flask routing, one small JSON dict, nothing else."""
    from flask import Flask

    app = Flask("bare")

    @app.get("/api/v1/members/<int:member_id>")
    def member(member_id):
        return {"id": member_id, "name": "Ana Lima", "role": "mentor"}

    return app


def seed_members(app, secret, count, seed):
    """`count` realistic members through the CSV import; returns their ids."""
    from bench_import import generate_csv

    client = app.test_client()
    response = client.post("/api/v1/members/import", data=generate_csv(count, seed).encode(),
                           headers={"Authorization": f"Bearer {secret}", "Content-Type": "text/csv"})
    assert response.status_code == 200 and response.get_json()["created"] == count, response.get_data(as_text=True)
    ids, page = [], 1
    while True:
        body = client.get(f"/api/v1/members?per_page=100&page={page}",
                          headers={"Authorization": f"Bearer {secret}"}).get_json()
        ids += [m["id"] for m in body["items"]]
        if len(ids) >= body["total"]:
            return ids
        page += 1


@contextmanager
def limiter_off():
    from mentorship.extensions import limiter

    before, limiter.enabled = limiter.enabled, False
    try:
        yield
    finally:
        limiter.enabled = before


def timed(client, paths, headers):
    """requests/s for one pass over `paths`; every answer must be a 200."""
    started = time.perf_counter()
    for path in paths:
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: {response.status_code} {response.get_data(as_text=True)[:500]}")
    return len(paths) / (time.perf_counter() - started)


def measure(name, clients, paths, headers):
    if name == "ours_no_limiter":
        with limiter_off():
            return timed(clients["ours"], paths, headers)
    return timed(clients[name], paths, headers)


def summarise(results, members, rounds, requests):
    summary = {"members": members, "rounds": rounds, "requests_per_round": requests,
               **{f"{name}_rps": results[name] for name in SERIES}}
    for name in SERIES:
        summary[f"{name}_median"] = _common.median(results[name])
    summary["ratios"] = [o / b for o, b in zip(results["ours"], results["bare"], strict=True)]
    summary["ratio_median"] = _common.median(summary["ratios"])
    summary["ratio_no_limiter_median"] = _common.median(
        [o / b for o, b in zip(results["ours_no_limiter"], results["bare"], strict=True)])
    summary["target"] = TARGET_RATIO
    summary["target_met"] = summary["ratio_median"] >= TARGET_RATIO
    return summary


def run(members=1000, rounds=5, requests=2000, seed=11, breakdown=False, verbose=True):
    with _common.FreshDatabase() as database:
        app = _common.make_app(database.url)
        tenant_id, secret = _common.make_tenant(app, "bench")
        ids = seed_members(app, secret, members, seed)
        clients = {"ours": app.test_client(), "bare": bare_app().test_client()}
        auth = {"Authorization": f"Bearer {secret}"}
        paths = [f"/api/v1/members/{ids[i % len(ids)]}" for i in range(requests)]
        sample = clients["ours"].get(paths[0], headers=auth).get_json()
        assert sample["id"] == ids[0] and "profile" in sample, sample
        for name in SERIES:  # warm-up, not counted
            measure(name, clients, paths[:200], auth)
        results = {name: [] for name in SERIES}
        for i in range(rounds):
            for name in SERIES[i % 3:] + SERIES[:i % 3]:
                results[name].append(measure(name, clients, paths, auth))
            if verbose:
                print(f"  round {i + 1}/{rounds}: " + " | ".join(f"{name} {results[name][-1]:,.0f} req/s"
                                                                 for name in SERIES)
                      + f" | ratio {results['ours'][-1] / results['bare'][-1]:.1%}", flush=True)
        summary = summarise(results, len(ids), rounds, requests)
        if breakdown:
            summary["breakdown_us"] = request_breakdown(app, clients, tenant_id, secret, ids)
    return summary


def _per_call_us(fn, n=1000, repeats=3):
    """Best of `repeats` mean wall times of `fn`, in microseconds."""
    for _ in range(100):
        fn()
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - started) / n * 1e6)
    return best


def request_breakdown(app, clients, tenant_id, secret, ids):
    """What one GET costs, piece by piece (each piece timed alone; a fresh session per call, as per request).

    The credential and policy lookups are timed twice: as a request normally finds them (per-process TTL cache
    hit) and with the cache cleared before every call (the SELECT a request makes once per TTL per process).
    """
    from mentorship.extensions import db
    from mentorship.members.operations import get_member
    from mentorship.members.schemas import MemberSchema
    from mentorship.tenancy import policy
    from mentorship.tenancy.credentials import principal_from_header, principals
    from mentorship.tenancy.policy import for_tenant
    from mentorship.tenancy.scope import tenant_scope

    path, auth = f"/api/v1/members/{ids[10]}", {"Authorization": f"Bearer {secret}"}
    out = {"bare request": _per_call_us(lambda: clients["bare"].get(path, headers=auth)),
           "ours request": _per_call_us(lambda: clients["ours"].get(path, headers=auth))}
    with limiter_off():
        out["ours request, limiter off"] = _per_call_us(lambda: clients["ours"].get(path, headers=auth))
    out["ours, no credential (401)"] = _per_call_us(lambda: clients["ours"].get(path))
    schema = MemberSchema()

    def fresh(fn, before=None):
        def call():
            if before:
                before()
            fn()
            db.session.remove()
        return call

    with app.test_request_context(path):
        out["session begin + rollback + close"] = _per_call_us(fresh(db.session.connection))
        out["principal_from_header, cached"] = _per_call_us(fresh(lambda: principal_from_header("Bearer " + secret)))
        out["principal_from_header, cache miss (ApiKey SELECT)"] = _per_call_us(fresh(
            lambda: principal_from_header("Bearer " + secret), before=principals.clear))
        with tenant_scope(tenant_id):
            out["get_member (Member SELECT, domains JSON column)"] = _per_call_us(fresh(lambda: get_member(ids[10])))
            out["for_tenant, cached"] = _per_call_us(fresh(lambda: for_tenant(tenant_id)))
            out["for_tenant, cache miss (Tenant SELECT)"] = _per_call_us(fresh(lambda: for_tenant(tenant_id),
                                                                               before=policy.forget))
            member = get_member(ids[10])
            for_tenant(tenant_id)
            out["MemberSchema.dump (policy cached)"] = _per_call_us(lambda: schema.dump(member))
    return out


def report(summary):
    print(f"GET /api/v1/members/{{id}} ({summary['members']:,} members, SQLite file) vs bare Flask, "
          f"{summary['rounds']} interleaved rounds x {summary['requests_per_round']:,} requests:")
    print(f"  bare: {summary['bare_median']:,.0f} req/s   ours: {summary['ours_median']:,.0f} req/s   "
          f"ratio: {summary['ratio_median']:.1%}   target >= {summary['target']:.0%}: "
          f"{'MET' if summary['target_met'] else 'NOT MET'}")
    print(f"  diagnostic, ours with the rate limiter off: {summary['ours_no_limiter_median']:,.0f} req/s "
          f"(ratio {summary['ratio_no_limiter_median']:.1%})")
    for piece, micros in summary.get("breakdown_us", {}).items():
        print(f"    {piece:52s} {micros:8,.0f} us")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--breakdown", action="store_true", help="also time the pieces of one request")
    parser.add_argument("--json", help="also write the summary to this file")
    args = parser.parse_args(argv)
    summary = run(args.members, args.rounds, args.requests, args.seed, args.breakdown)
    report(summary)
    _common.write_json(args.json, summary)


if __name__ == "__main__":
    main()
