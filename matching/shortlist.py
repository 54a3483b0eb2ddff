"""Exact top-k mentors per mentee, computing the costly text component only where it can change the answer.

Text similarity is the one component whose cost grows with the words mentors share (every bio has "team" and
"project"), and it adds at most WEIGHTS["text"] to a total. So: score every mentor on the other components, find a
floor under the k-th best of those partial totals, and compute text only for mentors whose partial total plus the
full text weight reaches that floor — no mentor below it can enter the top k. That is usually 1–8% of the mentors,
and the result is the same top k (same order, same ties by mentor id) as scoring everything.
"""
from dataclasses import dataclass

import numpy as np

from .features import MenteeBatch, MentorIndex
from .scoring import COMPONENTS, TEXT, cosine, one_mentee_partial, partial_total, text_dots, true_cells

SAMPLE_STRIDE = 8   # a batch with many mentors per wanted one takes its floor from every 8th mentor (8× cheaper)
REFINE_CELLS = 8192  # above this many candidate cells, a second, tighter floor pays for its extra pass
_EPS = 1e-12        # rounding slack on the bound, so a borderline mentor is kept rather than lost


@dataclass(frozen=True)
class Shortlist:
    """The top cells, sorted by mentee row, then total desc, then mentor id asc; arrays indexed by cell."""

    rows: np.ndarray
    slots: np.ndarray
    total: np.ndarray
    components: dict[str, np.ndarray]


def _floor(masked: np.ndarray, count: int) -> np.ndarray:
    """Per row, a value at or below the count-th largest (-inf when the row has fewer than `count` values).

    One row (recommend) gets the count-th largest itself: a sampled floor is lower, and the text of the extra cells
    it lets through costs more than the partition it saves (p95 at 10,000 mentors 0.71 → 0.62 ms, bench/RESULTS.md
    §25). A batch samples every SAMPLE_STRIDE-th mentor when it has many per wanted one."""
    sampled = masked.shape[0] > 1 and masked.shape[1] >= SAMPLE_STRIDE * count * 64
    sample = masked[:, ::SAMPLE_STRIDE] if sampled else masked
    if sample.shape[1] < count:
        return np.full(masked.shape[0], -np.inf)
    # The k-th best of a subset is never above the k-th best of the whole set.
    return np.partition(sample, sample.shape[1] - count, axis=1)[:, sample.shape[1] - count]


def _kth_per_row(rows: np.ndarray, values: np.ndarray, count: int, n_rows: int) -> np.ndarray:
    """Per row 0..n_rows-1, the count-th largest of `values` at its cells (-inf with fewer cells); `rows` sorted."""
    out = np.full(n_rows, -np.inf)
    if len(rows) and rows[0] == rows[-1]:  # one row (recommend)
        if len(values) >= count:
            out[rows[0]] = np.partition(values, len(values) - count)[len(values) - count]
        return out
    order = np.lexsort((-values, rows))
    rank = np.arange(len(order)) - np.searchsorted(rows[order], rows[order])
    at = order[rank == count - 1]
    out[rows[at]] = values[at]
    return out


def _best_per_row(rows: np.ndarray, total: np.ndarray, ids: np.ndarray, count: int) -> np.ndarray:
    """Indices of the `count` best cells of each row by (total desc, id asc), ordered that way."""
    if not len(rows) or (rows == rows[0]).all():  # one row (recommend): a shorter sort, the same order
        if len(total) > count:  # the best `count` are among the cells at or above the count-th largest total
            kth = np.partition(total, len(total) - count)[len(total) - count]
            cells = np.flatnonzero(total >= kth)
            return cells[np.lexsort((ids[cells], -total[cells]))[:count]]
        return np.lexsort((ids, -total))[:count]
    order = np.lexsort((ids, -total, rows))
    rank = np.arange(len(order)) - np.searchsorted(rows[order], rows[order])
    return order[rank < count]


def _partial(batch: MenteeBatch, index: MentorIndex, weights):
    """(partial totals (B, n), components_at(rows, slots) -> each non-text component's values at those cells)."""
    one = one_mentee_partial(batch, index, weights) if len(batch.ids) == 1 and len(index) else None
    if one is not None:  # one mentee (recommend): fewer, cheaper passes, the same numbers
        return one.partial, lambda rows, slots: one.components(slots)
    components = {name: f(batch, index) for name, f in COMPONENTS.items() if name != TEXT}

    def components_at(rows, slots):
        return {name: np.zeros(len(rows)) if values is None else values[rows, slots]
                for name, values in components.items()}

    return partial_total(components, weights), components_at


def shortlist(batch: MenteeBatch, index: MentorIndex, weights, count: int, eligible: np.ndarray) -> Shortlist:
    """The `count` (>= 1) best eligible mentors of each mentee in `batch`; `eligible` is (n,) or (B, n) bool."""
    partial, components_at = _partial(batch, index, weights)
    masked = np.where(eligible, partial, -np.inf)
    floor = _floor(masked, count)[:, None]
    reach = eligible & (masked >= floor - weights[TEXT] - _EPS)

    def score(mask):
        # The cells of `mask` that can be among the `count` best of their row within it (so within the union of
        # masks too), with their exact text and totals.
        rows, slots = true_cells(mask)
        dots = text_dots(batch, index, rows, slots)
        bounds = index.text_norm_bounds(slots)
        if bounds is not None:  # some norms stale since the IDF moved: compute only those that can matter
            # Totals at the smallest and largest possible norm bound each exact total (float rounding is monotonic);
            # a cell whose best is below the count-th best of the worsts is beaten by `count` cells for certain.
            base = partial[rows, slots]
            best = base + weights[TEXT] * cosine(dots, bounds[0])
            worst = base + weights[TEXT] * cosine(dots, bounds[1])
            keep = np.flatnonzero(best >= _kth_per_row(rows, worst, count, len(partial))[rows])
            rows, slots, dots = rows[keep], slots[keep], dots[keep]
        text = cosine(dots, index.text_norms(slots))
        return rows, slots, text, partial[rows, slots] + weights[TEXT] * text

    if np.count_nonzero(reach) <= REFINE_CELLS:
        rows, slots, text, total = score(reach)
    else:
        # Head: at or above the floor, so at least `count` cells per row. Their exact totals give a second, higher
        # floor (each row's count-th best total); only the rest that can still reach it needs its text computed.
        head = reach & (masked >= floor - _EPS)
        rows, slots, text, total = score(head)
        best = _best_per_row(rows, total, index.mentor_ids[slots], count)
        per_row = np.bincount(rows[best], minlength=len(floor))
        second = np.full(len(floor), -np.inf)
        second[per_row >= count] = total[best[np.cumsum(per_row)[per_row >= count] - 1]]
        tail = score(reach & ~head & (masked >= second[:, None] - weights[TEXT] - _EPS))
        rows, slots, text, total = (np.concatenate(pair) for pair in zip((rows, slots, text, total), tail,
                                                                         strict=True))
    keep = _best_per_row(rows, total, index.mentor_ids[slots], count)
    cells = components_at(rows[keep], slots[keep])
    cells[TEXT] = text[keep]
    return Shortlist(rows[keep], slots[keep], total[keep], {name: cells[name] for name in COMPONENTS})
