"""Member writes and reads: create, update, list (export and erasure: privacy.py). Each write audits."""
from sqlalchemy import Text, bindparam, cast, func, not_, or_, select, union
from sqlalchemy.exc import IntegrityError

from mentorship import events
from mentorship.database import PreparedRead, batches
from mentorship.errors import Conflict, Invalid, NotFound
from mentorship.extensions import db
from mentorship.members.models import DEFAULT_CAPACITY, Member, profile_of
from mentorship.members.profile import ready_clause
from mentorship.members.schemas import SHOWN_COLUMNS, dump_member, dump_member_values, role_errors
from mentorship.tenancy.audit import record
from mentorship.tenancy.policy import for_tenant
from mentorship.tenancy.scope import required_tenant_id

# built once: constructing the statement per call cost more than running it (the hot read of the API)
_ONE_MEMBER = select(Member).where(Member.id == bindparam("member_id"), Member.erased_at.is_(None))


def get_member(member_id):
    """The member with this id in the current tenant, or 404 (also once erased)."""
    member = db.session.scalar(_ONE_MEMBER, {"member_id": member_id})
    if member is None:
        raise NotFound("No such member.")
    return member


# GET /members/{id}, the API's hot read: the columns MemberSchema shows, by a PreparedRead (see there: it bypasses
# the ORM, so its tenancy hook too). The tenant is therefore in the WHERE clause, taken from the scope, failing
# closed without one (`required_tenant_id`).
_T = Member.__table__
_MEMBER_ROW = PreparedRead(
    select(*(_T.c[name] for name in SHOWN_COLUMNS), _T.c.profile_score, _T.c.profile_gaps).where(
        _T.c.id == bindparam("member_id"), _T.c.tenant_id == bindparam("tenant_id"), _T.c.erased_at.is_(None)),
    Member)
_SCORE = len(SHOWN_COLUMNS)


def member_document(member_id):
    """What GET /members/{id} answers: MemberSchema's dump of the member in the current tenant, or 404 (also once
    erased). The same as `MemberSchema().dump(get_member(member_id))`, in a fraction of the time."""
    tenant_id = required_tenant_id()
    row = _MEMBER_ROW.first(db.session, {"member_id": member_id, "tenant_id": tenant_id})
    if row is None:
        raise NotFound("No such member.")
    return dump_member_values(row, profile_of(tenant_id, row[_SCORE], row[_SCORE + 1]))


def member_documents(tenant_id, member_ids, chunk=1000):
    """(id, MemberSchema's dump) of each of the tenant's members with these ids, in the order given: many members
    read in a few SELECTs (an event about a whole import)."""
    columns = [_T.c[name] for name in SHOWN_COLUMNS] + [_T.c.profile_score, _T.c.profile_gaps]
    member_ids = list(member_ids)
    for i in range(0, len(member_ids), chunk):
        ids = member_ids[i:i + chunk]
        rows = {row[0]: row for row in db.session.execute(
            select(*columns).where(_T.c.tenant_id == tenant_id, _T.c.id.in_(ids)))}
        for member_id in ids:
            row = rows[member_id]
            yield member_id, dump_member_values(row, profile_of(tenant_id, row[_SCORE], row[_SCORE + 1]))


def _email_taken(email, except_id=None):
    query = select(Member.id).where(Member.email == email)
    if except_id:
        query = query.where(Member.id != except_id)
    return db.session.scalar(query) is not None


def _apply(member, data):
    for name, value in data.items():
        setattr(member, name, value)


def create_member(data):
    """Create a mentee or mentor; 409 email_taken when the address is in use in this tenant."""
    errors = role_errors(data["role"], data)
    if errors:
        raise Invalid("Some fields belong to the other role.", errors=errors)
    if _email_taken(data["email"]):
        raise Conflict("A member with this e-mail exists in this tenant.", code="email_taken")
    if data["role"] == "mentor":
        data.setdefault("capacity", DEFAULT_CAPACITY)
    member = Member()
    db.session.add(member)
    _apply(member, data)
    _commit_unique_email()
    record("member.created", member, role=member.role)
    events.member_created.send(member)
    db.session.commit()
    return member


def update_member(member, changes):
    """Change profile fields; the role cannot change."""
    if "role" in changes and changes.pop("role") != member.role:
        raise Invalid("The role cannot change.", errors={"role": ["The role cannot change."]})
    errors = role_errors(member.role, changes)
    if errors:
        raise Invalid("Some fields belong to the other role.", errors=errors)
    if "email" in changes and _email_taken(changes["email"], member.id):
        raise Conflict("A member with this e-mail exists in this tenant.", code="email_taken")
    _apply(member, changes)
    _commit_unique_email()
    record("member.updated", member, fields=sorted(changes))
    events.member_updated.send(member, fields=sorted(changes))
    db.session.commit()
    return member


def _commit_unique_email():
    """Flush now so a concurrent insert of the same e-mail is a 409, not a 500."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("A member with this e-mail exists in this tenant.", code="email_taken") from None


def _escape_like(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def all_members(args):
    """Every member the list's filters find (no page), as the API shows each: for a CSV."""
    for batch in batches(members_query(args)):
        yield from (dump_member(member, member.profile) for member in batch)


_IN_CONTACT = []  # the SELECT of mentee ids in contact with someone, registered by outreach (capacity.py)


def in_contact(select_mentee_ids):
    """Register `select_mentee_ids()`: a SELECT of the mentees in contact with anyone (a decorator). The members
    list's `unmatched` filter reads it; who is in contact is decided above this package."""
    _IN_CONTACT.append(select_mentee_ids)
    return select_mentee_ids


def members_query(args):
    """SELECT for GET /members: role, domain prefix (`finance` finds `finance/credit-risk`), text search, school,
    cohort (graduation year), readiness, and mentees unmatched (in contact with nobody) or not."""
    query = select(Member).where(Member.erased_at.is_(None)).order_by(Member.id)
    if "role" in args:
        query = query.where(Member.role == args["role"])
    if "school" in args:
        query = query.where(Member.school == args["school"])
    if "cohort" in args:
        query = query.where(Member.graduation_year == args["cohort"])
    if "ready" in args:
        ready = ready_clause(Member.profile_score, Member.profile_gaps,
                             for_tenant(required_tenant_id())["min_profile_score"])
        query = query.where(ready if args["ready"] else not_(ready))
    if "unmatched" in args:
        busy = Member.id.in_(union(*(source() for source in _IN_CONTACT)))
        query = query.where(Member.role == "mentee", not_(busy) if args["unmatched"] else busy)
    if "domain" in args:
        # domains are stored as a JSON list of slugs, which hold no quotes or LIKE wildcards:
        # '"finance"' matches the domain itself, '"finance/' any domain below it
        stored = cast(Member.domains, Text)
        slug = args["domain"]
        query = query.where(or_(stored.like(f'%"{slug}"%'), stored.like(f'%"{slug}/%')))
    if "q" in args:
        pattern = "%" + _escape_like(args["q"].lower()) + "%"
        query = query.where(or_(*(func.lower(col).like(pattern, escape="\\")
                                  for col in (Member.name, Member.headline, Member.company))))
    return query
