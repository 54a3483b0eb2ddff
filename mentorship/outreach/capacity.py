"""Mentor capacity, and who is in contact with whom (SPEC §3, §5, §6): the one place these are counted.

A mentor's `capacity` is how many active mentorships they take. Accepting an intro needs a free one. What a
mentor is offered is counted against the same number with their pending intros included: free capacity is
capacity − active mentorships − pending intros, so a new intro (a mentee's or a match run's warm one) needs free
capacity above zero, and a mentor is never offered more people than they can take.

A mentee and a mentor are in contact while an intro between them is pending or a mentorship is active; a
decline keeps them apart for good. A mentee in contact with anyone is busy: match runs leave them out.
"""
from sqlalchemy import bindparam, func, select, union, union_all

from mentorship.database import for_update
from mentorship.errors import Conflict
from mentorship.extensions import db
from mentorship.members import operations as members_operations
from mentorship.members.models import Member
from mentorship.mentorships.models import Mentorship
from mentorship.outreach.models import Intro

SPENDS_CAPACITY_INTRO = "pending"  # an intro's status that holds a place
SPENDS_CAPACITY_MENTORSHIP = "active"  # a mentorship's status that holds a place
# intro statuses after which the mentee may not write to the same mentor again
KEEPS_APART = (SPENDS_CAPACITY_INTRO, "declined")
NEARLY_FULL = 1  # free places at or below which the career office's dashboard lists a mentor as near capacity


def free(capacity, load):
    """Free capacity (never below zero) of a mentor with `capacity` and `load` (see loads)."""
    return max(0, (capacity or 0) - load)


def is_full(capacity, load):
    """No free capacity left: the mentor is offered nobody new."""
    return free(capacity, load) == 0


def _count(column, *conditions):
    return dict(db.session.execute(select(column, func.count()).where(*conditions).group_by(column)).all())


def loads():
    """{mentor id: active mentorships + pending intros} for every mentor of the tenant with any (two queries)."""
    counted = _count(Mentorship.mentor_id, Mentorship.status == SPENDS_CAPACITY_MENTORSHIP)
    for mentor_id, count in _count(Intro.mentor_id, Intro.status == SPENDS_CAPACITY_INTRO).items():
        counted[mentor_id] = counted.get(mentor_id, 0) + count
    return counted


# one mentor_id row per place held (active mentorship, pending intro) by the mentors `ids`; built once, run per request
_HELD = union_all(
    select(Mentorship.mentor_id.label("mentor_id")).where(Mentorship.mentor_id.in_(bindparam("ids", expanding=True)),
                                                          Mentorship.status == SPENDS_CAPACITY_MENTORSHIP),
    select(Intro.mentor_id.label("mentor_id")).where(Intro.mentor_id.in_(bindparam("ids", expanding=True)),
                                                     Intro.status == SPENDS_CAPACITY_INTRO)).subquery()
_LOADS_OF = select(_HELD.c.mentor_id, func.count()).group_by(_HELD.c.mentor_id)


def loads_of(mentor_ids):
    """{mentor id: active mentorships + pending intros} of the named mentors that hold any place: one statement,
    answered from the (tenant, mentor, status) indexes, so it costs what these mentors hold, not the tenant's size."""
    if not mentor_ids:
        return {}
    return dict(db.session.execute(_LOADS_OF, {"ids": sorted(mentor_ids)}).all())


def load(mentor_id):
    """Active mentorships plus pending intros of one mentor (one query)."""
    active = select(func.count()).select_from(Mentorship).where(
        Mentorship.mentor_id == mentor_id, Mentorship.status == SPENDS_CAPACITY_MENTORSHIP).scalar_subquery()
    pending = select(func.count()).select_from(Intro).where(
        Intro.mentor_id == mentor_id, Intro.status == SPENDS_CAPACITY_INTRO).scalar_subquery()
    return db.session.scalar(select(active + pending))


def mentoring(mentor_id):
    """The mentor's active mentorships (one query): what their inbox says they mentor, beside their capacity."""
    return db.session.scalar(select(func.count()).select_from(Mentorship).where(
        Mentorship.mentor_id == mentor_id, Mentorship.status == SPENDS_CAPACITY_MENTORSHIP))


def can_be_offered(mentor):
    """Room for one more intro (free capacity above zero). Lock the mentor first when the answer leads to a write."""
    return not is_full(mentor.capacity, load(mentor.id))


def lock_mentor(mentor_id):
    """Hold the mentor's row lock until the transaction ends (what is counted after it stays true meanwhile);
    returns their capacity, read in the same statement."""
    return db.session.scalar(for_update(select(Member.capacity).where(Member.id == mentor_id)))


def ensure_room_to_accept(mentor_id, mentor_capacity):
    """Accepting turns a pending intro (already counted) into an active mentorship: 409 mentor_at_capacity unless
    an active place is free. Call under lock_mentor, so concurrent accepts cannot both take the last place."""
    active = db.session.scalar(select(func.count()).select_from(Mentorship).where(
        Mentorship.mentor_id == mentor_id, Mentorship.status == SPENDS_CAPACITY_MENTORSHIP))
    if active >= (mentor_capacity or 0):
        raise Conflict("The mentor has no free capacity.", code="mentor_at_capacity")


def contacts(mentee_id):
    """(mentor id, status) of the mentee's pending and declined intros: one query answers intro_exists,
    too_many_pending and declined-before."""
    rows = db.session.execute(select(Intro.mentor_id, Intro.status).where(
        Intro.mentee_id == mentee_id, Intro.status.in_(KEEPS_APART)))
    return {(mentor_id, status) for mentor_id, status in rows}


def pending_count(known):
    """How many intros `contacts(...)` holds pending."""
    return sum(1 for _, status in known if status == SPENDS_CAPACITY_INTRO)


def pending_with(known, mentor_id):
    """Whether `contacts(...)` holds a pending intro to this mentor."""
    return (mentor_id, SPENDS_CAPACITY_INTRO) in known


def declined_before(known, mentor_id):
    """Whether `contacts(...)` holds a decline by this mentor."""
    return (mentor_id, "declined") in known


def taken(loads, busy, apart, mentee_id, mentor_id):
    """Count a new pending intro in what loads(), busy_mentees() and pairs_kept_apart() returned."""
    loads[mentor_id] = loads.get(mentor_id, 0) + 1
    busy.add(mentee_id)
    apart[mentee_id, mentor_id] = SPENDS_CAPACITY_INTRO


_EXCLUDED = union(
    select(Intro.mentor_id).where(Intro.mentee_id == bindparam("mentee_id"), Intro.status.in_(KEEPS_APART)),
    select(Mentorship.mentor_id).where(Mentorship.mentee_id == bindparam("mentee_id"),
                                       Mentorship.status == SPENDS_CAPACITY_MENTORSHIP))


def excluded_mentors(mentee_id):
    """Mentors never to offer this mentee: a pending intro, a decline, or an active mentorship with them (one
    statement over the (tenant, mentee, status) indexes)."""
    return set(db.session.scalars(_EXCLUDED, {"mentee_id": mentee_id}))


@members_operations.in_contact
def busy_mentees_select():
    """The SELECT of mentees in contact with someone: a pending intro or an active mentorship."""
    return union(select(Intro.mentee_id).where(Intro.status == SPENDS_CAPACITY_INTRO),
                 select(Mentorship.mentee_id).where(Mentorship.status == SPENDS_CAPACITY_MENTORSHIP))


def busy_mentees():
    """Mentees in contact with someone: a pending intro or an active mentorship."""
    return set(db.session.scalars(busy_mentees_select()))


def pairs_kept_apart():
    """{(mentee id, mentor id): "pending" or "declined"} of every pending or declined intro (see contacts)."""
    rows = db.session.execute(select(Intro.mentee_id, Intro.mentor_id, Intro.status).where(
        Intro.status.in_(KEEPS_APART)))
    return {(mentee_id, mentor_id): status for mentee_id, mentor_id, status in rows}


def nearly_full_mentors(limit=50):
    """Mentors who hold at least one place and have at most NEARLY_FULL free, fullest first (then by name):
    [(mentor, active mentorships, pending intros, free places)], at most `limit` (three queries, whatever the
    tenant's size)."""
    active = _count(Mentorship.mentor_id, Mentorship.status == SPENDS_CAPACITY_MENTORSHIP)
    pending = _count(Intro.mentor_id, Intro.status == SPENDS_CAPACITY_INTRO)
    holding = (select(Mentorship.mentor_id).where(Mentorship.status == SPENDS_CAPACITY_MENTORSHIP)
               .union(select(Intro.mentor_id).where(Intro.status == SPENDS_CAPACITY_INTRO)))
    mentors = db.session.scalars(select(Member).where(Member.id.in_(holding), Member.role == "mentor",
                                                      Member.erased_at.is_(None)))
    rows = [(m, active.get(m.id, 0), pending.get(m.id, 0)) for m in mentors]
    rows = [(*r, free(r[0].capacity, r[1] + r[2])) for r in rows]
    rows = [r for r in rows if r[3] <= NEARLY_FULL]
    rows.sort(key=lambda r: (r[3], -(r[1] + r[2]), r[0].name, r[0].id))
    return rows[:limit]
