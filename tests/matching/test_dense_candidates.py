"""Dense candidate generation (float32 products per mentee block, exact scores for the kept cells) against the
previous code path, candidate_graph_shortlist: the same edges in the same order, the same scores, preferences and
components, ties broken by mentor id, whatever the block size or the text layout."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import WEIGHTS, MentorIndex, Profile, dense
from matching import candidates as candidates_module
from matching.candidates import BlockEdges, CandidateGenerator, candidate_graph, candidate_graph_shortlist, join
from matching.scoring import CellCodes, resolve_weights, score_batch
from tests.matching.profiles import WEEK, cohorts

TOLERANCE = 1e-9


def _assert_same_graph(new, old):
    np.testing.assert_array_equal(new.mentee, old.mentee)
    np.testing.assert_array_equal(new.mentor, old.mentor)
    np.testing.assert_allclose(new.score, old.score, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(new.preference, old.preference, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(new.components[np.arange(len(new.score))], old.components, rtol=0, atol=TOLERANCE)
    if len(new.score):  # one edge alone, and a slice, read the same values
        np.testing.assert_array_equal(new.components[len(new.score) - 1], old.components[-1])
        np.testing.assert_array_equal(new.components[1:], old.components[1:])
    np.testing.assert_array_equal(new.mentee_ids, old.mentee_ids)
    np.testing.assert_array_equal(new.mentor_ids, old.mentor_ids)
    np.testing.assert_array_equal(new.capacity, old.capacity)


weights_overrides = st.one_of(st.none(), st.fixed_dictionaries(
    {}, optional={name: st.sampled_from([0.0, 0.05, 0.3, 1.0]) for name in WEIGHTS}).filter(
        lambda w: sum({**WEIGHTS, **w}.values()) > 0))


@settings(max_examples=200, deadline=None)
@given(cohort=cohorts(max_mentees=14, max_mentors=12), count=st.sampled_from([1, 2, 3, 50]),
       min_score=st.sampled_from([0.0, 0.2, 0.35]), weights=weights_overrides,
       block_cells=st.sampled_from([1, 7, 1 << 21]), dense_text=st.booleans())
def test_same_graph_as_the_previous_code_path(cohort, count, min_score, weights, block_cells, dense_text):
    mentees, mentors = cohort
    index = MentorIndex.build(mentors, week_of=WEEK)
    saved = candidates_module.DENSE_BLOCK_CELLS, dense.TEXT_DENSE_CELLS
    candidates_module.DENSE_BLOCK_CELLS = block_cells  # 1: one mentee per block; 7: a few
    dense.TEXT_DENSE_CELLS = saved[1] if dense_text else 0  # 0: text terms sliced per block from the sparse matrix
    try:
        new = candidate_graph(mentees, index, count, min_score, weights)
    finally:
        candidates_module.DENSE_BLOCK_CELLS, dense.TEXT_DENSE_CELLS = saved
    _assert_same_graph(new, candidate_graph_shortlist(mentees, index, count, min_score, weights))


@settings(max_examples=60, deadline=None)
@given(cohort=cohorts(max_mentees=10, max_mentors=12))
def test_float32_totals_are_within_eps_of_the_exact_scores(cohort):
    mentees, mentors = cohort
    index = MentorIndex.build(mentors, week_of=WEEK)
    batch = index.encode(mentees)
    eligible = index.free_capacity > 0
    approximate = dense.approximate_totals(batch, index, dense.DenseMentors.build(index, eligible, WEIGHTS))
    exact = score_batch(batch, index).total[:, eligible]
    assert approximate.dtype == np.float32
    assert np.abs(approximate - exact).max(initial=0) < dense.EPS / 10


def _twin_mentors(n: int) -> list[Profile]:
    """Mentors identical but for their ids (given in shuffled order): every one scores the same for any mentee."""
    ids = np.random.default_rng(3).permutation(np.arange(500, 500 + n)).tolist()
    return [Profile(id=i, role="mentor", domains=("data/ml",), goals=("networking",), languages=("en",),
                    text="python models research", free_capacity=1) for i in ids]


def test_exact_ties_go_to_the_lowest_mentor_ids():
    mentors = _twin_mentors(40) + [Profile(id=2, role="mentor", domains=("finance",), free_capacity=1)]
    mentees = [Profile(id=1, role="mentee", domains=("data/ml",), goals=("networking",), languages=("en",),
                       text="python models"), Profile(id=2, role="mentee", domains=("finance",))]
    index = MentorIndex.build(mentors, week_of=WEEK)
    graph = candidate_graph(mentees, index, candidates=5, min_score=0.0)
    first = graph.mentor_ids[graph.mentor[graph.mentee == 0]]
    assert first.tolist() == list(range(500, 505))  # 40 equal scores: the 5 lowest ids, in id order
    assert len(set(graph.score[graph.mentee == 0].tolist())) == 1
    _assert_same_graph(graph, candidate_graph_shortlist(mentees, index, candidates=5, min_score=0.0))


def test_weights_resolved_once_score_as_everywhere_else():
    """Regression (found by the property test above on a CI run): candidate_graph resolved custom weights, and
    score_cells resolved them again. Rescaling twice moved them by an ulp, so two mentors whose exact scores differ
    in the last bit (0.16949152542372875 and ...878) came out equal, and the top 1 went to the lower id."""
    weights = resolve_weights({"capacity": 0.3, "responsiveness": 0.0})
    assert resolve_weights(weights) is weights
    mentee = Profile(id=1, role="mentee", international=True, needs_visa_sponsorship=True)
    index = MentorIndex.build([
        Profile(id=101, role="mentor", free_capacity=2, responsiveness=0.3),
        Profile(id=102, role="mentor", international=True, company_sponsors_visa=True, free_capacity=1,
                responsiveness=0.3)], week_of=WEEK)
    exact = score_batch(index.encode([mentee]), index, {"capacity": 0.3, "responsiveness": 0.0}).total[0]
    assert exact[1] > exact[0]  # by one ulp
    graph = candidate_graph([mentee], index, 1, 0.0, {"capacity": 0.3, "responsiveness": 0.0})
    assert graph.mentor_ids[graph.mentor].tolist() == [102]
    assert graph.score.tolist() == [exact[1]]
    _assert_same_graph(graph, candidate_graph_shortlist([mentee], index, 1, 0.0,
                                                        {"capacity": 0.3, "responsiveness": 0.0}))


def test_no_mentor_with_room_and_no_candidates_give_no_edges():
    mentees = [Profile(id=1, role="mentee", domains=("data/ml",))]
    full = MentorIndex.build([Profile(id=9, role="mentor", domains=("data/ml",), free_capacity=0)], week_of=WEEK)
    assert len(candidate_graph(mentees, full).score) == 0
    index = MentorIndex.build(_twin_mentors(3), week_of=WEEK)
    assert len(candidate_graph(mentees, index, candidates=0).score) == 0
    assert len(candidate_graph([], index).score) == 0
    with pytest.raises(ValueError, match="duplicate"):
        candidate_graph(mentees * 2, index)


@settings(max_examples=60, deadline=None)
@given(cohort=cohorts(max_mentees=8, max_mentors=10, min_mentors=2), changed=cohorts(max_mentees=1, max_mentors=10),
       removed=st.integers(0, 9))
def test_same_graph_after_upserts_and_removals(cohort, changed, removed):
    """Mentors changed in place (their rows in the overlay, norms recomputed) and one removed (slots swapped)."""
    mentees, mentors = cohort
    index = MentorIndex.build(mentors, week_of=WEEK)
    for mentor in changed[1]:  # ids 101.. : the same mentors with new profiles, or new ones
        index.upsert(mentor)
    index.remove(sorted(mentor.id for mentor in mentors)[removed % len(mentors)])
    _assert_same_graph(candidate_graph(mentees, index, 3, 0.0), candidate_graph_shortlist(mentees, index, 3, 0.0))


@settings(max_examples=60, deadline=None)
@given(cohort=cohorts(max_mentees=12, max_mentors=10), cuts=st.lists(st.integers(0, 12), max_size=4),
       count=st.sampled_from([1, 3, 50]), min_score=st.sampled_from([0.0, 0.2]))
def test_blocks_computed_apart_join_into_the_same_graph(cohort, cuts, count, min_score):
    """A split match run: blocks of mentees computed by generators of their own (another worker builds its own index
    from the same mentor profiles), passed as bytes (or, every other block, kept in memory by the worker that joins),
    joined in order: the graph of the whole cohort at once."""
    mentees, mentors = cohort
    index = MentorIndex.build(mentors, week_of=WEEK)
    bounds = [0, *sorted(min(cut, len(mentees)) for cut in cuts), len(mentees)]
    blocks = []
    for n, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
        elsewhere = CandidateGenerator(MentorIndex.build(list(mentors), week_of=WEEK), count, min_score)
        edges = elsewhere.edges(mentees[start:end])
        blocks.append(edges if n % 2 else BlockEdges.from_bytes(edges.to_bytes()))
    joined = join(blocks, np.array([mentee.id for mentee in mentees], dtype=np.int64), index)
    _assert_same_graph(joined, candidate_graph_shortlist(mentees, index, count, min_score))
    with pytest.raises(ValueError, match="mentees"):
        join(blocks, np.arange(len(mentees) + 1), index)


def test_stored_blocks_keep_rows_and_slots_whatever_their_size():
    """to_bytes stores rows and slots in 16 bits only where they fit; from_bytes and join give them back as int32."""
    for top in (5, (1 << 16) - 1, 1 << 16, 70_000):
        ids = np.array([0, top], dtype=np.int32)
        codes = CellCodes(np.zeros(2, np.uint16), *(np.zeros(2, np.uint8) for _ in range(4)), np.zeros(2))
        block = BlockEdges(ids, ids[::-1].copy(), np.ones(2), np.array([0, 3], np.uint8), codes, np.ones(2, np.int64),
                           np.ones(2, np.uint8))
        back = BlockEdges.from_bytes(block.to_bytes())
        assert back.mentee.tolist() == back.mentor.tolist()[::-1] == [0, top]
        assert (back.mentee.dtype == np.uint16) == (top < 1 << 16)
        assert back.prefers.tolist() == [0, 3] and back.prefers.dtype == np.uint8
