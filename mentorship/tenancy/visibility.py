"""One object of the pair's domains (intro, mentorship, meeting, referral request), as the request may see it."""
from sqlalchemy import select

from mentorship.errors import NotFound
from mentorship.extensions import db
from mentorship.tenancy.access import allowed


def get_visible(model, object_id, noun):
    """The tenant's object; staff see all of them, a member token only those it is a party of (else 404)."""
    obj = db.session.scalar(select(model).where(model.id == object_id))
    if obj is None or not allowed(lambda p: not p.is_member or p.member_id in (obj.mentee_id, obj.mentor_id)):
        raise NotFound(f"No such {noun}.")
    return obj
