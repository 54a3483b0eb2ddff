"""One object of the pair's domains (intro, mentorship, meeting, referral request), as the request may see it."""
from sqlalchemy import select

from mentorship.errors import NotFound
from mentorship.extensions import db
from mentorship.tenancy.access import allowed, ensure
from mentorship.tenancy.credentials import current_principal


def get_visible(model, object_id, noun):
    """The tenant's object; staff see all of them, a member token only those it is a party of (else 404)."""
    obj = db.session.scalar(select(model).where(model.id == object_id))
    if obj is None or not allowed(lambda p: not p.is_member or p.member_id in (obj.mentee_id, obj.mentor_id)):
        raise NotFound(f"No such {noun}.")
    return obj


def visible_query(query, model, member_id=None):
    """A list's SELECT of `model` as the request may see it: staff see all rows (or those of `member_id`, one
    party), a member token only those it is a party of; a member token naming another member is 403."""
    principal = current_principal()
    if principal.is_member:
        ensure(lambda p: member_id in (None, p.member_id), "A member token lists only its own.")
        member_id = principal.member_id
    if member_id is not None:
        query = query.where((model.mentee_id == member_id) | (model.mentor_id == member_id))
    return query
