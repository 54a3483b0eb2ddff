"""Recommendations: the planted-domain cohort, exclusions, ties, and agreement with scoring every mentor."""
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import MentorIndex, Profile, recommend, score_mentee
from matching.profile import normalise_school
from tests.matching.profiles import WEEK, cohorts

PARENTS = ["finance", "software", "data", "consulting", "healthcare", "marketing", "engineering", "product"]
LEAVES = [f"{parent}/area-{i}" for parent in PARENTS for i in range(5)]
SCHOOLS = ["MIT", "UT Dallas", "Purdue"]
OFFERED = ("career-plan", "interview-prep", "networking")


def _text(rng, leaf):
    # Text that mirrors the domain, as real bios do: the leaf's own words plus common ones.
    return " ".join([leaf.replace("/", " ")] * 2 + rng.sample(["team", "project", "excel", "python", "lead"], 3))


def _planted_cohort(seed):
    """One mentor per leaf (a quarter of them full), three mentees per leaf; goals, languages and availability
    alike for all, so domain fit is what tells mentors apart (with school, capacity and text as noise)."""
    rng = random.Random(seed)
    availability = ((1, "18:00", "20:00"),)
    mentors = [Profile(1000 + i, "mentor", (leaf,), OFFERED, rng.choice(SCHOOLS), ("en",), timezone="UTC",
                       availability=availability, text=_text(rng, leaf),
                       free_capacity=0 if i % 4 == 3 else rng.randint(1, 3))
               for i, leaf in enumerate(LEAVES)]
    mentees = [Profile(10 * i + j, "mentee", (leaf,), tuple(rng.sample(["career-plan", "leadership", "job-search"],
                                                                        rng.randint(1, 2))),
                       rng.choice(SCHOOLS + ["Rice"]), ("en",), timezone="UTC", availability=availability,
                       text=_text(rng, leaf))
               for i, leaf in enumerate(LEAVES) for j in range(3)]
    return mentees, mentors


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planted_domain_wins_and_reasons_say_why(seed):
    mentees, mentors = _planted_cohort(seed)
    index = MentorIndex.build(mentors, week_of=WEEK)
    by_id = {mentor.id: mentor for mentor in mentors}
    for mentee in mentees:
        top = recommend(mentee, index, k=3)[0]
        mentor = by_id[top.mentor_id]
        codes = [reason["code"] for reason in top.reasons]
        planted_has_room = any(m.domains == mentee.domains and m.free_capacity > 0 for m in mentors)
        assert (mentor.domains == mentee.domains) == planted_has_room
        assert mentor.free_capacity > 0
        if planted_has_room:
            assert "shared_domain" in codes and "related_domain" not in codes
            assert {"code": "shared_domain", "detail": f"Both work in {mentee.domains[0]}"} in top.reasons
        else:
            assert "related_domain" in codes and "shared_domain" not in codes
        assert ("goal_match" in codes) == bool(set(mentee.goals) & set(mentor.goals))
        same_school = normalise_school(mentee.school) == normalise_school(mentor.school)
        assert ("same_school" in codes) == same_school


def _naive(mentee, index, k, exclude):
    scored = score_mentee(mentee, index)
    ids = index.mentor_ids
    eligible = [s for s in range(len(index)) if index.free_capacity[s] > 0 and ids[s] not in exclude]
    eligible.sort(key=lambda s: (-scored.total[s], ids[s]))
    return [(int(ids[s]), float(scored.total[s])) for s in eligible[:k]]


@settings(max_examples=150, deadline=None)
@given(cohort=cohorts(max_mentees=2, max_mentors=30), k=st.integers(0, 12), data=st.data())
def test_recommend_equals_sorting_every_score(cohort, k, data):
    mentees, mentors = cohort
    exclude = set(data.draw(st.lists(st.sampled_from([m.id for m in mentors] + [999]), max_size=3)))
    index = MentorIndex.build(mentors, week_of=WEEK)
    for mentee in mentees:
        got = recommend(mentee, index, k=k, exclude=exclude)
        want = _naive(mentee, index, k, exclude)
        assert [r.mentor_id for r in got] == [mentor_id for mentor_id, _ in want]
        assert [r.score for r in got] == pytest.approx([score for _, score in want], abs=1e-12)


def test_recommend_prunes_text_yet_stays_exact_on_a_large_cohort():
    # Large enough for the sampled floor and the text shortlist to kick in (see shortlist.py).
    rng = random.Random(7)
    mentors = [Profile(5000 + i, "mentor", (rng.choice(LEAVES),), tuple(rng.sample(OFFERED, 2)),
                       rng.choice(SCHOOLS), ("en",), text=_text(rng, rng.choice(LEAVES)),
                       free_capacity=rng.randint(0, 3), responsiveness=rng.choice([0.5, 1.0]))
               for i in range(6000)]
    index = MentorIndex.build(mentors, week_of=WEEK)
    mentees, _ = _planted_cohort(4)
    for mentee in mentees[:20]:
        got = recommend(mentee, index, k=10)
        assert [(r.mentor_id, r.score) for r in got] == [
            (mentor_id, pytest.approx(score, abs=1e-12)) for mentor_id, score in _naive(mentee, index, 10, ())]


def test_ties_break_by_mentor_id_whatever_the_index_order():
    twins = [Profile(i, "mentor", ("data",), ("career-plan",), free_capacity=1) for i in (7, 3, 9, 5)]
    mentee = Profile(1, "mentee", ("data",), ("career-plan",))
    for order in (twins, twins[::-1]):
        got = recommend(mentee, MentorIndex.build(order, week_of=WEEK), k=3)
        assert [r.mentor_id for r in got] == [3, 5, 7]
        assert len({r.score for r in got}) == 1


def test_exclusions_and_full_mentors_are_never_recommended():
    mentors = [Profile(i, "mentor", ("data",), free_capacity=i % 3) for i in range(1, 10)]
    index = MentorIndex.build(mentors, week_of=WEEK)
    got = recommend(Profile(1, "mentee", ("data",)), index, k=50, exclude={1, 2, 404})
    assert sorted(r.mentor_id for r in got) == [4, 5, 7, 8]
    assert recommend(Profile(1, "mentee"), MentorIndex.build([], week_of=WEEK)) == []


def test_recommend_is_deterministic_across_builds():
    mentees, mentors = _planted_cohort(9)
    shuffled = mentors[:]
    random.Random(1).shuffle(shuffled)
    first = MentorIndex.build(mentors, week_of=WEEK)
    second = MentorIndex.build(shuffled, week_of=WEEK)
    for mentee in mentees[::7]:
        a, b = recommend(mentee, first), recommend(mentee, second)
        assert [(r.mentor_id, r.reasons) for r in a] == [(r.mentor_id, r.reasons) for r in b]
        assert np.allclose([r.score for r in a], [r.score for r in b], atol=1e-12)
