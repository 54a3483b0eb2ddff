"""BitRows: the one-query counts and the dense matrix read a byte-per-id copy of the bit sets; after any sequence of
builds, sets (growing the words and the slots) and removes they equal what the bit sets themselves say."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.bits import BitRows, count_words, dense_bits
from matching.postings import Ragged

_IDS = st.lists(st.integers(0, 300), max_size=6).map(lambda ids: np.array(sorted(set(ids)), dtype=np.int64))


def _from_bits(rows: BitRows, query: np.ndarray) -> np.ndarray:
    """count_one as the bit sets count it: one mask per word, AND and popcount."""
    words = rows._bits.shape[0]
    masks = {}
    for item in query.tolist():
        if item < words * 64:
            masks[item >> 6] = masks.get(item >> 6, 0) | 1 << (item & 63)
    return count_words(masks, rows._bits[:, : len(rows)])


@settings(max_examples=150, deadline=None)
@given(start=st.lists(_IDS, max_size=8), steps=st.lists(st.tuples(st.booleans(), _IDS), max_size=25),
       queries=st.lists(st.lists(st.integers(0, 400), max_size=5), min_size=1, max_size=4))
def test_one_query_counts_and_the_dense_matrix_equal_the_bit_sets(start, steps, queries):
    rows = BitRows.of_ragged(Ragged.from_lists([ids.tolist() for ids in start])) if start else BitRows()
    for remove, ids in steps:
        if remove and len(rows):
            rows.remove(len(ids) % len(rows))
        else:
            rows.set(len(rows) if len(ids) % 2 or not len(rows) else len(ids) % len(rows), ids)
        for query in queries:
            query = np.array(query, dtype=np.int64)  # duplicates and ids past the vocabulary included
            got, want = rows.count_one(query), _from_bits(rows, query)
            assert got.dtype == want.dtype and got.tolist() == want.tolist()
        used, matrix = rows.dense()
        want_used, want_matrix = dense_bits(rows._bits[:, : len(rows)])
        assert used.tolist() == want_used.tolist()
        assert matrix.dtype == want_matrix.dtype and np.array_equal(matrix, want_matrix)


def test_count_one_counts_each_distinct_id_once():
    rows = BitRows([np.array([1, 5]), np.array([5]), np.array([], dtype=np.int64)])
    assert rows.count_one(np.array([5, 5, 1, 70])).tolist() == [2, 1, 0]
