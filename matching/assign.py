"""Cohort assignment: candidate graph → a strategy from STRATEGIES → pairs with their reasons."""
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .candidates import CANDIDATES, CandidateGraph, candidate_graph
from .explain import SIDE_FIELDS, reasons_of_pairs
from .features import MentorIndex, Profile
from .scoring import COMPONENTS, resolve_weights
from .strategies import optimal, stable

# What to_assignment reads of a mentee's profile: the id and what the reasons read (and the role every Profile
# has). A split match run keeps these fields only of the mentees its blocks scored.
PAIR_MENTEE_FIELDS = ("id", "role", *SIDE_FIELDS)

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
           candidates: int = CANDIDATES, weights=None) -> Assignment:
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
    ordered = chosen[np.argsort(graph.mentee_ids[graph.mentee[chosen]], kind="stable")]
    values = graph.components[ordered] if len(ordered) else np.empty((0, len(COMPONENTS)))  # all chosen at once
    rows, slots = graph.mentee[ordered].tolist(), graph.mentor[ordered]
    pair_mentees = [mentees[row] for row in rows]
    explained = reasons_of_pairs({name: values[:, n] for n, name in enumerate(COMPONENTS)}, pair_mentees,
                                 [index.profile(slot) for slot in slots.tolist()], weights)
    pairs = [Pair(mentee.id, mentor_id, score, why) for mentee, mentor_id, score, why in zip(
        pair_mentees, graph.mentor_ids[slots].tolist(), graph.score[ordered].tolist(), explained, strict=True)]
    matched = np.zeros(len(graph.mentee_ids), dtype=bool)
    matched[graph.mentee[chosen]] = True
    unmatched = sorted(graph.mentee_ids[~matched].tolist())
    return Assignment(pairs, unmatched, float(sum(pair.score for pair in pairs)))
