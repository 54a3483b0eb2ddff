"""/openapi.json documents `text/csv` beside JSON for exactly the operations that answer `Accept: text/csv`, and each
documented example starts with the header row the operation really sends.

Which operations serve CSV is read from the code, not listed here: every view function (or MethodView method)
whose own body calls `wants_csv()`."""
import csv
import inspect
import io
import re

import pytest

from mentorship.common.queries import handler
from tests.factories import mentee_payload, mentor_payload

METHODS = ("get", "put", "post", "patch", "delete")


@pytest.fixture(scope="module")
def doc(app):
    return app.test_client().get("/openapi.json").json


def _openapi_path(rule):
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _serving_csv(app):
    """(method, path) of every operation whose code asks `wants_csv()`."""
    found = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        for method in METHODS:
            func = handler(view, method) if method.upper() in rule.methods else None
            if func is not None and "wants_csv" in inspect.unwrap(func).__code__.co_names:
                found.add((method, _openapi_path(rule.rule)))
    return found


def _documented_csv(doc):
    return {(method, path): operation["responses"]["200"]["content"]["text/csv"]
            for path, item in doc["paths"].items() for method, operation in item.items() if method in METHODS
            and "text/csv" in operation.get("responses", {}).get("200", {}).get("content", {})}


def _header(text):
    return next(csv.reader(io.StringIO(text)))


def test_text_csv_is_documented_for_exactly_the_operations_that_serve_it(app, doc):
    serving = _serving_csv(app)
    assert {("get", "/api/v1/members"), ("get", "/api/v1/mentorships"), ("get", "/api/v1/referral-requests"),
            ("get", "/api/v1/reports/funnel")} <= serving  # the reading of the code finds what it should
    documented = _documented_csv(doc)
    assert set(documented) == serving
    for (method, path), media in documented.items():
        assert media["schema"] == {"type": "string"}, path
        rows = list(csv.reader(io.StringIO(media["example"])))
        assert len(rows) == 2 and len(rows[0]) == len(rows[1]), (path, rows)  # the header and one row
        content = doc["paths"][path][method]["responses"]["200"]["content"]
        assert list(content) == ["application/json", "text/csv"], path  # JSON first: what generated clients take


def test_each_csv_served_starts_with_the_documented_header(app, admin, doc):
    admin.post("/api/v1/members", json=mentee_payload())
    admin.post("/api/v1/members", json=mentor_payload())
    for (method, path), media in _documented_csv(doc).items():
        served = getattr(admin, method)(path, headers={"Accept": "text/csv"})
        assert served.status_code == 200 and served.mimetype == "text/csv", (path, served.status_code)
        assert _header(served.get_data(as_text=True)) == _header(media["example"]), path
