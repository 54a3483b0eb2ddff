"""GET /api/v1/members/{id} throughput vs. a bare Flask endpoint, both through the WSGI test client, in one process.

Rounds interleave the series (the order rotates every round) so that noise on a shared machine hits all alike; each
figure is the median over rounds, the ratio is the median of the per-round ratios. The app runs as TestConfig
configures it (rate limiter on, `local://` storage). A third, diagnostic series "ours, limiter off" switches
the rate limiter off at run time (`limiter.enabled = False`) to show its share; the target is judged on "ours".
`--breakdown` times the pieces of one request in isolation (microseconds per call).
`--components ROUNDS` measures real requests with parts taken away (the rate limiter's hooks, our other hooks, the
read).
Usage: .venv/bin/python bench/bench_member_get.py [--members 1000] [--rounds 5] [--requests 2000] [--breakdown]
       [--components 24]
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


def run(members=1000, rounds=5, requests=2000, seed=11, breakdown=False, verbose=True, component_rounds=0):
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
        if component_rounds:
            summary["components"] = components(app, clients, paths, auth, component_rounds)
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
    """What one GET costs, piece by piece (each piece timed alone, in a loop; inside a real request the same code
    runs slower, since it shares the caches with everything else the request does).

    The credential and policy lookups are timed twice: as a request normally finds them (per-process TTL cache
    hit) and with the cache cleared before every call (the SELECT a request makes once per TTL per process).
    The ORM read and the marshmallow dump that GET used before are timed too, for comparison.
    """
    from flask import jsonify

    from mentorship.extensions import db
    from mentorship.members.models import profile_of
    from mentorship.members.operations import _MEMBER_ROW, _SCORE, get_member, member_document
    from mentorship.members.schemas import MemberSchema, dump_member_values
    from mentorship.tenancy import policy
    from mentorship.tenancy.credentials import principal_from_header, principals
    from mentorship.tenancy.policy import for_tenant
    from mentorship.tenancy.scope import tenant_scope

    member_id = ids[10]
    path, auth = f"/api/v1/members/{member_id}", {"Authorization": f"Bearer {secret}"}
    out = {"bare request": _per_call_us(lambda: clients["bare"].get(path, headers=auth)),
           "ours request": _per_call_us(lambda: clients["ours"].get(path, headers=auth))}
    with limiter_off():
        out["ours request, limiter off"] = _per_call_us(lambda: clients["ours"].get(path, headers=auth))
    out["ours, no credential (401)"] = _per_call_us(lambda: clients["ours"].get(path))
    schema = MemberSchema()
    params = {"member_id": member_id, "tenant_id": tenant_id}

    def fresh(fn, before=None):
        def call():
            if before:
                before()
            fn()
            db.session.remove()
        return call

    with app.test_request_context(path):
        engine = db.engine
        out["pooled connection checkout + checkin"] = _per_call_us(lambda: engine.raw_connection().close())
        out["session begin + rollback + close"] = _per_call_us(fresh(db.session.connection))
        out["principal_from_header, cached"] = _per_call_us(fresh(lambda: principal_from_header("Bearer " + secret)))
        out["principal_from_header, cache miss (ApiKey SELECT)"] = _per_call_us(fresh(
            lambda: principal_from_header("Bearer " + secret), before=principals.clear))
        with tenant_scope(tenant_id):
            out["member_document (the GET's read and dump)"] = _per_call_us(fresh(lambda: member_document(member_id)))
            out["  PreparedRead.first (Member SELECT on a pooled connection)"] = _per_call_us(
                fresh(lambda: _MEMBER_ROW.first(db.session, params)))
            row = _MEMBER_ROW.first(db.session, params)
            out["  dump_member_values + profile (policy cached)"] = _per_call_us(
                lambda: dump_member_values(row, profile_of(tenant_id, row[_SCORE], row[_SCORE + 1])))
            document = member_document(member_id)
            out["jsonify(document)"] = _per_call_us(lambda: jsonify(document))
            out["for_tenant, cached"] = _per_call_us(fresh(lambda: for_tenant(tenant_id)))
            out["for_tenant, cache miss (Tenant SELECT)"] = _per_call_us(fresh(lambda: for_tenant(tenant_id),
                                                                               before=policy.forget))
            out["before: get_member (ORM SELECT in a session)"] = _per_call_us(fresh(lambda: get_member(member_id)))
            member = get_member(member_id)
            out["before: MemberSchema.dump (policy cached)"] = _per_call_us(lambda: schema.dump(member))
            db.session.remove()
    return out


COMPONENT_SERIES = (
    "bare", "ours", "ours, limiter hooks removed", "ours, member read stubbed",
    "stubbed read, limiter hooks removed", "stubbed read, no hook but authenticate",
)
LIMITER_HOOKS = {"check_rate_limit", "add_rate_limit_headers"}  # common/ratelimit.py


def _hook_name(fn):
    return getattr(fn, "__name__", None) or getattr(getattr(fn, "func", None), "__name__", "")


@contextmanager
def _variant(app, name, document):
    """Run `ours` with parts taken away (diagnostic only): the rate limiter's two hooks, our other hooks, the read."""
    from mentorship.members import operations

    tables = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    saved = [{key: list(funcs) for key, funcs in table.items()} for table in tables]
    read = operations.member_document
    keep = None
    if "limiter hooks removed" in name:
        keep = lambda hook: hook not in LIMITER_HOOKS  # noqa: E731
    elif "no hook but authenticate" in name:
        keep = lambda hook: hook == "authenticate"  # noqa: E731
    if keep:
        for table in tables:
            table[None] = [fn for fn in table[None] if keep(_hook_name(fn))]
    if "stub" in name:
        operations.member_document = lambda member_id: {**document, "id": member_id}
    try:
        yield
    finally:
        operations.member_document = read
        for table, before in zip(tables, saved, strict=True):
            table.clear()
            table.update(before)


def components(app, clients, paths, headers, rounds=24, size=200):
    """Where the time of one request goes inside real requests: `ours` against variants with parts taken away,
    all interleaved in short rounds. Returns, per series, the median µs per request and the median over rounds of
    its difference from `bare` (pieces interact, so differences of differences are estimates, not exact shares)."""
    document = clients["ours"].get(paths[0], headers=headers).get_json()
    runs = {name: [] for name in COMPONENT_SERIES}
    for i in range(rounds):
        chunk = [paths[(i * size + k) % len(paths)] for k in range(size)]
        for name in COMPONENT_SERIES[i % 6:] + COMPONENT_SERIES[:i % 6]:
            client = clients["bare" if name == "bare" else "ours"]
            with _variant(app, name, document):
                runs[name].append(1e6 / timed(client, chunk, headers))
    return {name: {"us": _common.median(runs[name]),
                   "over_bare_us": _common.median([x - b for x, b in zip(runs[name], runs["bare"], strict=True)]),
                   "ratio": _common.median([b / x for x, b in zip(runs[name], runs["bare"], strict=True)])}
            for name in COMPONENT_SERIES}


def report(summary):
    print(f"GET /api/v1/members/{{id}} ({summary['members']:,} members, SQLite file) vs bare Flask, "
          f"{summary['rounds']} interleaved rounds x {summary['requests_per_round']:,} requests:")
    print(f"  bare: {summary['bare_median']:,.0f} req/s   ours: {summary['ours_median']:,.0f} req/s   "
          f"ratio: {summary['ratio_median']:.1%}   target >= {summary['target']:.0%}: "
          f"{'MET' if summary['target_met'] else 'NOT MET'}")
    print(f"  diagnostic, ours with the rate limiter off: {summary['ours_no_limiter_median']:,.0f} req/s "
          f"(ratio {summary['ratio_no_limiter_median']:.1%})")
    for piece, micros in summary.get("breakdown_us", {}).items():
        print(f"    {piece:62s} {micros:8,.0f} us")
    if "components" in summary:
        print("  inside real requests (interleaved rounds; us per request, and over bare):")
    for name, c in summary.get("components", {}).items():
        print(f"    {name:48s} {c['us']:7,.0f} us  {c['over_bare_us']:+7,.0f} us  ratio {c['ratio']:.1%}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--breakdown", action="store_true", help="also time the pieces of one request")
    parser.add_argument("--components", type=int, default=0, metavar="ROUNDS",
                        help="also measure requests with parts taken away, in ROUNDS interleaved rounds (e.g. 24)")
    parser.add_argument("--json", help="also write the summary to this file")
    args = parser.parse_args(argv)
    summary = run(args.members, args.rounds, args.requests, args.seed, args.breakdown,
                  component_rounds=args.components)
    report(summary)
    _common.write_json(args.json, summary)


if __name__ == "__main__":
    main()
