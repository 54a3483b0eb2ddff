"""Tenant isolation and credential kinds (SPEC §1, §10).

* Every /api/v1 route with an id in its path — read from the app's URL map, so routes added later are walked
  too — answers 404 to tenant A's admin key for tenant B's objects, exactly as for ids that do not exist,
  and leaves tenant B's data as it was. The same call with tenant B's own key succeeds (so the ids were real
  and the request well formed: the 404 is isolation, not a typo).
* A member token acts only for its own member; a partner key cannot reach admin-only endpoints (403).
* Missing, unknown, expired and revoked credentials answer 401, always as problem+json.

Adding a route with a new path parameter? Teach `PARAM_FACTORIES` (or `ROUTE_FACTORIES`) how to create that
object in tenant B, and `VALID_BODIES` what a valid body for it looks like; the walk fails until you do.
"""
import re
from datetime import timedelta

import pytest

from mentorship.common.clock import utcnow
from tests.factories import ApiClient, make_member, mentee_payload, mentor_payload

PROBLEM = "application/problem+json"
API = "/api/v1/"
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
PARAM = re.compile(r"<(?:[^:<>]+:)?([A-Za-z_]\w*)>")
MISSING_ID = 2**31 - 1  # the largest id a route accepts: valid, and surely unused here
# not ids: zero, negative, too large, not numbers, and non-canonical spellings of 1 (leading zero, Arabic-Indic and
# fullwidth digits), which must not alias an existing object
ODD_IDS = ["0", "-1", str(2**31), str(10**30), "1" * 5000, "abc", "1.5", "1e3", "0x1f", "%20", "1%00", "null",
           "01", "\u0661", "\uff11", "+1", " 1"]


class World:
    """One tenant seen through its admin key; factories create objects in it through the API or operations."""

    def __init__(self, app, tenant):
        self.app, self.tenant = app, tenant
        self.admin = ApiClient(app.test_client(), tenant.admin_key)


def _new_member(world):
    return make_member(world.app, world.tenant)


def _new_api_key(world):
    r = world.admin.post("/api/v1/api-keys", json={"name": "victim key", "kind": "partner"})
    assert r.status_code == 201, r.json
    return r.json["id"]


def _new_match_run(world):
    r = world.admin.post("/api/v1/match-runs", json={})
    assert r.status_code == 202, r.json
    return r.json["id"]


def _in_tenant(world, fn):
    from mentorship.extensions import db
    from mentorship.tenancy.scope import tenant_scope

    with world.app.app_context(), tenant_scope(world.tenant.id):
        result = fn()
        db.session.commit()
        return result


def _new_member_import(world):
    """A CSV import queued as a job (the API queues only files over IMPORT_SYNC_MAX_ROWS rows)."""
    from mentorship.members.import_jobs import queue_import

    return _in_tenant(world, lambda: queue_import("role,name,email,timezone\nmentee,A,a@example.edu,UTC\n", 1).id)


def _new_intro(world):
    from mentorship.members.operations import get_member
    from mentorship.outreach.operations import send_warm_intro

    mentee, mentor = make_member(world.app, world.tenant), make_member(world.app, world.tenant, role="mentor")
    return _in_tenant(world, lambda: send_warm_intro(get_member(mentee), get_member(mentor), "Warm intro.", None).id)


def _new_mentorship(world):
    from mentorship.mentorships.operations import start_mentorship
    from mentorship.outreach.models import Intro

    intro_id = _new_intro(world)

    def accept():
        from sqlalchemy import select

        from mentorship.extensions import db

        intro = db.session.scalar(select(Intro).where(Intro.id == intro_id))
        intro.status = "accepted"
        return start_mentorship(intro).id
    return _in_tenant(world, accept)


def _new_meeting(world):
    from mentorship.common.clock import utcnow

    mentorship_id = _new_mentorship(world)
    start = (utcnow() + timedelta(days=3)).replace(microsecond=0).isoformat()
    r = world.admin.post(f"/api/v1/mentorships/{mentorship_id}/meetings", json={"start": start})
    assert r.status_code == 201, r.json
    return r.json["id"]


def _new_referral(world):
    from mentorship.referrals.models import ReferralRequest

    mentorship_id = _new_mentorship(world)

    def create():
        from mentorship.extensions import db
        from mentorship.mentorships.models import Mentorship

        ms = db.session.get(Mentorship, mentorship_id)
        referral = ReferralRequest(tenant_id=ms.tenant_id, mentorship_id=ms.id, mentee_id=ms.mentee_id,
                                   mentor_id=ms.mentor_id, company="Acme", job_title="Analyst", status="approved")
        db.session.add(referral)
        db.session.flush()
        return referral.id
    return _in_tenant(world, create)


def _new_webhook(world):
    r = world.admin.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/in", "events": ["*"]})
    assert r.status_code == 201, r.json
    return r.json["id"]


def _succeeded_match_run(world):
    run_id = _new_match_run(world)
    world.app.extensions["jobs"].wait()
    return {"run_id": run_id}


# path parameter name -> factory(world) -> id of a fresh object of that kind in `world`'s tenant
PARAM_FACTORIES = {
    "member_id": _new_member,
    "key_id": _new_api_key,
    "run_id": _new_match_run,
    "import_id": _new_member_import,
    "intro_id": _new_intro,
    "mentorship_id": _new_mentorship,
    "meeting_id": _new_meeting,
    "referral_id": _new_referral,
    "webhook_id": _new_webhook,
}
# full rule (as in the URL map) -> factory(world) -> {param: id}, for routes whose ids must belong together,
# e.g. "/api/v1/mentorships/<id:mentorship_id>/meetings/<id:meeting_id>"
ROUTE_FACTORIES = {
    "/api/v1/mentorships/<id:mentorship_id>/milestones/<string(maxlength=40):key>":
        lambda world: {"mentorship_id": _new_mentorship(world), "key": "questions_prepared"},
    "/api/v1/match-runs/<id:run_id>/apply": _succeeded_match_run,
}
# (method, rule) -> a body the owning tenant's admin may send; other POST/PUT/PATCH calls send {}
VALID_BODIES = {
    ("PATCH", "/api/v1/members/<id:member_id>"): {"name": "Taken Over", "headline": "changed by someone"},
    ("POST", "/api/v1/members/<id:member_id>/tokens"): {"days": 1},
    ("POST", "/api/v1/intros/<id:intro_id>/decline"): {"reason": "no time"},
    ("POST", "/api/v1/mentorships/<id:mentorship_id>/close"): {"reason": "goals_met"},
    ("POST", "/api/v1/mentorships/<id:mentorship_id>/meetings"):
        lambda: {"start": (utcnow() + timedelta(days=5)).replace(microsecond=0).isoformat()},
    ("POST", "/api/v1/mentorships/<id:mentorship_id>/milestones/<string(maxlength=40):key>"):
        {"questions": ["What do you do?", "How did you start?", "What should I learn?"]},
    ("POST", "/api/v1/mentorships/<id:mentorship_id>/referral-requests"): {"company": "Acme", "job_title": "Analyst"},
    ("POST", "/api/v1/meetings/<id:meeting_id>/check-ins"): {"happened": True},
    ("POST", "/api/v1/meetings/<id:meeting_id>/confirm"): {"start": "2030-01-01T10:00:00+00:00"},
    ("POST", "/api/v1/referral-requests/<id:referral_id>/decide"): {"decision": "approve"},
    ("PATCH", "/api/v1/referral-requests/<id:referral_id>"): {"outcome": "interviewing"},
}
# (method, rule) -> what the owning tenant's admin gets by design: these actions belong to one party of the pair
# (a member token), never to staff. The walk still proves the other tenant gets 404.
OWNER_REFUSED = {
    ("POST", "/api/v1/mentorships/<id:mentorship_id>/milestones/<string(maxlength=40):key>"): 403,
    ("POST", "/api/v1/mentorships/<id:mentorship_id>/referral-requests"): 403,
    ("POST", "/api/v1/meetings/<id:meeting_id>/check-ins"): 403,
    ("POST", "/api/v1/referral-requests/<id:referral_id>/decide"): 403,
    # the factory's meeting is booked directly (scheduled); confirming is for proposed ones
    ("POST", "/api/v1/meetings/<id:meeting_id>/confirm"): 409,
}


def id_routes(app):
    """(method, rule) for every /api/v1 route with a path parameter, from the URL map."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API) and rule.arguments:
            routes += [(method, rule.rule) for method in sorted(rule.methods - SKIPPED_METHODS)]
    return sorted(routes)


def unknown_params(rule):
    if rule in ROUTE_FACTORIES:
        return []
    return [name for name in PARAM.findall(rule) if name not in PARAM_FACTORIES]


def fill(rule, world):
    """Fresh objects of `world`'s tenant for every id in `rule`; returns (path, {param: id})."""
    missing = unknown_params(rule)
    assert not missing, f"{rule}: no factory for {missing}; add one to PARAM_FACTORIES or ROUTE_FACTORIES"
    ids = ROUTE_FACTORIES[rule](world) if rule in ROUTE_FACTORIES else {
        name: PARAM_FACTORIES[name](world) for name in PARAM.findall(rule)}
    return PARAM.sub(lambda m: str(ids[m.group(1)]), rule), ids


def with_ids(rule, value):
    return PARAM.sub(lambda m: str(value), rule)


def call(client, method, rule, path):
    kwargs = {}
    if method in ("POST", "PUT", "PATCH"):
        body = VALID_BODIES.get((method, rule), {})
        kwargs["json"] = body() if callable(body) else body
    return client.client.open(path, method=method, headers=client._headers(None), **kwargs)


def snapshot(admin):
    """Everything tenant-visible that a stray write could change."""
    members = admin.get("/api/v1/members?per_page=100").json
    keys = admin.get("/api/v1/api-keys?per_page=100").json
    for key in keys["items"]:
        key.pop("last_used_at", None)  # bookkeeping of every authenticated request, not data a caller changes
    return {
        "members": members,
        "exports": {m["id"]: _export_without_clock(admin, m["id"]) for m in members["items"]},
        "keys": keys,
        "policy": admin.get("/api/v1/tenant/policy").json,
        "audit_total": admin.get("/api/v1/audit-events?per_page=1").json["total"],
    }


def _export_without_clock(admin, member_id):
    body = admin.get(f"/api/v1/members/{member_id}/export").json
    body.pop("exported_at", None)
    return body


def assert_problem(r, status, code=None):
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:500])
    assert r.mimetype == PROBLEM, r.mimetype
    body = r.get_json()
    assert body["status"] == status and isinstance(body["code"], str) and body["code"]
    if code:
        assert body["code"] == code, body
    return body


@pytest.fixture
def world_a(app, tenant):
    return World(app, tenant)


@pytest.fixture
def world_b(app, other_tenant):
    return World(app, other_tenant)


# ---------------------------------------------------------------------------------------------------------------
# The walk over every id route
# ---------------------------------------------------------------------------------------------------------------


def test_the_walk_sees_the_known_routes(app):
    """The URL map reading works: a broken inventory must not make the walk pass by walking nothing."""
    routes = set(id_routes(app))
    assert {("GET", "/api/v1/members/<id:member_id>"), ("PATCH", "/api/v1/members/<id:member_id>"),
            ("DELETE", "/api/v1/members/<id:member_id>"), ("GET", "/api/v1/members/<id:member_id>/export"),
            ("POST", "/api/v1/members/<id:member_id>/tokens"), ("DELETE", "/api/v1/api-keys/<id:key_id>")} <= routes


def test_every_id_route_is_documented_and_fillable(app, client):
    """openapi.json and the URL map agree on the id routes, and the walk knows how to fill every parameter."""
    doc = client.get("/openapi.json").json
    documented = {(method.upper(), path) for path, ops in doc["paths"].items() if "{" in path
                  for method in ops if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}}
    routed = {(method, PARAM.sub(lambda m: "{" + m.group(1) + "}", rule)) for method, rule in id_routes(app)}
    assert documented == routed, f"only documented: {documented - routed}; only routed: {routed - documented}"
    unknown = {rule: unknown_params(rule) for _, rule in id_routes(app) if unknown_params(rule)}
    assert not unknown, (
        f"Routes with path parameters the isolation walk cannot fill: {unknown}. Add a factory that creates "
        "such an object in tenant B to PARAM_FACTORIES (by parameter name) or ROUTE_FACTORIES (by rule) in "
        "tests/test_isolation.py.")


def admits_admin(app, method, rule):
    """Whether the route admits an admin key at all (its `allow` declaration); the rest belong to the pair."""
    from mentorship.tenancy.access import endpoint_kinds

    endpoint = next(r.endpoint for r in app.url_map.iter_rules() if r.rule == rule and method in r.methods)
    return "admin" in endpoint_kinds(app.view_functions[endpoint], method)


def test_every_id_route_answers_404_for_another_tenants_objects(app, world_a, world_b):
    failures = []
    # routes an admin key may not call at all (403 before anything is looked up) are probed with a member token
    member_a = _token(world_a, make_member(app, world_a.tenant))
    for method, rule in id_routes(app):
        if unknown_params(rule):
            failures.append(f"{method} {rule}: cannot fill {unknown_params(rule)} (see PARAM_FACTORIES)")
            continue
        path, _ = fill(rule, world_b)
        before = snapshot(world_b.admin)
        r = call(world_a.admin if admits_admin(app, method, rule) else member_a, method, rule, path)
        body = r.get_json(silent=True) or {}
        if (r.status_code, r.mimetype, body.get("code")) != (404, PROBLEM, "not_found"):
            hint = " (a 422 means VALID_BODIES needs a valid body for it)" if r.status_code == 422 else ""
            failures.append(f"{method} {path} by tenant A: {r.status_code} {r.get_data(as_text=True)[:200]}{hint}")
        if snapshot(world_b.admin) != before:
            failures.append(f"{method} {path} by tenant A changed tenant B's data")
        # the same call by the owner works: the ids were real and the request well formed
        own = call(world_b.admin, method, rule, path)
        if (method, rule) in OWNER_REFUSED:
            if own.status_code != OWNER_REFUSED[method, rule]:
                failures.append(f"{method} {path} by its own admin: {own.status_code}, expected "
                                f"{OWNER_REFUSED[method, rule]} (OWNER_REFUSED)")
        elif not 200 <= own.status_code < 300:
            failures.append(f"{method} {path} by its own tenant: {own.status_code} "
                            f"{own.get_data(as_text=True)[:200]} (fix VALID_BODIES or the factory)")
    assert not failures, "\n".join(failures)


def test_another_tenants_id_answers_exactly_like_a_missing_id(app, world_a, world_b):
    """No oracle: for every credential kind of tenant A, B's id and a missing id get the same status and code."""
    mine = make_member(app, world_a.tenant)
    partner = _key(world_a, "partner")
    token = ApiClient(app.test_client(), world_a.admin.post(f"/api/v1/members/{mine}/tokens").json["token"])
    for method, rule in id_routes(app):
        path, _ = fill(rule, world_b)
        for who in (world_a.admin, partner, token):
            theirs = call(who, method, rule, path)
            missing = call(who, method, rule, with_ids(rule, MISSING_ID))
            assert theirs.status_code in (403, 404), (method, path, theirs.status_code)
            assert (theirs.status_code, theirs.json["code"]) == (missing.status_code, missing.json["code"]), \
                (method, path)


def test_missing_huge_and_non_numeric_ids_answer_404(app, world_a):
    member_a = _token(world_a, make_member(app, world_a.tenant))
    for method, rule in id_routes(app):
        who = world_a.admin if admits_admin(app, method, rule) else member_a
        for value in [MISSING_ID, *ODD_IDS]:
            r = call(who, method, rule, with_ids(rule, value))
            assert_problem(r, 404, "not_found")
            assert "Traceback" not in r.get_data(as_text=True)


def test_lists_and_searches_show_only_own_tenant(app, world_a, world_b):
    theirs = world_b.admin.post("/api/v1/members", json=mentor_payload(name="Zebedee Outsider",
                                                                      email="zeb@b.example.com")).json
    world_b.admin.post("/api/v1/api-keys", json={"name": "b portal", "kind": "partner"})
    mine = make_member(app, world_a.tenant)
    members = world_a.admin.get("/api/v1/members?per_page=100").json
    assert [m["id"] for m in members["items"]] == [mine] and members["total"] == 1
    assert world_a.admin.get("/api/v1/members?q=zebedee").json["total"] == 0
    assert world_a.admin.get("/api/v1/members?role=mentor").json["total"] == 0
    keys = world_a.admin.get("/api/v1/api-keys?per_page=100").json["items"]
    assert {k["name"] for k in keys} == {"initial admin key"}
    events = world_a.admin.get("/api/v1/audit-events?per_page=100").json["items"]
    assert all(not (e["object_type"] == "members" and e["object_id"] == theirs["id"]) for e in events)
    assert world_a.admin.get(f"/api/v1/audit-events?object_type=members&object_id={theirs['id']}").json["total"] == 0
    assert world_a.admin.get("/api/v1/tenant").json["id"] == world_a.tenant.id


def test_email_uniqueness_and_import_stay_inside_the_tenant(app, world_a, world_b):
    """Another tenant's address is free here (a 409 would reveal it), and an import never updates their member."""
    theirs = world_b.admin.post("/api/v1/members", json=mentee_payload(email="shared@example.edu")).json
    created = world_a.admin.post("/api/v1/members", json=mentee_payload(email="shared@example.edu"))
    assert created.status_code == 201
    csv = "role,name,email,timezone\nmentee,Imported Name,shared@example.edu,UTC\n"
    r = world_a.admin.post("/api/v1/members/import", data=csv, headers={"Content-Type": "text/csv"})
    assert r.status_code == 200 and r.json == {"created": 0, "updated": 1}
    assert world_b.admin.get(f"/api/v1/members/{theirs['id']}").json == theirs


# ---------------------------------------------------------------------------------------------------------------
# Credential kinds inside one tenant
# ---------------------------------------------------------------------------------------------------------------


def _key(world, kind):
    r = world.admin.post("/api/v1/api-keys", json={"name": f"{kind} key", "kind": kind})
    assert r.status_code == 201
    return ApiClient(world.app.test_client(), r.json["secret"])


def _token(world, member_id):
    r = world.admin.post(f"/api/v1/members/{member_id}/tokens")
    assert r.status_code == 201, r.json
    return ApiClient(world.app.test_client(), r.json["token"])


ADMIN_ONLY = [
    ("GET", "/api/v1/tenant/policy", None),
    ("PATCH", "/api/v1/tenant/policy", {"min_weeks": 1}),
    ("GET", "/api/v1/api-keys", None),
    ("POST", "/api/v1/api-keys", {"name": "mine now", "kind": "admin"}),
    ("DELETE", "/api/v1/api-keys/{key}", None),
    ("GET", "/api/v1/audit-events", None),
]


def _send(who, method, path, body):
    kwargs = {"json": body} if body is not None else {}
    return who.client.open(path, method=method, headers=who._headers(None), **kwargs)


def test_member_token_acts_only_for_its_member(app, world_a):
    x = make_member(app, world_a.tenant)
    y = make_member(app, world_a.tenant)
    x_token = _token(world_a, x)
    before = snapshot(world_a.admin)
    # another mentee is nobody this member deals with: not even its card (SPEC §3), and as if it did not exist
    assert_problem(_send(x_token, "GET", f"/api/v1/members/{y}", None), 404, "not_found")
    for method, path, body in [
        ("PATCH", f"/api/v1/members/{y}", {"headline": "hijacked"}),
        ("DELETE", f"/api/v1/members/{y}", None),
        ("GET", f"/api/v1/members/{y}/export", None),
        ("POST", f"/api/v1/members/{y}/tokens", {}),
        ("POST", f"/api/v1/members/{x}/tokens", {}),
        ("GET", "/api/v1/members", None),
        ("GET", "/api/v1/members?q=mentee", None),
        ("POST", "/api/v1/members", mentee_payload()),
    ]:
        assert_problem(_send(x_token, method, path, body), 403, "forbidden")
    r = x_token.post("/api/v1/members/import", data="role,name,email,timezone\nmentee,A,a@x.edu,UTC\n",
                     headers={"Content-Type": "text/csv"})
    assert_problem(r, 403, "forbidden")
    assert snapshot(world_a.admin) == before
    # and for itself it works
    assert x_token.get(f"/api/v1/members/{x}").json["id"] == x
    assert x_token.get(f"/api/v1/members/{x}/export").status_code == 200
    assert x_token.patch(f"/api/v1/members/{x}", json={"headline": "Mine"}).json["headline"] == "Mine"


def test_member_token_cannot_reach_admin_only_endpoints(app, world_a):
    x = make_member(app, world_a.tenant)
    x_token = _token(world_a, x)
    spare = world_a.admin.post("/api/v1/api-keys", json={"name": "spare", "kind": "admin"}).json["id"]
    before = snapshot(world_a.admin)
    for method, path, body in ADMIN_ONLY:
        assert_problem(_send(x_token, method, path.format(key=spare), body), 403, "forbidden")
    assert snapshot(world_a.admin) == before


def test_partner_key_is_refused_admin_only_endpoints(app, world_a):
    partner = _key(world_a, "partner")
    someone = make_member(app, world_a.tenant)
    spare = world_a.admin.post("/api/v1/api-keys", json={"name": "spare", "kind": "admin"}).json["id"]
    before = snapshot(world_a.admin)
    for method, path, body in [*ADMIN_ONLY,
                               ("GET", f"/api/v1/members/{someone}/export", None),
                               ("DELETE", f"/api/v1/members/{someone}", None)]:
        assert_problem(_send(partner, method, path.format(key=spare), body), 403, "forbidden")
    assert snapshot(world_a.admin) == before


def test_partner_key_manages_members(app, world_a):
    partner = _key(world_a, "partner")
    created = partner.post("/api/v1/members", json=mentor_payload(name="Partner Made"))
    assert created.status_code == 201
    member_id = created.json["id"]
    assert partner.get("/api/v1/members").json["total"] == 1
    assert partner.get(f"/api/v1/members/{member_id}").json["name"] == "Partner Made"
    assert partner.patch(f"/api/v1/members/{member_id}", json={"capacity": 5}).json["capacity"] == 5
    token = partner.post(f"/api/v1/members/{member_id}/tokens")
    assert token.status_code == 201 and set(token.json) >= {"token", "expires_at"}
    r = partner.post("/api/v1/members/import", data="role,name,email,timezone\nmentee,A,a@x.edu,UTC\n",
                     headers={"Content-Type": "text/csv"})
    assert r.status_code == 200 and r.json == {"created": 1, "updated": 0}


def test_admin_issues_member_tokens(app, world_a):
    from datetime import datetime

    x = make_member(app, world_a.tenant)
    r = world_a.admin.post(f"/api/v1/members/{x}/tokens")
    assert r.status_code == 201
    assert r.mimetype == "application/json"
    assert {"token", "expires_at"} <= set(r.json)
    expires = datetime.fromisoformat(r.json["expires_at"])
    assert expires.utcoffset() == timedelta(0)
    assert timedelta(days=89) < expires - utcnow() <= timedelta(days=90)
    short = world_a.admin.post(f"/api/v1/members/{x}/tokens", json={"days": 2}).json
    assert datetime.fromisoformat(short["expires_at"]) - utcnow() <= timedelta(days=2)
    assert ApiClient(app.test_client(), r.json["token"]).get(f"/api/v1/members/{x}").status_code == 200
    # tokens are listed in the export, never their secrets
    export = world_a.admin.get(f"/api/v1/members/{x}/export").get_data(as_text=True)
    assert r.json["token"] not in export and short["token"] not in export


# ---------------------------------------------------------------------------------------------------------------
# 401: no credential, unknown, revoked, expired
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [
    None, "", "Bearer", "Bearer ", "Bearer    ", "Basic dXNlcjpwYXNz", "Token abc", "Bearer msk_not-a-real-key",
    "Bearer mmt_not-a-real-token", "Bearer ' OR 1=1 --", "Bearer " + "x" * 5000, "msk_no_scheme",
])
@pytest.mark.parametrize("method, path", [
    ("GET", "/api/v1/members"), ("POST", "/api/v1/members"), ("GET", "/api/v1/members/1"),
    ("DELETE", "/api/v1/api-keys/1"), ("GET", "/api/v1/tenant/policy"), ("GET", "/api/v1/no-such-thing"),
])
def test_missing_or_garbage_credentials_are_401(client, tenant, header, method, path):
    headers = {} if header is None else {"Authorization": header}
    r = client.open(path, method=method, headers=headers, json={} if method == "POST" else None)
    assert_problem(r, 401, "unauthorized")
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")


def test_key_without_bearer_scheme_is_401_even_when_valid(client, tenant):
    r = client.get("/api/v1/members", headers={"Authorization": tenant.admin_key})
    assert_problem(r, 401, "unauthorized")
    assert client.get("/api/v1/members", headers={"Authorization": f"Bearer {tenant.admin_key}"}).status_code == 200


def test_revoked_key_is_401(app, world_a):
    doomed = world_a.admin.post("/api/v1/api-keys", json={"name": "doomed", "kind": "admin"}).json
    as_doomed = ApiClient(app.test_client(), doomed["secret"])
    assert as_doomed.get("/api/v1/members").status_code == 200
    assert world_a.admin.delete(f"/api/v1/api-keys/{doomed['id']}").status_code == 204
    for method, path in [("GET", "/api/v1/members"), ("GET", "/api/v1/api-keys"), ("POST", "/api/v1/api-keys"),
                         ("DELETE", f"/api/v1/api-keys/{doomed['id']}")]:
        body = {"name": "x", "kind": "admin"} if method == "POST" else None
        assert_problem(_send(as_doomed, method, path, body), 401, "unauthorized")
    # a revoked admin key cannot un-revoke itself or mint a replacement
    keys = world_a.admin.get("/api/v1/api-keys?per_page=100").json["items"]
    assert [k["name"] for k in keys if k["revoked_at"] is None] == ["initial admin key"]


def test_another_tenant_cannot_revoke_a_key(app, world_a, world_b):
    victim = _key(world_b, "partner")
    victim_id = world_b.admin.get("/api/v1/api-keys?per_page=100").json["items"][-1]["id"]
    assert_problem(world_a.admin.delete(f"/api/v1/api-keys/{victim_id}"), 404, "not_found")
    assert victim.get("/api/v1/members").status_code == 200
    initial_b = world_b.admin.get("/api/v1/api-keys").json["items"][0]["id"]
    assert_problem(world_a.admin.delete(f"/api/v1/api-keys/{initial_b}"), 404, "not_found")
    assert world_b.admin.get("/api/v1/tenant").status_code == 200


def test_expired_member_token_is_401(app, world_a, monkeypatch):
    import mentorship.tenancy.credentials as credentials

    x = make_member(app, world_a.tenant)
    token = _token(world_a, x)
    assert token.get(f"/api/v1/members/{x}").status_code == 200  # now also in the credential cache
    later = utcnow() + timedelta(days=app.config["MEMBER_TOKEN_DAYS"], seconds=1)
    monkeypatch.setattr(credentials, "utcnow", lambda: later)
    assert_problem(token.get(f"/api/v1/members/{x}"), 401, "unauthorized")


def test_erased_members_token_is_401(app, world_a):
    x = make_member(app, world_a.tenant)
    token = _token(world_a, x)
    assert world_a.admin.delete(f"/api/v1/members/{x}").status_code == 204
    assert_problem(token.get(f"/api/v1/members/{x}"), 401, "unauthorized")
    assert_problem(world_a.admin.post(f"/api/v1/members/{x}/tokens"), 404, "not_found")


def test_member_token_of_another_tenant_sees_nothing_here(app, world_a, world_b):
    mine = make_member(app, world_a.tenant)
    theirs = make_member(app, world_b.tenant)
    their_token = _token(world_b, theirs)
    before = snapshot(world_a.admin)
    for method, template, body in [("GET", "/api/v1/members/{}", None),
                                   ("PATCH", "/api/v1/members/{}", {"headline": "x"}),
                                   ("DELETE", "/api/v1/members/{}", None),
                                   ("GET", "/api/v1/members/{}/export", None)]:
        r = _send(their_token, method, template.format(mine), body)
        missing = _send(their_token, method, template.format(MISSING_ID), body)
        assert r.status_code in (403, 404) and r.status_code == missing.status_code, (method, template)
    assert snapshot(world_a.admin) == before
    # the token still works at home: the refusal was about the other tenant, not a broken token
    assert their_token.get(f"/api/v1/members/{theirs}").status_code == 200
