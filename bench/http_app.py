"""The WSGI app `bench_member_get_http.py` serves with gunicorn: our app at "/", two bare baselines at "/bare".

One process, one interpreter: `DispatcherMiddleware` sends `/bare/...` to a bare Flask app and everything else to
`mentorship.create_app()` (the production `Config`, read from the environment as `wsgi.py` does). The bare app:
- `/bare/api/v1/members/<id>`: no database; returns a copy of one real member's JSON (BENCH_SAMPLE_JSON, the body
  our app answers for that member) with `id` replaced, so both write a body of the same size.
- `/bare/db/api/v1/members/<id>`: reads the member row with plain `sqlite3` from the same file (BENCH_DB_PATH; one
  connection per thread, reused, as a pool would) and returns the row as JSON, its JSON-text columns decoded.

Also served by `bench/load.py` (gunicorn x2 on PostgreSQL), which sets no BENCH_DB_PATH: then only "bare" exists, and
its sample is a recommendations answer.

Environment: DATABASE_URL, BENCH_DB_PATH (optional), BENCH_SAMPLE_JSON
(plus whatever `Config` reads, e.g. RATELIMIT_DEFAULT).
"""
import json
import os
import sqlite3
import threading

import _common  # noqa: F401  (puts the repository on sys.path)
from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from mentorship import create_app

MEMBER_SQL = "SELECT * FROM members WHERE id = ? AND erased_at IS NULL"


def bare_app(sample, db_path):
    app = Flask("bare")
    local = threading.local()

    @app.get("/api/v1/members/<int:member_id>")
    def member(member_id):
        return {**sample, "id": member_id}

    if not db_path:  # bench/load.py: no SQLite file, only the no-database route
        return app

    @app.get("/db/api/v1/members/<int:member_id>")
    def member_from_db(member_id):
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = sqlite3.connect(db_path, check_same_thread=False)
            conn.row_factory = sqlite3.Row
        row = conn.execute(MEMBER_SQL, (member_id,)).fetchone()
        if row is None:
            return {"detail": "No such member."}, 404
        return {key: json.loads(value) if isinstance(value, str) and value.startswith(("[", "{")) else value
                for key, value in zip(row.keys(), row, strict=True)}

    return app


def make():
    with open(os.environ["BENCH_SAMPLE_JSON"]) as fh:
        sample = json.load(fh)
    return DispatcherMiddleware(create_app(), {"/bare": bare_app(sample, os.environ.get("BENCH_DB_PATH"))})


app = make()
