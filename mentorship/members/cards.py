"""Who may read whose card (SPEC §3): a member token sees its own full record and the *card* of the members it
deals with — the mentors in its recommendations, the other side of its intros and mentorships; anyone else is
404, as if there were no such member.

A card is what someone needs to write a personal first message or to answer one: who they are, what they do, what
they are looking for; never the e-mail address, availability, visa needs or the profile score.
"""
from sqlalchemy import exists, or_, select

from mentorship.errors import NotFound
from mentorship.extensions import db
from mentorship.matchmaking.recommendations import recommendations_for
from mentorship.members.schemas import dump_member
from mentorship.mentorships.models import Mentorship
from mentorship.outreach.models import Intro

CARD_FIELDS = ("id", "role", "name", "headline", "bio", "photo_url", "domains", "goals", "skills", "languages",
               "timezone", "school", "company", "title", "years_experience", "international")
# the most recommendations one request can ask for (SPEC §4 `limit`): a mentor further down is nobody to this mentee
RECOMMENDED_AT_MOST = 50


def card(member):
    """The card of `member`: CARD_FIELDS of its API representation."""
    full = dump_member(member, member.profile)
    return {name: full[name] for name in CARD_FIELDS}


def _pair_between(viewer, other):
    """Whether an intro or a mentorship joins the two (in either role, any status): one query."""
    def joined(model):
        return exists().where(or_((model.mentee_id == viewer.id) & (model.mentor_id == other.id),
                                  (model.mentee_id == other.id) & (model.mentor_id == viewer.id)))
    return bool(db.session.scalar(select(or_(joined(Intro), joined(Mentorship)))))


def _recommended(viewer, other):
    items = recommendations_for(viewer, RECOMMENDED_AT_MOST)["items"]
    return any(item["mentor"]["id"] == other.id for item in items)


def may_see_card(viewer, other):
    """Whether member `viewer` deals with member `other` (see the module docstring)."""
    if viewer.id == other.id or viewer.role == other.role:
        return viewer.id == other.id
    if _pair_between(viewer, other):
        return True
    return viewer.role == "mentee" and _recommended(viewer, other)


def visible_card(viewer, other):
    """`other`'s card for `viewer`, or 404 when they do not deal with each other."""
    if not may_see_card(viewer, other):
        raise NotFound("No such member.")
    return card(other)
