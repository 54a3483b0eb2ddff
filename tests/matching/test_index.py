"""MentorIndex updates: any sequence of upserts and removes scores exactly like a fresh build of the result."""
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import MentorIndex, Profile, recommend, score_mentee, sparse_rows
from matching.bits import BitRows
from matching.columns import Columns
from matching.postings import Ragged
from tests.matching.profiles import WEEK, profiles


def _scores_by_id(mentee, index):
    scored = score_mentee(mentee, index)
    ids = index.mentor_ids.tolist()
    return {name: dict(zip(ids, values.tolist(), strict=True))
            for name, values in {"total": scored.total, **scored.components}.items()}


def _assert_same(index, mentors, mentees):
    fresh = MentorIndex.build(mentors, week_of=WEEK)
    assert len(index) == len(fresh) and sorted(index.mentor_ids.tolist()) == sorted(m.id for m in mentors)
    for mentee in mentees:
        got, want = _scores_by_id(mentee, index), _scores_by_id(mentee, fresh)
        for name in want:
            assert got[name] == pytest.approx(want[name], abs=1e-12), name
        got, want = recommend(mentee, index, k=5), recommend(mentee, fresh, k=5)
        assert [(r.mentor_id, r.reasons) for r in got] == [(r.mentor_id, r.reasons) for r in want]
        assert [r.score for r in got] == pytest.approx([r.score for r in want], abs=1e-12)


@st.composite
def histories(draw):
    """Initial mentors, then a list of operations ("upsert", profile) / ("remove", id), and two mentees."""
    initial = [draw(profiles("mentor", 101 + i)) for i in range(draw(st.integers(0, 6)))]
    ops = []
    for _ in range(draw(st.integers(1, 25))):
        if draw(st.booleans()):
            ops.append(("upsert", draw(profiles("mentor", draw(st.integers(101, 125))))))
        else:
            ops.append(("remove", draw(st.integers(101, 125))))
    mentees = [draw(profiles("mentee", 1)), draw(profiles("mentee", 2))]
    return initial, ops, mentees


@settings(max_examples=150, deadline=None)
@given(history=histories(), compact_min=st.sampled_from([1, 256]))
def test_upserts_and_removes_match_a_fresh_build(history, compact_min):
    initial, ops, mentees = history
    original = sparse_rows.COMPACT_MIN
    sparse_rows.COMPACT_MIN = compact_min  # 1: compact on nearly every change; 256: live in the overlay
    try:
        index = MentorIndex.build(initial, week_of=WEEK)
        current = {m.id: m for m in initial}
        for op, value in ops:
            if op == "upsert":
                index.upsert(value)
                current[value.id] = value
            elif value in current:
                index.remove(value)
                del current[value]
            else:
                with pytest.raises(KeyError):
                    index.remove(value)
        _assert_same(index, list(current.values()), mentees)
    finally:
        sparse_rows.COMPACT_MIN = original


def test_capacity_only_update_keeps_text_and_refreshes_eligibility():
    mentor = Profile(1, "mentor", ("data",), text="python models", free_capacity=2)
    mentee = Profile(9, "mentee", ("data",), text="python")
    index = MentorIndex.build([mentor], week_of=WEEK)
    text_rows = index.rows["text"]
    index.upsert(replace(mentor, free_capacity=0))
    assert index.rows["text"] is text_rows and not text_rows._dirty  # unchanged rows are not rewritten
    assert recommend(mentee, index) == []
    index.upsert(replace(mentor, free_capacity=1))
    assert [r.mentor_id for r in recommend(mentee, index)] == [1]


def test_many_appends_grow_storage():
    index = MentorIndex.build([], week_of=WEEK)
    mentors = [Profile(i, "mentor", (f"d{i % 70}/x{i}",), languages=(f"l{i % 90}",), text=f"w{i} common",
                       free_capacity=1) for i in range(300)]
    for mentor in mentors:
        index.upsert(mentor)
    _assert_same(index, mentors, [Profile(0, "mentee", ("d3/x3", "d69"), languages=("l89",), text="w3 common")])
    assert index.bits["domains"]._bits.shape[0] > 1  # the slug vocabulary outgrew one 64-bit word


def test_duplicate_mentor_ids_are_rejected():
    with pytest.raises(ValueError, match="duplicate mentor id"):
        MentorIndex.build([Profile(1, "mentor"), Profile(1, "mentor")])


def test_columns_and_bitrows_swap_remove():
    columns = Columns({"a": (np.int64, ()), "w": (np.uint64, (2,))})
    for i in range(20):
        columns.set(i, {"a": i, "w": [i, 2 * i]})
    columns.remove(3)
    assert columns["a"][3] == 19 and columns["w"][:, 3].tolist() == [19, 38] and len(columns) == 19
    bits = BitRows([np.array([0, 65]), np.array([1])])
    bits.remove(0)
    query = Ragged.from_rows([(np.array([1, 65]), np.ones(2))])
    assert bits.count(query).tolist() == [[1]]
