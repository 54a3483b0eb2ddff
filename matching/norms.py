"""Mentor text norms by slot: the exact ones, and the stale ones with a proven bound on how far they can be off.

A mentor's text norm is sqrt(Σ_t (tf_t · idf_t)²) over its terms. When another mentor's text changes, or a mentor
comes or goes, the IDF of some terms moves, and with it the norm of every mentor holding one — with common words,
nearly every mentor. Recomputing them all on each change is O(every entry); recomputing, in the next query, the norms
of the mentors that query shortlists was most of what made the first query after an update slower than the others.

Each IDF move has a bound: if every term's IDF is multiplied by a factor within [e^-δ, e^δ], so is every norm whose
row did not change (its square is a positive combination of the squared IDFs). The bounds of successive moves add
up. So a stale norm, with the sum of the bounds since it was computed, gives an interval that holds the exact norm
(float rounding covered by SLACK), and shortlist.py computes the exact norm only of the mentors whose text could
still change the top k within those intervals — a handful, instead of every shortlisted one. Scores are always
computed from exact norms: the intervals only decide where that is needed.

Bounds are kept as integers (QUANTUM units, rounded up) so that their sums are exact however many there are.
"""
import math

import numpy as np

QUANTUM = 2.0 ** -40                    # the unit of a bound on ln(norm ratio)
NEVER = np.iinfo(np.int64).min         # `at` of a slot whose norm was never computed for the row it holds now
SLACK = 1e-9                            # relative: a norm's own rounding is ~(terms + 2) · 2^-53, far below this
_DRIFT_MAX = 1 << 62                    # past this, forget the stale norms rather than overflow int64


class TextNorms:
    """Norms by slot 0..n-1 (with swap-on-remove, like Columns): value, whether it is exact for the current IDF
    (known), and the drift when it was computed (at): the exact norm is within value · e^±(drift - at)."""

    def __init__(self):
        self.n = 0
        self.drift = 0  # Python int, QUANTUM units: the sum of the bounds of every IDF move so far
        self._values, self._known, self._at = np.zeros(0), np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64)

    @property
    def values(self) -> np.ndarray:
        return self._values[: self.n]

    @property
    def known(self) -> np.ndarray:
        return self._known[: self.n]

    @property
    def at(self) -> np.ndarray:
        return self._at[: self.n]

    def resize(self, n: int) -> None:
        """n slots; slots added have no norm (NEVER)."""
        if n > len(self._values):
            size = max(16, 2 * n)
            values, known, at = np.zeros(size), np.zeros(size, dtype=bool), np.full(size, NEVER, dtype=np.int64)
            values[: self.n], known[: self.n], at[: self.n] = self.values, self.known, self.at
            self._values, self._known, self._at = values, known, at
        self._values[self.n:n], self._known[self.n:n], self._at[self.n:n] = 0.0, False, NEVER
        self.n = n

    def set(self, slots, values: np.ndarray) -> None:
        """The exact norms at `slots` (an index array or a slice) under the current IDF."""
        self.values[slots], self.known[slots], self.at[slots] = values, True, self.drift

    def moved(self, delta: float) -> None:
        """Every IDF moved by a factor within e^±delta: no norm is exact any more; each stale one drifts by delta."""
        self.drift += math.ceil(delta * (1 + SLACK) / QUANTUM) + 1
        self.known[:] = False
        if self.drift > _DRIFT_MAX:
            self.drift, self.at[:] = 0, NEVER

    def changed(self, slot: int) -> None:
        """The row at `slot` changed: its old norm bounds nothing."""
        self._known[slot], self._at[slot] = False, NEVER

    def remove(self, slot: int) -> None:
        """The last slot moves into `slot` (as every other per-slot structure does), then the last is dropped."""
        last = self.n - 1
        self._values[slot], self._known[slot], self._at[slot] = self._values[last], self._known[last], self._at[last]
        self.n = last

    def bounds(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(low, high) with low <= exact norm <= high at each slot, both equal to the norm where it is known. Every
        slot must have a norm (at != NEVER)."""
        values, known, at = self.values[slots], self.known[slots], self.at[slots]
        if (at == NEVER).any():
            raise ValueError("a slot without a norm has no bounds")
        span = np.where(known, 0.0, (np.int64(self.drift) - at) * (QUANTUM * (1 + SLACK)) + SLACK)
        return values * np.exp(-span), values * np.exp(span)
