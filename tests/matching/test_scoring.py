"""Scores: weights in one place, components in [0, 1], domain fit over the slug hierarchy, and reasons read off the
very component values."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import WEIGHTS, MentorIndex, Profile, reasons, score_mentee
from matching.explain import REASONS
from matching.scoring import (
    COMPONENTS,
    DOMAIN_EXACT,
    DOMAIN_RELATED,
    TEXT,
    one_mentee_partial,
    partial_total,
    resolve_weights,
    score_batch,
)
from tests.matching.profiles import WEEK, cohorts

CODES = {"shared_domain", "related_domain", "goal_match", "same_school", "shared_language",
         "international_experience", "visa_sponsorship", "availability_overlap", "similar_background", "responsive"}


def test_weights_are_documented_once_and_sum_to_one():
    assert set(WEIGHTS) == set(COMPONENTS)
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)
    assert max(WEIGHTS, key=WEIGHTS.get) == "domain"
    assert set(REASONS) == CODES


def test_weight_overrides_merge_and_renormalise():
    weights = resolve_weights({"text": 0.0, "domain": 0.6})
    assert weights["text"] == 0 and sum(weights.values()) == pytest.approx(1.0)
    assert weights["domain"] / weights["goals"] == pytest.approx(0.6 / WEIGHTS["goals"])
    for bad in ({"charisma": 1.0}, {"domain": -1.0}, dict.fromkeys(WEIGHTS, 0.0)):
        with pytest.raises(ValueError):
            resolve_weights(bad)


@settings(max_examples=100, deadline=None)
@given(cohort=cohorts(max_mentees=3, max_mentors=8))
def test_components_in_unit_range_and_total_is_their_weighted_sum(cohort):
    mentees, mentors = cohort
    index = MentorIndex.build(mentors, week_of=WEEK)
    scored = score_batch(index.encode(mentees), index)
    for name, values in scored.components.items():
        assert values.shape == (len(mentees), len(mentors)) and (values >= 0).all() and (values <= 1).all(), name
    weighted = sum(WEIGHTS[name] * values for name, values in scored.components.items())
    assert np.allclose(scored.total, weighted, atol=1e-12)
    for row, mentee in enumerate(mentees):
        assert np.allclose(score_mentee(mentee, index).total, scored.total[row], atol=1e-12)
        for slot in range(len(index)):
            got = reasons({name: values[row, slot] for name, values in scored.components.items()}, mentee,
                          index.profile(slot))
            codes = [reason["code"] for reason in got]
            assert set(codes) <= CODES and len(codes) == len(set(codes))
            assert not {"shared_domain", "related_domain"} <= set(codes)
            assert all(isinstance(reason["detail"], str) and reason["detail"] for reason in got)


def _domain_score(mentee_domains, mentor_domains):
    index = MentorIndex.build([Profile(1, "mentor", tuple(mentor_domains), free_capacity=1)], week_of=WEEK)
    return score_mentee(Profile(2, "mentee", tuple(mentee_domains)), index).components["domain"][0]


def test_domain_fit_exact_over_parent_over_none():
    assert _domain_score(["finance/credit-risk"], ["finance/credit-risk"]) == 1.0
    assert _domain_score(["Finance/Credit-Risk/"], ["finance/credit-risk"]) == 1.0  # slugs are normalised
    assert _domain_score(["finance/credit-risk", "data/ml"], ["finance/credit-risk"]) == DOMAIN_EXACT + 0.25 / 2
    assert _domain_score(["finance/credit-risk"], ["finance/market-risk"]) == DOMAIN_RELATED
    assert _domain_score(["finance/credit-risk"], ["finance"]) == DOMAIN_RELATED
    assert _domain_score(["a/b/c"], ["a/x/y"]) == DOMAIN_RELATED
    assert _domain_score(["finance/credit-risk"], ["software/backend"]) == 0.0
    assert _domain_score([], ["software/backend"]) == 0.0


def test_exact_domain_outranks_related_with_a_few_other_things_against_it():
    exact = Profile(1, "mentor", ("finance/credit-risk",), free_capacity=1)
    related = Profile(2, "mentor", ("finance/market-risk",), school="MIT", languages=("en",), free_capacity=3)
    mentee = Profile(3, "mentee", ("finance/credit-risk",), school="MIT", languages=("en",))
    total = score_mentee(mentee, MentorIndex.build([exact, related], week_of=WEEK)).total
    assert total[0] > total[1]


def test_text_similarity_is_tfidf_cosine():
    mentors = [Profile(1, "mentor", text="credit risk models in python"), Profile(2, "mentor", text="react ui"),
               Profile(3, "mentor", text="")]
    index = MentorIndex.build(mentors, week_of=WEEK)
    text = score_mentee(Profile(9, "mentee", text="Credit risk models in Python!"), index).components["text"]
    assert text[0] == pytest.approx(1.0) and text[1] == 0.0 and text[2] == 0.0


def test_reasons_are_read_off_the_component_values():
    mentor = Profile(1, "mentor", ("finance/market-risk",), ("career-plan", "networking"), "MIT", ("en", "zh"),
                     international=True, company_sponsors_visa=True, free_capacity=1)
    mentee = Profile(2, "mentee", ("finance/credit-risk",), ("networking", "career-plan"), "mit", ("zh",),
                     international=True, needs_visa_sponsorship=True)
    components = {name: float(values[0]) for name, values in
                  score_mentee(mentee, MentorIndex.build([mentor], week_of=WEEK)).components.items()}
    got = {reason["code"]: reason["detail"] for reason in reasons(components, mentee, mentor)}
    assert got["related_domain"] == "Works in finance/market-risk, close to finance/credit-risk"
    assert got["goal_match"] == "Offers career-plan, networking"
    assert got["same_school"] == "Both from MIT"
    assert got["shared_language"] == "Both speak zh"
    assert {"international_experience", "visa_sponsorship", "responsive"} <= set(got)
    assert "availability_overlap" not in got and "similar_background" not in got
    # Change a component value and the reason follows it, profiles unchanged.
    assert "same_school" not in {r["code"] for r in reasons({**components, "school": 0.0}, mentee, mentor)}
    order = [r["code"] for r in reasons(components, mentee, mentor)]
    assert order.index("goal_match") < order.index("same_school")  # biggest weighted contribution first


def test_lower_responsiveness_ranks_lower():
    mentors = [Profile(1, "mentor", ("data",), free_capacity=1, responsiveness=0.4),
               Profile(2, "mentor", ("data",), free_capacity=1, responsiveness=1.0)]
    total = score_mentee(Profile(3, "mentee", ("data",)), MentorIndex.build(mentors, week_of=WEEK)).total
    assert total[1] > total[0]


def _assert_fast_path_equals_batch_path(index, mentees, weights):
    # recommend's fast path must give the very same floats as partial_total over COMPONENTS (same ties, same order).
    for mentee in mentees:
        batch = index.encode([mentee])
        components = {name: f(batch, index) for name, f in COMPONENTS.items() if name != TEXT}
        one = one_mentee_partial(batch, index, weights)
        assert one.partial.tobytes() == partial_total(components, weights).tobytes()
        got = one.components(np.arange(len(index)))
        for name, values in components.items():
            want = np.zeros(len(index)) if values is None else np.ascontiguousarray(values[0])
            assert got[name].dtype == want.dtype and got[name].tobytes() == want.tobytes(), name


@settings(max_examples=150, deadline=None)
@given(cohort=cohorts(max_mentees=3, max_mentors=10),
       weights=st.sampled_from([None, {"text": 0.3, "school": 0.0}, {"domain": 0.0, "goals": 0.4, "capacity": 0.0}]))
def test_one_mentee_partial_is_bit_identical_to_the_batch_path(cohort, weights):
    mentees, mentors = cohort
    _assert_fast_path_equals_batch_path(MentorIndex.build(mentors, week_of=WEEK), mentees, resolve_weights(weights))


@settings(max_examples=60, deadline=None)
@given(cohort=cohorts(max_mentees=2, max_mentors=8), changes=st.lists(
    st.tuples(st.integers(0, 7), st.integers(0, 6), st.booleans(), st.booleans()), max_size=6))
def test_one_mentee_partial_follows_upserts_of_capacity_and_flags(cohort, changes):
    # The traits code (international, sponsors, capacity) is kept by upsert: after changing those fields the fast
    # path must still equal the batch path over the same index.
    from dataclasses import replace
    mentees, mentors = cohort
    index = MentorIndex.build(mentors, week_of=WEEK)
    for position, capacity, international, sponsors in changes:
        mentor = mentors[position % len(mentors)]
        index.upsert(replace(mentor, free_capacity=capacity, international=international,
                             company_sponsors_visa=sponsors))
    _assert_fast_path_equals_batch_path(index, mentees, resolve_weights(None))
