from sqlalchemy import select

from mentorship.extensions import db
from mentorship.tenancy.idempotency import IdempotencyKey
from mentorship.tenancy.scope import tenant_scope
from tests.factories import ApiClient, mentee_payload


def _count(admin):
    return admin.get("/api/v1/members").json["total"]


def test_same_key_same_body_replays_first_response(admin):
    payload = mentee_payload()
    first = admin.post("/api/v1/members", json=payload, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201
    again = admin.post("/api/v1/members", json=payload, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert "Idempotent-Replayed" not in first.headers
    assert _count(admin) == 1


def test_same_key_other_body_is_422(admin):
    admin.post("/api/v1/members", json=mentee_payload(), headers={"Idempotency-Key": "k-2"})
    r = admin.post("/api/v1/members", json=mentee_payload(), headers={"Idempotency-Key": "k-2"})
    assert r.status_code == 422
    assert r.json["code"] == "idempotency_key_reused"
    assert _count(admin) == 1


def test_key_in_flight_is_409(app, admin, tenant):
    with app.app_context(), tenant_scope(tenant.id):
        admin_key_id = db.session.scalar(select(IdempotencyKey.id).limit(1))
        assert admin_key_id is None
    payload = mentee_payload()
    # a first request that is still running has claimed the key but stored no response yet
    first = admin.post("/api/v1/members", json=payload, headers={"Idempotency-Key": "k-3"})
    with app.app_context(), tenant_scope(tenant.id):
        row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "k-3"))
        row.status = None
        db.session.commit()
    r = admin.post("/api/v1/members", json=payload, headers={"Idempotency-Key": "k-3"})
    assert first.status_code == 201
    assert r.status_code == 409
    assert r.json["code"] == "idempotency_key_in_use"


def test_keys_are_scoped_to_the_credential(app, admin, tenant):
    second = ApiClient(app.test_client(), admin.post("/api/v1/api-keys", json={"name": "b", "kind": "admin"})
                       .json["secret"])
    admin.post("/api/v1/members", json=mentee_payload(email="one@example.edu"), headers={"Idempotency-Key": "same"})
    r = second.post("/api/v1/members", json=mentee_payload(email="two@example.edu"),
                    headers={"Idempotency-Key": "same"})
    assert r.status_code == 201
    assert "Idempotent-Replayed" not in r.headers


def test_error_responses_replay_too_but_5xx_frees_the_key(admin):
    bad = {"role": "mentee"}
    r1 = admin.post("/api/v1/members", json=bad, headers={"Idempotency-Key": "k-4"})
    r2 = admin.post("/api/v1/members", json=bad, headers={"Idempotency-Key": "k-4"})
    assert r1.status_code == r2.status_code == 422
    assert r2.headers["Idempotent-Replayed"] == "true"


def test_overlong_key_is_rejected(admin):
    r = admin.post("/api/v1/members", json=mentee_payload(), headers={"Idempotency-Key": "x" * 256})
    assert r.status_code == 422
    assert r.json["code"] == "validation_error"
    assert _count(admin) == 0


def test_expired_key_can_be_reused(app, admin, tenant):
    from datetime import timedelta

    from mentorship.common.clock import utcnow

    admin.post("/api/v1/members", json=mentee_payload(), headers={"Idempotency-Key": "old"})
    with app.app_context(), tenant_scope(tenant.id):
        row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "old"))
        row.created_at = utcnow() - timedelta(hours=25)
        db.session.commit()
    r = admin.post("/api/v1/members", json=mentee_payload(), headers={"Idempotency-Key": "old"})
    assert r.status_code == 201
    assert "Idempotent-Replayed" not in r.headers
    assert _count(admin) == 2
