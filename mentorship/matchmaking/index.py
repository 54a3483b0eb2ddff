"""Per-tenant mentor feature index, kept in this process and brought up to date incrementally.

Every change to a member bumps the tenant's index version in the change's own transaction (the receivers below,
connected in matchmaking's init_app, note it; freshness.bump_versions bumps just before COMMIT) and stamps the
member with it. A request reads that version with one
primary-key lookup; when it moved, only the members stamped since this process's version are re-read and upserted
into the index (matching's upsert costs the next query nothing to rebuild), so no request scans every mentor and
none rebuilds the matrix. Each process (gunicorn worker) compares with the database, so a change made through
one is seen by the others' next query. Erased and changed-to-ineligible mentors stay in the index but are
excluded at query time (eligibility.excluded_for).
"""
import threading
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from matching.features import MentorIndex
from mentorship.common.cache import register
from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.matchmaking.eligibility import mentor_listed, min_profile_score
from mentorship.matchmaking.models import MentorIndexChange, MentorIndexVersion
from mentorship.matchmaking.profiles import profile_of, responsiveness
from mentorship.members.models import Member
from mentorship.outreach import capacity

READ_CHUNK = 1000  # changed member ids per IN (...) when a refresh re-reads them


@dataclass
class TenantIndex:
    index: MentorIndex
    version: int  # the tenant's index version this index includes every change up to
    min_profile_score: int
    week: tuple  # ISO (year, week) the availability overlap was computed for (DST changes between weeks)
    cards: dict = field(default_factory=dict)  # mentor id -> what a recommendation shows of them
    capacity: dict = field(default_factory=dict)  # mentor id -> capacity
    unlisted: set = field(default_factory=set)  # mentors the index does not offer (eligibility.mentor_listed)


_cache: dict[int, TenantIndex] = register({})
_lock = threading.Lock()


def upsertable_insert(model):
    """INSERT of `model` with the dialect's ON CONFLICT (PostgreSQL or SQLite): the version row and the stamps."""
    return (postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert)(model)


CHANGED = "mentor_index_changed"  # session.info: {tenant id: member ids changed in this transaction}


def _changed(tenant_id, member_ids):
    """Note `member_ids` as changed in the caller's transaction. Just before it commits, freshness.bump_versions
    bumps the tenant's version and calls `stamp` with it: the version row is the last lock a transaction takes, so
    it never waits for a row while holding it (no lock cycle through it), and versions commit in the order they
    were taken."""
    if member_ids:
        db.session.info.setdefault(CHANGED, {}).setdefault(tenant_id, set()).update(member_ids)


def stamp(tenant_id, member_ids, version):
    """Stamp `member_ids` with the tenant's new `version`, in the committing transaction (freshness.bump_versions)."""
    statement = upsertable_insert(MentorIndexChange.__table__)
    db.session.execute(statement.on_conflict_do_update(index_elements=["tenant_id", "member_id"],
                                                       set_={"version": statement.excluded.version}),
                       [{"tenant_id": tenant_id, "member_id": member_id, "version": version}
                        for member_id in sorted(member_ids)])


def on_member_changed(member, **_):
    """Receiver of member_created, member_updated and member_erasing."""
    if member.role == "mentor":
        db.session.flush()  # a new member's id
        _changed(member.tenant_id, [member.id])


def on_members_written(tenant_id, member_ids=(), **_):
    """Receiver of members_imported and members_updated (a CSV import's batch; mentees among them are skipped
    when the index re-reads them)."""
    _changed(tenant_id, list(member_ids))


def _version(tenant_id):
    return db.session.scalar(select(MentorIndexVersion.version).where(MentorIndexVersion.tenant_id == tenant_id)) or 0


def _note(entry, member, min_score):
    entry.cards[member.id] = {"id": member.id, "name": member.name, "headline": member.headline,
                              "company": member.company, "title": member.title}
    entry.capacity[member.id] = member.capacity
    (entry.unlisted.discard if mentor_listed(member, min_score) else entry.unlisted.add)(member.id)


def _build(tenant_id, version, min_score):
    mentors = db.session.scalars(select(Member).where(Member.role == "mentor").order_by(Member.id)).all()
    responsive = responsiveness()
    now = utcnow()
    entry = TenantIndex(MentorIndex.build([profile_of(m, capacity.free(m.capacity, 0), responsive.get(m.id, 1.0))
                                           for m in mentors], week_of=now), version, min_score, week_of(now))
    for member in mentors:
        _note(entry, member, min_score)
    return entry


def _refresh(tenant_id, entry, version):
    """Upsert the mentors stamped after entry.version (those stamped after `version` too: applying a change twice
    is harmless, missing one is not)."""
    ids = db.session.scalars(select(MentorIndexChange.member_id).where(
        MentorIndexChange.tenant_id == tenant_id, MentorIndexChange.version > entry.version)).all()
    mentors = []
    for start in range(0, len(ids), READ_CHUNK):
        mentors += db.session.scalars(select(Member).where(Member.id.in_(ids[start:start + READ_CHUNK]),
                                                           Member.role == "mentor")).all()
    responsive = responsiveness([m.id for m in mentors] if len(mentors) <= READ_CHUNK else None)
    for member in mentors:
        entry.index.upsert(profile_of(member, capacity.free(member.capacity, 0), responsive.get(member.id, 1.0)))
        _note(entry, member, entry.min_profile_score)
    entry.version = version


def week_of(moment):
    return tuple(moment.isocalendar())[:2]


def _current(tenant_id, version=None) -> TenantIndex:
    if version is None:  # read first: a change committed after it is re-read next time, never lost
        version = _version(tenant_id)
    min_score = min_profile_score(tenant_id)
    entry = _cache.get(tenant_id)
    if entry is None or entry.min_profile_score != min_score or entry.week != week_of(utcnow()) \
            or version < entry.version:  # version < entry's: the rows were rolled back or restored
        entry = _cache[tenant_id] = _build(tenant_id, version, min_score)
    elif version != entry.version:
        _refresh(tenant_id, entry, version)
    return entry


def query(tenant_id, fn, version=None):
    """Run fn(entry) on the tenant's current index under the lock: MentorIndex is not thread-safe (its reads
    fill lazy caches), and gthread workers serve requests concurrently. `version`: the tenant's index version when
    the caller read it already, before anything else of this request (freshness.versions)."""
    with _lock:
        return fn(_current(tenant_id, version))
