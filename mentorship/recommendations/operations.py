"""Recommendations for one mentee (SPEC §4)."""
from matching.recommend import recommend
from mentorship.errors import ApiError
from mentorship.recommendations.index import query
from mentorship.recommendations.profiles import excluded_for, mentor_loads, profile_of


def recommendations_for(mentee, limit):
    """Top mentors for `mentee`: ready, with free capacity, never one already in contact with them."""
    if mentee.role != "mentee":
        raise ApiError("Recommendations are for mentees; this member is a mentor.", status=422, code="not_a_mentee")
    loads = mentor_loads(mentee.tenant_id)
    excluded = excluded_for(mentee.tenant_id, mentee.id)
    profile = profile_of(mentee)

    def pick(entry):
        full = {mentor_id for mentor_id, load in loads.items() if load >= entry.capacity.get(mentor_id, 0)}
        picks = recommend(profile, entry.index, k=limit, exclude=entry.ineligible | full | excluded)
        return [{"mentor": entry.cards[p.mentor_id], "score": round(float(p.score), 4), "reasons": p.reasons}
                for p in picks]

    return {"items": query(mentee.tenant_id, pick)}
