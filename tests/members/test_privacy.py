from tests.factories import ApiClient, make_member


def test_export_holds_everything_about_the_member(app, admin, tenant):
    me = make_member(app, tenant, name="Wei Zhang")
    admin.post(f"/api/v1/members/{me}/tokens")
    admin.patch(f"/api/v1/members/{me}", json={"headline": "Credit risk"})
    r = admin.get(f"/api/v1/members/{me}/export")
    assert r.status_code == 200
    body = r.json
    assert body["member"]["name"] == "Wei Zhang" and body["member"]["headline"] == "Credit risk"
    assert len(body["tokens"]) == 1
    assert [e["action"] for e in body["audit_events"]] == ["member.created", "member.updated"]


def test_member_can_export_self(app, admin, tenant):
    me = make_member(app, tenant)
    token = ApiClient(app.test_client(), admin.post(f"/api/v1/members/{me}/tokens").json["token"])
    assert token.get(f"/api/v1/members/{me}/export").status_code == 200


def test_delete_erases_personal_data(app, admin, tenant):
    from sqlalchemy import select

    from mentorship.extensions import db
    from mentorship.members.models import Member
    from mentorship.tenancy.scope import tenant_scope

    me = make_member(app, tenant, name="Wei Zhang", email="wei@example.edu")
    token = admin.post(f"/api/v1/members/{me}/tokens").json["token"]
    assert admin.delete(f"/api/v1/members/{me}").status_code == 204
    assert admin.get(f"/api/v1/members/{me}").status_code == 404
    assert admin.delete(f"/api/v1/members/{me}").status_code == 404
    assert ApiClient(app.test_client(), token).get(f"/api/v1/members/{me}").status_code == 401
    with app.app_context(), tenant_scope(tenant.id):
        row = db.session.scalar(select(Member).where(Member.id == me))
        assert row.erased_at is not None and row.role == "mentee"
        stored = " ".join(str(getattr(row, c.key)) for c in Member.__table__.columns)
        assert "Wei" not in stored and "wei@example.edu" not in stored and "Lagos" not in stored
        assert row.domains == []
    # the address is free again
    again = admin.post("/api/v1/members", json={"role": "mentee", "name": "Wei", "email": "wei@example.edu",
                                                "timezone": "UTC"})
    assert again.status_code == 201
    assert admin.get("/api/v1/members").json["total"] == 1
