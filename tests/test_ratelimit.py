import pytest

from mentorship.extensions import limiter


@pytest.fixture
def strict_limits(app):
    default = app.config["RATELIMIT_DEFAULT"]
    app.config["RATELIMIT_DEFAULT"] = "3 per minute"
    limiter.reset()
    yield
    limiter.reset()
    app.config["RATELIMIT_DEFAULT"] = default


def test_limit_is_per_credential_with_retry_after(app, admin, strict_limits):
    for _ in range(3):
        ok = admin.get("/api/v1/tenant")
        assert ok.status_code == 200
        assert "Retry-After" not in ok.headers and "X-RateLimit-Remaining" in ok.headers
    r = admin.get("/api/v1/tenant")
    assert r.status_code == 429
    assert r.mimetype == "application/problem+json"
    assert r.json["code"] == "rate_limited"
    assert int(r.headers["Retry-After"]) > 0


def test_another_credential_has_its_own_budget(app, admin, other_admin, strict_limits):
    for _ in range(3):
        admin.get("/api/v1/tenant")
    assert admin.get("/api/v1/tenant").status_code == 429
    assert other_admin.get("/api/v1/tenant").status_code == 200


def test_operations_endpoints_are_not_limited(client, strict_limits):
    assert all(client.get("/healthz").status_code == 200 for _ in range(6))


def test_one_budget_per_credential_across_endpoints(app, admin, strict_limits):
    """SPEC §2: the limit is per credential, not per endpoint."""
    assert admin.get("/api/v1/tenant").status_code == 200
    assert admin.get("/api/v1/members").status_code == 200
    last = admin.get("/api/v1/tenant/policy")
    assert last.status_code == 200 and last.headers["X-RateLimit-Remaining"] == "0"
    refused = admin.get("/api/v1/members")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Limit"] == "3" and refused.headers["X-RateLimit-Remaining"] == "0"


def test_redis_unreachable_counts_in_this_process(app, admin, strict_limits, monkeypatch):
    """A dead rate-limit store fails no request: the budget is counted here until it answers again."""
    from limits.storage import storage_from_string

    from mentorship.common import ratelimit
    from mentorship.common.ratelimit_storage import LocalStorage, one_trip_uri

    dead = storage_from_string(one_trip_uri("redis://127.0.0.1:1/0"), socket_connect_timeout=0.2)
    monkeypatch.setattr(limiter, "storage", dead)
    monkeypatch.setattr(limiter, "fallback", LocalStorage())
    monkeypatch.setattr(limiter, "_failures", 0)
    answers = [admin.get("/api/v1/tenant").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert limiter._failures == 1  # tried once, then left alone for RETRY_BACKOFF[0] seconds
    assert ratelimit.RETRY_BACKOFF[0] >= 1
