"""Sparse rows (one per mentor: term id -> weight) queried by term, with cheap in-place updates.

A query multiplies a few query terms against every row. The rows are therefore kept as postings (term-major, like a
CSC matrix, see postings.py) so a query touches only the entries of its own terms. Postings cannot be updated in
place, so rows changed since the last compaction live in a small overlay with its own postings; a query reads the
bulk, then overwrites the changed rows with the overlay's answer. Compaction (O(nnz log nnz)) runs once the overlay
holds more than an eighth of the rows, which keeps one update amortised O(row + nnz/n · log nnz). One query against
chosen rows (recommend's text, the norms of those rows) reads the changed rows as they are, so an update costs that
query nothing to rebuild.
"""
import numpy as np
import scipy.sparse as sp

from .postings import Postings, Ragged, dot_rows_of, row_sums_of

__all__ = ["COMPACT_MIN", "SparseRows"]

COMPACT_MIN = 256


class SparseRows:
    """Rows of sparse vectors addressed by slot 0..n-1; see the module docstring for the layout."""

    def __init__(self, rows=()):
        self._rows = list(rows)
        self._compact()

    def _compact(self) -> None:
        self._main = Postings(self._rows, range(len(self._rows)))
        self._dirty: set[int] = set()
        self._dirty_slots = None
        self._overlay = None

    def __len__(self) -> int:
        return len(self._rows)

    def row(self, slot: int) -> tuple[np.ndarray, np.ndarray]:
        """The (ids, weights) of one row."""
        return self._rows[slot]

    def set(self, slot: int, ids: np.ndarray, weights: np.ndarray) -> None:
        """Replace row `slot`, or append it when slot == len(self)."""
        if slot < len(self._rows):
            old_ids, old_weights = self._rows[slot]
            if np.array_equal(old_ids, ids) and np.array_equal(old_weights, weights):
                return
            self._rows[slot] = (ids, weights)
        else:
            self._rows.append((ids, weights))
        self._dirty.add(slot)
        self._dirty_slots = self._overlay = None
        if len(self._dirty) > max(COMPACT_MIN, len(self._rows) // 8):
            self._compact()

    def remove(self, slot: int) -> None:
        """Drop row `slot` by moving the last row into it (the caller mirrors this swap in its own arrays)."""
        last = len(self._rows) - 1
        if slot != last:
            self.set(slot, *self._rows[last])
        self._rows.pop()
        self._dirty.discard(last)
        self._dirty_slots = self._overlay = None

    def _overlay_postings(self):
        if self._overlay is None:
            slots = np.array(sorted(self._dirty), dtype=np.int64)
            self._overlay = slots, Postings([self._rows[s] for s in slots], range(len(slots)))
        return self._overlay

    def dot(self, query: Ragged) -> np.ndarray:
        """Dense (B, n) array: for each query row b and slot s, the dot product of query b with row s."""
        n = len(self._rows)
        out = _fit(self._main.dot(query), n)
        if self._dirty:
            slots, postings = self._overlay_postings()
            out[:, slots] = postings.dot(query)
        return out

    def _dirty_mask(self, slots: np.ndarray) -> np.ndarray:
        if not self._dirty:
            return np.zeros(len(slots), dtype=bool)
        if self._dirty_slots is None:
            self._dirty_slots = np.array(sorted(self._dirty), dtype=np.int64)
        changed = self._dirty_slots
        return changed[np.minimum(np.searchsorted(changed, slots), len(changed) - 1)] == slots

    def dot_cells(self, query: Ragged, rows: np.ndarray, slots: np.ndarray) -> np.ndarray:
        """query[rows[i]] · row slots[i] for each cell i only (`rows` sorted)."""
        if not self._dirty:
            return self._main.dot_cells(query, rows, slots)
        dirty = self._dirty_mask(slots)
        out = np.empty(len(slots))
        out[~dirty] = self._main.dot_cells(query, rows[~dirty], slots[~dirty])
        if len(query.ptr) == 2:  # one query (recommend): changed rows read as they are, nothing to rebuild
            out[dirty] = dot_rows_of(query.ids, query.weights, [self._rows[s] for s in slots[dirty].tolist()])
            return out
        changed, postings = self._overlay_postings()
        out[dirty] = postings.dot_cells(query, rows[dirty], np.searchsorted(changed, slots[dirty]))
        return out

    def matrix(self) -> sp.csr_array:
        """Every row as one CSR matrix: row = slot, column = term id (as many columns as the largest id needs)."""
        stacked = Ragged.from_rows(self._rows) if self._rows else Ragged(np.zeros(1, np.int64), np.empty(0, np.int64),
                                                                         np.empty(0))
        width = int(stacked.ids.max()) + 1 if len(stacked.ids) else 1
        return sp.csr_array((stacked.weights, stacked.ids, stacked.ptr), shape=(len(self._rows), width))

    @property
    def main_terms(self) -> np.ndarray:
        """The sorted term ids of the bulk postings (a new array after each compaction; do not modify)."""
        return self._main.terms

    def row_sums(self, scale, main_scale: np.ndarray | None = None) -> np.ndarray:
        """Per slot, the sum over its entries of (weight · scale(term id))² — a squared norm under a term scaling.
        `main_scale`, if given, is scale(self.main_terms), kept by the caller (the same factors, gathered)."""
        n = len(self._rows)
        out = _fit(self._main.row_sums(scale, main_scale)[None, :], n)[0]
        if self._dirty:
            slots, postings = self._overlay_postings()
            out[slots] = postings.row_sums(scale)
        return out

    def row_sums_at(self, slots: np.ndarray, scale, main_scale: np.ndarray | None = None) -> np.ndarray:
        """row_sums(scale)[slots], reading only those rows (the same floats); `main_scale` as in row_sums."""
        if not self._dirty:
            return self._main.row_sums_at(slots, scale, main_scale)
        dirty = self._dirty_mask(slots)
        out = np.empty(len(slots))
        out[~dirty] = self._main.row_sums_at(slots[~dirty], scale, main_scale)
        out[dirty] = row_sums_of([self._rows[s] for s in slots[dirty].tolist()], scale)
        return out


def _fit(values: np.ndarray, n: int) -> np.ndarray:
    """Columns 0..n-1 of a (B, width) result: rows removed since the compaction are cut off, rows appended since
    are zero-padded (the overlay then fills them in)."""
    if values.shape[1] >= n:
        return values[:, :n]
    return np.pad(values, ((0, 0), (0, n - values.shape[1])))
