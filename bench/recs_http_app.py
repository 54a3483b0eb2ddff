"""The WSGI app `bench_recs_http.py` serves: the app of the code tree first on PYTHONPATH at "/", a bare Flask app
at "/bare" whose `/bare/api/v1/members/<id>` returns, without a database, a copy of one real recommendations answer
(BENCH_SAMPLE_JSON). It does not import `_common`, which would put this repository's tree first on sys.path."""
import json
import os
import sys

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

import mentorship
from mentorship import create_app


def bare_app(sample):
    app = Flask("bare")

    @app.get("/api/v1/members/<int:member_id>")
    def member(member_id):
        return {**sample, "id": member_id}

    return app


with open(os.environ["BENCH_SAMPLE_JSON"]) as fh:
    print(f"BENCH_TREE {os.path.dirname(os.path.dirname(mentorship.__file__))}", file=sys.stderr, flush=True)
    app = DispatcherMiddleware(create_app(), {"/bare": bare_app(json.load(fh))})
