"""Meetings (SPEC §7): propose slots or book a start, confirm, cancel, check in; reminders go in the outbox."""
from datetime import UTC, timedelta
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import or_, select

from mentorship import events
from mentorship.common.clock import utcnow
from mentorship.database import guarded_update, lock_row, lock_rows
from mentorship.errors import ApiError, Conflict, Invalid
from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.notifications.links import page_url
from mentorship.notifications.outbox import cancel_pending, notify
from mentorship.scheduling import ics, slots
from mentorship.scheduling.models import CheckIn, Meeting
from mentorship.tenancy.access import ensure
from mentorship.tenancy.audit import record
from mentorship.tenancy.credentials import current_principal
from mentorship.tenancy.visibility import get_visible, visible_query

WINDOW_DAYS = 14
# event -> how long before the start (negative: after the end) it is due
REMINDERS = {"meeting.reminder_24h": timedelta(hours=24), "meeting.reminder_1h": timedelta(hours=1)}
OPEN = ("proposed", "scheduled")


def _members(pair):
    """The mentee and the mentor of a mentorship or meeting (anything with mentee_id and mentor_id)."""
    rows = db.session.scalars(select(Member).where(Member.id.in_([pair.mentee_id, pair.mentor_id])))
    by_id = {m.id: m for m in rows}
    return by_id[pair.mentee_id], by_id[pair.mentor_id]


def _busy(pair, exclude_id=None):
    """Either member's other scheduled meetings (in any of their mentorships)."""
    people = [pair.mentee_id, pair.mentor_id]
    query = select(Meeting.start, Meeting.end).where(
        Meeting.status == "scheduled", Meeting.end > utcnow(),
        or_(Meeting.mentee_id.in_(people), Meeting.mentor_id.in_(people)))
    if exclude_id is not None:
        query = query.where(Meeting.id != exclude_id)
    return [(start, end) for start, end in db.session.execute(query)]


def _overlaps(busy, start, end):
    return any(s < end and start < e for s, e in busy)


def propose(mentorship, data):
    """Up to 3 slots in both members' availability, or book `start` directly when the pair agreed on it.
    `mentorship` is the pair's (the caller found it visible): its id, members and status are read here."""
    if mentorship.status != "active":
        raise Conflict("The mentorship is closed.", code="invalid_transition")
    principal = current_principal()
    mentee, mentor = _members(mentorship)
    meeting = Meeting(mentorship_id=mentorship.id, mentee_id=mentee.id, mentor_id=mentor.id, mode=data["mode"],
                      duration_minutes=data["duration_minutes"], proposed_by=principal.member_id, proposed_slots=[],
                      check_ins=[])  # known empty: no query to load them for the answer
    length = timedelta(minutes=meeting.duration_minutes)
    if data.get("start") is not None:
        start = data["start"].astimezone(UTC)
        _lock_people(mentorship)
        _check_bookable(start, length, _busy(mentorship))
        db.session.add(meeting)
        db.session.flush()
        _schedule(meeting, start)
    else:
        busy = _busy(mentorship)
        found = slots.find_slots(mentee.availability, mentee.timezone, mentor.availability, mentor.timezone, busy,
                                 utcnow(), duration_minutes=meeting.duration_minutes, days=WINDOW_DAYS, max_slots=3)
        if not found:
            raise ApiError("No common free time in the next 14 days; add availability, or book a start you agreed.",
                           status=422, code="no_common_availability")
        meeting.proposed_slots = [{"start": s.isoformat(), "end": e.isoformat()} for s, e in found]
        db.session.add(meeting)
        db.session.flush()
        record("meeting.proposed", meeting)
        for member_id in (mentee.id, mentor.id):
            if member_id != principal.member_id:
                notify(member_id, "meeting.proposed", meeting)
    db.session.commit()
    return meeting


def _check_bookable(start, length, busy):
    now = utcnow()
    if start <= now:
        raise Invalid("The start must be in the future.", errors={"start": ["Must be in the future."]})
    if start > now + timedelta(days=365):
        raise Invalid("The start is too far ahead.", errors={"start": ["Must be within a year."]})
    if _overlaps(busy, start, start + length):
        raise Conflict("One of you has another meeting then.", code="meeting_conflict")


def _lock_people(pair):
    """Lock both members' rows (in id order): one meeting per person per time slot holds under simultaneous
    bookings, since every booking for either of them waits here and then sees the others' meetings."""
    db.session.scalars(lock_rows(Member, [pair.mentee_id, pair.mentor_id])).all()


def _schedule(meeting, start):
    """proposed -> scheduled at `start`, in one guarded statement (409 when another request scheduled or cancelled
    it first); then the notices, reminders and the meeting_scheduled event, for the winner only."""
    if not guarded_update(meeting, Meeting.status == "proposed", status="scheduled", start=start,
                          end=start + timedelta(minutes=meeting.duration_minutes), scheduled_at=utcnow(),
                          sequence=Meeting.sequence + 1):
        raise Conflict(f"The meeting is {meeting.status}.", code="invalid_transition")
    record("meeting.scheduled", meeting, start=start.isoformat())
    for member_id in (meeting.mentee_id, meeting.mentor_id):
        notify(member_id, "meeting.scheduled", meeting)
    schedule_reminders(meeting)
    events.meeting_scheduled.send(meeting)


def schedule_reminders(meeting):
    """Reminder and check-in rows for a scheduled meeting; idempotent (the sweep rebuilds missing ones)."""
    now = utcnow()
    for member_id in (meeting.mentee_id, meeting.mentor_id):
        for event, before in REMINDERS.items():
            due = meeting.start - before
            if due > now:
                notify(member_id, event, meeting, due_at=due)
        notify(member_id, "meeting.check_in", meeting, due_at=meeting.end)


def meetings_query(args):
    """Meetings by status, member and start time (`from`/`to` leave out meetings with no time yet), the latest
    first; a member token lists only its own."""
    query = visible_query(select(Meeting).order_by(Meeting.start.desc().nulls_last(), Meeting.id.desc()), Meeting,
                          args.get("member_id"))
    if "status" in args:
        query = query.where(Meeting.status == args["status"])
    if args.get("from_"):
        query = query.where(Meeting.start >= args["from_"])
    if args.get("to"):
        query = query.where(Meeting.start < args["to"])
    return query


def get_meeting(meeting_id):
    """The meeting, if the credential may see it."""
    return get_visible(Meeting, meeting_id, "meeting")


def confirm(meeting, start):
    """The other party picks one of the proposed slots: the meeting is scheduled."""
    ensure(lambda p: not (p.is_member and p.member_id == meeting.proposed_by),
           "The other party confirms a proposed meeting.")
    if meeting.status != "proposed":
        raise Conflict(f"The meeting is {meeting.status}.", code="invalid_transition")
    start = start.astimezone(UTC)
    offered = {s["start"]: s for s in meeting.proposed_slots}
    if start.isoformat() not in offered:
        raise Invalid("Pick one of the proposed slots.", errors={"start": ["Not one of the proposed slots."]})
    _lock_people(meeting)
    if _overlaps(_busy(meeting, meeting.id), start, start + timedelta(minutes=meeting.duration_minutes)):
        raise Conflict("One of you booked another meeting at that time meanwhile.", code="meeting_conflict")
    _schedule(meeting, start)
    db.session.commit()
    return meeting


def cancel(meeting):
    """Either party or staff cancels a meeting that has not ended; pending reminders are withdrawn."""
    if not _cancel(meeting, notify_except=current_principal().member_id):
        raise Conflict(f"The meeting is {meeting.status} and cannot be cancelled.", code="invalid_transition")
    db.session.commit()
    return meeting


def _cancel(meeting, notify_except, not_after=None):
    """Cancelled, the way a person cancels, if still open and not ended (or, with `not_after`, not begun by then):
    one guarded statement, then nothing scheduled for it is sent any more, and both parties (but `notify_except`,
    who did it) are told if it had a time. Returns False when it was not open any more."""
    still = Meeting.end > utcnow() if not_after is None else Meeting.start > not_after
    if not guarded_update(meeting, Meeting.status.in_(OPEN), or_(Meeting.start.is_(None), still),
                          status="cancelled", sequence=Meeting.sequence + 1):
        return False
    cancel_pending("meetings", meeting.id, [*REMINDERS, "meeting.check_in"])
    record("meeting.cancelled", meeting)
    if meeting.start is not None:  # it had a time: both were told it, so both hear it is off
        for member_id in (meeting.mentee_id, meeting.mentor_id):
            if member_id != notify_except:
                notify(member_id, "meeting.cancelled", meeting)
    events.meeting_cancelled.send(meeting)
    return True


def cancel_open_meetings(which, notify_except=None):
    """Cancel the proposed meetings and the scheduled ones not yet begun that `which` (a condition on Meeting)
    selects: a mentorship closing, a member leaving. A call under way is left to its check-ins. The caller commits."""
    now = utcnow()
    for meeting in db.session.scalars(select(Meeting).where(which, Meeting.status.in_(OPEN)).order_by(Meeting.id)):
        _cancel(meeting, notify_except, not_after=now)


def check_in(meeting, data):
    """One check-in per party after the start (the endpoint admits member tokens only, and the meeting is one the
    token can see); both 'happened' -> completed, either 'no' -> missed."""
    principal = current_principal()
    # the two check-ins of a meeting are serialised: the second sees the first, so exactly one of them settles it
    lock_row(Meeting, meeting.id)
    db.session.refresh(meeting)
    if meeting.status not in ("scheduled", "completed", "missed"):
        raise Conflict(f"The meeting is {meeting.status}.", code="invalid_transition")
    if utcnow() < meeting.start:
        raise Conflict("The meeting has not started yet.", code="meeting_not_started")
    if any(c.member_id == principal.member_id for c in meeting.check_ins):
        raise Conflict("You already checked in for this meeting.", code="already_checked_in")
    role = "mentee" if principal.member_id == meeting.mentee_id else "mentor"
    entry = CheckIn(tenant_id=meeting.tenant_id, member_id=principal.member_id, role=role,
                    happened=data["happened"], rating=data.get("rating"), note=data.get("note"))
    meeting.check_ins.append(entry)
    db.session.flush()
    record("meeting.checked_in", meeting, role=role, happened=entry.happened)
    cancel_pending("meetings", meeting.id, ["meeting.check_in"], member_id=principal.member_id)
    _settle(meeting)
    db.session.commit()
    entry.meeting_status = meeting.status
    return entry


def _settle(meeting):
    said = {c.member_id: c.happened for c in meeting.check_ins}
    if meeting.status == "scheduled" and False in said.values():
        meeting.status, meeting.finished_at = "missed", utcnow()
        # who said it did not happen reports the other party absent
        meeting.no_show_member_ids = sorted({meeting.mentor_id if m == meeting.mentee_id else meeting.mentee_id
                                             for m, happened in said.items() if not happened})
        record("meeting.missed", meeting, no_show=meeting.no_show_member_ids)
    elif meeting.status == "scheduled" and len(said) == 2:
        meeting.status, meeting.finished_at = "completed", utcnow()
        record("meeting.completed", meeting)
        events.meeting_completed.send(meeting)


def invite(meeting):
    """The iCalendar invite (a stable UID per meeting; SEQUENCE grows with each change; URL: the meeting's page).
    The API's invite.ics and the meeting e-mails' attachment (events.meeting_calendar) are both this."""
    if meeting.start is None:
        raise Conflict("The meeting has no time yet: confirm one of the proposed slots first.",
                       code="invalid_transition")
    mentee, mentor = _members(meeting)
    return ics.invite(uid=f"meeting-{meeting.tenant_id}-{meeting.id}@mentorship", start=meeting.start,
                      end=meeting.end, summary=f"Mentorship call: {mentee.name} and {mentor.name}",
                      description=f"A {meeting.duration_minutes}-minute {meeting.mode.replace('_', ' ')} call.",
                      organizer=_organizer(), attendees=[(p.name, p.email) for p in (mentee, mentor) if p.email],
                      sequence=meeting.sequence, status="CANCELLED" if meeting.status == "cancelled" else "CONFIRMED",
                      dtstamp=meeting.scheduled_at or meeting.created_at, url=page_url(mentee, meeting))


def _organizer():
    """The service sends the invites: its From address organises them."""
    name, address = parseaddr(current_app.config["MAIL_FROM"])
    return (name or "Mentorship", address) if address else None
