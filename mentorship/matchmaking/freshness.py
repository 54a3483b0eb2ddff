"""When a recommendations answer is still the answer: the rule, and the per-process answers it lets us keep.

The rule: a mentee's recommendations depend only on rows of four tables — members (the mentee's profile, every
mentor's), intros and mentorships (who is in contact with whom, every mentor's load, responsiveness) and tenants
(the policy's `min_profile_score`) — plus the ISO week (availability overlap). Every transaction that writes any
of those rows of a tenant bumps the tenant's `recommendations_version` as its last statement before COMMIT, in the
same transaction (migration 0017). So an answer computed at version v, the same policy and week is exactly the
answer any later request would compute while the version is still v.

How writes are seen: an engine listener looks at every statement that leaves (ORM flushes, Core, `text()`, guarded
UPDATE ... RETURNING, CSV import batches) and notes, on the connection, the tenant in scope when one of them wrote
a row of those tables; the session's `before_commit` flushes, then bumps the noted tenants' versions. Nothing has
to remember to send an event, so a new code path that writes those tables keeps answers fresh by itself. The bump
is the transaction's last lock (taken just before COMMIT), so it never waits while holding a row another
transaction needs next: no lock cycle through it. A write with no tenant in scope (none exists today but a new tenant's
INSERT, which nobody has an answer of) bumps every tenant's version.

The read: one primary-key row, with the mentor index's version beside it (the index is brought up to that version
when an answer is computed, without reading it again). On PostgreSQL outside a transaction it is one statement in
autocommit (the `matchmaking_versions(tenant)` function sets the row-level security tenant itself), so an answer
served from this process costs one round trip; inside a transaction (tests, or a request that already read) it
runs there.

Why it is safe to read the version BEFORE computing: a writer bumps inside its transaction, so a reader that sees
version v sees every write committed with a version <= v; the answer it computes next reads a snapshot at least
that new. At worst an answer newer than v is kept under v, and the next bump replaces it.
"""
import re

from flask import current_app
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from mentorship.common.cache import register
from mentorship.common.clock import utcnow
from mentorship.database import PreparedRead
from mentorship.extensions import db
from mentorship.matchmaking import index
from mentorship.matchmaking.models import MentorIndexVersion
from mentorship.tenancy.scope import current_tenant_id

WATCHED = ("members", "intros", "mentorships", "tenants")
_WRITE = re.compile(r"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(" + "|".join(WATCHED) + r")\"?[\s(]", re.I)
_DML_STARTS = frozenset({"INSE", "UPDA", "DELE", "WITH"})
_NOTED = "recommendations_changed"  # connection.info: tenant ids written (None: a write with no tenant in scope)
_T = MentorIndexVersion.__table__
_READ = PreparedRead(select(_T.c.recommendations_version, _T.c.version).where(
    _T.c.tenant_id == bindparam("tenant_id")), MentorIndexVersion)


def init_engine(engine):
    event.listen(engine, "after_cursor_execute", _note_write)
    for ending in ("commit", "rollback"):
        event.listen(engine, ending, _forget)


def init_app(app):
    with app.app_context():
        init_engine(db.engine)


def _note_write(conn, cursor, statement, parameters, context, executemany):
    if statement[:4].upper() not in _DML_STARTS:
        return
    found = _WRITE.search(statement)
    if found is None or (cursor.rowcount == 0 and "RETURNING" not in statement):
        return  # a guarded UPDATE that matched nothing changed nothing (SQLite counts RETURNING rows as read)
    if found.group(2).lower() == "tenants" and found.group(1).upper().startswith("INSERT"):
        return  # a new tenant: nobody has an answer of it yet
    conn.info.setdefault(_NOTED, set()).add(current_tenant_id())


def _forget(conn):
    if not (conn.closed or conn.invalidated):
        conn.info.pop(_NOTED, None)


@event.listens_for(Session, "before_commit")
def bump_versions(session):
    """The last statements of a transaction: one per tenant whose watched rows it wrote, bumping the recommendations
    version, and the mentor index's version too when mentors changed (index._changed noted them; `index.stamp`
    stamps them with the new version)."""
    if not session.in_transaction():
        return
    session.flush()  # what commit would flush next is a write too
    # the connections this transaction holds (not session.connection(), which would open one to find nothing)
    held = getattr(session.get_transaction(), "_connections", None) or {}
    noted = set()
    for entry in list(held.values()):
        noted |= entry[0].info.pop(_NOTED, None) or set()
    mentors = session.info.pop(index.CHANGED, None) or {}
    noted |= set(mentors)
    if not noted:
        return
    if None in noted:
        session.execute(_T.update().values(recommendations_version=_T.c.recommendations_version + 1))
        noted.discard(None)
    for tenant_id in sorted(noted):
        changed = mentors.get(tenant_id)
        values = {"recommendations_version": _T.c.recommendations_version + 1}
        if changed:
            values["version"] = _T.c.version + 1
        version = session.scalar(index.upsertable_insert(_T).values(tenant_id=tenant_id, version=1 if changed else 0,
                                                   recommendations_version=1)
                                 .on_conflict_do_update(index_elements=["tenant_id"], set_=values)
                                 .returning(_T.c.version))
        if changed:
            index.stamp(tenant_id, changed, version)


@event.listens_for(Session, "after_rollback")
def _forget_mentors(session):
    session.info.pop(index.CHANGED, None)


def versions(tenant_id):
    """(recommendations version, mentor index version) of the tenant now, both 0 before its first write."""
    engine = db.engine
    if engine.dialect.name == "postgresql" and not _in_transaction():
        found = _autocommit_read(engine, tenant_id)
        if found is not None:
            return found
    row = _READ.first(db.session, {"tenant_id": tenant_id})
    return (row[0], row[1]) if row else (0, 0)


def _in_transaction():
    """Whether this request's session is in a transaction, or bound to a Connection (the test suite's outer one):
    then the read must see what that transaction sees."""
    if not db.session.registry.has():
        bind = db.session.session_factory.kw.get("bind")
        return bind is not None and not hasattr(bind, "raw_connection")
    session = db.session()
    return session.in_transaction() or not hasattr(session.get_bind(mapper=MentorIndexVersion), "raw_connection")


def _autocommit_read(engine, tenant_id):
    """One statement on a pooled connection in autocommit; None when that failed (the caller then reads the usual
    way, which raises the usual errors: 503 when the database is down). The pool's connect raises the driver's own
    errors, which no handler knows: they must not leave here."""
    try:
        pooled = engine.raw_connection()
    except Exception:  # noqa: BLE001 - no connection: the usual path decides
        return None
    try:
        connection = pooled.driver_connection
        connection.autocommit = True
        try:
            row = connection.execute("SELECT * FROM matchmaking_versions(%s)", (tenant_id,), prepare=True).fetchone()
        finally:
            connection.autocommit = False
        return row[0], row[1]
    except Exception:  # noqa: BLE001 - a broken connection: dropped, and the usual path decides
        pooled.invalidate()
        return None
    finally:
        pooled.close()


class Answers:
    """Serialized answers of this process by (tenant, mentee, limit), each kept with the (version, policy score,
    week) it was computed at; a lookup with any other stamp misses. Bounded: when full it starts again empty."""

    def __init__(self):
        self._entries = {}

    def get(self, key, stamp):
        hit = self._entries.get(key)
        return hit[1] if hit is not None and hit[0] == stamp else None

    def put(self, key, stamp, body):
        limit = current_app.config["RECOMMENDATIONS_CACHE_ENTRIES"]
        if limit <= 0:
            return
        if len(self._entries) >= limit:
            self._entries.clear()
        self._entries[key] = (stamp, body)

    def clear(self):
        self._entries.clear()


answers = register(Answers())


def week():
    """The ISO (year, week) now, as the index counts it: availability overlap is computed per week."""
    return index.week_of(utcnow())
