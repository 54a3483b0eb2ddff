from tests.factories import mentee_payload, mentor_payload


def test_create_and_read_member_with_profile(admin):
    r = admin.post("/api/v1/members", json=mentee_payload(email="Wei@Example.edu"))
    assert r.status_code == 201, r.json
    body = r.json
    assert body["email"] == "wei@example.edu"
    assert body["profile"] == {"score": 100, "ready": True, "gaps": []}
    got = admin.get(f"/api/v1/members/{body['id']}")
    assert got.status_code == 200
    assert got.json["domains"] == ["finance/credit-risk"]
    assert got.json["created_at"].endswith("+00:00")


def test_duplicate_email_is_409(admin):
    assert admin.post("/api/v1/members", json=mentee_payload(email="a@example.edu")).status_code == 201
    r = admin.post("/api/v1/members", json=mentor_payload(email="A@example.edu"))
    assert r.status_code == 409
    assert r.json["code"] == "email_taken"
    assert r.mimetype == "application/problem+json"


def test_weak_profile_gaps(admin):
    r = admin.post("/api/v1/members", json=mentee_payload(
        bio="Courses: FIN 6301, CS 101, STAT-2110, ECON 4410, MATH 2030.", photo_url=None))
    profile = r.json["profile"]
    assert not profile["ready"]
    assert {"photo_missing", "bio_lists_courses", "bio_too_short"} <= set(profile["gaps"])


def test_list_filters(admin):
    admin.post("/api/v1/members", json=mentor_payload(name="Ada Risk", domains=["finance/market-risk"]))
    admin.post("/api/v1/members", json=mentor_payload(name="Bo Code", domains=["software/backend"], company="Acme"))
    admin.post("/api/v1/members", json=mentee_payload(name="Cy Fin", domains=["finance"]))
    names = lambda r: sorted(i["name"] for i in r.json["items"])  # noqa: E731
    assert names(admin.get("/api/v1/members?domain=finance")) == ["Ada Risk", "Cy Fin"]
    assert names(admin.get("/api/v1/members?domain=finance&role=mentor")) == ["Ada Risk"]
    assert names(admin.get("/api/v1/members?q=acme")) == ["Bo Code"]
    assert names(admin.get("/api/v1/members?q=100%25")) == []
    page = admin.get("/api/v1/members?per_page=2&page=2").json
    assert (page["page"], page["per_page"], page["total"], len(page["items"])) == (2, 2, 3, 1)
    assert admin.get("/api/v1/members?per_page=1000").status_code == 422
    assert admin.get("/api/v1/members?page=0").status_code == 422
