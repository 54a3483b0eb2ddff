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
