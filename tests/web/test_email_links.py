"""Issue 13, acceptance 4: every link in every e-mail template resolves to a page that answers 200 for its
recipient. Each template is rendered for both members of a real pair (every object made through the API) and each
link in its text is followed with that member's session (the sign-in link: tests/web/test_signin.py)."""
import re
from datetime import timedelta
from urllib.parse import urlparse

from sqlalchemy import select

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.mentorships.models import Mentorship
from mentorship.notifications.models import Notification
from mentorship.notifications.templates import RENDERERS, render
from mentorship.outreach.models import Intro
from mentorship.referrals.models import ReferralRequest
from mentorship.scheduling.models import Meeting
from mentorship.tenancy.scope import tenant_scope
from tests.factories import mentor_payload
from tests.pairs import make_pair
from tests.web.helpers import signed_in

URL = re.compile(r"https?://[^\s<>\"']+")
TABLES = {"intro": Intro, "meeting": Meeting, "referral": ReferralRequest}
# sent to the mentee only (with the mentors suggested now, each linked to their card and the composer)
TO_THE_MENTEE = {"intro.declined", "intro.expired"}


def _real_objects(pair, admin):
    """An accepted intro, its mentorship, a meeting booked for later, and a referral request (the policy relaxed so
    that it may be asked at once), all through the API."""
    ms = pair.mentorship()
    start = (utcnow() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    meeting = pair.mentee_client.post(f"/api/v1/mentorships/{ms}/meetings",
                                      json={"duration_minutes": 30, "mode": "video", "start": start.isoformat()})
    assert meeting.status_code == 201, meeting.json
    assert admin.patch("/api/v1/tenant/policy", json={"referral_requires": [], "min_weeks": 0,
                                                        "min_meetings": 0}).status_code == 200
    referral = pair.mentee_client.post(f"/api/v1/mentorships/{ms}/referral-requests",
                                       json={"company": "Acme", "job_title": "Analyst"})
    assert referral.status_code == 201, referral.json
    intro = pair.mentee_client.get(f"/api/v1/intros?mentee_id={pair.mentee['id']}").json["items"][0]["id"]
    return {Intro: intro, Mentorship: ms, Meeting: meeting.json["id"], ReferralRequest: referral.json["id"]}


def test_every_link_of_every_email_answers_200_for_its_recipient(app, admin, tenant):
    pair = make_pair(app, admin)
    ids = _real_objects(pair, admin)
    another = admin.post("/api/v1/members", json=mentor_payload())  # recommended to the mentee now
    assert another.status_code == 201
    data = {"suggested": [another.json["id"]], "reason": "goals met", "milestone": "career plan shared",
            "job_title": "Analyst", "company": "Acme", "decision": "approved"}
    links = []  # (recipient email, event, url)
    with app.test_request_context(), tenant_scope(tenant.id):
        for event in RENDERERS:
            if event in ("member.signin_link", "office.weekly_digest"):  # the digest: tests/reports/
                continue
            model = TABLES.get(event.partition(".")[0], Mentorship)
            obj = db.session.get(model, ids[model])
            for member_id in (pair.mentee["id"],) if event in TO_THE_MENTEE else (pair.mentee["id"], pair.mentor["id"]):
                recipient = db.session.scalar(select(Member).where(Member.id == member_id))
                email = render(Notification(event=event, data=data), recipient, obj)
                assert email is not None, event
                links += [(recipient.email, event, url.rstrip(".,;:)")) for url in URL.findall(email.text)]
    sessions = {email: signed_in(app, tenant.slug, email) for email in (pair.mentee["email"], pair.mentor["email"])}
    kinds = set()
    for email, event, url in links:
        path = urlparse(url).path
        r = sessions[email].get(path)
        assert r.status_code == 200, (event, email, url, r.status_code)
        kinds.add(re.sub(r"/\d+", "/<id>", path.removeprefix(f"/t/{tenant.slug}")))
    assert kinds == {"/me", "/intros/<id>", "/mentorships/<id>", "/meetings/<id>", "/meetings/<id>/invite.ics",
                     "/mentors/<id>"}
