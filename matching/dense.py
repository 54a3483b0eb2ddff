"""Each mentee's top mentors as a few float32 matrix products per block of mentees, exact scores for the kept cells.

Every score component is a product of a per-mentee and a per-mentor feature matrix, or a cheap mask on one:

- linear, in one fused product: text (the mentee's query weights · the mentor's tf / TF-IDF norm, see
  scoring._text_query), goals (mentee goal bits / their count · mentor goal bits), international, visa, the
  exact-domain coverage term (mentee domains / their count · mentor domains), and the mentor-only capacity and
  responsiveness (a column of ones · one per-mentor row);
- a mask on a product: any shared family (0.40) and any shared exact domain (+0.35) from one product counting shared
  families + 1000 · shared exact domains (an exact domain is always a shared family too); any shared language;
  shared availability half-hours, capped at AVAILABILITY_FULL_SLOTS;
- a mask on an equality: same school.

The float32 total of a cell is within EPS of its float64 score (the rounding is ~1e-7; EPS leaves a wide margin).
Each mentee's k-th best float32 total less 2·EPS is a floor no cell of the exact top k is under, so only the cells
at or above it (about k per mentee, plus near-ties) get their exact score, from scoring.score_cells: the same
operations in the same order as scoring.COMPONENTS and partial_total, so the same floats. The exact top k (ties by
mentor id) of those cells are the same edges, with the same scores, as scoring every pair exactly.
"""
from dataclasses import dataclass

import numpy as np

from .bits import dense_bits
from .features import CAPACITY_FULL, MenteeBatch, MentorIndex
from .postings import Ragged
from .profile import GOALS
from .scoring import AVAILABILITY_FULL_SLOTS, DOMAIN_EXACT, DOMAIN_RELATED, _text_query

EPS = 1e-4                  # bound on |float32 total - float64 score| used for the floor (the real error is ~1e-7)
TEXT_DENSE_CELLS = 1 << 24  # mentor text kept as one dense float32 (terms × mentors) matrix up to this size (64 MB)
_EXACT_SCALE = 1000.0       # shared families + 1000 · shared exact domains: both masks from one product
_GOAL_BITS = np.arange(len(GOALS), dtype=np.uint16)


def _positions(query: Ragged, vocabulary: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column in `vocabulary`, entry index) of each query entry whose id is in the sorted `vocabulary`."""
    owner = np.repeat(np.arange(len(query.ptr) - 1), np.diff(query.ptr))
    if not len(vocabulary) or not len(query.ids):
        empty = np.empty(0, np.int64)
        return empty, empty, empty
    pos = np.minimum(np.searchsorted(vocabulary, query.ids), len(vocabulary) - 1)
    hit = np.flatnonzero(vocabulary[pos] == query.ids)
    return owner[hit], pos[hit], hit


def _bit_columns(words: np.ndarray, used: np.ndarray) -> np.ndarray:
    """The bits `used` of each row of a (B, words) uint64 array, as a float32 (B, len(used)) 0/1 matrix."""
    unpacked = np.unpackbits(np.ascontiguousarray(words).view(np.uint8), axis=1, bitorder="little")
    return unpacked[:, used].astype(np.float32)


@dataclass
class DenseMentors:
    """The per-mentor side of every product, over the eligible mentors only: column j is mentor slot slots[j], and
    columns go by mentor id, so cells found row by row come sorted by (mentee, mentor id)."""

    slots: np.ndarray
    text_terms: np.ndarray           # term ids of the text rows
    text: object                     # (terms, n) float32 dense, or a CSC (n, terms) matrix to slice per block
    linear: np.ndarray               # (K, n) float32: [text rows if dense] goals, international, sponsors, domains, 1
    domain_ids: np.ndarray
    family_ids: np.ndarray
    domains: np.ndarray              # (families + domains, n) float32
    language_ids: np.ndarray
    languages: np.ndarray
    availability_bits: np.ndarray
    availability: np.ndarray
    school: np.ndarray
    weights: dict

    @classmethod
    def build(cls, index: MentorIndex, eligible: np.ndarray, weights) -> "DenseMentors":
        slots = np.flatnonzero(eligible)
        slots = slots[np.argsort(index.mentor_ids[slots], kind="stable")]  # columns in mentor id order
        cols = index.columns
        domain_ids, domains = index.bits["domains"].dense()
        family_ids, families = index.bits["families"].dense()
        language_ids, languages = index.bits["languages"].dense()
        availability_bits, availability = dense_bits(cols["availability"][:, slots])
        tf = index.rows["text"].matrix()[slots]
        norms = index.text_norms()[slots]
        tf = tf.multiply(np.where(norms > 0, 1 / np.where(norms > 0, norms, 1), 0)[:, None]).tocsc()
        text_terms = np.flatnonzero(np.diff(tf.indptr))
        tf = tf[:, text_terms].astype(np.float32)
        dense_text = len(text_terms) * len(slots) <= TEXT_DENSE_CELLS
        text = tf.T.toarray() if dense_text else tf.tocsc()
        capacity = np.minimum(index.free_capacity[slots], CAPACITY_FULL) * (1 / CAPACITY_FULL)
        constant = weights["capacity"] * capacity + weights["responsiveness"] * cols["responsiveness"][slots]
        goals = (cols["goals"][slots][None, :] >> _GOAL_BITS[:, None]) & 1
        linear = [text] if dense_text else []
        linear += [goals.astype(np.float32), cols["international"][slots][None, :].astype(np.float32),
                   cols["sponsors"][slots][None, :].astype(np.float32), domains[:, slots],
                   constant[None, :].astype(np.float32)]
        return cls(slots, text_terms, None if dense_text else text, np.ascontiguousarray(np.vstack(linear)),
                   domain_ids, family_ids, np.ascontiguousarray(np.vstack([families[:, slots], domains[:, slots]])),
                   language_ids, np.ascontiguousarray(languages[:, slots]), availability_bits,
                   np.ascontiguousarray(availability),
                   cols["school"][slots], dict(weights))


class _Buffers:
    """Reused (rows, n) work arrays, so each block writes into memory already mapped."""

    def __init__(self, rows: int, n: int):
        self.total, self.other, self.spare = (np.empty((rows, n), np.float32) for _ in range(3))
        self.mask = np.empty((rows, n), bool)

    def view(self, rows: int):
        return self.total[:rows], self.other[:rows], self.spare[:rows], self.mask[:rows]


def approximate_totals(batch: MenteeBatch, index: MentorIndex, mentors: DenseMentors, buffers: _Buffers | None = None
                       ) -> np.ndarray:
    """float32 (B, eligible mentors) totals, each within EPS of the exact score (in `buffers`' memory if given).

    The products run with numpy's "invalid" floating-point warning off: once (Dec 5, a clean-clone CI on an Intel
    family-6 machine, OpenBLAS 0.3.31 SkylakeX kernels) a product of finite 0/1 matrices raised it, and it could
    not be reproduced in isolation, with its output buffer or the memory after its inputs filled with NaN or inf.
    What matters is the totals: a NaN among them would drop cells from the top k, which the property tests
    (tests/matching/test_dense_candidates.py: the same edges and scores as the exact path) would report."""
    with np.errstate(invalid="ignore"):
        return _approximate_totals(batch, index, mentors, buffers)


def _approximate_totals(batch, index, mentors, buffers):
    w = mentors.weights
    rows, n = len(batch.ids), len(mentors.slots)
    if buffers is None:
        buffers = _Buffers(rows, n)
    total, other, spare, mask = buffers.view(rows)
    query = _text_query(batch, index)
    q_rows, q_cols, q_entries = _positions(query, mentors.text_terms)
    text = np.zeros((rows, len(mentors.text_terms)), np.float32)
    text[q_rows, q_cols] = w["text"] * query.weights[q_entries]
    goal_bits = ((batch.goals[:, None] >> _GOAL_BITS[None, :]) & 1).astype(np.float32)
    goal_bits *= (w["goals"] / np.maximum(np.bitwise_count(batch.goals), 1))[:, None].astype(np.float32)
    d_rows, d_cols, _ = _positions(batch.domains, mentors.domain_ids)
    coverage = np.zeros((rows, len(mentors.domain_ids)), np.float32)
    coverage[d_rows, d_cols] = (w["domain"] * (1 - DOMAIN_EXACT) / np.maximum(batch.n_domains, 1))[d_rows]
    linear = [text] if mentors.text is None else []
    linear += [goal_bits, (w["international"] * batch.international)[:, None].astype(np.float32),
               (w["visa"] * batch.needs_visa)[:, None].astype(np.float32), coverage, np.ones((rows, 1), np.float32)]
    np.matmul(np.hstack(linear), mentors.linear, out=total)
    if mentors.text is not None and q_rows.size:  # vocabulary too large to keep dense: this block's terms only
        used = np.unique(q_cols)
        np.matmul(text[:, used], mentors.text[:, used].T.toarray(), out=other)
        total += other
    # Domains: + DOMAIN_RELATED where a family is shared, + (DOMAIN_EXACT - DOMAIN_RELATED) where a domain is.
    f_rows, f_cols, _ = _positions(batch.families, mentors.family_ids)
    # With the weight on the mentee side, a count of c shared items gives c · weight, and min(c · weight, weight) is
    # weight where anything is shared: two passes instead of a compare, a multiply and an add.
    related = np.float32(w["domain"] * DOMAIN_RELATED)
    shared = np.zeros((rows, len(mentors.family_ids) + len(mentors.domain_ids)), np.float32)
    shared[f_rows, f_cols] = related
    shared[d_rows, len(mentors.family_ids) + d_cols] = _EXACT_SCALE * related
    if f_rows.size and related > 0:
        np.matmul(shared, mentors.domains, out=other)
        total += np.minimum(other, related, out=spare)
        _add_where(total, other, (_EXACT_SCALE - 0.5) * related, w["domain"] * (DOMAIN_EXACT - DOMAIN_RELATED), mask,
                   spare)
    l_rows, l_cols, _ = _positions(batch.languages, mentors.language_ids)
    if l_rows.size and w["language"] > 0:
        spoken = np.zeros((rows, len(mentors.language_ids)), np.float32)
        spoken[l_rows, l_cols] = w["language"]
        np.matmul(spoken, mentors.languages, out=other)
        total += np.minimum(other, np.float32(w["language"]), out=other)
    if batch.availability.any() and len(mentors.availability_bits):
        scale = np.float32(w["availability"] / AVAILABILITY_FULL_SLOTS)
        np.matmul(_bit_columns(batch.availability, mentors.availability_bits) * scale, mentors.availability, out=other)
        total += np.minimum(other, np.float32(w["availability"]), out=other)
    if (batch.school >= 0).any():
        np.equal(batch.school[:, None], mentors.school[None, :], out=mask)
        total += np.multiply(mask, np.float32(w["school"]), out=spare)
    return total


def _add_where(total, values, above: float, weight: float, mask, spare) -> None:
    """total += weight where values > above: three plain passes (a ufunc's where= is many times slower)."""
    np.greater(values, np.float32(above), out=mask)
    total += np.multiply(mask, np.float32(weight), out=spare)


def floor_cells(total: np.ndarray, count: int, min_score: float, spare: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of the cells of `total` that can be in their row's exact top `count` with score >= min_score:
    at or above both the row's count-th best less 2·EPS and min_score less EPS. Sorted by row, then column."""
    rows, n = total.shape
    floor = np.full(rows, min_score - EPS, dtype=np.float64)
    if n > count:
        spare = np.empty_like(total) if spare is None else spare[:rows]
        np.copyto(spare, total)
        spare.partition(n - count, axis=1)  # introselect in place, as argpartition does, without the index array
        floor = np.maximum(floor, spare[:, n - count].astype(np.float64) - 2 * EPS)
    mask = total >= floor.astype(np.float32)[:, None]
    return np.divmod(np.flatnonzero(mask), n)


def top_cells(rows: np.ndarray, total: np.ndarray, count: int, min_score: float) -> np.ndarray:
    """Indices of each row's `count` best cells by (total desc, position asc) among those with total >= min_score,
    in their given order; `rows` sorted, and within a row the cells in mentor id order."""
    keep = np.flatnonzero(total >= min_score)
    rows = rows[keep]
    per_row = np.bincount(rows, minlength=int(rows[-1]) + 1 if len(rows) else 0)
    crowded = per_row[rows] > count  # most rows hold exactly `count` cells: nothing to choose there
    if not crowded.any():
        return keep
    cells = np.flatnonzero(crowded)
    order = cells[np.lexsort((cells, -total[keep[cells]], rows[cells]))]
    rank = np.arange(len(order)) - (np.searchsorted(rows[order], rows[order]))
    chosen = np.zeros(len(keep), bool)
    chosen[~crowded] = True
    chosen[order[rank < count]] = True
    return keep[chosen]
