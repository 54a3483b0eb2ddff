"""Driving the pages with Flask's test client: CSRF tokens from the forms, invites and sign-in links."""
import re
from urllib.parse import urlparse

from sqlalchemy import select

from mentorship.extensions import db
from mentorship.notifications.models import Notification
from mentorship.tenancy.scope import unscoped

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(response):
    match = CSRF.search(response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


def invite_path(admin, **body):
    r = admin.post("/api/v1/invites", json={"role": "mentee", **body})
    assert r.status_code == 201, r.json
    return urlparse(r.json["url"]).path


def join_form(**overrides):
    form = {"name": "Ada Lovelace", "email": "ada@example.edu", "headline": "Analytics student",
            "bio": "I like numbers.", "timezone": "Europe/London", "domains": "finance/credit-risk",
            "goals": ["career-plan"], "languages": ["en"]}
    form.update(overrides)
    return form


def join(client, path, **overrides):
    """GET the join page, POST the form with its CSRF token; returns the POST's response."""
    token = csrf_from(client.get(path))
    return client.post(path, data={**join_form(**overrides), "csrf_token": token})


def signin_links_sent(app, member_email):
    """The sign-in URLs written for this address (from the outbox rows, rendered as the e-mail would be)."""
    from mentorship.members.models import Member
    from mentorship.notifications.templates import render

    with app.app_context(), unscoped():
        rows = db.session.scalars(select(Notification).where(Notification.event == "member.signin_link")
                                  .order_by(Notification.id)).all()
        urls = []
        for row in rows:
            member = db.session.get(Member, row.member_id)
            if member.email != member_email:
                continue
            from mentorship.web.models import SignInLink

            rendered = render(row, member, db.session.get(SignInLink, row.object_id))
            if rendered:
                urls.append(urlparse(re.search(r"https?://\S+", rendered.text).group(0)).path)
        return urls


def signed_in(app, slug, email):
    """A test client signed in as the member of tenant `slug` with this address, by the e-mailed link."""
    client = app.test_client()
    page = client.get(f"/t/{slug}/signin")
    client.post(f"/t/{slug}/signin", data={"email": email, "csrf_token": csrf_from(page)})
    path = signin_links_sent(app, email)[-1]
    r = client.post(path, data={"csrf_token": csrf_from(client.get(path))})
    assert r.status_code == 302, r.status_code
    return client


def post_form(client, page_path, action_path, **fields):
    """POST `fields` to `action_path` with the CSRF token of the page at `page_path` (as a browser would)."""
    token = csrf_from(client.get(page_path))
    return client.post(action_path, data={**fields, "csrf_token": token})
