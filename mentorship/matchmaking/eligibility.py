"""Who may be recommended or matched (SPEC §4, §5): the one place these conditions are written.

A mentor may be offered to mentees when their profile is ready (the tenant's `min_profile_score`, no blocking
gap), they are not erased, and they have free capacity; never to a mentee they are already in contact with or
who they declined (outreach/capacity.py counts both). A mentee may be matched by a run when ready, not erased,
and not in contact with anyone yet (no pending intro, no active mentorship).
"""
from sqlalchemy import select

from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.members.profile import is_ready, ready_clause
from mentorship.outreach import capacity
from mentorship.tenancy.policy import for_tenant

# why a mentee named in a run is left out, or why an assignment is not applied
ERASED, NOT_READY, BUSY = "member_erased", "not_ready", "busy"


def min_profile_score(tenant_id):
    """The profile score the tenant's policy asks of everyone recommended or matched."""
    return for_tenant(tenant_id)["min_profile_score"]


def _ready(member, min_score):
    return member.erased_at is None and is_ready(member.profile_score, member.profile_gaps, min_score)


def mentor_listed(member, min_score):
    """A mentor the recommendation index offers at all (free capacity and contacts are checked per query)."""
    return _ready(member, min_score) and not capacity.is_full(member.capacity, 0)


def mentor_offered(row, load):
    """A mentor a match run may assign (a row of `_members`): listed, and with free capacity after `load`."""
    return row.erased_at is None and row.ready and not capacity.is_full(row.capacity, load)


def mentee_left_out(row, busy):
    """Why a mentee may not be matched now (ERASED, NOT_READY, BUSY), or None when they may (a row of `_members`)."""
    if row.erased_at is not None:
        return ERASED
    if not row.ready:
        return NOT_READY
    return BUSY if row.id in busy else None


def in_contact_with(mentee_id):
    """Mentors never to offer this mentee: pending intro, decline or active mentorship between them."""
    return capacity.excluded_mentors(mentee_id)


def full_among(mentor_ids, capacities):
    """Of `mentor_ids`, those with no free capacity (`capacities`: mentor id -> capacity), their loads read now (one
    statement over these mentors' rows only: capacity.loads_of)."""
    loads = capacity.loads_of(mentor_ids)
    return {mentor_id for mentor_id in mentor_ids if capacity.is_full(capacities.get(mentor_id, 0),
                                                                       loads.get(mentor_id, 0))}


def full_mentors(capacities):
    """Every mentor of `capacities` (mentor id -> capacity) with no free capacity, from the tenant's loads."""
    loads = capacity.loads()
    return {mentor_id for mentor_id, load in loads.items() if capacity.is_full(capacities.get(mentor_id, 0), load)}


# what the rules above read of a member row (mentor_offered, mentee_left_out), besides `ready`
READINESS_COLUMNS = (Member.erased_at, Member.capacity)


def _members(role, ids, columns, min_score):
    """The role's members as rows of their id, `ready` and `columns` (erased ones too, so a named one can be told
    apart), restricted to `ids` in Python: a 100,000-id IN list would exceed PostgreSQL's 65,535 bind parameters.
    `ready` is is_ready decided in SQL (members.profile.ready_clause, the same rule): decoding the profile_gaps
    JSON of 50,000 rows took 0.33 of the 0.41 s this read took."""
    ready = ready_clause(Member.profile_score, Member.profile_gaps, min_score).label("ready")
    rows = db.session.execute(select(Member.id, ready, *columns).where(Member.role == role)
                              .order_by(Member.id)).all()
    if ids is None:
        return [m for m in rows if m.erased_at is None]
    wanted = set(ids)
    return [m for m in rows if m.id in wanted]


def cohort(tenant_id, mentee_ids=None, mentor_ids=None, profile_columns=()):
    """(mentee ids, [(mentor, load)], {mentee id: why left out}) of a run: the named members or the defaults.
    Named mentees who may not be matched come back with their reason; by default they are simply not in it.
    Mentors come as rows of their id, the readiness columns and `profile_columns`."""
    min_score = min_profile_score(tenant_id)
    loads = capacity.loads()
    mentors = [(m, loads.get(m.id, 0)) for m in _members("mentor", mentor_ids, READINESS_COLUMNS + tuple(
        column for column in profile_columns if column is not Member.id), min_score)
               if mentor_offered(m, loads.get(m.id, 0))]
    busy = capacity.busy_mentees()
    mentees, left_out = [], {}
    for member in _members("mentee", mentee_ids, READINESS_COLUMNS, min_score):
        reason = mentee_left_out(member, busy)
        if reason is None:
            mentees.append(member.id)
        elif mentee_ids is not None:
            left_out[member.id] = reason
    return mentees, mentors, left_out


class Assignments:
    """Checks a run's assignments, one after another, against the tenant as it is now: a pair whose mentee or
    mentor changed since the run is no longer possible. Use with the members' rows locked (apply does), so the
    answers hold until the intros are written, and call `taken` for each intro written."""

    def __init__(self, tenant_id):
        self.min_score = min_profile_score(tenant_id)
        self.loads, self.busy, self.apart = capacity.loads(), capacity.busy_mentees(), capacity.pairs_kept_apart()

    def obstacle(self, mentee, mentor):
        """Why the pair cannot get an intro now, or None."""
        if mentee is None or mentor is None or mentee.erased_at is not None or mentor.erased_at is not None:
            return ERASED
        if not _ready(mentee, self.min_score):
            return "mentee_not_ready"
        if not _ready(mentor, self.min_score):
            return "mentor_not_ready"
        apart = self.apart.get((mentee.id, mentor.id))
        if apart:
            return "intro_exists" if apart == "pending" else "declined_before"
        if mentee.id in self.busy:  # e.g. an intro from another applied run
            return "mentee_busy"
        if capacity.is_full(mentor.capacity, self.loads.get(mentor.id, 0)):
            return "mentor_at_capacity"
        return None

    def taken(self, mentee, mentor):
        capacity.taken(self.loads, self.busy, self.apart, mentee.id, mentor.id)
