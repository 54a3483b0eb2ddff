"""Who may read whose card (SPEC §3): a member token sees its own full record and the *card* of the members it
deals with — the mentors in its recommendations, the other side of its intros and mentorships; anyone else is
404, as if there were no such member.

A card is what someone needs to write a personal first message or to answer one: who they are, what they do, what
they are looking for; never the e-mail address, availability, visa needs or the profile score.

The rule is here; what joins two members is known by the domains above this one (an intro: outreach, a mentorship:
mentorships, a recommendation: matchmaking), which each register theirs with `@relation` when imported. None
registered: nobody's card is visible (it fails closed).
"""
from mentorship.errors import NotFound
from mentorship.members.schemas import dump_member

CARD_FIELDS = ("id", "role", "name", "headline", "bio", "photo_url", "domains", "goals", "skills", "languages",
               "timezone", "school", "company", "title", "years_experience", "international")
_RELATIONS = []  # predicates (viewer, other) -> bool, registered by the domains that join members


def relation(predicate):
    """Register `predicate(viewer, other)`: True when it joins the two members (a decorator)."""
    _RELATIONS.append(predicate)
    return predicate


def card(member):
    """The card of `member`: CARD_FIELDS of its API representation."""
    full = dump_member(member, member.profile)
    return {name: full[name] for name in CARD_FIELDS}


def may_see_card(viewer, other):
    """Whether member `viewer` deals with member `other` (see the module docstring)."""
    if viewer.id == other.id or viewer.role == other.role:
        return viewer.id == other.id
    return any(joined(viewer, other) for joined in _RELATIONS)


def visible_card(viewer, other):
    """`other`'s card for `viewer`, or 404 when they do not deal with each other."""
    if not may_see_card(viewer, other):
        raise NotFound("No such member.")
    return card(other)
