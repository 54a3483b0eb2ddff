"""`flask demo seed` / seed_demo: idempotent demo tenant, realistic members, and a fresh admin key every run."""
import itertools
import json

from sqlalchemy import func, select

from mentorship.demo import DEMO_KEY_NAME, MENTEES, MENTORS, TENANT_NAME, seed_demo
from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.tenancy.scope import tenant_scope
from tests.factories import ApiClient

_n = itertools.count(1)


def _slug(name):
    return f"demo-{name}-{next(_n)}"


def _seed(app, slug):
    with app.app_context():
        tenant, secret, counts = seed_demo(slug)
        return {"id": tenant.id, "slug": tenant.slug, "name": tenant.name}, secret, counts


def _member_count(app, tenant_id):
    with app.app_context(), tenant_scope(tenant_id):
        return db.session.scalar(select(func.count()).select_from(Member))


def test_seeding_twice_keeps_one_tenant_and_the_same_members(app):
    slug = _slug("twice")
    first, _, counts = _seed(app, slug)
    assert first["slug"] == slug and first["name"] == TENANT_NAME
    assert counts == {"mentees": len(MENTEES), "mentors": len(MENTORS)}
    assert _member_count(app, first["id"]) == len(MENTEES) + len(MENTORS)

    again, _, counts_again = _seed(app, slug)
    assert again["id"] == first["id"]
    assert counts_again == counts
    assert _member_count(app, first["id"]) == len(MENTEES) + len(MENTORS)


def test_printed_key_lists_the_members(app, client):
    _, secret, _ = _seed(app, _slug("key"))
    r = ApiClient(client, secret).get("/api/v1/members?per_page=100")
    assert r.status_code == 200
    assert r.json["total"] == len(MENTEES) + len(MENTORS)
    assert {m["email"] for m in r.json["items"]} == {p["email"] for p in MENTEES + MENTORS}


def test_previous_key_stops_working_and_one_admin_key_stays_active(app, client):
    slug = _slug("rotate")
    _, old, _ = _seed(app, slug)
    _, new, _ = _seed(app, slug)
    assert old != new
    assert ApiClient(client, old).get("/api/v1/members").status_code == 401
    keys = ApiClient(client, new).get("/api/v1/api-keys")
    assert keys.status_code == 200
    active = [k for k in keys.json["items"] if k["revoked_at"] is None]
    # the new tenant's "initial admin key" was never printed, so it is revoked too
    assert [(k["name"], k["kind"]) for k in active] == [(DEMO_KEY_NAME, "admin")]


def test_reseeding_restores_an_edited_demo_member_and_keeps_other_members(app, client):
    slug = _slug("restore")
    _, secret, _ = _seed(app, slug)
    admin = ApiClient(client, secret)
    priya = admin.get("/api/v1/members?q=Priya").json["items"][0]
    assert admin.patch(f"/api/v1/members/{priya['id']}", json={"capacity": 0}).status_code == 200
    extra = admin.post("/api/v1/members", json={"role": "mentee", "name": "Walk Through",
                                                "email": "walk@example.edu", "timezone": "UTC"})
    assert extra.status_code == 201

    _, secret, counts = _seed(app, slug)
    admin = ApiClient(client, secret)
    assert admin.get(f"/api/v1/members/{priya['id']}").json["capacity"] == 3
    assert counts == {"mentees": len(MENTEES) + 1, "mentors": len(MENTORS)}


def test_profiles_are_ready_except_the_weak_one(app, client):
    _, secret, _ = _seed(app, _slug("profiles"))
    items = ApiClient(client, secret).get("/api/v1/members?per_page=100").json["items"]
    weak = [m for m in items if not m["profile"]["ready"]]
    assert [m["name"] for m in weak] == ["Ji-ho Park"]
    assert {"bio_lists_courses", "photo_missing"} <= set(weak[0]["profile"]["gaps"])
    for member in items:
        if member is weak[0]:
            continue
        assert member["profile"]["gaps"] == [], member["name"]
        assert len(member["bio"]) >= 150 and member["photo_url"].startswith("https://")
    mentors = [m for m in items if m["role"] == "mentor"]
    assert all(m["company"] and m["title"] and m["years_experience"] and m["capacity"] for m in mentors)
    assert any(m["company_sponsors_visa"] for m in mentors) and not all(m["company_sponsors_visa"] for m in mentors)


def test_cli_prints_the_seed_as_json(app, client):
    slug = _slug("cli")
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--slug", slug])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output.strip().splitlines()[-1])
    assert out["tenant"]["slug"] == slug
    assert out["members"] == {"mentees": len(MENTEES), "mentors": len(MENTORS)}
    assert ApiClient(client, out["api_key"]).get("/api/v1/tenant").json["slug"] == slug
