"""Per-tenant mentor feature index, kept in this process and brought up to date incrementally.

A request compares one cheap stamp (mentor count, newest updated_at) with the cached one; only mentors changed
since are re-read and upserted, so a request never rebuilds the matrix. Erased and changed-to-ineligible
mentors stay in the index but are excluded at query time (eligibility.excluded_for).
"""
import threading
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from matching.features import MentorIndex
from mentorship.common.cache import register
from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.matchmaking.eligibility import mentor_listed, min_profile_score
from mentorship.matchmaking.profiles import profile_of, responsiveness
from mentorship.members.models import Member
from mentorship.outreach import capacity

# updated_at comes from several processes' clocks: re-read a little before the newest one seen
CLOCK_SLACK = timedelta(seconds=5)


@dataclass
class TenantIndex:
    index: MentorIndex
    stamp: tuple
    min_profile_score: int
    week: tuple  # ISO (year, week) the availability overlap was computed for (DST changes between weeks)
    cards: dict = field(default_factory=dict)  # mentor id -> what a recommendation shows of them
    capacity: dict = field(default_factory=dict)  # mentor id -> capacity
    unlisted: set = field(default_factory=set)  # mentors the index does not offer (eligibility.mentor_listed)


_cache: dict[int, TenantIndex] = register({})
_lock = threading.Lock()


def _stamp():
    return tuple(db.session.execute(select(func.count(), func.max(Member.updated_at))
                                    .where(Member.role == "mentor")).one())


def _note(entry, member, min_score):
    entry.cards[member.id] = {"id": member.id, "name": member.name, "headline": member.headline,
                              "company": member.company, "title": member.title}
    entry.capacity[member.id] = member.capacity
    (entry.unlisted.discard if mentor_listed(member, min_score) else entry.unlisted.add)(member.id)


def _mentors(since=None):
    query = select(Member).where(Member.role == "mentor")
    if since is not None:
        query = query.where(Member.updated_at >= since - CLOCK_SLACK)
    return db.session.scalars(query.order_by(Member.id)).all()


def _build(tenant_id, stamp, min_score):
    mentors = _mentors()
    responsive = responsiveness()
    now = utcnow()
    entry = TenantIndex(MentorIndex.build([profile_of(m, capacity.free(m.capacity, 0), responsive.get(m.id, 1.0))
                                           for m in mentors], week_of=now), stamp, min_score, _week(now))
    for member in mentors:
        _note(entry, member, min_score)
    return entry


def _refresh(tenant_id, entry, stamp):
    responsive = responsiveness()
    for member in _mentors(since=entry.stamp[1]):
        entry.index.upsert(profile_of(member, capacity.free(member.capacity, 0), responsive.get(member.id, 1.0)))
        _note(entry, member, entry.min_profile_score)
    entry.stamp = stamp


def _week(moment):
    return tuple(moment.isocalendar())[:2]


def _current(tenant_id) -> TenantIndex:
    stamp = _stamp()
    min_score = min_profile_score(tenant_id)
    entry = _cache.get(tenant_id)
    if entry is not None and entry.stamp == stamp and entry.min_profile_score == min_score \
            and entry.week == _week(utcnow()):
        return entry
    if (entry is None or entry.min_profile_score != min_score or entry.week != _week(utcnow())
            or entry.stamp[1] is None or stamp[0] < entry.stamp[0]):
        entry = _cache[tenant_id] = _build(tenant_id, stamp, min_score)
    else:
        _refresh(tenant_id, entry, stamp)
    return entry


def query(tenant_id, fn):
    """Run fn(entry) on the tenant's current index under the lock: MentorIndex is not thread-safe (its reads
    fill lazy caches), and gthread workers serve requests concurrently."""
    with _lock:
        return fn(_current(tenant_id))

