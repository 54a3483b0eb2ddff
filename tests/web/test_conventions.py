"""The pages' conventions: security headers, the session cookie, the API left sessionless, assets served by the
app, and the invites endpoint."""
from tests.factories import ApiClient, make_member
from tests.web.helpers import invite_path, join


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
