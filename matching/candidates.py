"""The candidate graph of a cohort match: each mentee's top mentors by score, as flat edge arrays.

Mentees are scored in blocks of about BLOCK_CELLS mentee × mentor cells, so memory stays bounded (~100 MB of
temporaries) whatever the cohort size. Each edge keeps its component values, so the reasons of the chosen pairs
come from the very numbers the solver saw.
"""
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .features import MentorIndex, Profile
from .scoring import COMPONENTS, PREFER_BONUS, mentor_preference, resolve_weights
from .shortlist import shortlist

BLOCK_CELLS = 1 << 20


@dataclass(frozen=True)
class CandidateGraph:
    """Edges mentee → mentor sorted by (mentee, mentor id); every array is indexed by edge unless noted."""

    mentee: np.ndarray       # position in mentee_ids
    mentor: np.ndarray       # slot in mentor_ids / capacity
    score: np.ndarray
    preference: np.ndarray   # the mentor's view of the mentee: score + PREFER_BONUS · matched `prefers` criteria
    components: np.ndarray   # (edges, len(COMPONENTS)) in COMPONENTS order
    mentee_ids: np.ndarray   # per mentee
    mentor_ids: np.ndarray   # per mentor slot
    capacity: np.ndarray     # per mentor slot: free capacity


def candidate_graph(mentees: Sequence[Profile], index: MentorIndex, candidates: int = 50, min_score: float = 0.2,
                    weights=None) -> CandidateGraph:
    """Top-`candidates` mentors with free capacity and score >= min_score for each mentee."""
    weights = resolve_weights(weights)
    mentee_ids = np.array([mentee.id for mentee in mentees], dtype=np.int64)
    if len(np.unique(mentee_ids)) != len(mentee_ids):
        raise ValueError("duplicate mentee id")
    has_room = index.free_capacity > 0
    block = max(1, BLOCK_CELLS // max(len(index), 1))
    # Edges go straight into arrays sized for the most there can be (pages never written are never resident), block
    # by block in final order: blocks are consecutive mentees, so sorting each by (mentee, mentor id) sorts all.
    most = len(mentees) * max(candidates, 0)
    mentee, mentor = np.empty(most, np.int64), np.empty(most, np.int64)
    score, preference = np.empty(most), np.empty(most)
    components = np.empty((most, len(COMPONENTS)))
    edges = 0
    for start in range(0, len(mentees) if candidates > 0 else 0, block):
        batch = index.encode(mentees[start:start + block])
        best = shortlist(batch, index, weights, candidates, has_room)
        # Top-`candidates` first, then the score floor: the same edges as filtering first, since it is monotone.
        keep = np.flatnonzero(best.total >= min_score)
        keep = keep[np.lexsort((index.mentor_ids[best.slots[keep]], best.rows[keep]))]
        rows, slots, end = best.rows[keep], best.slots[keep], edges + len(keep)
        mentee[edges:end], mentor[edges:end], score[edges:end] = rows + start, slots, best.total[keep]
        preference[edges:end] = best.total[keep] + PREFER_BONUS * mentor_preference(batch, index)[rows, slots]
        for column, name in enumerate(COMPONENTS):
            components[edges:end, column] = best.components[name][keep]
        edges = end
    for array in (mentee, mentor, score, preference, components):
        array.resize((edges, *array.shape[1:]), refcheck=False)  # in place: no second copy of the edges
    return CandidateGraph(mentee, mentor, score, preference, components, mentee_ids, index.mentor_ids.copy(),
                          index.free_capacity.copy())
