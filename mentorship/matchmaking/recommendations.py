"""Recommendations for one mentee (SPEC §4), and the fresh ones a mentee gets when an intro ends unanswered."""
from flask import current_app
from sqlalchemy import select

from matching.recommend import recommend
from mentorship.errors import ApiError
from mentorship.extensions import db
from mentorship.matchmaking import eligibility, freshness
from mentorship.matchmaking.index import query
from mentorship.matchmaking.profiles import profile_of
from mentorship.members import cards
from mentorship.members.models import Member
from mentorship.members.operations import get_member
from mentorship.notifications.outbox import notify
from mentorship.tenancy.scope import required_tenant_id

SUGGESTED = 3  # mentors named in a decline or expiry notice
# the most recommendations one request can ask for (SPEC §4 `limit`): a mentor further down is nobody to this mentee
RECOMMENDED_AT_MOST = 50
# candidates whose loads are read one by one before every mentor's load is read at once instead
WHOLE_TENANT_AFTER = 400


def answer(member_id, limit):
    """The HTTP answer for GET /members/{id}/recommendations: served from this process's answers while the tenant's
    recommendations version, policy score and week are those it was computed at (freshness.py: then it is exactly
    what computing it again would give), else computed, serialized once and kept."""
    tenant_id = required_tenant_id()
    recommendations_version, mentors_version = freshness.versions(tenant_id)
    stamp = (recommendations_version, eligibility.min_profile_score(tenant_id), freshness.week())
    key = (tenant_id, member_id, limit)
    body = freshness.answers.get(key, stamp)
    if body is None:
        # plain JSON values already, in RecommendationsSchema's shape (the OpenAPI document's; tests/matchmaking/
        # test_freshness.py compares with the schema's dump): no marshmallow pass over 10 items on every miss
        found = recommendations_for(get_member(member_id), limit, mentors_version)
        body = current_app.json.response(found).get_data()
        freshness.answers.put(key, stamp, body)
    return current_app.response_class(body, mimetype=current_app.json.mimetype)


def recommendations_for(mentee, limit, mentors_version=None):
    """Top mentors for `mentee` that eligibility allows, best first. `mentors_version`: the mentor index's version
    when the caller read it already (it is read otherwise)."""
    if mentee.role != "mentee":
        raise ApiError("Recommendations are for mentees; this member is a mentor.", status=422, code="not_a_mentee")
    in_contact = eligibility.in_contact_with(mentee.id)
    profile = profile_of(mentee)

    def pick(entry):
        picks = _best_with_room(profile, entry, limit, entry.unlisted | in_contact)
        return [{"mentor": entry.cards[p.mentor_id], "score": round(float(p.score), 4), "reasons": p.reasons}
                for p in picks]

    return {"items": query(mentee.tenant_id, pick, mentors_version)}


def _best_with_room(profile, entry, limit, excluded):
    """The engine's best `limit` mentors outside `excluded` who are not full. Only the loads of the mentors it
    returns are read (eligibility.full_among): full ones are excluded and the engine asked again, for twice as many
    each round, so a tenant of mostly full mentors costs a few rounds; past WHOLE_TENANT_AFTER candidates, one
    read of every mentor's load (eligibility.full_mentors) settles it."""
    checked, wanted = set(), limit
    while True:
        picks = recommend(profile, entry.index, k=wanted, exclude=excluded)
        fresh = {p.mentor_id for p in picks} - checked
        full = eligibility.full_among(fresh, entry.capacity) if fresh else set()
        if not full:
            return picks[:limit]
        checked |= fresh
        excluded = excluded | full
        wanted *= 2
        if wanted > WHOLE_TENANT_AFTER:
            full = eligibility.full_mentors(entry.capacity)
            return recommend(profile, entry.index, k=limit, exclude=excluded | full)


@cards.relation
def recommended_to(viewer, other):
    """SPEC §3: a mentee reads the card of a mentor among its recommendations (at the largest `limit`)."""
    if viewer.role != "mentee":
        return False
    return any(item["mentor"]["id"] == other.id for item in recommendations_for(viewer, RECOMMENDED_AT_MOST)["items"])


def tell_with_suggestions(intro):
    """Receiver of intro_declined and intro_expired: the mentee hears it with a few mentors who could be a good
    fit now, so nobody waits on a mentor who never answers (SPEC §6)."""
    mentee = db.session.scalar(select(Member).where(Member.id == intro.mentee_id))
    picks = recommendations_for(mentee, SUGGESTED)["items"]
    notify(mentee.id, f"intro.{intro.status}", intro, suggested=[p["mentor"]["id"] for p in picks])
