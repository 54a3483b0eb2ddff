"""Signing in by an e-mailed single-use link, signing out, and what a session may see."""
from datetime import timedelta

from sqlalchemy import func, select

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.tenancy.scope import unscoped
from mentorship.web.models import SignInLink
from tests.factories import make_member, mentee_payload
from tests.web.helpers import csrf_from, invite_path, join, signin_links_sent

SAME_ANSWER = "If you are a member, a link is on its way."


def _ask_link(client, slug, email):
    page = client.get(f"/t/{slug}/signin")
    return client.post(f"/t/{slug}/signin", data={"email": email, "csrf_token": csrf_from(page)})


def _links(app):
    with app.app_context(), unscoped():
        return db.session.scalar(select(func.count()).select_from(SignInLink))


def _member(app, tenant, email):
    make_member(app, tenant, **{k: v for k, v in mentee_payload(email=email).items() if k != "role"})


def _signed_in(app, tenant, email="sam@example.edu"):
    _member(app, tenant, email)
    client = app.test_client()
    _ask_link(client, tenant.slug, email)
    [path] = signin_links_sent(app, email)
    client.post(path, data={"csrf_token": csrf_from(client.get(path))})
    return client


def test_the_same_answer_for_members_and_strangers_and_a_link_only_for_members(app, tenant):
    _member(app, tenant, "sam@example.edu")
    client = app.test_client()
    for email in ("sam@example.edu", "stranger@example.edu"):
        r = _ask_link(client, tenant.slug, email)
        assert r.status_code == 200 and SAME_ANSWER in r.get_data(as_text=True)
    assert _links(app) == 1
    assert len(signin_links_sent(app, "sam@example.edu")) == 1


def test_a_link_signs_in_after_a_confirm_button_once(app, tenant):
    _member(app, tenant, "sam@example.edu")
    client = app.test_client()
    _ask_link(client, tenant.slug, "sam@example.edu")
    [path] = signin_links_sent(app, "sam@example.edu")
    assert path.startswith(f"/t/{tenant.slug}/signin/")
    confirm = client.get(path)  # a link scanner's GET uses nothing up
    assert confirm.status_code == 200 and client.get(path).status_code == 200
    r = client.post(path, data={"csrf_token": csrf_from(confirm)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/me")
    assert "Profile score" in client.get(f"/t/{tenant.slug}/me").get_data(as_text=True)
    again = app.test_client()
    assert again.get(path).status_code == 410
    token = csrf_from(again.get(f"/t/{tenant.slug}/signin"))
    assert again.post(path, data={"csrf_token": token}).status_code == 410
    assert again.get(f"/t/{tenant.slug}/me").status_code == 302  # not signed in


def test_an_expired_link_is_refused(app, tenant):
    _member(app, tenant, "sam@example.edu")
    client = app.test_client()
    _ask_link(client, tenant.slug, "sam@example.edu")
    [path] = signin_links_sent(app, "sam@example.edu")
    confirm = client.get(path)
    with app.app_context(), unscoped():
        db.session.execute(SignInLink.__table__.update().values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.get(path).status_code == 410
    assert client.post(path, data={"csrf_token": csrf_from(confirm)}).status_code == 410
    assert client.get(f"/t/{tenant.slug}/me").status_code == 302


def test_csrf_is_required_to_ask_for_a_link_to_use_one_and_to_sign_out(app, tenant):
    _member(app, tenant, "sam@example.edu")
    client = app.test_client()
    client.get(f"/t/{tenant.slug}/signin")
    for data in ({"email": "sam@example.edu"}, {"email": "sam@example.edu", "csrf_token": "forged"}):
        assert client.post(f"/t/{tenant.slug}/signin", data=data).status_code == 400
    assert _links(app) == 0
    _ask_link(client, tenant.slug, "sam@example.edu")
    [path] = signin_links_sent(app, "sam@example.edu")
    assert client.post(path).status_code == 400
    assert client.post(path, data={"csrf_token": "forged"}).status_code == 400
    assert client.get(f"/t/{tenant.slug}/me").status_code == 302  # the link was not used
    client.post(path, data={"csrf_token": csrf_from(client.get(path))})
    assert client.post(f"/t/{tenant.slug}/signout").status_code == 400
    assert client.get(f"/t/{tenant.slug}/me").status_code == 200  # still signed in
    me = client.get(f"/t/{tenant.slug}/me")
    r = client.post(f"/t/{tenant.slug}/signout", data={"csrf_token": csrf_from(me)})
    assert r.status_code == 302
    assert client.get(f"/t/{tenant.slug}/me").status_code == 302


def test_a_session_of_another_tenant_sees_nothing_here(app, tenant, other_tenant):
    client = _signed_in(app, other_tenant)
    assert client.get(f"/t/{other_tenant.slug}/me").status_code == 200
    assert client.get(f"/t/{tenant.slug}/me").status_code == 404
    assert "sam@example.edu" not in client.get(f"/t/{tenant.slug}/").get_data(as_text=True)


def test_a_link_of_another_tenant_is_not_found_here(app, tenant, other_tenant):
    _member(app, other_tenant, "sam@example.edu")
    client = app.test_client()
    _ask_link(client, other_tenant.slug, "sam@example.edu")
    [path] = signin_links_sent(app, "sam@example.edu")
    assert client.get(path.replace(other_tenant.slug, tenant.slug)).status_code == 404


def test_an_erased_members_session_stops_working(app, admin, tenant):
    client = app.test_client()
    assert join(client, invite_path(admin), email="gone@example.edu").status_code == 302
    assert client.get(f"/t/{tenant.slug}/me").status_code == 200
    [member_id] = [m["id"] for m in admin.get("/api/v1/members").json["items"] if m["email"] == "gone@example.edu"]
    _ask_link(app.test_client(), tenant.slug, "gone@example.edu")
    assert _links(app) == 1
    assert admin.delete(f"/api/v1/members/{member_id}").status_code == 204
    assert client.get(f"/t/{tenant.slug}/me").status_code == 302
    assert _links(app) == 0  # erasure removes the member's sign-in links (web/privacy.py)


def test_the_link_arrives_by_e_mail_and_signs_in(app, tenant, smtp_sink):
    import re

    from tests.factories import wait_local_jobs

    _member(app, tenant, "mail@example.edu")
    client = app.test_client()
    _ask_link(client, tenant.slug, "mail@example.edu")
    wait_local_jobs(app)
    [message] = [m for m in smtp_sink.messages if m["To"] == "mail@example.edu"]
    body = smtp_sink.text(message)
    path = re.search(rf"/t/{tenant.slug}/signin/\S+", body).group(0)
    r = client.post(path, data={"csrf_token": csrf_from(client.get(path))})
    assert r.status_code == 302 and client.get(f"/t/{tenant.slug}/me").status_code == 200


def test_one_link_a_minute_per_member_and_addresses_are_normalised(app, tenant):
    _member(app, tenant, "sam@example.edu")
    client = app.test_client()
    for typed in (" Sam@Example.edu ", "sam@example.edu", "not an address"):
        assert SAME_ANSWER in _ask_link(client, tenant.slug, typed).get_data(as_text=True)
    assert _links(app) == 1
