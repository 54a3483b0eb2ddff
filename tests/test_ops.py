def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json == {"status": "ok"}


def test_readyz_checks_database(client):
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json["checks"]["database"] == "ok"


def test_readyz_503_when_redis_is_unreachable(app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    try:
        r = app.test_client().get("/readyz")
    finally:
        app.config["REDIS_URL"] = None
    assert r.status_code == 503
    assert r.json["checks"]["redis"].startswith("error")


def test_metrics_count_requests_by_endpoint(client, admin):
    admin.get("/api/v1/members")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'mentorship_http_requests_total{endpoint="/api/v1/members",method="GET",status="200"}' in text
    assert "mentorship_http_request_seconds_bucket" in text


def test_openapi_and_offline_docs(client):
    doc = client.get("/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/members" in doc["paths"]
    page = client.get("/docs").get_data(as_text=True)
    assert "/docs/assets/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        with client.get(f"/docs/assets/{asset}") as r:
            assert r.status_code == 200
