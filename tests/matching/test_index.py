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
from tests.matching.profiles import WEEK, cohorts, profiles


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


def _reference(mentee, index, k):
    """The code path recommend took before issue 16 (every text norm and the changed rows' overlay postings, via
    score_mentee), sorted as recommend sorts: the reference the incremental path must equal."""
    scored = score_mentee(mentee, index)
    ids = index.mentor_ids
    eligible = sorted((s for s in range(len(index)) if index.free_capacity[s] > 0), key=lambda s: (-scored.total[s],
                                                                                                    ids[s]))
    return [(int(ids[s]), float(scored.total[s])) for s in eligible[:k]]


@settings(max_examples=60, deadline=None)
@given(cohort=cohorts(max_mentees=3, max_mentors=40), changed=st.data())
def test_recommend_after_upserts_equals_the_full_rescoring(cohort, changed):
    mentees, mentors = cohort
    index = MentorIndex.build(mentors, week_of=WEEK)
    for mentee in mentees:
        recommend(mentee, index)  # norms and encodings known before the changes, as in a live index
    for _ in range(changed.draw(st.integers(1, 6))):
        index.upsert(changed.draw(profiles("mentor", changed.draw(st.integers(1000, 1060)))))
    for mentee in mentees:
        got = [(r.mentor_id, r.score) for r in recommend(mentee, index, k=10)]
        want = _reference(mentee, index, 10)
        assert [mentor_id for mentor_id, _ in got] == [mentor_id for mentor_id, _ in want]
        assert [score for _, score in got] == pytest.approx([score for _, score in want], abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(cohort=cohorts(max_mentees=1, max_mentors=8, min_mentors=0))
def test_a_build_stores_what_upserting_each_mentor_in_turn_stores(cohort):
    """build encodes all mentors at once (stacked rows, one text pass); one upsert after another, from an empty
    index, encodes each alone: the vocabularies, columns, bit sets, rows, document frequencies and kept profiles
    must be the same."""
    _, mentors = cohort
    built = MentorIndex.build(mentors, week_of=WEEK)
    upserted = MentorIndex.build([], week_of=WEEK)
    for mentor in mentors:
        upserted.upsert(mentor)
    n = len(mentors)
    assert len(built) == len(upserted) == n
    for vocab in ("_slugs", "_langs", "_schools"):
        assert getattr(built, vocab) == getattr(upserted, vocab), vocab
    for name in built.columns._arrays:
        assert np.array_equal(built.columns[name], upserted.columns[name]), name
    for name, bits in built.bits.items():
        words = max(bits._bits.shape[0], upserted.bits[name]._bits.shape[0])
        for one in (bits, upserted.bits[name]):
            one_bits = np.zeros((words, n), dtype=np.uint64)
            one_bits[:one._bits.shape[0]] = one._bits[:, :n]
            if one is bits:
                want = one_bits
        assert np.array_equal(want, one_bits), name
    for name, rows in built.rows.items():
        for slot in range(n):
            (ids, weights), (other_ids, other_weights) = rows.row(slot), upserted.rows[name].row(slot)
            assert ids.dtype == other_ids.dtype and weights.dtype == other_weights.dtype, name
            assert np.array_equal(ids, other_ids) and np.array_equal(weights, other_weights), (name, slot)
    assert np.array_equal(built._df, upserted._df)
    assert [built.profile(slot) for slot in range(n)] == [replace(m, text="", availability=()) for m in mentors]
    assert [built.profile(slot) for slot in range(n)] == [upserted.profile(slot) for slot in range(n)]


def test_a_query_after_an_upsert_rebuilds_nothing():
    mentors = [Profile(i, "mentor", ("data",) if i % 20 == 0 else (f"other{i % 20}",), text=f"python w{i % 7} team",
                       free_capacity=1) for i in range(400)]
    index = MentorIndex.build(mentors, week_of=WEEK)
    mentee = Profile(9999, "mentee", ("data",), text="python w3")
    recommend(mentee, index)
    text = index.rows["text"]
    main = text._main
    index.upsert(replace(mentors[3], text="python w3 w3 excel"))
    index.upsert(Profile(5000, "mentor", ("data",), text="python w3", free_capacity=1))
    got = recommend(mentee, index, k=5)
    assert text._main is main and text._overlay is None  # no postings built, bulk or overlay
    assert not index._norm.known.all()  # only the norms the query needed were computed
    assert [(r.mentor_id, r.score) for r in got] == [(i, pytest.approx(s, abs=1e-12))
                                                     for i, s in _reference(mentee, index, 5)]


def test_row_sums_at_and_dot_cells_give_the_same_floats_as_the_bulk_paths():
    rng = np.random.default_rng(3)
    rows = [(np.unique(rng.integers(0, 50, rng.integers(0, 12))), None) for _ in range(60)]
    rows = [(ids, rng.random(len(ids))) for ids, _ in rows]
    sparse = sparse_rows.SparseRows(rows)
    for slot in (2, 7, 59):
        ids = np.unique(rng.integers(0, 50, 9))
        sparse.set(slot, ids, rng.random(len(ids)))
    sparse.set(60, np.array([1, 4]), np.array([0.5, 2.0]))
    scale = lambda ids: 1.0 + ids / 7.0  # noqa: E731
    slots = np.arange(len(sparse))
    assert sparse.row_sums_at(slots, scale).tolist() == sparse.row_sums(scale).tolist()
    query = Ragged.from_rows([(np.array([1, 3, 4, 9, 40]), np.array([0.3, 1.1, 0.7, 2.0, 0.9]))])
    assert sparse.dot_cells(query, np.zeros(len(slots), dtype=np.int64), slots).tolist() == \
        sparse.dot(query)[0].tolist()


def test_a_text_change_of_frequencies_only_refreshes_the_norm():
    # The same words, more often: the term ids are equal, the weights not (the norm before issue 16 stayed stale).
    mentors = [Profile(1, "mentor", ("data",), text="python models", free_capacity=1),
               Profile(2, "mentor", ("data",), text="python sql", free_capacity=1)]
    mentee = Profile(9, "mentee", ("data",), text="python")
    index = MentorIndex.build(mentors, week_of=WEEK)
    recommend(mentee, index)
    changed = replace(mentors[0], text="python models models models")
    index.upsert(changed)
    _assert_same(index, [changed, mentors[1]], [mentee])
