"""What each notification says: rendered at send time from current data, so the outbox holds no personal text.

Every link goes to a page for people (links.page_url), never to the API; meeting e-mails with a time carry the
meeting's `.ics`. The HTML part is made from this text by the mailer.
"""
from dataclasses import dataclass, field
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar
from sqlalchemy import select

from mentorship import events
from mentorship.common.clock import utcnow
from mentorship.common.sealing import unseal
from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.notifications.links import office_url, page_url
from mentorship.tenancy.models import Tenant


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "maintype/subtype"
    data: bytes
    params: dict = field(default_factory=dict)  # extra Content-Type parameters (method=REQUEST)


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    attachments: tuple[Attachment, ...] = ()


@dataclass
class Context:
    recipient: Member
    obj: object
    data: dict
    members: dict = field(default_factory=dict)  # read once per e-mail (the subject and the text both name them)
    slug: str | None = None  # the tenant's; read when first needed

    def member(self, member_id):
        if member_id not in self.members:
            self.members[member_id] = db.session.scalar(select(Member).where(Member.id == member_id))
        return self.members[member_id]

    def other(self):
        """The other party of the intro, mentorship, meeting or referral request."""
        ids = {self.obj.mentee_id, self.obj.mentor_id} - {self.recipient.id}
        other = self.member(ids.pop()) if ids else None
        return other.name if other is not None and other.erased_at is None else "your match"

    def local(self, when):
        return when.astimezone(ZoneInfo(self.recipient.timezone)).strftime("%A %d %B %Y, %H:%M (%Z)")

    def page(self, calendar=False):
        """The page of this notification's object for its recipient (or the meeting's calendar file)."""
        return page_url(self.recipient, self.obj, calendar=calendar, slug=self.tenant_slug())

    def home(self):
        return page_url(self.recipient, slug=self.tenant_slug())

    def tenant_slug(self):
        if self.slug is None:
            self.slug = db.session.scalar(select(Tenant.slug).where(Tenant.id == self.recipient.tenant_id))
        return self.slug


def calendar_attachment(meeting):
    """The meeting's `.ics` (METHOD:REQUEST, or CANCEL once cancelled), as the API's invite.ics answers it."""
    data = next((value for _, value in events.meeting_calendar.send(meeting) if value is not None), None)
    if data is None:
        raise RuntimeError("nothing answers events.meeting_calendar (scheduling.init_app connects it)")
    method = str(Calendar.from_ical(data).get("METHOD", "REQUEST")).upper()
    return Attachment(f"meeting-{meeting.id}.ics", "text/calendar", data, {"method": method})


def _suggestions(ctx):
    """The mentors suggested when the notification was written (`suggested`: ids), as they are now."""
    ids = ctx.data.get("suggested") or []
    found = {m.id: m for m in db.session.scalars(select(Member).where(Member.id.in_(ids),
                                                                       Member.erased_at.is_(None)))}
    lines = [f"- {m.name}" + (f", {m.headline}" if m.headline else "") + f": {page_url(ctx.recipient, m)}"
             for m in map(found.get, ids) if m]
    if not lines:
        return "Your career office can suggest other mentors."
    return "Mentors who could be a good fit now:\n" + "\n".join(lines)


def _intro(subject, body, recommend=False):
    def render(ctx):
        text = body.format(other=ctx.other(), name=ctx.recipient.name, link=ctx.page(), home=ctx.home(),
                           message=ctx.obj.message or "")
        if recommend:
            text += "\n\n" + _suggestions(ctx) + f"\n\nYour recommendations: {ctx.home()}"
        return Email(subject.format(other=ctx.other()), text)
    return render


def _before_start(meeting):
    return meeting.status == "scheduled" and utcnow() < meeting.start


def _not_cancelled(meeting):
    return meeting.status != "cancelled"


def _meeting(subject, body, applies=None, calendar=False):
    """`applies(meeting)`: whether the message still makes sense when it is sent (a reminder sent late, after the
    call began or was cancelled, is dropped instead). `calendar`: the meeting's `.ics` goes with it (once it has a
    time: an invitation, an update, or the cancellation)."""
    def render(ctx):
        if applies is not None and not applies(ctx.obj):
            return None
        when = ctx.local(ctx.obj.start) if ctx.obj.start else "a time you both pick"
        text = body.format(other=ctx.other(), name=ctx.recipient.name, when=when,
                           mode=ctx.obj.mode.replace("_", " "), minutes=ctx.obj.duration_minutes,
                           link=ctx.page(), invite=ctx.page(calendar=True))
        attachments = (calendar_attachment(ctx.obj),) if calendar and ctx.obj.start is not None else ()
        return Email(subject.format(other=ctx.other(), when=when), text, attachments)
    return render


def _simple(subject, body):
    def render(ctx):
        return Email(subject.format(other=ctx.other()),
                     body.format(other=ctx.other(), name=ctx.recipient.name, link=ctx.page(), home=ctx.home(),
                                 **ctx.data))
    return render


def _signin_link(ctx):
    """A sign-in link (web/operations.py): its secret is sealed on the link's row until the link is used; a link
    used or expired before the e-mail goes out is not sent."""
    link = ctx.obj
    secret = link.sealed_token and unseal(link.sealed_token, current_app.config["SECRET_KEY"], "signin-link")
    if not secret or link.used_at is not None or link.expires_at <= utcnow():
        return None
    slug = db.session.get(Tenant, link.tenant_id).slug
    url = f"{current_app.config['PUBLIC_URL'].rstrip('/')}/t/{quote(slug, safe='')}/signin/{secret}"
    return Email("Your sign-in link", f"Hi {ctx.recipient.name},\n\nSign in with this link within 15 minutes; it "
                 f"works once:\n{url}\n\nIf you did not ask for it, ignore this e-mail.")


DIGEST_LINES = (  # (label, metric of the funnel the digest was written with)
    ("Intros sent", "intros.sent"), ("accepted", "intros.accepted"), ("declined", "intros.declined"),
    ("expired", "intros.expired"), ("blocked by the coach", "intros.blocked"),
    ("Meetings scheduled", "meetings.scheduled"), ("completed", "meetings.completed"), ("missed", "meetings.missed"),
    ("Mentorships started", "mentorships.started"), ("Referrals requested", "referrals.requested"),
    ("approved", "referrals.approved"), ("declined", "referrals.declined"), ("hired", "referrals.hired"),
)


def _weekly_digest(ctx):
    """To the career office: the week's funnel (counts written with the notification) and the mentorships at risk
    now, named from the members as they are when it is sent (one who left is not named)."""
    counts = ctx.data.get("funnel") or {}
    lines = [f"{'  ' if label[0].islower() else ''}{label}: {counts.get(metric, 0)}" for label, metric in DIGEST_LINES]
    at_risk = ctx.data.get("at_risk") or []
    names = {m.id: m.name for m in db.session.scalars(select(Member).where(
        Member.id.in_({i for pair in at_risk for i in (pair["mentee_id"], pair["mentor_id"])}),
        Member.erased_at.is_(None)))}
    risky = [f"- {names.get(p['mentee_id'], 'a member who left')} with {names.get(p['mentor_id'], 'a member who left')}"
             f" (mentorship {p['id']})" for p in at_risk]
    text = (f"Hello {ctx.obj.name},\n\nYour week from {ctx.data['from'][:10]} to {ctx.data['through'][:10]}:\n\n"
            + "\n".join(lines) + "\n\n"
            + (f"Mentorships at risk now ({len(at_risk)}):\n" + "\n".join(risky) if at_risk
               else "No mentorship is at risk now.")
            + f"\n\nThe dashboard: {office_url(ctx.obj)}")
    return Email(f"Your weekly mentorship digest: {ctx.data['from'][:10]} to {ctx.data['through'][:10]}", text)


RENDERERS = {
    "office.weekly_digest": _weekly_digest,
    "intro.received": _intro("{other} would like to connect", "Hi {name},\n\n{other} wrote to you:\n\n{message}\n\n"
                             "Accept or decline: {link}"),
    "intro.reminder": _intro("{other} is waiting for your answer", "Hi {name},\n\n{other}'s intro is still waiting. "
                             "A short yes or no helps them either way: {link}"),
    "intro.accepted": _intro("{other} accepted your intro", "Hi {name},\n\n{other} accepted. Next: prepare three "
                             "questions and propose a short call (15-30 minutes is enough): {link}"),
    "intro.declined": _intro("{other} cannot mentor you right now", "Hi {name},\n\n{other} declined this time. It is "
                             "not about you: mentors' time is limited.", recommend=True),
    "intro.expired": _intro("Your intro to {other} expired", "Hi {name},\n\n{other} did not answer in time, so the "
                            "intro expired. Nobody should wait on a mentor who never answers.", recommend=True),
    "intro.withdrawn": _intro("{other} withdrew their intro", "Hi {name},\n\n{other} withdrew their intro."),
    "intro.ended": _intro("An intro of yours ended", "Hi {name},\n\nThe other member of this intro has left the "
                          "service, so the intro ended."),
    "meeting.proposed": _meeting("{other} proposed a call", "Hi {name},\n\n{other} proposed a {minutes}-minute "
                                 "{mode} call. Pick one of the times offered: {link}"),
    "meeting.scheduled": _meeting("Call with {other}: {when}", "Hi {name},\n\nYour {minutes}-minute {mode} call with "
                                  "{other} is on {when}.\nCalendar invite: {invite}", calendar=True),
    "meeting.reminder_24h": _meeting("Tomorrow: call with {other}", "Hi {name},\n\nReminder: your call with {other} "
                                     "is on {when}.\nCalendar invite: {invite}", applies=_before_start,
                                     calendar=True),
    "meeting.reminder_1h": _meeting("In one hour: call with {other}", "Hi {name},\n\nYour call with {other} starts "
                                    "at {when}.\nThe call: {link}", applies=_before_start, calendar=True),
    "meeting.check_in": _meeting("Did your call with {other} happen?", "Hi {name},\n\nPlease tell us whether your "
                                 "call with {other} on {when} happened: {link}", applies=_not_cancelled),
    "meeting.cancelled": _meeting("Call with {other} cancelled", "Hi {name},\n\nThe call with {other} on {when} "
                                  "was cancelled.", calendar=True),
    "mentorship.nudge": _simple("Time to catch up with {other}?", "Hi {name},\n\nIt has been three weeks without a "
                                "meeting or milestone with {other}. A short check-in keeps things moving: {link}"),
    "mentorship.closed": _simple("Your mentorship with {other} was closed", "Hi {name},\n\nThe mentorship with "
                                 "{other} was closed ({reason})."),
    "mentorship.ended": _simple("Your mentorship has ended", "Hi {name},\n\nYour match has left the service, so "
                                "your mentorship has ended and its open meetings are cancelled. Thank you for the "
                                "time you gave it; your career office can help you find a new match."),
    "milestone.completed": _simple("{other} completed a milestone", "Hi {name},\n\n{other} completed the milestone "
                                   "{milestone}: {link}"),
    "referral.requested": _simple("{other} asked you for a referral", "Hi {name},\n\n{other} asked whether you would "
                                  "refer them for {job_title} at {company}. Only you decide; declining is fine: "
                                  "{link}"),
    "member.signin_link": _signin_link,
    "referral.decided": _simple("{other} decided on your referral request", "Hi {name},\n\n{other} decided: "
                                "{decision}. {link}"),
}


def render(notification, recipient, obj, slug=None, members=None):
    """The notification's e-mail (subject, text, attachments) for its recipient, or None when it no longer applies.
    `slug` (the tenant's) and `members` (by id): what the caller has read already (a drain, for its batch)."""
    context = Context(recipient, obj, dict(notification.data or {}), dict(members or {}), slug)
    return RENDERERS[notification.event](context)
