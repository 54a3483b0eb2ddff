"""Issue 13, e-mails: an HTML part beside the plain text, the meeting's .ics attached, links to pages for people
(never the API), and, without MAIL_URL, each e-mail on the console (logger `mentorship.mail`)."""
import logging
import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.mentorships.models import Mentorship
from mentorship.notifications import mailer
from mentorship.notifications.links import page_url
from mentorship.notifications.models import Notification
from mentorship.notifications.templates import RENDERERS, render
from mentorship.outreach.models import Intro
from mentorship.referrals.models import ReferralRequest
from mentorship.scheduling.models import Meeting
from mentorship.tenancy.scope import tenant_scope
from tests.factories import wait_local_jobs
from tests.pairs import make_pair

URL = re.compile(r"https?://[^\s<>\"']+")


def _parts(message):
    """(content type, part) of every leaf part."""
    return [(part.get_content_type(), part) for part in message.walk() if not part.is_multipart()]


def _book(pair, ms_id, start):
    r = pair.mentee_client.post(f"/api/v1/mentorships/{ms_id}/meetings",
                                json={"duration_minutes": 30, "mode": "video", "start": start.isoformat()})
    assert r.status_code == 201, r.json
    return r.json


def _event(data):
    calendar = Calendar.from_ical(data)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_meeting_emails_are_multipart_with_the_ics_of_the_api(app, admin, tenant, smtp_sink):
    pair = make_pair(app, admin)
    ms_id = pair.mentorship()
    start = (utcnow() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    meeting = _book(pair, ms_id, start)
    wait_local_jobs(app)

    [scheduled] = [m for m in smtp_sink.messages if m["To"] == pair.mentor["email"]
                   and m["Subject"].startswith("Call with")]
    assert scheduled.get_content_type() == "multipart/mixed"
    types = [t for t, _ in _parts(scheduled)]
    assert types == ["text/plain", "text/html", "text/calendar"]
    alternative = scheduled.get_payload()[0]
    assert alternative.get_content_type() == "multipart/alternative"

    text = smtp_sink.text(scheduled)
    html = scheduled.get_body(("html",)).get_content()
    base = f"{app.config['PUBLIC_URL'].rstrip('/')}/t/{tenant.slug}"
    page, ics_url = f"{base}/meetings/{meeting['id']}", f"{base}/meetings/{meeting['id']}/invite.ics"
    assert f"Calendar invite: {ics_url}" in text
    assert f'<a href="{ics_url}"' in html and "/api/" not in text + html
    assert "<img" not in html and "<link" not in html and "<script" not in html.lower()

    calendar_part = _parts(scheduled)[2][1]
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_filename() == f"meeting-{meeting['id']}.ics"
    attached = calendar_part.get_content()
    attached = attached if isinstance(attached, bytes) else attached.encode()
    calendar, event = _event(attached)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"meeting-{tenant.id}-{meeting['id']}@mentorship"
    assert event.decoded("DTSTART") == start and event.decoded("DTEND") == start + timedelta(minutes=30)
    assert str(event["URL"]) == page
    # one home: the API's invite.ics is the same file
    api = pair.mentor_client.get(f"/api/v1/meetings/{meeting['id']}/invite.ics")
    assert api.status_code == 200 and api.data == attached

    assert pair.mentor_client.post(f"/api/v1/meetings/{meeting['id']}/cancel").status_code == 200
    wait_local_jobs(app)
    [cancelled] = [m for m in smtp_sink.messages if m["To"] == pair.mentee["email"]
                   and m["Subject"].endswith("cancelled")]
    calendar_part = [p for t, p in _parts(cancelled) if t == "text/calendar"][0]
    assert calendar_part.get_param("method") == "CANCEL"
    data = calendar_part.get_content()
    calendar, event = _event(data if isinstance(data, bytes) else data.encode())
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"meeting-{tenant.id}-{meeting['id']}@mentorship"
    assert int(event["SEQUENCE"]) > 1


def test_intro_email_text_and_html_agree_and_escape(app, admin, tenant, smtp_sink):
    pair = make_pair(app, admin)
    intro = pair.intro()
    assert intro.status_code == 201, intro.json
    wait_local_jobs(app)
    [received] = [m for m in smtp_sink.messages if m["To"] == pair.mentor["email"]]
    assert [t for t, _ in _parts(received)] == ["text/plain", "text/html"]
    text, html = smtp_sink.text(received), received.get_body(("html",)).get_content()
    link = f"{app.config['PUBLIC_URL'].rstrip('/')}/t/{tenant.slug}/intros/{intro.json['id']}"
    assert text.rstrip().endswith(f"Accept or decline: {link}")
    assert f'<a href="{link}" style=' in html
    # the same words, paragraph by paragraph
    words = [p.split(",")[0] for p in text.split("\n\n") if p.strip()]
    assert all(word.replace("'", "&#39;") in html for word in words)


def test_html_part_escapes_what_members_write_and_links_only_our_pages(app):
    with app.test_request_context():
        public = app.config["PUBLIC_URL"].rstrip("/")
        text = (f"Hi <b>Ana</b> & co,\n\n<script>alert(1)</script> see http://evil.example/x\nand "
                f"{public}/t/acme/intros/7.\n\nBye")
        html = mailer.html("Subject <i>", text)
    assert "<b>" not in html and "&lt;b&gt;Ana&lt;/b&gt; &amp; co" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<title>Subject &lt;i&gt;</title>" in html
    assert 'href="http://evil' not in html and "http://evil.example/x" in html
    assert f'<a href="{public}/t/acme/intros/7" style=' in html and "intros/7</a>." in html
    assert html.count("<p ") == 3 and "<br>" in html


@pytest.fixture
def every_object(app, admin, tenant):
    """A real pair of members and one (unsaved) object of each kind notifications are about."""
    pair = make_pair(app, admin)
    now = utcnow()
    common = dict(tenant_id=tenant.id, mentee_id=pair.mentee["id"], mentor_id=pair.mentor["id"])
    start = now + timedelta(days=2)
    return pair, {
        "intros": Intro(id=11, message="Hello <there>, I read your post.", **common),
        "mentorships": Mentorship(id=12, **common),
        "meetings": Meeting(id=13, mentorship_id=12, status="scheduled", mode="video", duration_minutes=30,
                            start=start, end=start + timedelta(minutes=30), sequence=1, created_at=now,
                            scheduled_at=now, proposed_slots=[], **common),
        "referral_requests": ReferralRequest(id=14, mentorship_id=12, **common),
    }


def test_every_template_links_only_to_pages_never_the_api(app, tenant, every_object):
    pair, objects = every_object
    expected = {"intros": "/intros/11", "mentorships": "/mentorships/12", "meetings": "/meetings/13",
                "referral_requests": "/mentorships/12#referral"}
    base = f"{app.config['PUBLIC_URL'].rstrip('/')}/t/{tenant.slug}"
    data = {"suggested": [pair.mentor["id"]], "reason": "completed", "milestone": "first meeting",
            "job_title": "Analyst", "company": "Acme", "decision": "referred"}
    with app.test_request_context(), tenant_scope(tenant.id):
        members = {m.id: m for m in db.session.scalars(select(Member).where(
            Member.id.in_([pair.mentee["id"], pair.mentor["id"]])))}
        rendered = 0
        for event in RENDERERS:
            if event in ("member.signin_link", "office.weekly_digest"):  # their own objects and pages:
                continue  # tests/web/test_signin.py, and test_the_office_digest_links_only_to_the_dashboard
            table = {"intro": "intros", "meeting": "meetings", "referral": "referral_requests"}.get(
                event.partition(".")[0], "mentorships")
            for recipient in members.values():
                row = Notification(event=event, data=data)
                email = render(row, recipient, objects[table])
                assert email is not None, event
                html = mailer.html(email.subject, email.text)
                for part in (email.text, html):
                    assert "/api/" not in part, (event, part)
                    for url in URL.findall(part):
                        url = url.rstrip(".,;:)")
                        assert url == f"{base}/me" or url == f"{base}{expected[table]}" or \
                            url == f"{base}/meetings/13/invite.ics" or \
                            url == f"{base}/mentors/{pair.mentor['id']}" and event in ("intro.declined",
                                                                                     "intro.expired"), (event, url)
                if event in ("meeting.scheduled", "meeting.reminder_24h", "meeting.reminder_1h",
                             "meeting.cancelled"):
                    [attachment] = email.attachments
                    assert attachment.content_type == "text/calendar" and attachment.params == {"method": "REQUEST"}
                rendered += 1
    assert rendered == 2 * (len(RENDERERS) - 2)


def test_the_office_digest_links_only_to_the_dashboard(app, tenant):
    from mentorship.tenancy.models import Tenant

    data = {"from": "2026-06-01T00:00:00+00:00", "through": "2026-06-07T00:00:00+00:00", "funnel": {},
            "at_risk": []}
    with app.test_request_context(), tenant_scope(tenant.id):
        email = render(Notification(event="office.weekly_digest", data=data), None, db.session.get(Tenant, tenant.id))
    base = f"{app.config['PUBLIC_URL'].rstrip('/')}/t/{tenant.slug}"
    assert [url.rstrip(".,;:)") for url in URL.findall(email.text)] == [f"{base}/office"]


def test_page_url_builds_each_kind(app, tenant, every_object):
    pair, objects = every_object
    base = f"{app.config['PUBLIC_URL'].rstrip('/')}/t/{tenant.slug}"
    with app.test_request_context(), tenant_scope(tenant.id):
        mentee = db.session.get(Member, pair.mentee["id"])
        assert page_url(mentee) == f"{base}/me"
        assert page_url(mentee, objects["intros"]) == f"{base}/intros/11"
        assert page_url(mentee, objects["mentorships"]) == f"{base}/mentorships/12"
        assert page_url(mentee, objects["meetings"]) == f"{base}/meetings/13"
        assert page_url(mentee, objects["meetings"], calendar=True) == f"{base}/meetings/13/invite.ics"
        assert page_url(mentee, objects["referral_requests"]) == f"{base}/mentorships/12#referral"
        with pytest.raises(ValueError):
            page_url(mentee, objects["intros"], calendar=True)


def test_without_mail_url_each_email_is_logged_whole_and_marked_sent(app, admin, tenant, caplog, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_URL", "")
    caplog.set_level(logging.INFO, logger="mentorship.mail")
    pair = make_pair(app, admin)
    intro = pair.intro()
    assert intro.status_code == 201, intro.json
    wait_local_jobs(app)
    logged = [r.getMessage() for r in caplog.records if r.name == "mentorship.mail"]
    [message] = [m for m in logged if pair.mentor["email"] in m]
    assert f"To: {pair.mentor['email']}" in message
    assert f"Subject: {pair.mentee['name']} would like to connect" in message
    assert intro.json["message"] in message.replace("\n", " ") or intro.json["message"][:60] in message
    assert f"/t/{tenant.slug}/intros/{intro.json['id']}" in message
    # readable in the API too: sent, with the subject as sent
    rows = admin.get(f"/api/v1/notifications?member_id={pair.mentor['id']}").json["items"]
    [row] = [n for n in rows if n["event"] == "intro.received"]
    assert row["status"] == "sent" and row["subject"] == f"{pair.mentee['name']} would like to connect"
