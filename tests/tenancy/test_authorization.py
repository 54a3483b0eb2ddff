"""Who may call what, decided before the body is read (SPEC §1, §2).

* Every /api/v1 route (read from the app's URL map, so a route added later is walked too) declares who may call
  it, and the declarations are the table below: a new route fails here until it is written down.
* For every route and every credential it refuses, a request with a body or query string that no schema takes
  (unknown fields, broken JSON, a wrong content type, a body over the limit, a bad Idempotency-Key) answers 403
  problem+json, never the 400/413/415/422 that would describe the endpoint; and it changes nothing.
* A member token minted with a partner key is refused wherever the member or the partner key is (SPEC §1: a
  credential never grants more than it holds).
"""
import pytest

from tests.factories import ApiClient, make_member
from tests.test_isolation import PROBLEM, SKIPPED_METHODS, snapshot

API = "/api/v1/"
A, P, M, S = "admin", "partner", "member", "self"  # S: a member token, for the member the path names
ALL = {A, P, M}
MEMBER = "/api/v1/members/<id:member_id>"
MENTORSHIP = "/api/v1/mentorships/<id:mentorship_id>"
MEETING = "/api/v1/meetings/<id:meeting_id>"
INTRO = "/api/v1/intros/<id:intro_id>"
REFERRAL = "/api/v1/referral-requests/<id:referral_id>"
# (method, rule) -> who may call it at all (per-object checks, e.g. "the mentor of this intro", come after)
WHO_MAY_CALL = {
    ("GET", "/api/v1/tenant"): ALL,
    ("GET", "/api/v1/tenant/policy"): {A},
    ("PATCH", "/api/v1/tenant/policy"): {A},
    ("GET", "/api/v1/api-keys"): {A},
    ("POST", "/api/v1/api-keys"): {A},
    ("DELETE", "/api/v1/api-keys/<id:key_id>"): {A},
    ("GET", "/api/v1/audit-events"): {A},
    ("GET", "/api/v1/members"): {A, P},
    ("POST", "/api/v1/members"): {A, P},
    ("POST", "/api/v1/members/import"): {A, P},
    ("GET", "/api/v1/members/imports/<id:import_id>"): {A, P},
    ("GET", MEMBER): {A, P, M},  # a member: itself, or the card of a member it deals with (SPEC §3)
    ("PATCH", MEMBER): {A, P, S},
    ("DELETE", MEMBER): {A, S},
    ("GET", f"{MEMBER}/export"): {A, S},
    ("POST", f"{MEMBER}/tokens"): {A, P},
    ("GET", f"{MEMBER}/recommendations"): {A, P, S},
    ("POST", "/api/v1/match-runs"): {A},
    ("GET", "/api/v1/match-runs"): {A},
    ("GET", "/api/v1/match-runs/<id:run_id>"): {A},
    ("POST", "/api/v1/match-runs/<id:run_id>/apply"): {A},
    ("POST", "/api/v1/intros/preview"): ALL,
    ("GET", "/api/v1/intros"): ALL,
    ("POST", "/api/v1/intros"): ALL,
    ("GET", INTRO): ALL,
    ("POST", f"{INTRO}/accept"): {A, M},
    ("POST", f"{INTRO}/decline"): {A, M},
    ("POST", f"{INTRO}/withdraw"): {A, M},
    ("GET", "/api/v1/mentorships"): ALL,
    ("GET", MENTORSHIP): ALL,
    ("POST", f"{MENTORSHIP}/close"): {A, M},
    ("POST", f"{MENTORSHIP}/milestones/<string(maxlength=40):key>"): {M},
    ("POST", f"{MENTORSHIP}/meetings"): ALL,
    ("POST", f"{MENTORSHIP}/referral-requests"): {M},
    ("GET", "/api/v1/referral-requests"): ALL,  # a member token: only its own
    ("GET", REFERRAL): ALL,
    ("PATCH", REFERRAL): ALL,
    ("POST", f"{REFERRAL}/decide"): {M},
    ("GET", "/api/v1/meetings"): ALL,  # a member token: only its own
    ("GET", MEETING): ALL,
    ("POST", f"{MEETING}/confirm"): ALL,
    ("POST", f"{MEETING}/cancel"): ALL,
    ("POST", f"{MEETING}/check-ins"): {M},
    ("GET", f"{MEETING}/invite.ics"): ALL,
    ("GET", "/api/v1/notifications"): ALL,
    ("GET", "/api/v1/reports/funnel"): {A, P},
    ("POST", "/api/v1/invites"): {A, P},
    ("GET", "/api/v1/webhooks"): {A, P},  # SPEC §1: a partner key's integration manages webhooks too
    ("POST", "/api/v1/webhooks"): {A, P},
    ("DELETE", "/api/v1/webhooks/<id:webhook_id>"): {A, P},
    ("GET", "/api/v1/webhooks/<id:webhook_id>/deliveries"): {A, P},
}
MISSING_ID = 2**31 - 1
GARBAGE_QUERY = "surprise=1&page=0&per_page=1000&limit=-5&from=yesterday"


def api_routes(app):
    """(method, rule, endpoint) for every /api/v1 route of the URL map."""
    return sorted((method, rule.rule, rule.endpoint) for rule in app.url_map.iter_rules()
                  if rule.rule.startswith(API) for method in rule.methods - SKIPPED_METHODS)


def test_every_api_route_declares_who_may_call_it(app):
    from mentorship.tenancy.access import endpoint_kinds

    routes = api_routes(app)
    assert len(routes) >= len(WHO_MAY_CALL) > 30  # the URL map reading works: the walk below walks something
    declared = {(method, rule): set(endpoint_kinds(app.view_functions[endpoint], method))
                for method, rule, endpoint in routes}
    assert set(declared) == set(WHO_MAY_CALL), (
        f"routes not in WHO_MAY_CALL: {sorted(set(declared) - set(WHO_MAY_CALL))}; in it but not routed: "
        f"{sorted(set(WHO_MAY_CALL) - set(declared))}. Declare the route with @allow(...) right under "
        "@blp.route and write down here who may call it.")
    wrong = {route: (kinds, WHO_MAY_CALL[route]) for route, kinds in declared.items() if kinds != WHO_MAY_CALL[route]}
    assert not wrong, f"declared vs expected: {wrong}"


class Caller:
    def __init__(self, name, client, kinds, member_id=None):
        self.name, self.client, self.kinds, self.member_id = name, client, kinds, member_id

    def admitted(self, who_may_call, path_member_id):
        """Whether every facet of this credential is among who may call (SELF: for its own member only)."""
        return all(kind in who_may_call or (kind == M and S in who_may_call and self.member_id == path_member_id)
                   for kind in self.kinds)


@pytest.fixture
def callers(app, admin, tenant):
    x, y = make_member(app, tenant), make_member(app, tenant)
    partner_secret = admin.post("/api/v1/api-keys", json={"name": "portal", "kind": "partner"}).json["secret"]
    partner = ApiClient(app.test_client(), partner_secret)

    def token(minter, member_id):
        r = minter.post(f"/api/v1/members/{member_id}/tokens")
        assert r.status_code == 201, r.json
        return ApiClient(app.test_client(), r.json["token"])

    return x, [
        Caller("admin key", admin, {A}),
        Caller("partner key", partner, {P}),
        Caller("admin-minted token of the path's member", token(admin, x), {M}, x),
        Caller("admin-minted token of another member", token(admin, y), {M}, y),
        Caller("partner-minted token of the path's member", token(partner, x), {M, P}, x),
        Caller("partner-minted token of another member", token(partner, y), {M, P}, y),
    ]


def _path(rule, member_id):
    return (rule.replace("<id:member_id>", str(member_id))
                .replace("<string(maxlength=40):key>", "questions_prepared")
                .replace("<id:key_id>", str(MISSING_ID)).replace("<id:run_id>", str(MISSING_ID))
                .replace("<id:intro_id>", str(MISSING_ID)).replace("<id:mentorship_id>", str(MISSING_ID))
                .replace("<id:meeting_id>", str(MISSING_ID)).replace("<id:referral_id>", str(MISSING_ID))
                .replace("<id:import_id>", str(MISSING_ID)).replace("<id:webhook_id>", str(MISSING_ID)))


def _garbage(app, method):
    """Requests no endpoint's schema takes: (what, open() keyword arguments)."""
    cases = [("a garbage query string", {"query_string": GARBAGE_QUERY})]
    if method in ("POST", "PUT", "PATCH"):
        too_big = b'{"x": "' + b"a" * app.config["JSON_MAX_BYTES"] + b'"}'
        cases += [
            ("an unknown field", {"json": {"surprise": 1}}),
            ("broken JSON", {"data": b'{"surprise": ', "content_type": "application/json"}),
            ("bytes that are not UTF-8", {"data": b"\xff\xfe{}", "content_type": "application/json"}),
            ("a wrong content type", {"data": "surprise", "content_type": "text/plain"}),
            ("a control character", {"json": {"name": "a\x00b"}}),
            ("a body over the limit", {"data": too_big, "content_type": "application/json"}),
            ("a bad Idempotency-Key", {"json": {"surprise": 1}, "headers": {"Idempotency-Key": "k" * 300}}),
        ]
    return cases


def _send(caller, method, path, kwargs):
    kwargs = dict(kwargs)
    headers = caller.client._headers(kwargs.pop("headers", None))
    return caller.client.client.open(path, method=method, headers=headers, **kwargs)


def test_a_refused_credential_gets_403_whatever_it_sends(app, admin, callers):
    x, everyone = callers
    before = snapshot(admin)
    failures, refusals = [], 0
    for method, rule, _ in api_routes(app):
        path = _path(rule, x)
        for caller in everyone:
            if caller.admitted(WHO_MAY_CALL[method, rule], x):
                continue
            for what, kwargs in _garbage(app, method):
                refusals += 1
                r = _send(caller, method, path, kwargs)
                body = r.get_json(silent=True) or {}
                if (r.status_code, r.mimetype, body.get("code")) != (403, PROBLEM, "forbidden"):
                    failures.append(f"{method} {rule} by the {caller.name} with {what}: {r.status_code} "
                                    f"{r.get_data(as_text=True)[:160]}")
    assert not failures, "\n".join(failures)
    assert refusals > 300  # each kind of credential is refused somewhere, with each kind of garbage
    assert snapshot(admin) == before


def test_an_admitted_credential_gets_past_the_door_to_the_schema(app, callers):
    """The control: the same garbage from a credential the route admits is not a 403 (so the 403s above come from
    who sent it, not from what was sent). DELETE is left out: with a valid path it would erase someone."""
    x, everyone = callers
    failures = []
    for method, rule, _ in api_routes(app):
        if method == "DELETE":
            continue
        for caller in everyone:
            if not caller.admitted(WHO_MAY_CALL[method, rule], x):
                continue
            what, kwargs = _garbage(app, method)[-1 if method in ("POST", "PATCH") else 0]
            r = _send(caller, method, _path(rule, x), kwargs)
            if r.status_code == 403 or r.status_code >= 500:
                failures.append(f"{method} {rule} by the {caller.name} with {what}: {r.status_code}")
    assert not failures, "\n".join(failures)
