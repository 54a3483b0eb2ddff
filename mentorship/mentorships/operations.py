"""Mentorships (SPEC §7): start on accept, close, and what a mentorship looks like to its readers."""
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload

from mentorship import events
from mentorship.common.clock import utcnow
from mentorship.database import batches, guarded_update, lock_row, paginate
from mentorship.errors import Conflict
from mentorship.extensions import db
from mentorship.members import cards
from mentorship.members.models import Member
from mentorship.mentorships import trust as trust_rules
from mentorship.mentorships.models import Mentorship, Milestone
from mentorship.notifications.outbox import cancel_pending, notify
from mentorship.scheduling.models import Meeting
from mentorship.scheduling.operations import cancel_open_meetings, propose
from mentorship.tenancy.access import ensure
from mentorship.tenancy.audit import record
from mentorship.tenancy.credentials import current_principal
from mentorship.tenancy.policy import MILESTONE_KEYS, for_tenant
from mentorship.tenancy.visibility import get_visible


def start_mentorship(intro):
    """A new active mentorship for an accepted intro, with its milestones (capacity is the caller's to check)."""
    now = utcnow()
    mentorship = Mentorship(intro_id=intro.id, mentee_id=intro.mentee_id, mentor_id=intro.mentor_id,
                            started_at=now, last_activity_at=now, status="active")
    mentorship.milestones = [Milestone(tenant_id=intro.tenant_id, key=key, position=i, status="pending")
                             for i, key in enumerate(MILESTONE_KEYS)]
    db.session.add(mentorship)
    db.session.flush()
    record("mentorship.started", mentorship, intro_id=intro.id)
    events.mentorship_started.send(mentorship, intro=intro)
    return mentorship


def get_mentorship(mentorship_id):
    """The mentorship, if the credential may see it (a member sees only their own)."""
    return get_visible(Mentorship, mentorship_id, "mentorship")


def mentorships_query(args, with_milestones=True):
    """Mentorships filtered by member and status; a member token lists only its own. `with_milestones`: load each
    one's milestones too (the API shows them; a page listing mentorships by name does not need them)."""
    query = select(Mentorship).order_by(Mentorship.id.desc())
    if with_milestones:
        query = query.options(selectinload(Mentorship.milestones))
    principal = current_principal()
    member_id = principal.member_id if principal.is_member else args.get("member_id")
    ensure(lambda p: not p.is_member or args.get("member_id") in (None, p.member_id),
           "A member token lists only its own mentorships.")
    if member_id is not None:
        query = query.where((Mentorship.mentee_id == member_id) | (Mentorship.mentor_id == member_id))
    if "status" in args:
        query = query.where(Mentorship.status == args["status"])
    if "school" in args:
        query = query.where(Mentorship.mentee_id.in_(select(Member.id).where(Member.school == args["school"])))
    return query


def all_mentorships(args):
    """Every mentorship the list's filters find (no page), described: for a CSV."""
    for batch in batches(mentorships_query(args)):
        described = describe_many(batch)
        yield from (d for d in described if d["health"] == args["health"]) if "health" in args else described


def mentorships_page(args):
    """The list's page of described mentorships. Health is computed (trust.health, from meetings and the clock),
    not stored: with `health`, every active mentorship matching the other filters is described and the page is
    cut from those of that health."""
    query = mentorships_query(args)
    if "health" not in args:
        page = paginate(query, args)
        page["items"] = describe_many(page["items"])
        return page
    described = [d for d in describe_many(db.session.scalars(query.where(Mentorship.status == "active")).all())
                 if d["health"] == args["health"]]
    start = (args["page"] - 1) * args["per_page"]
    return {"items": described[start:start + args["per_page"]], "page": args["page"], "per_page": args["per_page"],
            "total": len(described)}


@cards.relation
def mentorship_between(viewer, other):
    """SPEC §3: the two members of a mentorship (open or closed) read each other's cards."""
    return bool(db.session.scalar(select(exists().where(or_(
        (Mentorship.mentee_id == viewer.id) & (Mentorship.mentor_id == other.id),
        (Mentorship.mentee_id == other.id) & (Mentorship.mentor_id == viewer.id))))))


def party_of(mentorship, principal=None):
    """'mentee' or 'mentor' for a member token of the pair, None for staff; another member is 404 before this."""
    principal = principal or current_principal()
    if not principal.is_member:
        return None
    return "mentee" if principal.member_id == mentorship.mentee_id else "mentor"


def close(mentorship, reason, note=None):
    """Either party or the career office ends the mentorship (the endpoint admits no partner key); open meetings
    are cancelled."""
    principal = current_principal()
    if not _close(mentorship, reason, note, notify_except=principal.member_id):
        raise Conflict("The mentorship is already closed.", code="invalid_transition")
    for member_id in (mentorship.mentee_id, mentorship.mentor_id):
        if member_id != principal.member_id:
            notify(member_id, "mentorship.closed", mentorship, reason=reason.replace("_", " "))
    db.session.commit()
    return mentorship


def end_for_departure(mentorship, member_id):
    """A party left the service (erasure): the mentorship closes as a person would close it, and the other
    party is told it ended. The caller commits."""
    if not _close(mentorship, "other", None, notify_except=member_id):
        return
    other = mentorship.mentor_id if member_id == mentorship.mentee_id else mentorship.mentee_id
    notify(other, "mentorship.ended", mentorship)


def _close(mentorship, reason, note, notify_except):
    """active -> closed in one guarded statement (False when another request closed it first); then its meetings
    not yet begun are cancelled, for the winner only."""
    if not guarded_update(mentorship, Mentorship.status == "active", status="closed", closed_at=utcnow(),
                          close_reason=reason, close_note=note):
        return False
    cancel_open_meetings(Meeting.mentorship_id == mentorship.id, notify_except=notify_except)
    cancel_pending("mentorships", mentorship.id, ["mentorship.nudge"])
    record("mentorship.closed", mentorship, reason=reason)
    events.mentorship_closed.send(mentorship)
    return True


def propose_meeting(mentorship, data):
    """A meeting for an active mentorship (scheduling.propose), with the mentorship's row locked: a close running
    at the same moment either comes first (409) or cancels it."""
    lock_row(Mentorship, mentorship.id)
    db.session.refresh(mentorship)
    return propose(mentorship, data)


def on_meeting_activity(meeting):
    """A meeting scheduled or completed is activity: health counts idle days from the latest."""
    mentorship = db.session.scalar(select(Mentorship).where(Mentorship.id == meeting.mentorship_id))
    mentorship.last_activity_at = utcnow()


def describe(mentorship, now=None):
    """The SPEC §7 representation: milestones, trust against the current policy, and health."""
    return describe_many([mentorship], now)[0]


def describe_many(mentorships, now=None, meetings_query=None):
    """describe() for many mentorships with one meetings query per 1,000 (lists and reports: no N+1).
    Load their milestones with selectinload(Mentorship.milestones) first. `meetings_query`: a SELECT of the ids of
    the mentorships given (a report's period), to read their meetings in one query without a list of ids."""
    now = now or utcnow()
    meetings = {}
    columns = (Meeting.mentorship_id, Meeting.status, Meeting.start, Meeting.finished_at)
    if meetings_query is not None:
        chunks = [select(*columns).where(Meeting.mentorship_id.in_(meetings_query))]
    else:
        ids = [m.id for m in mentorships]
        chunks = [select(*columns).where(Meeting.mentorship_id.in_(ids[i:i + 1000])) for i in range(0, len(ids), 1000)]
    for chunk in chunks:
        for row in db.session.execute(chunk):
            meetings.setdefault(row.mentorship_id, []).append(row)
    return [_described(m, meetings.get(m.id, []), now) for m in mentorships]


def _described(mentorship, meetings, now):
    completed = sum(1 for m in meetings if m.status == "completed")
    upcoming = any(m.status == "scheduled" and m.start and m.start > now for m in meetings)
    unresolved_miss = trust_rules.unresolved_miss(m for m in meetings if m.status in ("completed", "missed"))
    policy = for_tenant(mentorship.tenant_id)
    return {
        "id": mentorship.id, "mentee_id": mentorship.mentee_id, "mentor_id": mentorship.mentor_id,
        "intro_id": mentorship.intro_id, "status": mentorship.status, "started_at": mentorship.started_at,
        "closed_at": mentorship.closed_at, "close_reason": mentorship.close_reason,
        "milestones": mentorship.milestones,
        "trust": trust_rules.trust(mentorship.milestones, mentorship.started_at, completed, policy, now),
        "health": None if mentorship.status == "closed" else trust_rules.health(
            mentorship.last_activity_at, upcoming, unresolved_miss, now),
        "meetings": {"completed": completed, "scheduled": sum(1 for m in meetings if m.status == "scheduled")},
    }
