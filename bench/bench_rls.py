"""What PostgreSQL row-level security (migration 0010, mentorship/tenancy/rls.py) costs the API's reads.

A throwaway database owned by a throwaway role (not a superuser, so the policies apply; both dropped at the end),
the real app (TestConfig) connected as that role, one tenant of `--members` members (CSV import). Three series,
interleaved in rounds whose order rotates, each round `--requests` GETs through the WSGI test client:
  off          before issue 11's RLS: the policies disabled (ALTER TABLE ... DISABLE ROW LEVEL SECURITY) and the
               app's listeners removed (PreparedRead back on its bare pooled connection)
  set_config   the listeners on (one set_config per transaction), the policies disabled: the round trip alone
  rls          as shipped: listeners and policies
for GET /api/v1/members/{id} (the hot read: one PreparedRead, no session) and GET /api/v1/members?per_page=20 (an
ORM page: count + select in one session transaction). Medians over rounds of µs per request, and the median of
the per-round ratios to `off`.
Usage: .venv/bin/python bench/bench_rls.py [--members 1000] [--rounds 9] [--requests 1000] [--json out.json]
"""
import argparse
import os
import time
import uuid

import _common

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SERIES = ("off", "set_config", "rls")
ENDINGS = ("begin", "commit", "rollback")


class Throwaway:
    """A database and its owner role, made for this run and dropped after it."""

    def __enter__(self):
        import psycopg
        from sqlalchemy.engine import make_url

        self.name, password = f"bench_rls_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {self.name} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '{password}'")
            conn.execute(f"CREATE DATABASE {self.name} OWNER {self.name}")
        url = make_url(PG_ADMIN).set(username=self.name, password=password, database=self.name)
        self.url = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        self.owner_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return self

    def __exit__(self, *exc):
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
            conn.execute(f"DROP ROLE IF EXISTS {self.name}")


def switch(engine, owner, tables, listeners, policies):
    """Put the app's RLS listeners and the tables' policies on or off."""
    from sqlalchemy import event

    from mentorship.tenancy import rls

    pairs = [("before_cursor_execute", rls._before_statement), ("rollback_savepoint", rls._unknown),
             *((ending, rls._forget) for ending in ENDINGS)]
    for name, fn in pairs:
        if listeners and not event.contains(engine, name, fn):
            event.listen(engine, name, fn)
        elif not listeners and event.contains(engine, name, fn):
            event.remove(engine, name, fn)
    if listeners != event.contains(engine.pool, "checkin", rls._forget_checked_in):
        (event.listen if listeners else event.remove)(engine.pool, "checkin", rls._forget_checked_in)
    engine.dispose()  # first: no pooled connection keeps a plan made under the other setting, nor a lock
    owner.execute("SET lock_timeout = '5s'")
    for table in tables:
        owner.execute(f"ALTER TABLE {table} {'ENABLE' if policies else 'DISABLE'} ROW LEVEL SECURITY")


def timed(client, paths, headers):
    started = time.perf_counter()
    for path in paths:
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
    return (time.perf_counter() - started) / len(paths) * 1e6


def run(members=1000, rounds=9, requests=1000, seed=11):
    import psycopg
    from bench_member_get import seed_members

    from mentorship.extensions import db

    migration = _load_0010()
    with Throwaway() as database:
        app = _common.make_app(database.url)
        _, secret = _common.make_tenant(app, "bench")
        ids = seed_members(app, secret, members, seed)
        client, headers = app.test_client(), {"Authorization": f"Bearer {secret}"}
        endpoints = {"GET /members/{id}": [f"/api/v1/members/{ids[i % len(ids)]}" for i in range(requests)],
                     "GET /members?per_page=20": [f"/api/v1/members?per_page=20&page={1 + i % 10}"
                                                  for i in range(requests // 4)]}
        results = {endpoint: {name: [] for name in SERIES} for endpoint in endpoints}
        with app.app_context():  # left at once: requests in a pushed app context would share one open session
            engine, tables = db.engine, migration.TENANT_TABLES
        with psycopg.connect(database.owner_url, autocommit=True) as owner:
            settings = {"off": (False, False), "set_config": (True, False), "rls": (True, True)}
            for name in SERIES:  # warm-up, and every series answers 200
                switch(engine, owner, tables, *settings[name])
                for paths in endpoints.values():
                    timed(client, paths[:100], headers)
            for i in range(rounds):
                for name in SERIES[i % 3:] + SERIES[:i % 3]:
                    switch(engine, owner, tables, *settings[name])
                    for endpoint, paths in endpoints.items():
                        timed(client, paths[:50], headers)  # the pool's connections made again after dispose
                        results[endpoint][name].append(timed(client, paths, headers))
                print(f"  round {i + 1}/{rounds}: " + " | ".join(
                    f"{endpoint} " + " ".join(f"{name} {results[endpoint][name][-1]:,.0f}" for name in SERIES)
                    for endpoint in endpoints) + " (us/request)", flush=True)
            switch(engine, owner, tables, True, True)
    return summarise(results, len(ids), rounds, requests)


def _load_0010():
    import importlib.util

    path = _common.ROOT / "migrations" / "versions" / "0010_row_level_security.py"
    spec = importlib.util.spec_from_file_location("migration_0010", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def summarise(results, members, rounds, requests):
    out = {"members": members, "rounds": rounds, "requests_per_round": requests, "us": results, "summary": {}}
    for endpoint, series in results.items():
        out["summary"][endpoint] = {
            **{f"{name}_us": _common.median(series[name]) for name in SERIES},
            **{f"{name}_over_off": _common.median([x / o for x, o in zip(series[name], series["off"], strict=True)])
               for name in SERIES[1:]}}
    return out


def report(summary):
    print(f"PostgreSQL, {summary['members']:,} members, {summary['rounds']} interleaved rounds, "
          f"median us per request (ratio to off):")
    for endpoint, s in summary["summary"].items():
        print(f"  {endpoint:26s} off {s['off_us']:7,.0f}   set_config {s['set_config_us']:7,.0f} "
              f"({s['set_config_over_off']:.3f}x)   rls {s['rls_us']:7,.0f} ({s['rls_over_off']:.3f}x)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--json", help="also write the summary to this file")
    args = parser.parse_args(argv)
    summary = run(args.members, args.rounds, args.requests)
    report(summary)
    _common.write_json(args.json, summary)


if __name__ == "__main__":
    main()
