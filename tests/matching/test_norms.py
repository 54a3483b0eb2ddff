"""Stale text norms and their bounds (matching/norms.py): after any history of upserts, removals and queries, the
bounds hold the exact norms, and recommend answers exactly (ids, scores to the float, reasons) as a fresh build."""
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import MentorIndex, Profile, recommend, sparse_rows
from matching.norms import NEVER, TextNorms
from tests.matching.profiles import WEEK, profiles


@st.composite
def lives(draw):
    """Initial mentors, then steps ("upsert", profile) / ("remove", id) / ("ask", mentee), then two mentees. Asking
    between changes leaves norms computed at different points of the history, so stale ones of every age."""
    initial = [draw(profiles("mentor", 101 + i)) for i in range(draw(st.integers(0, 25)))]
    steps = []
    for _ in range(draw(st.integers(1, 30))):
        kind = draw(st.sampled_from(["upsert", "upsert", "remove", "ask"]))
        if kind == "upsert":
            steps.append((kind, draw(profiles("mentor", draw(st.integers(101, 130))))))
        elif kind == "remove":
            steps.append((kind, draw(st.integers(101, 130))))
        else:
            steps.append((kind, draw(profiles("mentee", draw(st.integers(1, 3))))))
    return initial, steps, [draw(profiles("mentee", 1)), draw(profiles("mentee", 2))]


def _live(initial, steps, k):
    """Replay a life; the index and the mentors it should hold."""
    index = MentorIndex.build(initial, week_of=WEEK)
    current = {m.id: m for m in initial}
    for kind, value in steps:
        if kind == "upsert":
            index.upsert(value)
            current[value.id] = value
        elif kind == "remove" and value in current:
            index.remove(value)
            del current[value]
        elif kind == "ask":
            recommend(value, index, k=k)
    return index, list(current.values())


def _answers(mentee, index, k):
    return [(r.mentor_id, r.score, r.reasons) for r in recommend(mentee, index, k=k)]


@settings(max_examples=60, deadline=None)
@given(life=lives(), k=st.sampled_from([1, 2, 5]), compact_min=st.sampled_from([1, 256]))
def test_answers_after_any_history_equal_a_fresh_build_exactly(life, k, compact_min):
    initial, steps, mentees = life
    original = sparse_rows.COMPACT_MIN
    sparse_rows.COMPACT_MIN = compact_min
    try:
        index, mentors = _live(initial, steps, k)
        fresh = MentorIndex.build(mentors, week_of=WEEK)
        for mentee in mentees:
            assert _answers(mentee, index, k) == _answers(mentee, fresh, k)  # ==: the same floats, not close ones
    finally:
        sparse_rows.COMPACT_MIN = original


@settings(max_examples=60, deadline=None)
@given(life=lives())
def test_stale_norm_bounds_hold_the_exact_norms(life):
    initial, steps, _ = life
    index, mentors = _live(initial, steps, 2)
    exact = dict(zip(*(MentorIndex.build(mentors, week_of=WEEK).mentor_ids.tolist(),
                       MentorIndex.build(mentors, week_of=WEEK).text_norms().tolist()), strict=True))
    slots = np.arange(len(index))
    known = index._norm.known.copy()
    bounds = index.text_norm_bounds(slots)
    want = np.array([exact[mentor_id] for mentor_id in index.mentor_ids.tolist()])
    if bounds is None:
        assert known.all()
    else:
        low, high = bounds
        assert (low <= want).all() and (want <= high).all()
        assert (low[known] == want[known]).all() and (high[known] == want[known]).all()
    assert index.text_norms(slots).tolist() == want.tolist()


def test_text_norms_keep_stale_values_with_their_drift_through_swaps():
    norms = TextNorms()
    norms.resize(3)
    norms.set(np.arange(3), np.array([1.0, 2.0, 3.0]))
    norms.moved(0.5)
    assert not norms.known.any() and norms.values.tolist() == [1.0, 2.0, 3.0]
    low, high = norms.bounds(np.arange(3))
    assert low.tolist() == pytest.approx(list(np.array([1.0, 2.0, 3.0]) * np.exp(-0.5)))
    assert high.tolist() == pytest.approx(list(np.array([1.0, 2.0, 3.0]) * np.exp(0.5)))
    norms.set(np.array([2]), np.array([3.5]))
    norms.remove(0)  # the last slot (known, 3.5) moves into slot 0
    assert norms.n == 2 and norms.values.tolist() == [3.5, 2.0] and norms.known.tolist() == [True, False]
    assert [bound.tolist() for bound in norms.bounds(np.array([0]))] == [[3.5], [3.5]]
    norms.changed(1)
    norms.resize(3)
    assert norms.at.tolist()[1:] == [NEVER, NEVER]
    with pytest.raises(ValueError):
        norms.bounds(np.array([1]))


def test_a_query_after_an_upsert_computes_few_norms():
    # 400 mentors, 20 in the mentee's domain: the text of every one of those could matter before the totals are
    # known, but after an update the bounds leave only the few that can still change the top 5.
    mentors = [Profile(i, "mentor", ("data",) if i % 20 == 0 else (f"other{i % 20}",),
                       text=f"python w{i % 7} team {'sql' * (i % 3)}", free_capacity=1) for i in range(400)]
    index = MentorIndex.build(mentors, week_of=WEEK)
    mentee = Profile(9999, "mentee", ("data",), text="python w3 sql")
    want = _answers(mentee, index, 5)
    index.upsert(replace(mentors[5], text="python w3 excel"))
    assert _answers(mentee, index, 5) == _answers(mentee, MentorIndex.build(
        [replace(mentors[5], text="python w3 excel"), *mentors[:5], *mentors[6:]], week_of=WEEK), 5)
    assert 0 < index._norm.known.sum() < 20  # the upserted mentor's, and those of the cells that could matter
    assert want  # the cohort gives answers at all
