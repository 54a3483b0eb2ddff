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


def _stored_body(app, tenant, key):
    with app.app_context(), tenant_scope(tenant.id):
        return db.session.scalar(select(IdempotencyKey.body).where(IdempotencyKey.key == key))


def test_stored_answers_hold_no_secret_in_plain_text_and_still_replay(app, admin, tenant):
    key = admin.post("/api/v1/api-keys", json={"name": "partner", "kind": "partner"},
                     headers={"Idempotency-Key": "mint-key"})
    member = admin.post("/api/v1/members", json=mentee_payload()).json
    token = admin.post(f"/api/v1/members/{member['id']}/tokens", headers={"Idempotency-Key": "mint-token"})
    assert key.status_code == token.status_code == 201
    for name, secret in (("mint-key", key.json["secret"]), ("mint-token", token.json["token"])):
        stored = _stored_body(app, tenant, name)
        assert stored.startswith("fernet:") and secret not in stored and "secret" not in stored
    again = admin.post(f"/api/v1/members/{member['id']}/tokens", headers={"Idempotency-Key": "mint-token"})
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == token.json


def test_an_answer_sealed_under_another_secret_key_counts_as_absent(app, admin, tenant, monkeypatch):
    payload = mentee_payload()
    first = admin.post("/api/v1/members", json=payload, headers={"Idempotency-Key": "rotated"})
    monkeypatch.setitem(app.config, "SECRET_KEY", "rotated-secret")
    again = admin.post("/api/v1/members", json=payload, headers={"Idempotency-Key": "rotated"})
    assert first.status_code == 201
    # the stored answer cannot be read: the request runs again (and meets the member the first one made)
    assert again.status_code == 409 and again.json["code"] == "email_taken"
    assert "Idempotent-Replayed" not in again.headers


def test_rows_stored_before_sealing_still_replay(app, admin, tenant):
    first = admin.post("/api/v1/members", json=(payload := mentee_payload()), headers={"Idempotency-Key": "legacy"})
    with app.app_context(), tenant_scope(tenant.id):
        row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "legacy"))
        row.body = first.get_data(as_text=True)  # as rows were stored before this change
        db.session.commit()
    again = admin.post("/api/v1/members", json=payload, headers={"Idempotency-Key": "legacy"})
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json


def test_the_sweep_purges_rows_older_than_idempotency_hours(app, admin, tenant, other_admin, other_tenant):
    from datetime import timedelta

    from mentorship.common.clock import utcnow
    from mentorship.jobs.schedule import sweep

    admin.post("/api/v1/members", json=mentee_payload(), headers={"Idempotency-Key": "old"})
    admin.post("/api/v1/members", json=mentee_payload(), headers={"Idempotency-Key": "fresh"})
    other_admin.post("/api/v1/members", json=mentee_payload(), headers={"Idempotency-Key": "old-too"})
    for t, key in ((tenant, "old"), (other_tenant, "old-too")):
        with app.app_context(), tenant_scope(t.id):
            row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == key))
            row.created_at = utcnow() - timedelta(hours=app.config["IDEMPOTENCY_HOURS"], minutes=1)
            db.session.commit()
    with app.app_context():
        assert sweep()["purge_idempotency_keys"] == 2
    with app.app_context(), tenant_scope(tenant.id):
        assert db.session.scalars(select(IdempotencyKey.key)).all() == ["fresh"]
