"""Cohort assignment: candidate graph → a strategy from STRATEGIES → pairs with their reasons."""
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .candidates import CandidateGraph, candidate_graph
from .explain import reasons
from .features import MentorIndex, Profile
from .scoring import COMPONENTS, resolve_weights
from .strategies import optimal, stable

# name -> strategy(graph) -> chosen edge indices. A new strategy is one new entry.
STRATEGIES: dict[str, Callable[[CandidateGraph], np.ndarray]] = {
    "optimal": optimal,
    "stable": stable,
}


@dataclass(frozen=True)
class Pair:
    """One assigned mentee-mentor pair."""

    mentee_id: int
    mentor_id: int
    score: float
    reasons: list[dict]


@dataclass(frozen=True)
class Assignment:
    """Pairs sorted by mentee id, the mentees left without a mentor (ascending), and the sum of pair scores."""

    pairs: list[Pair]
    unmatched_mentee_ids: list[int]
    total_score: float


def assign(mentees: Sequence[Profile], index: MentorIndex, strategy: str = "optimal", min_score: float = 0.2,
           candidates: int = 50, weights=None) -> Assignment:
    """Assign each mentee at most one mentor (each mentor at most free_capacity mentees, only pairs scoring at least
    `min_score`, among each mentee's top-`candidates` mentors) with the named strategy."""
    strategy_of(strategy)
    weights = resolve_weights(weights)
    mentees = list(mentees)
    graph = candidate_graph(mentees, index, candidates, min_score, weights)
    return to_assignment(graph, strategy_of(strategy)(graph), mentees, index, weights)


def strategy_of(name: str) -> Callable[[CandidateGraph], np.ndarray]:
    """The strategy called `name`; ValueError for an unknown one."""
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r}; expected one of {sorted(STRATEGIES)}")
    return STRATEGIES[name]


def to_assignment(graph: CandidateGraph, chosen: np.ndarray, mentees: Sequence[Profile] | Mapping[int, Profile],
                  index: MentorIndex, weights=None) -> Assignment:
    """Turn chosen edges into an Assignment; reasons come from the components stored on each edge. `mentees[row]`
    is the profile of the graph's mentee row (a mapping holding only the chosen edges' rows will do)."""
    names = list(COMPONENTS)
    pairs = []
    ordered = chosen[np.argsort(graph.mentee_ids[graph.mentee[chosen]], kind="stable")]
    values = graph.components[ordered].tolist() if len(ordered) else []  # every chosen edge's at once
    for edge, row in zip(ordered.tolist(), values, strict=True):
        mentee, slot = mentees[graph.mentee[edge]], graph.mentor[edge]
        components = dict(zip(names, row, strict=True))
        pairs.append(Pair(mentee.id, int(graph.mentor_ids[slot]), float(graph.score[edge]),
                          reasons(components, mentee, index.profile(slot), weights)))
    matched = np.zeros(len(graph.mentee_ids), dtype=bool)
    matched[graph.mentee[chosen]] = True
    unmatched = sorted(graph.mentee_ids[~matched].tolist())
    return Assignment(pairs, unmatched, float(sum(pair.score for pair in pairs)))
