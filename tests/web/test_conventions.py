"""The pages' conventions: security headers, the session cookie, the API left sessionless, assets served by the
app, the invites endpoint, and CSRF on every form."""
import re

from sqlalchemy import func, select

from mentorship.extensions import db
from mentorship.tenancy.scope import unscoped
from tests.factories import ApiClient, make_member, mentee_payload
from tests.web.helpers import csrf_from, invite_path, join, signed_in


def test_pages_carry_a_csp_without_inline_script_and_are_not_framed_by_default(client, tenant):
    r = client.get(f"/t/{tenant.slug}/signin")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Referrer-Policy"] == "no-referrer"
    assert "<script>" not in r.get_data(as_text=True)  # only <script src=...>


def test_frame_ancestors_follow_the_tenants_policy(client, admin, tenant):
    r = admin.patch("/api/v1/tenant/policy", json={"frame_ancestors": ["https://careers.example.edu"]})
    assert r.status_code == 200
    r = client.get(f"/t/{tenant.slug}/signin")
    assert "frame-ancestors https://careers.example.edu" in r.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in r.headers
    for bad in (["careers.example.edu"], ["https://a.edu; script-src *"], ["http://a.edu"], ["*"]):
        assert admin.patch("/api/v1/tenant/policy", json={"frame_ancestors": bad}).status_code == 422


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(app, admin, tenant):
    client = app.test_client()
    r = join(client, invite_path(admin))
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = app.test_client()
    path = invite_path(admin)
    page = secure.get(path, base_url="https://localhost")
    assert "Secure" in page.headers["Set-Cookie"]


def test_the_api_sets_no_cookie(admin):
    r = admin.post("/api/v1/invites", json={"role": "mentor"})
    assert "Set-Cookie" not in r.headers


def test_assets_are_served_by_the_app(client):
    for name, kind in (("web.css", "text/css"), ("web.js", "javascript")):
        r = client.get(f"/assets/{name}")
        r.close()  # a file response holds the file open until closed
        assert r.status_code == 200 and kind in r.content_type
        assert "Content-Security-Policy" in r.headers


def test_invites_answer_201_with_a_join_url(admin, tenant):
    r = admin.post("/api/v1/invites", json={"role": "mentee", "email": "Someone@Example.edu"})
    assert r.status_code == 201
    assert f"/t/{tenant.slug}/join/" in r.json["url"]
    assert r.json["email"] == "someone@example.edu" and r.json["role"] == "mentee"
    audit = admin.get("/api/v1/audit-events?action=invite.created").json["items"]
    assert len(audit) == 1 and "someone" not in str(audit)


def test_invites_refuse_members_and_bad_roles(app, admin, tenant):
    member_id = make_member(app, tenant)
    token = admin.post(f"/api/v1/members/{member_id}/tokens", json={}).json["token"]
    r = ApiClient(app.test_client(), token).post("/api/v1/invites", json={"role": "mentee"})
    assert r.status_code == 403
    for bad in ({"role": "admin"}, {}, {"role": "mentor", "email": "nope"}, {"role": "mentor", "x": 1}):
        r = admin.post("/api/v1/invites", json=bad)
        assert r.status_code == 422 and r.json["code"] == "validation_error", bad


def test_a_partner_key_may_invite(app, admin):
    secret = admin.post("/api/v1/api-keys", json={"name": "portal", "kind": "partner"}).json["secret"]
    assert ApiClient(app.test_client(), secret).post("/api/v1/invites", json={"role": "mentor"}).status_code == 201


def test_invites_are_in_the_openapi_document(client):
    paths = client.get("/openapi.json").json["paths"]
    assert "201" in paths["/api/v1/invites"]["post"]["responses"]


def _sample_path(rule, slug):
    """A concrete path for a page route: the tenant's slug, 1 for ids, the first choice of any(...), "x" else."""
    def value(match):
        converter, name = match.group(1) or "", match.group(2)
        if name == "tenant_slug":
            return slug
        if converter.startswith("int"):
            return "1"
        if converter.startswith("any("):
            return converter[4:].split(",")[0].strip().strip("'\"")
        return "x"
    return re.sub(r"<(?:([^:<>]+):)?([^<>]+)>", value, rule.rule)


def _row_counts(app):
    with app.app_context(), unscoped():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def test_every_form_of_the_pages_refuses_a_missing_or_wrong_csrf_token_and_changes_nothing(app, admin, tenant):
    """Walks the URL map: every POST route of the pages, signed in (a member, and the career office), without a
    token and with another session's token: 400, and not one row anywhere changes."""
    member = admin.post("/api/v1/members", json=mentee_payload()).json
    as_member = signed_in(app, tenant.slug, member["email"])
    other = signed_in(app, tenant.slug, admin.post("/api/v1/members", json=mentee_payload()).json["email"])
    wrong = csrf_from(other.get(f"/t/{tenant.slug}/me"))
    routes = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("web.") and "POST" in rule.methods]
    assert len(routes) >= 15, [r.rule for r in routes]
    before = _row_counts(app)
    for rule in routes:
        path = _sample_path(rule, tenant.slug)
        for data in ({}, {"csrf_token": wrong}):
            r = as_member.post(path, data={**data, "message": "x", "email": member["email"]})
            assert r.status_code == 400, (path, data, r.status_code)
    assert _row_counts(app) == before
