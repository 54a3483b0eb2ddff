"""Unknown query parameters answer 422 validation_error on every endpoint of the API (SPEC §2), walked from the URL
map so a route added later is checked too: those with a query schema, and those without one (a body, or only the
path), which take no query parameter at all."""
import re

import pytest

from tests.factories import ApiClient, make_member
from tests.test_isolation import SKIPPED_METHODS

PROBLEM = "application/problem+json"


def _routes(app):
    return sorted((method, rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
                  for method in rule.methods - SKIPPED_METHODS)


def _path(rule):
    """A concrete path: every id 1 (the query is refused before any object is looked up), every key a word."""
    return re.sub(r"<string[^>]*:\w+>", "intro_accepted", re.sub(r"<id:\w+>", "1", rule))


@pytest.fixture
def member_client(app, admin, tenant):
    member_id = make_member(app, tenant)
    token = admin.post(f"/api/v1/members/{member_id}/tokens").json["token"]
    return ApiClient(app.test_client(), token)


def test_every_endpoint_refuses_an_unknown_query_parameter(app, admin, member_client):
    checked = 0
    for method, rule in _routes(app):
        url = _path(rule) + "?nonsense=1"
        send = getattr(admin, method.lower())
        r = send(url) if method in ("GET", "DELETE") else send(url, json={})
        if r.status_code == 403:  # an endpoint only a member may call: as a member
            send = getattr(member_client, method.lower())
            r = send(url) if method in ("GET", "DELETE") else send(url, json={})
        assert r.status_code == 422, (method, rule, r.status_code, r.get_data(as_text=True)[:300])
        assert r.mimetype == PROBLEM and r.json["code"] == "validation_error", (method, rule, r.json)
        assert r.json["errors"] == {"nonsense": ["Unknown field."]}, (method, rule, r.json)
        checked += 1
    assert checked > 40


def test_a_typo_in_a_filter_is_an_error_not_everything(admin):
    r = admin.get("/api/v1/members?shool=x")
    assert r.status_code == 422 and r.json["errors"] == {"shool": ["Unknown field."]}
    assert admin.get("/api/v1/members?school=x").status_code == 200


def test_known_parameters_still_work_and_refusals_still_come_first(app, admin, member_client):
    assert admin.get("/api/v1/members?page=1&per_page=5&role=mentee").status_code == 200
    assert admin.get("/api/v1/reports/funnel?from=2026-12-01&to=2026-12-01").status_code == 200
    # a credential that may not call an endpoint: 403 whatever the query says
    r = member_client.get("/api/v1/match-runs?nonsense=1")
    assert r.status_code == 403
