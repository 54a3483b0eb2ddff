from tests.factories import ApiClient, make_member


def test_tenant_endpoint(admin, tenant):
    r = admin.get("/api/v1/tenant")
    assert r.status_code == 200
    assert r.json["id"] == tenant.id and r.json["slug"] == tenant.slug


def test_policy_defaults_and_patch(admin):
    r = admin.get("/api/v1/tenant/policy")
    assert r.json == {
        "referral_requires": ["intro_accepted", "questions_prepared", "first_meeting_completed",
                              "career_plan_shared", "follow_up_completed", "mentor_endorsement"],
        "min_weeks": 4, "min_meetings": 2, "max_pending_intros": 3, "intro_expiry_days": 14,
        "min_profile_score": 70, "frame_ancestors": [], "contact_email": None,
    }
    r = admin.patch("/api/v1/tenant/policy", json={"min_weeks": 6, "referral_requires": ["mentor_endorsement",
                                                                                          "intro_accepted"]})
    assert r.status_code == 200
    assert r.json["min_weeks"] == 6
    assert r.json["referral_requires"] == ["intro_accepted", "mentor_endorsement"]
    assert admin.get("/api/v1/tenant/policy").json["min_weeks"] == 6


def test_policy_validation(admin):
    for bad in ({"min_weeks": -1}, {"referral_requires": ["bribe"]}, {"max_pending_intros": 0},
                {"min_profile_score": 101}, {"referral_requires": ["intro_accepted", "intro_accepted"]},
                {"surprise": 1}, {"min_weeks": "four"}):
        r = admin.patch("/api/v1/tenant/policy", json=bad)
        assert r.status_code == 422, bad
        assert r.json["code"] == "validation_error"
    assert admin.get("/api/v1/tenant/policy").json["min_weeks"] == 4


def test_policy_change_moves_readiness(admin):
    member = admin.post("/api/v1/members", json={
        "role": "mentee", "name": "Half Done", "email": "half@example.edu", "timezone": "Europe/Berlin",
        "domains": ["software/backend"], "goals": ["interview-prep"], "headline": "CS student"}).json
    assert member["profile"]["ready"] is False
    admin.patch("/api/v1/tenant/policy", json={"min_profile_score": member["profile"]["score"]})
    assert admin.get(f"/api/v1/members/{member['id']}").json["profile"]["ready"] is True


def test_api_key_lifecycle(app, admin):
    created = admin.post("/api/v1/api-keys", json={"name": "portal", "kind": "partner"})
    assert created.status_code == 201
    body = created.json
    assert body["secret"].startswith("msk_") and body["kind"] == "partner"
    partner = ApiClient(app.test_client(), body["secret"])
    assert partner.get("/api/v1/members").status_code == 200
    listed = admin.get("/api/v1/api-keys").json
    assert next(k for k in listed["items"] if k["id"] == body["id"])["last_used_at"] is not None
    assert all("secret" not in k for k in listed["items"])
    assert {k["name"] for k in listed["items"]} >= {"portal", "initial admin key"}
    assert admin.delete(f"/api/v1/api-keys/{body['id']}").status_code == 204
    assert partner.get("/api/v1/members").status_code == 401
    revoked = [k for k in admin.get("/api/v1/api-keys").json["items"] if k["id"] == body["id"]][0]
    assert revoked["revoked_at"] is not None


def test_last_admin_key_cannot_be_revoked(admin):
    own = admin.get("/api/v1/api-keys").json["items"][0]
    r = admin.delete(f"/api/v1/api-keys/{own['id']}")
    assert r.status_code == 409 and r.json["code"] == "last_admin_key"
    assert admin.get("/api/v1/tenant").status_code == 200


def test_api_key_validation(admin):
    assert admin.post("/api/v1/api-keys", json={"name": "x", "kind": "root"}).status_code == 422
    assert admin.post("/api/v1/api-keys", json={"kind": "admin"}).status_code == 422


def test_member_token_acts_as_member(app, admin, tenant):
    me = make_member(app, tenant)
    r = admin.post(f"/api/v1/members/{me}/tokens")
    assert r.status_code == 201
    assert set(r.json) == {"token", "member_id", "expires_at"}
    token = ApiClient(app.test_client(), r.json["token"])
    assert token.get(f"/api/v1/members/{me}").json["id"] == me
    assert token.patch(f"/api/v1/members/{me}", json={"headline": "Updated"}).json["headline"] == "Updated"
    assert token.patch(f"/api/v1/members/{me}", json={"role": "mentor"}).status_code == 422


def test_audit_events_record_changes(app, admin, tenant):
    me = make_member(app, tenant)
    admin.patch(f"/api/v1/members/{me}", json={"headline": "New"})
    admin.patch("/api/v1/tenant/policy", json={"min_weeks": 5})
    events = admin.get("/api/v1/audit-events?per_page=100").json["items"]
    actions = [e["action"] for e in events]
    assert {"member.created", "member.updated", "tenant.policy_updated", "api_key.created"} <= set(actions)
    updated = next(e for e in events if e["action"] == "member.updated")
    assert updated["object_id"] == me and updated["data"] == {"fields": ["headline"]}
    assert updated["actor"].startswith("key:")
    only = admin.get(f"/api/v1/audit-events?object_type=members&object_id={me}").json
    assert {e["action"] for e in only["items"]} == {"member.created", "member.updated"}
