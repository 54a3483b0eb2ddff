"""What each notification says: rendered at send time from current data, so the outbox holds no personal text."""
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from mentorship.common.clock import utcnow
from mentorship.common.sealing import unseal
from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.tenancy.models import Tenant


@dataclass
class Context:
    recipient: Member
    obj: object
    data: dict

    def member(self, member_id):
        return db.session.scalar(select(Member).where(Member.id == member_id))

    def other(self):
        """The other party of the intro, mentorship, meeting or referral request."""
        ids = {self.obj.mentee_id, self.obj.mentor_id} - {self.recipient.id}
        other = self.member(ids.pop()) if ids else None
        return other.name if other is not None and other.erased_at is None else "your match"

    def local(self, when):
        return when.astimezone(ZoneInfo(self.recipient.timezone)).strftime("%A %d %B %Y, %H:%M (%Z)")

    def link(self, path):
        return current_app.config["PUBLIC_URL"].rstrip("/") + path


def _suggestions(ctx):
    """The mentors suggested when the notification was written (`suggested`: ids), as they are now."""
    ids = ctx.data.get("suggested") or []
    found = {m.id: m for m in db.session.scalars(select(Member).where(Member.id.in_(ids),
                                                                       Member.erased_at.is_(None)))}
    lines = [f"- {m.name}" + (f", {m.headline}" if m.headline else "") for m in map(found.get, ids) if m]
    if not lines:
        return "Your career office can suggest other mentors."
    return "Mentors who could be a good fit now:\n" + "\n".join(lines)


def _intro(subject, body, recommend=False):
    def render(ctx):
        text = body.format(other=ctx.other(), name=ctx.recipient.name, link=ctx.link(f"/intros/{ctx.obj.id}"),
                           message=ctx.obj.message or "")
        if recommend:
            text += "\n\n" + _suggestions(ctx)
        return subject.format(other=ctx.other()), text
    return render


def _before_start(meeting):
    return meeting.status == "scheduled" and utcnow() < meeting.start


def _not_cancelled(meeting):
    return meeting.status != "cancelled"


def _meeting(subject, body, applies=None):
    """`applies(meeting)`: whether the message still makes sense when it is sent (a reminder sent late, after the
    call began or was cancelled, is dropped instead)."""
    def render(ctx):
        if applies is not None and not applies(ctx.obj):
            return None
        when = ctx.local(ctx.obj.start) if ctx.obj.start else "a time you both pick"
        text = body.format(other=ctx.other(), name=ctx.recipient.name, when=when,
                           mode=ctx.obj.mode.replace("_", " "), minutes=ctx.obj.duration_minutes,
                           invite=ctx.link(f"/api/v1/meetings/{ctx.obj.id}/invite.ics"),
                           checkin=ctx.link(f"/api/v1/meetings/{ctx.obj.id}/check-ins"))
        return subject.format(other=ctx.other(), when=when), text
    return render


def _simple(subject, body):
    def render(ctx):
        return subject.format(other=ctx.other()), body.format(other=ctx.other(), name=ctx.recipient.name, **ctx.data)
    return render


def _signin_link(ctx):
    """A sign-in link (web/operations.py): its secret is sealed on the link's row until the link is used; a link
    used or expired before the e-mail goes out is not sent."""
    link = ctx.obj
    secret = link.sealed_token and unseal(link.sealed_token, current_app.config["SECRET_KEY"], "signin-link")
    if not secret or link.used_at is not None or link.expires_at <= utcnow():
        return None
    slug = db.session.get(Tenant, link.tenant_id).slug
    return ("Your sign-in link", f"Hi {ctx.recipient.name},\n\nSign in with this link within 15 minutes; it works "
            f"once:\n{ctx.link(f'/t/{slug}/signin/{secret}')}\n\nIf you did not ask for it, ignore this e-mail.")


RENDERERS = {
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
                                 "{mode} call. Pick one of the times offered."),
    "meeting.scheduled": _meeting("Call with {other}: {when}", "Hi {name},\n\nYour {minutes}-minute {mode} call with "
                                  "{other} is on {when}.\nCalendar invite: {invite}"),
    "meeting.reminder_24h": _meeting("Tomorrow: call with {other}", "Hi {name},\n\nReminder: your call with {other} "
                                     "is on {when}.\nCalendar invite: {invite}", applies=_before_start),
    "meeting.reminder_1h": _meeting("In one hour: call with {other}", "Hi {name},\n\nYour call with {other} starts "
                                    "at {when}.", applies=_before_start),
    "meeting.check_in": _meeting("Did your call with {other} happen?", "Hi {name},\n\nPlease tell us whether your "
                                 "call with {other} on {when} happened, through your portal (or POST {checkin}).",
                                 applies=_not_cancelled),
    "meeting.cancelled": _meeting("Call with {other} cancelled", "Hi {name},\n\nThe call with {other} on {when} "
                                  "was cancelled."),
    "mentorship.nudge": _simple("Time to catch up with {other}?", "Hi {name},\n\nIt has been three weeks without a "
                                "meeting or milestone with {other}. A short check-in keeps things moving."),
    "mentorship.closed": _simple("Your mentorship with {other} was closed", "Hi {name},\n\nThe mentorship with "
                                 "{other} was closed ({reason})."),
    "mentorship.ended": _simple("Your mentorship has ended", "Hi {name},\n\nYour match has left the service, so "
                                "your mentorship has ended and its open meetings are cancelled. Thank you for the "
                                "time you gave it; your career office can help you find a new match."),
    "milestone.completed": _simple("{other} completed a milestone", "Hi {name},\n\n{other} completed the milestone "
                                   "{milestone}."),
    "referral.requested": _simple("{other} asked you for a referral", "Hi {name},\n\n{other} asked whether you would "
                                  "refer them for {job_title} at {company}. Only you decide; declining is fine."),
    "member.signin_link": _signin_link,
    "referral.decided": _simple("{other} decided on your referral request", "Hi {name},\n\n{other} decided: "
                                "{decision}."),
}


def render(notification, recipient, obj):
    """(subject, body) of the notification for its recipient, or None when it no longer applies."""
    return RENDERERS[notification.event](Context(recipient, obj, dict(notification.data or {})))
