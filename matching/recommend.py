"""Top-k mentors for one mentee: one vectorised scoring pass (see shortlist.py), reasons for the k winners only."""
from collections.abc import Collection
from dataclasses import dataclass

from .explain import reasons_many
from .features import MentorIndex, Profile
from .scoring import resolve_weights
from .shortlist import shortlist


@dataclass(frozen=True)
class Recommendation:
    """One recommended mentor with its score (0..1) and reasons."""

    mentor_id: int
    score: float
    reasons: list[dict]


def recommend(mentee: Profile, index: MentorIndex, k: int = 10, exclude: Collection[int] = (),
              weights=None) -> list[Recommendation]:
    """The k best mentors with free capacity, not in `exclude` (mentor ids), by score desc then mentor id asc.

    Same ranking and scores as sorting score_mentee(mentee, index).total over the eligible mentors.
    """
    weights = resolve_weights(weights)
    if k <= 0:
        return []
    eligible = index.free_capacity > 0
    eligible[[index.slot(mentor_id) for mentor_id in exclude if mentor_id in index]] = False
    best = shortlist(index.encode([mentee]), index, weights, k, eligible)
    slots = best.slots.tolist()
    explained = reasons_many(best.components, mentee, [index.profile(slot) for slot in slots], weights)
    return [Recommendation(mentor_id, score, found) for mentor_id, score, found
            in zip(index.mentor_ids[best.slots].tolist(), best.total.tolist(), explained, strict=True)]
