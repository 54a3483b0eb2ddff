"""Reasons for many pairs at once: the same list, in the same order, with the same words as reasons() pair by pair."""
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import WEIGHTS, MentorIndex, Profile, reasons, recommend
from matching.assign import PAIR_MENTEE_FIELDS
from matching.explain import REASONS, reasons_many, reasons_of_pairs
from matching.scoring import COMPONENTS, resolve_weights, score_batch
from tests.matching.profiles import WEEK, cohorts

# Every threshold with its neighbours either side, so a value on the edge is tried both ways.
EDGES = sorted({edge for _, threshold, _ in REASONS.values() for edge in
                (threshold, math.nextafter(threshold, 0.0), math.nextafter(threshold, 1.0))})
VALUES = st.one_of(st.sampled_from([0.0, 1.0, *EDGES, *(i / 8 for i in range(9))]),
                   st.floats(0.0, 1.0, allow_nan=False))
# A few weights shared by several components, so that equal contributions fall back on REASONS order.
WEIGHTINGS = st.one_of(st.none(), st.dictionaries(st.sampled_from(sorted(WEIGHTS)),
                                                  st.sampled_from([0.0, 0.05, 0.1, 0.3]) | st.floats(0.0, 1.0),
                                                  min_size=1).filter(lambda w: sum({**WEIGHTS, **w}.values()) > 0))


def _one_by_one(components, mentee, mentors, weights):
    return [reasons({name: values[cell] for name, values in components.items()}, mentee, mentor, weights)
            for cell, mentor in enumerate(mentors)]


@settings(max_examples=300, deadline=None)
@given(cohort=cohorts(max_mentees=2, max_mentors=12), weights=WEIGHTINGS, data=st.data())
def test_reasons_many_and_of_pairs_equal_reasons_pair_by_pair(cohort, weights, data):
    mentees, mentors = cohort
    index = MentorIndex.build(mentors, week_of=WEEK)
    profiles = [index.profile(slot) for slot in range(len(index))]
    scored = score_batch(index.encode(mentees), index)
    pairs = {name: [] for name in COMPONENTS}, [], [], []  # every (mentee, mentor) cell tried: a match run's pairs
    for row, mentee in enumerate(mentees):
        # The real component values first, then some of them replaced by values at and around the thresholds.
        real = {name: values[row] for name, values in scored.components.items()}
        edged = {name: np.array(data.draw(st.lists(VALUES, min_size=len(index), max_size=len(index))))
                 if data.draw(st.booleans()) else values for name, values in real.items()}
        for components in (real, edged):
            one_by_one = _one_by_one(components, mentee, profiles, weights)
            assert reasons_many(components, mentee, profiles, weights) == one_by_one
            for name, values in components.items():
                pairs[0][name].extend(values.tolist())
            pairs[1].extend([mentee] * len(profiles))
            pairs[2].extend(profiles)
            pairs[3].extend(one_by_one)
    components, pair_mentees, pair_mentors, expected = pairs
    components = {name: np.array(values) for name, values in components.items()}
    assert reasons_of_pairs(components, pair_mentees, pair_mentors, weights) == expected
    # what a split match run keeps of the mentees is all the reasons read
    kept = [Profile(**{name: getattr(mentee, name) for name in PAIR_MENTEE_FIELDS}) for mentee in pair_mentees]
    assert reasons_of_pairs(components, kept, pair_mentors, weights) == expected
    assert reasons_many({name: np.zeros(0) for name in COMPONENTS}, mentees[0], [], weights) == []
    assert reasons_of_pairs({name: np.zeros(0) for name in COMPONENTS}, [], [], weights) == []


@settings(max_examples=100, deadline=None)
@given(cohort=cohorts(max_mentees=2, max_mentors=20), k=st.integers(1, 12), weights=WEIGHTINGS)
def test_recommend_gives_the_reasons_of_its_own_components(cohort, k, weights):
    mentees, mentors = cohort
    index = MentorIndex.build(mentors, week_of=WEEK)
    resolved = resolve_weights(weights)  # what recommend hands on (reasons resolves it again: a near-tie can move)
    for mentee in mentees:
        got = recommend(mentee, index, k=k, weights=weights)
        scored = score_batch(index.encode([mentee]), index, weights)
        for recommendation in got:
            slot = index.slot(recommendation.mentor_id)
            components = {name: values[0, slot] for name, values in scored.components.items()}
            assert recommendation.reasons == reasons(components, mentee, index.profile(slot), resolved)
