import time

from mentorship.common.ratelimit_storage import LocalStorage
from tests.factories import sql_statements


def _statements(app, fn):
    with sql_statements(app) as seen:
        fn()
    return seen


def test_credential_and_policy_lookups_are_cached_between_requests(app, admin, tenant):
    admin.get("/api/v1/tenant/policy")
    again = _statements(app, lambda: admin.get("/api/v1/members"))
    assert not any("FROM api_keys" in s for s in again)
    assert not any("FROM tenants" in s for s in again)


def test_revocation_in_this_process_takes_effect_at_once(app, admin):
    from tests.factories import ApiClient

    body = admin.post("/api/v1/api-keys", json={"name": "p", "kind": "partner"}).json
    partner = ApiClient(app.test_client(), body["secret"])
    assert partner.get("/api/v1/members").status_code == 200  # cached now
    admin.delete(f"/api/v1/api-keys/{body['id']}")
    assert partner.get("/api/v1/members").status_code == 401


def test_policy_change_is_seen_at_once(admin):
    admin.get("/api/v1/tenant/policy")
    admin.patch("/api/v1/tenant/policy", json={"min_weeks": 9})
    assert admin.get("/api/v1/tenant/policy").json["min_weeks"] == 9


def test_local_limiter_storage_counts_and_expires():
    storage = LocalStorage()
    assert storage.incr("k", expiry=1) == 1
    assert storage.incr("k", expiry=1) == 2
    assert storage.get("k") == 2
    assert storage.get_expiry("k") > time.time()
    storage._counters["k"][1] = time.time() - 1  # the window has passed
    assert storage.get("k") == 0
    assert storage.incr("k", expiry=1) == 1
    storage.clear("k")
    assert storage.get("k") == 0
    assert storage.reset() == 0
