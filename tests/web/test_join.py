"""Joining from an invite: the form, its CSRF check, single use, and the member's page."""
from sqlalchemy import func, select

from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.tenancy.scope import unscoped
from tests.web.helpers import csrf_from, invite_path, join, join_form


def _members(app):
    with app.app_context(), unscoped():
        return db.session.scalar(select(func.count()).select_from(Member))


def test_join_creates_the_member_signs_in_and_shows_the_gaps(app, admin, tenant):
    client = app.test_client()
    path = invite_path(admin)
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<label for="timezone">' in html and '<label for="name">' in html
    r = join(client, path)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/t/{tenant.slug}/me")
    me = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Ada Lovelace" in me and "Profile score" in me
    assert "there is no photo yet" in me  # a gap in plain words (coach/wording.py)
    assert "Sign out" in me


def test_errors_are_shown_next_to_their_fields_and_nothing_is_created(app, admin):
    client = app.test_client()
    path = invite_path(admin)
    before = _members(app)
    r = join(client, path, email="not an address", domains="Not A Domain", timezone="")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    for field in ("email", "domains", "timezone"):
        assert f'id="{field}-error"' in html
    assert _members(app) == before
    assert join(client, path).status_code == 302  # the invite was not used up by the failed attempt


def test_an_invite_bound_to_an_email_joins_with_that_address_only(app, admin):
    client = app.test_client()
    path = invite_path(admin, email="Bound@Example.edu")
    assert "bound@example.edu" in client.get(path).get_data(as_text=True)
    assert join(client, path, email="someone@else.edu").status_code == 302
    with app.app_context(), unscoped():
        assert db.session.scalar(select(Member.email).order_by(Member.id.desc()).limit(1)) == "bound@example.edu"


def test_a_mentor_invite_asks_mentor_questions(app, admin):
    client = app.test_client()
    r = admin.post("/api/v1/invites", json={"role": "mentor"})
    path = "/" + r.json["url"].split("/", 3)[3]
    html = client.get(path).get_data(as_text=True)
    assert 'name="company"' in html and 'name="capacity"' in html
    assert join(client, path, company="Example Bank", title="Analyst", capacity="2").status_code == 302


def test_a_used_invite_is_refused(app, admin):
    path = invite_path(admin)
    assert join(app.test_client(), path).status_code == 302
    other = app.test_client()
    assert other.get(path).status_code == 410
    before = _members(app)
    r = other.post(path, data={**join_form(email="second@example.edu"), "csrf_token": csrf_from(
        other.get("/t/" + path.split("/")[2] + "/signin"))})
    assert r.status_code == 410
    assert _members(app) == before


def test_an_expired_invite_is_refused(app, admin):
    from datetime import timedelta

    from mentorship.common.clock import utcnow
    from mentorship.web.models import Invite

    path = invite_path(admin)
    with app.app_context(), unscoped():
        db.session.execute(Invite.__table__.update().values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert app.test_client().get(path).status_code == 410


def test_another_tenants_invite_is_not_found(app, admin, other_tenant):
    path = invite_path(admin)
    elsewhere = path.replace(path.split("/")[2], other_tenant.slug)
    assert app.test_client().get(elsewhere).status_code == 404
    assert app.test_client().get("/t/no-such-tenant/signin").status_code == 404


def test_join_without_or_with_a_wrong_csrf_token_is_refused(app, admin):
    client = app.test_client()
    path = invite_path(admin)
    client.get(path)
    before = _members(app)
    assert client.post(path, data=join_form()).status_code == 400
    assert client.post(path, data={**join_form(), "csrf_token": "forged"}).status_code == 400
    assert _members(app) == before
    assert join(client, path).status_code == 302


def test_an_introduction_typed_on_several_lines_is_accepted(app, admin):
    """A textarea posts CR LF line ends; the schema takes LF only, so the form turns one into the other."""
    client = app.test_client()
    assert join(client, invite_path(admin), bio="First line.\r\nSecond line.").status_code == 302
    with app.app_context(), unscoped():
        assert db.session.scalar(select(Member.bio).order_by(Member.id.desc()).limit(1)) == "First line.\nSecond line."
