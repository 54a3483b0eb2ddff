"""Postings: sparse vectors stored term-major (a CSC matrix), queried by a few terms at a time.

Also the small ragged-batch type the engine passes queries in, and the vectorised helpers both need.
"""
from itertools import chain
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

try:  # scipy's C kernels behind csr[rows] @ x; private, so there is a fallback to the public form
    from scipy.sparse import _sparsetools
except ImportError:  # pragma: no cover
    _sparsetools = None

SCIPY_MIN_ENTRIES = 20_000  # one query touching more entries than this goes to scipy's C loops
DENSE_ROWS, DENSE_CELLS = 64, 1 << 21  # dot_cells: at most 64 query rows or 16 MB of dense query weights at a time


class Ragged(NamedTuple):
    """A batch of sparse query vectors: row b holds ids[ptr[b]:ptr[b+1]] with the same slice of weights."""

    ptr: np.ndarray
    ids: np.ndarray
    weights: np.ndarray

    @classmethod
    def from_lists(cls, lists: list[list[int]]) -> "Ragged":
        """A batch of id lists, every weight 1."""
        return _from_lists(lists)

    @classmethod
    def from_rows(cls, rows) -> "Ragged":
        """Stack (ids, weights) pairs into one Ragged batch."""
        if len(rows) == 1:  # one mentee: the common, latency-bound case
            ids, weights = rows[0]
            return cls(np.array([0, len(ids)]), np.asarray(ids, dtype=np.int64), np.asarray(weights, np.float64))
        lengths = [len(ids) for ids, _ in rows]
        ptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=ptr[1:])
        ids = np.concatenate([r[0] for r in rows]).astype(np.int64) if rows else np.empty(0, np.int64)
        weights = np.concatenate([r[1] for r in rows]).astype(np.float64) if rows else np.empty(0)
        return cls(ptr, ids, weights)


def _from_lists(lists: list[list[int]]) -> Ragged:
    if len(lists) == 1:
        return Ragged(np.array([0, len(lists[0])]), np.array(lists[0], dtype=np.int64), np.ones(len(lists[0])))
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum([len(ids) for ids in lists], out=ptr[1:])
    ids = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(ptr[-1]))
    return Ragged(ptr, ids, np.ones(len(ids)))


def _sum_by(labels: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sum of `values` per label 0..size-1, always float (np.bincount returns ints for empty input)."""
    return np.bincount(labels, weights=values, minlength=size).astype(np.float64, copy=False)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """concatenate([arange(s, s + n) for s, n in zip(starts, lengths)]) without a Python loop."""
    total = int(lengths.sum())
    offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(total, dtype=np.int64) + offsets


class Postings:
    """Term-major entries: those of terms[i] are [indptr[i], indptr[i+1]) of rows/data."""

    def __init__(self, rows, labels):
        stacked = Ragged.from_rows(rows)
        order = np.argsort(stacked.ids, kind="stable")
        ids = stacked.ids[order]
        self.terms, starts = np.unique(ids, return_index=True)
        self.indptr = np.append(starts, len(ids))
        self.rows = np.repeat(np.asarray(labels, dtype=np.int64), np.diff(stacked.ptr))[order]
        self.data = stacked.weights[order]
        self.width = len(labels)
        self.unit = bool((self.data == 1).all())
        # The same arrays as a CSC matrix: for a single query, column selection + matvec run entirely in C.
        self.matrix = sp.csc_array((self.data, self.rows, self.indptr), shape=(self.width, len(self.terms)))
        self._by_row = None  # CSR copy, made on first use (only text similarity needs row access)
        self._row_lengths = None  # its rows' entry counts, made with it

    def _lookup(self, query: Ragged) -> tuple[np.ndarray, np.ndarray]:
        pos = np.minimum(np.searchsorted(self.terms, query.ids), len(self.terms) - 1)
        return pos, self.terms[pos] == query.ids

    def dot(self, query: Ragged) -> np.ndarray:
        """Dense (B, width) array of row · query for each query row."""
        batch = len(query.ptr) - 1
        if not len(self.terms) or not len(query.ids):
            return np.zeros((batch, self.width))
        pos, hit = self._lookup(query)
        cols, weights = pos[hit], query.weights[hit]
        if batch == 1:
            return self._dot_one(cols, weights)[None, :]
        starts = self.indptr[cols]
        lengths = self.indptr[cols + 1] - starts
        qrow = np.repeat(np.arange(batch, dtype=np.int64), np.diff(query.ptr))[hit]
        entries = _ranges(starts, lengths)
        cells = np.repeat(qrow * self.width, lengths) + self.rows[entries]
        values = np.repeat(weights, lengths) * self.data[entries]
        return _sum_by(cells, values, batch * self.width).reshape(batch, self.width)

    def _dot_one(self, cols: np.ndarray, weights: np.ndarray) -> np.ndarray:
        # One query is the latency-critical case (recommend). Long postings go to scipy's C loop (column copy +
        # matvec); short ones are cheaper as a bincount over the concatenated slices, without weights if all are 1.
        starts = self.indptr[cols]
        lengths = self.indptr[cols + 1] - starts
        if not len(cols):
            return np.zeros(self.width)
        if lengths.sum() > SCIPY_MIN_ENTRIES:
            return self.matrix[:, cols] @ weights
        slices = [slice(a, a + n) for a, n in zip(starts.tolist(), lengths.tolist(), strict=True)]
        rows = np.concatenate([self.rows[s] for s in slices])
        if self.unit and (weights == 1).all():
            return np.bincount(rows, minlength=self.width).astype(np.float64)
        values = np.repeat(weights, lengths) * np.concatenate([self.data[s] for s in slices])
        return _sum_by(rows, values, self.width)

    def _csr(self):
        if self._by_row is None:
            self._by_row = self.matrix.tocsr()
            self._row_lengths = np.diff(self._by_row.indptr)
        return self._by_row

    def dot_cells(self, query: Ragged, rows: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """query[rows[i]] · row labels[i] for each cell i (`rows` sorted): O(entries of those rows) via CSR."""
        self._csr()
        out = np.zeros(len(rows))
        if not len(self.terms) or not len(rows):
            return out
        pos, hit = self._lookup(query)
        if len(query.ptr) == 2:  # one query (recommend): no row blocks, and no scipy indexing overhead
            dense = np.zeros(len(self.terms))
            dense[pos[hit]] = query.weights[hit]
            return self._dot_rows(dense, labels)
        q_row = np.repeat(np.arange(len(query.ptr) - 1), np.diff(query.ptr))[hit]
        q_pos, q_weights = pos[hit], query.weights[hit]
        # Query weights go in a dense (rows × vocabulary) block, a few rows at a time to bound its size.
        step = max(1, min(DENSE_ROWS, DENSE_CELLS // len(self.terms)))
        bounds = np.searchsorted(rows, np.arange(0, len(query.ptr) - 1 + step, step))
        for first, last in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            if first == last:
                continue
            low = int(rows[first])  # dense row 0 is query row `low`
            dense = np.zeros((int(rows[last - 1]) - low + 1, len(self.terms)))
            mine = (q_row >= low) & (q_row < low + len(dense))
            dense[q_row[mine] - low, q_pos[mine]] = q_weights[mine]
            out[first:last] = self._dot_chunk(dense, rows[first:last] - low, labels[first:last])
        return out

    def _dot_chunk(self, dense: np.ndarray, rows: np.ndarray, labels: np.ndarray) -> np.ndarray:
        csr = self._by_row
        if len(dense) == 1:
            return self._dot_rows(dense[0], labels)
        if _sparsetools is not None and csr.indices.dtype == csr.indptr.dtype and dense.size < 1 << 31:
            # Cell i is row labels[i] with its columns moved to query row rows[i]'s part of the flattened block:
            # one C gather and one C matvec, each cell's products added in entry order as below (the same floats).
            labels = labels.astype(csr.indptr.dtype, copy=False)
            lengths = csr.indptr[labels + 1] - csr.indptr[labels]
            ptr = np.zeros(len(labels) + 1, dtype=csr.indptr.dtype)
            np.cumsum(lengths, out=ptr[1:])
            indices, data = np.empty(int(ptr[-1]), csr.indices.dtype), np.empty(int(ptr[-1]), csr.data.dtype)
            _sparsetools.csr_row_index(len(labels), labels, csr.indptr, csr.indices, csr.data, indices, data)
            indices += np.repeat((rows * dense.shape[1]).astype(indices.dtype, copy=False), lengths)
            out = np.zeros(len(labels), dtype=np.result_type(csr.data, dense))
            _sparsetools.csr_matvec(len(labels), dense.size, ptr, indices, data, dense.ravel(), out)
            return out
        starts, lengths = csr.indptr[labels], csr.indptr[labels + 1] - csr.indptr[labels]
        entries = _ranges(starts, lengths)
        flat = np.repeat(rows * dense.shape[1], lengths) + csr.indices[entries]  # 1-D take beats 2-D fancy indexing
        weights = dense.ravel().take(flat) * csr.data[entries]
        return _sum_by(np.repeat(np.arange(len(labels)), lengths), weights, len(labels))

    def _dot_rows(self, dense: np.ndarray, labels: np.ndarray) -> np.ndarray:
        # One dense query against the CSR rows `labels`: what `csr[labels] @ dense` runs (row gather, then matvec,
        # each row summed in entry order), called directly, without scipy's per-call indexing overhead (~3×).
        csr = self._by_row
        if _sparsetools is None or csr.indices.dtype != csr.indptr.dtype:
            return csr[labels] @ dense
        labels = labels.astype(csr.indptr.dtype, copy=False)
        ptr = np.zeros(len(labels) + 1, dtype=csr.indptr.dtype)
        np.cumsum(self._row_lengths[labels], out=ptr[1:])
        indices, data = np.empty(int(ptr[-1]), csr.indices.dtype), np.empty(int(ptr[-1]), csr.data.dtype)
        _sparsetools.csr_row_index(len(labels), labels, csr.indptr, csr.indices, csr.data, indices, data)
        out = np.zeros(len(labels), dtype=np.result_type(csr.data, dense))
        _sparsetools.csr_matvec(len(labels), len(dense), ptr, indices, data, dense, out)
        return out

    def row_sums(self, scale, term_scale: np.ndarray | None = None) -> np.ndarray:
        """Per row, the sum of (weight · scale(term))², added in term order (see square_sums). `term_scale`, if
        given, is scale(self.terms) (the caller keeps it): the same factors by one gather per entry instead of a
        scale call over every entry."""
        csr = self._csr()
        factors = scale(self.terms[csr.indices]) if term_scale is None else term_scale[csr.indices]
        return square_sums(csr.indptr, csr.data * factors)

    def row_sums_at(self, labels: np.ndarray, scale, term_scale: np.ndarray | None = None) -> np.ndarray:
        """row_sums(scale)[labels], reading only those rows: the same products, added in the same (term) order."""
        csr = self._csr()
        lengths = csr.indptr[labels + 1] - csr.indptr[labels]
        ptr = np.zeros(len(labels) + 1, dtype=csr.indptr.dtype)
        np.cumsum(lengths, out=ptr[1:])
        if _sparsetools is not None and csr.indices.dtype == csr.indptr.dtype:
            # The rows' entries gathered in one C call (as _dot_rows does), in CSR order: by row, then term.
            labels = labels.astype(csr.indptr.dtype, copy=False)
            indices, data = np.empty(int(ptr[-1]), csr.indices.dtype), np.empty(int(ptr[-1]), csr.data.dtype)
            _sparsetools.csr_row_index(len(labels), labels, csr.indptr, csr.indices, csr.data, indices, data)
        else:
            entries = _ranges(csr.indptr[labels], lengths)
            indices, data = csr.indices[entries], csr.data[entries]
        return square_sums(ptr, data * (scale(self.terms[indices]) if term_scale is None else term_scale[indices]))


def square_sums(ptr: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per row i, 0.0 + values[ptr[i]]² + values[ptr[i] + 1]² + ..., each square rounded, then added in entry
    order. Every mentor norm is summed here, whichever path asks for it, so all paths give the same floats: scipy's
    csr_matvec of `values` against itself (one C loop) where available, else a bincount doing the same additions."""
    rows = len(ptr) - 1
    if _sparsetools is not None and ptr.dtype in (np.int32, np.int64):
        out = np.zeros(rows)
        _sparsetools.csr_matvec(rows, len(values), ptr, np.arange(len(values), dtype=ptr.dtype), values, values, out)
        return out
    return _sum_by(np.repeat(np.arange(rows), np.diff(ptr)), values * values, rows)


def row_sums_of(rows: list, scale) -> np.ndarray:
    """Per (ids, weights) row with sorted ids, the sum of (weight · scale(id))², as Postings.row_sums adds them."""
    if not rows:
        return np.zeros(0)
    ids = np.concatenate([r[0] for r in rows])
    values = np.concatenate([r[1] for r in rows]) * scale(ids)
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r[0]) for r in rows], out=ptr[1:])
    return square_sums(ptr, values.astype(np.float64, copy=False))


def dot_rows_of(query_ids: np.ndarray, query_weights: np.ndarray, rows: list) -> np.ndarray:
    """One sparse query dotted with each (ids, weights) row with sorted ids, adding the products in id order as
    Postings' CSR path does (so the very same floats)."""
    if not rows or not len(query_ids):
        return np.zeros(len(rows))
    order = np.argsort(query_ids, kind="stable")
    q_ids, q_weights = query_ids[order], query_weights[order]
    ids = np.concatenate([r[0] for r in rows])
    weights = np.concatenate([r[1] for r in rows])
    pos = np.minimum(np.searchsorted(q_ids, ids), len(q_ids) - 1)
    hit = q_ids[pos] == ids
    owner = np.repeat(np.arange(len(rows)), [len(r[0]) for r in rows])[hit]
    return _sum_by(owner, weights[hit] * q_weights[pos[hit]], len(rows))
