"""Cohort assignment: `optimal` equals brute force, `stable` has no blocking pair, both respect capacities and
min_score, and the same input gives the same output."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import STRATEGIES, MentorIndex, assign, score_mentee
from matching.candidates import candidate_graph
from matching.strategies import preference_orders, stable
from tests.matching.profiles import WEEK, cohorts

ALL = 1000  # candidates: more than any test cohort has mentors, so the graph is complete


def _scores(mentees, index):
    return np.array([score_mentee(mentee, index).total for mentee in mentees])


def _brute_force(scores, capacity, min_score):
    """Best total over every assignment (None = unmatched) that respects capacity and min_score."""
    options = [[None] + [j for j in range(scores.shape[1]) if capacity[j] > 0 and scores[i, j] >= min_score]
               for i in range(scores.shape[0])]
    best = 0.0
    for choice in itertools.product(*options):
        used = [j for j in choice if j is not None]
        if all(used.count(j) <= capacity[j] for j in set(used)):
            best = max(best, sum(scores[i, j] for i, j in enumerate(choice) if j is not None))
    return best


def _check_feasible(result, mentees, mentors, index, min_score):
    scores = _scores(mentees, index)
    row = {m.id: i for i, m in enumerate(mentees)}
    capacity = {m.id: m.free_capacity for m in mentors}
    assert len({pair.mentee_id for pair in result.pairs}) == len(result.pairs)  # ≤ 1 mentor per mentee
    for mentor_id in {pair.mentor_id for pair in result.pairs}:
        assert sum(pair.mentor_id == mentor_id for pair in result.pairs) <= capacity[mentor_id]
    for pair in result.pairs:
        assert pair.score >= min_score
        assert pair.score == pytest.approx(scores[row[pair.mentee_id], index.slot(pair.mentor_id)], abs=1e-9)
    matched = {pair.mentee_id for pair in result.pairs}
    assert sorted(matched | set(result.unmatched_mentee_ids)) == sorted(row)
    assert not matched & set(result.unmatched_mentee_ids)
    assert result.total_score == pytest.approx(sum(pair.score for pair in result.pairs))


@settings(max_examples=150, deadline=None)
@given(cohort=cohorts(), min_score=st.sampled_from([0.0, 0.2, 0.35]))
def test_optimal_equals_brute_force(cohort, min_score):
    mentees, mentors = cohort
    index = MentorIndex.build(mentors, week_of=WEEK)
    result = assign(mentees, index, "optimal", min_score=min_score, candidates=ALL)
    _check_feasible(result, mentees, mentors, index, min_score)
    best = _brute_force(_scores(mentees, index), index.free_capacity, min_score)
    # Integer costs (score · 1e6) make the solver exact to 5e-7 per pair.
    assert result.total_score == pytest.approx(best, abs=1e-5)


def _blocking_pairs(graph, chosen):
    proposals, rank = preference_orders(graph)
    position = np.empty(len(proposals), dtype=np.int64)
    position[proposals] = np.arange(len(proposals))  # lower = the mentee likes it more
    assigned = {int(graph.mentee[e]): int(e) for e in chosen}
    held = {}
    for e in chosen:
        held.setdefault(int(graph.mentor[e]), []).append(int(rank[e]))
    blocking = []
    for e in range(len(graph.score)):
        mentee, mentor = int(graph.mentee[e]), int(graph.mentor[e])
        mentee_wants = mentee not in assigned or position[e] < position[assigned[mentee]]
        ranks = held.get(mentor, [])
        mentor_wants = len(ranks) < graph.capacity[mentor] or rank[e] < max(ranks)
        if mentee_wants and mentor_wants and assigned.get(mentee) != e:
            blocking.append(e)
    return blocking


@settings(max_examples=150, deadline=None)
@given(cohort=cohorts(max_mentees=8, max_mentors=5), min_score=st.sampled_from([0.0, 0.2, 0.35]))
def test_stable_has_no_blocking_pair(cohort, min_score):
    mentees, mentors = cohort
    index = MentorIndex.build(mentors, week_of=WEEK)
    graph = candidate_graph(mentees, index, candidates=ALL, min_score=min_score)
    chosen = stable(graph)
    assert _blocking_pairs(graph, chosen) == []
    result = assign(mentees, index, "stable", min_score=min_score, candidates=ALL)
    _check_feasible(result, mentees, mentors, index, min_score)
    assert sorted((p.mentee_id, p.mentor_id) for p in result.pairs) == sorted(
        (int(graph.mentee_ids[graph.mentee[e]]), int(graph.mentor_ids[graph.mentor[e]])) for e in chosen)


@settings(max_examples=60, deadline=None)
@given(cohort=cohorts(max_mentees=8, max_mentors=6), strategy=st.sampled_from(sorted(STRATEGIES)),
       candidates=st.integers(1, 4))
def test_same_input_same_output_and_candidate_limit(cohort, strategy, candidates):
    mentees, mentors = cohort
    index = MentorIndex.build(mentors, week_of=WEEK)
    first = assign(mentees, index, strategy, min_score=0.1, candidates=candidates)
    again = assign(mentees, MentorIndex.build(mentors, week_of=WEEK), strategy, min_score=0.1, candidates=candidates)
    assert first == again
    _check_feasible(first, mentees, mentors, index, 0.1)
    for pair in first.pairs:  # only each mentee's top-`candidates` mentors are considered
        mentee = next(m for m in mentees if m.id == pair.mentee_id)
        scored = score_mentee(mentee, index)
        eligible = index.free_capacity > 0
        better = (scored.total > pair.score + 1e-12) & eligible
        assert better.sum() < candidates


def test_stable_differs_from_optimal_through_mentor_preferences():
    # Two mentees, one mentor seat: the mentee the score prefers loses it to the one the mentor prefers.
    from matching import Profile
    mentor = Profile(100, "mentor", ("data/ml",), ("career-plan",), free_capacity=1, prefers_schools=("MIT",),
                     prefers_international=True)
    strong = Profile(1, "mentee", ("data/ml",), ("career-plan",), school="UT Dallas")
    preferred = Profile(2, "mentee", ("data",), ("career-plan",), school="MIT", international=True)
    index = MentorIndex.build([mentor], week_of=WEEK)
    optimal = assign([strong, preferred], index, "optimal")
    stable_result = assign([strong, preferred], index, "stable")
    assert [(p.mentee_id, p.mentor_id) for p in optimal.pairs] == [(1, 100)]
    assert [(p.mentee_id, p.mentor_id) for p in stable_result.pairs] == [(2, 100)]
    assert stable_result.unmatched_mentee_ids == [1]


def test_edge_cases():
    from matching import Profile
    index = MentorIndex.build([], week_of=WEEK)
    mentee = Profile(1, "mentee", ("data",))
    for strategy in STRATEGIES:
        result = assign([mentee], index, strategy)
        assert result.pairs == [] and result.unmatched_mentee_ids == [1] and result.total_score == 0.0
        assert assign([], index, strategy).pairs == []
    with pytest.raises(ValueError, match="unknown strategy"):
        assign([mentee], index, "random")
    with pytest.raises(ValueError, match="duplicate mentee"):
        assign([mentee, mentee], index)


def test_pairs_carry_reasons_from_their_components():
    from matching import Profile
    mentor = Profile(100, "mentor", ("finance/credit-risk",), ("career-plan",), school="MIT", free_capacity=1)
    mentee = Profile(1, "mentee", ("finance/credit-risk",), ("career-plan", "networking"), school="mit")
    result = assign([mentee], MentorIndex.build([mentor], week_of=WEEK))
    codes = [reason["code"] for reason in result.pairs[0].reasons]
    assert {"shared_domain", "goal_match", "same_school"} <= set(codes)
