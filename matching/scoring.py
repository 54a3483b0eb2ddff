"""The match score: ten components in [0, 1], each vectorised over all mentors, and their weighted sum.

WEIGHTS below is the one place the weights live. A tenant override is a partial dict merged over them and
renormalised, so a total stays in [0, 1]. The reasons (explain.py) read these same component values.
"""
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .bits import cells_shared_bits, count_words, shared_bits
from .features import CAPACITY_FULL, MenteeBatch, MentorIndex, Profile
from .postings import Ragged

# Domain fit weighs most: an exact shared domain is worth at least 0.75 · 0.30 = 0.225 against 0.12 for a related
# one, so a mentor with the mentee's exact domain outranks one without it unless several other components differ.
WEIGHTS: dict[str, float] = {
    "domain": 0.30,         # exact shared domain > shared parent > none
    "goals": 0.15,          # share of the mentee's wanted goals the mentor offers
    "text": 0.10,           # TF-IDF cosine of headline + bio + skills
    "availability": 0.10,   # shared weekly hours, full marks at AVAILABILITY_FULL_SLOTS
    "responsiveness": 0.08, # answers intros, shows up (1.0 until the service lowers it)
    "school": 0.07,         # same school, normalised
    "language": 0.06,       # at least one shared language
    "international": 0.05,  # both international
    "visa": 0.05,           # mentee needs sponsorship and the mentor's employer sponsors
    "capacity": 0.04,       # room left, full marks at CAPACITY_FULL: spreads load over mentors
}
DOMAIN_EXACT = 0.75     # exact match: 0.75 + 0.25 · share of the mentee's domains the mentor has exactly
DOMAIN_RELATED = 0.40   # only a shared parent
AVAILABILITY_FULL_SLOTS = 8  # half-hours: 4 h a week in common is plenty for a weekly call
PREFER_BONUS = 0.10     # stable: per matched `prefers` criterion, added to the mentor's view of a mentee


@dataclass(frozen=True)
class Scored:
    """Scores in index.mentor_ids order: `total` (Σ WEIGHTS · component) and each component's unweighted value in
    [0, 1], all arrays of the same shape."""

    total: np.ndarray
    components: dict[str, np.ndarray]


def _domain(b: MenteeBatch, ix: MentorIndex) -> np.ndarray:
    out = np.minimum(ix.bits["families"].count(b.families), 1) * DOMAIN_RELATED
    exact = ix.bits["domains"].count(b.domains)
    # Few mentors share an exact domain: write those cells only, rather than a few more full passes.
    rows, cols = true_cells(exact > 0)
    coverage = np.minimum(exact[rows, cols] / np.maximum(b.n_domains, 1)[rows], 1.0)
    out[rows, cols] = DOMAIN_EXACT + (1 - DOMAIN_EXACT) * coverage
    return out


def true_cells(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.nonzero(mask) for a 2-D bool mask, via the much faster 1-D flatnonzero."""
    if mask.shape[0] == 1:  # one mentee (recommend): every cell is in row 0
        slots = np.flatnonzero(mask)
        return np.zeros(len(slots), slots.dtype), slots
    return np.divmod(np.flatnonzero(mask), mask.shape[1])


def _goals(b: MenteeBatch, ix: MentorIndex) -> np.ndarray:
    shared = np.bitwise_count(b.goals[:, None] & ix.columns["goals"][None, :])
    return shared / np.maximum(np.bitwise_count(b.goals), 1)[:, None]


def _text_query(b: MenteeBatch, ix: MentorIndex) -> Ragged:
    """The mentees' text as query weights: tfidf_q(t) · idf(t) / |q|, so that a mentor's tf row dotted with it,
    divided by the mentor's TF-IDF norm, is the TF-IDF cosine. The mentor side carries only tf, so its postings
    never change when the IDF does; only the mentor norms are refreshed."""
    q = b.text
    idf = ix.text_idf(q.ids)
    tfidf = q.weights * idf
    if len(q.ptr) == 2:  # one mentee (recommend): the same sum of squares, added in the same order (np.cumsum and
        # np.bincount both add one value after another), without the owners' arrays
        squares = np.cumsum(tfidf * tfidf)
        norm = float(squares[-1]) if len(squares) else 0.0
        return Ragged(q.ptr, q.ids, tfidf * idf / (math.sqrt(norm) if norm > 0 else 1.0))
    owner = np.repeat(np.arange(len(q.ptr) - 1), np.diff(q.ptr))
    norms = np.sqrt(np.bincount(owner, weights=tfidf * tfidf, minlength=len(q.ptr) - 1).astype(np.float64))
    return Ragged(q.ptr, q.ids, tfidf * idf / np.where(norms > 0, norms, 1)[owner])


def _text(b: MenteeBatch, ix: MentorIndex) -> np.ndarray:
    dot = ix.rows["text"].dot(_text_query(b, ix))
    norms = ix.text_norms()[None, :]
    return np.minimum(np.divide(dot, norms, out=np.zeros_like(dot), where=norms > 0), 1.0)


def text_dots(batch: MenteeBatch, index: MentorIndex, rows: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """The text component's numerator (the query row · the mentor's tf row) at given cells; `rows` must be sorted."""
    return index.rows["text"].dot_cells(_text_query(batch, index), rows, slots)


def cosine(dot: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """The text component from text_dots and the mentors' norms (0 for a mentor without text). Never smaller for a
    smaller norm, so a norm's bounds give the component's bounds."""
    return np.minimum(np.divide(dot, norms, out=np.zeros_like(dot), where=norms > 0), 1.0)


def text_pairs(batch: MenteeBatch, index: MentorIndex, rows: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """The text component for given (mentee row, mentor slot) cells only; `rows` must be sorted."""
    return cosine(text_dots(batch, index, rows, slots), index.text_norms(slots))


def _broadcast(values: np.ndarray, b: MenteeBatch) -> np.ndarray:
    # One mentee: a (1, n) view is enough, and np.broadcast_to's overhead is not small next to the work.
    return values[None, :] if len(b.ids) == 1 else np.broadcast_to(values, (len(b.ids), len(values)))


def _flags(mentee_flags: np.ndarray, mentor_flags: np.ndarray) -> np.ndarray | None:
    # Mentor flags are stored as 0.0/1.0, so this is one pass — or none when no mentee has the flag.
    return mentee_flags[:, None] * mentor_flags[None, :] if mentee_flags.any() else None


def _availability(b: MenteeBatch, ix: MentorIndex) -> np.ndarray:
    if not b.availability.any():
        return None
    shared = shared_bits(b.availability, ix.columns["availability"])
    return np.minimum(shared, AVAILABILITY_FULL_SLOTS) * (1 / AVAILABILITY_FULL_SLOTS)


def _school(b: MenteeBatch, ix: MentorIndex) -> np.ndarray:
    # Mentee school ids are -2 when unknown, mentors' -1 when none: no sentinel ever equals another.
    if (b.school < 0).all():
        return None
    return (b.school[:, None] == ix.columns["school"][None, :]).astype(np.float64)


def _language(b: MenteeBatch, ix: MentorIndex) -> np.ndarray:
    if not len(b.languages.ids):
        return None
    return np.minimum(ix.bits["languages"].count(b.languages), 1).astype(np.float64)


TEXT = "text"  # the one costly component: shortlist.py computes it only where it can change the top k
# name -> component(mentees, mentors): a (B, n) array in [0, 1], or None when it is zero for every pair (a mentee
# who needs no visa, gave no goals...): nothing to compute and nothing to add.
COMPONENTS: dict[str, Callable[[MenteeBatch, MentorIndex], np.ndarray | None]] = {
    "domain": _domain,
    "goals": lambda b, ix: _goals(b, ix) if b.goals.any() else None,
    "text": _text,
    "availability": _availability,
    "school": _school,
    "language": _language,
    "international": lambda b, ix: _flags(b.international, ix.columns["international"]),
    "visa": lambda b, ix: _flags(b.needs_visa, ix.columns["sponsors"]),
    "capacity": lambda b, ix: _broadcast(np.minimum(ix.free_capacity, CAPACITY_FULL) * (1 / CAPACITY_FULL), b),
    # Last: the one continuous component, added per mentor after the table look-up of one_mentee_partial.
    "responsiveness": lambda b, ix: _broadcast(ix.columns["responsiveness"], b),
}


class _Resolved(dict):
    """Weights resolve_weights made (not to be changed): resolving them again returns them as they are. Rescaling
    twice is not a no-op in floats (their sum is 1 only to within an ulp), and every function here resolves what it
    is given: scores computed with twice-rescaled weights differed from the same scores elsewhere in the last bit,
    and near-ties then went to another mentor."""


def resolve_weights(weights: Mapping[str, float] | None = None) -> Mapping[str, float]:
    """WEIGHTS with `weights` merged over them, rescaled to sum 1 (ValueError on unknown names or negatives)."""
    if weights is None:
        return _DEFAULT
    if isinstance(weights, _Resolved):
        return weights
    merged = {**WEIGHTS, **weights}
    if set(merged) != set(WEIGHTS) or any(w < 0 for w in merged.values()) or sum(merged.values()) <= 0:
        raise ValueError(f"weights must be non-negative, not all zero, and named among {sorted(WEIGHTS)}")
    total = sum(merged.values())
    return _Resolved({name: w / total for name, w in merged.items()})


_DEFAULT = _Resolved({name: w / sum(WEIGHTS.values()) for name, w in WEIGHTS.items()})


def partial_total(components: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """Σ weight · component over every component but text, in COMPONENTS order (text is added last, see
    shortlist.py, so both ways of computing a total do the same float operations)."""
    total = None
    for name in COMPONENTS:
        values = components.get(name)
        if name != TEXT and values is not None and (weights[name] or total is None):
            # A mentor-only component (broadcast: stride 0 along mentees) is multiplied once per mentor.
            term = weights[name] * (values[:1] if values.strides[0] == 0 and total is not None else values)
            if total is None:
                total = term
            else:
                total += term
    return total


def score_batch(batch: MenteeBatch, index: MentorIndex, weights=None) -> Scored:
    """Scores of every mentee in `batch` against every mentor: arrays of shape (len(batch.ids), len(index))."""
    weights = resolve_weights(weights)
    components = {name: component(batch, index) for name, component in COMPONENTS.items()}
    total = partial_total(components, weights) + weights[TEXT] * components[TEXT]
    zeros = np.zeros_like(total)
    return Scored(total, {name: zeros if values is None else values for name, values in components.items()})


@dataclass(frozen=True)
class CellCodes:
    """What a cell's components are made of, in a few bytes: the integers and flags each component is computed from,
    and the text cosine. components() gives back the very floats score_cells computed (same operations)."""

    exact_domains: np.ndarray   # shared exact domains
    shared_family: np.ndarray   # 0/1
    shared_goals: np.ndarray    # shared goal bits
    shared_slots: np.ndarray    # shared availability half-hours, capped at AVAILABILITY_FULL_SLOTS
    flags: np.ndarray           # same school 1, shared language 2, both international 4, visa 8
    text: np.ndarray

    def take(self, cells) -> "CellCodes":
        return CellCodes(*(getattr(self, name)[cells] for name in self.__dataclass_fields__))

    def components(self, n_domains, goal_count, capacity, responsiveness) -> dict[str, np.ndarray]:
        """Components from the codes, the mentee's n_domains and goal count and the mentor's free capacity and
        responsiveness at each cell."""
        domain = self.shared_family * DOMAIN_RELATED
        hit = np.flatnonzero(self.exact_domains > 0)
        coverage = np.minimum(self.exact_domains[hit] / np.maximum(n_domains, 1)[hit], 1.0)
        domain[hit] = DOMAIN_EXACT + (1 - DOMAIN_EXACT) * coverage
        flag = [((self.flags >> bit) & 1).astype(np.float64) for bit in range(4)]
        return {
            "domain": domain,
            "goals": self.shared_goals / np.maximum(goal_count, 1),
            "text": self.text,
            "availability": self.shared_slots * (1 / AVAILABILITY_FULL_SLOTS),
            "school": flag[0],
            "language": flag[1],
            "international": flag[2],
            "visa": flag[3],
            "capacity": np.minimum(capacity, CAPACITY_FULL) * (1 / CAPACITY_FULL),
            "responsiveness": responsiveness,
        }


def cell_codes(batch: MenteeBatch, index: MentorIndex, rows: np.ndarray, slots: np.ndarray) -> CellCodes:
    """The CellCodes of the cells (rows[i], slots[i]), `rows` sorted."""
    cols = index.columns
    flags = (batch.school[rows] == cols["school"][slots]).astype(np.uint8)
    flags |= (np.minimum(index.bits["languages"].count_cells(batch.languages, rows, slots), 1) << 1).astype(np.uint8)
    flags |= ((batch.international[rows] & (cols["international"][slots] > 0)) << 2).astype(np.uint8)
    flags |= ((batch.needs_visa[rows] & (cols["sponsors"][slots] > 0)) << 3).astype(np.uint8)
    return CellCodes(
        exact_domains=index.bits["domains"].count_cells(batch.domains, rows, slots),
        shared_family=np.minimum(index.bits["families"].count_cells(batch.families, rows, slots), 1).astype(np.uint8),
        shared_goals=np.bitwise_count(batch.goals[rows] & cols["goals"][slots]),
        shared_slots=np.minimum(cells_shared_bits(batch.availability, cols["availability"], rows, slots),
                                AVAILABILITY_FULL_SLOTS).astype(np.uint8),
        flags=flags,
        text=text_pairs(batch, index, rows, slots),
    )


def score_cells(batch: MenteeBatch, index: MentorIndex, rows: np.ndarray, slots: np.ndarray, weights=None
                ) -> tuple[np.ndarray, CellCodes]:
    """(score_batch(batch, index, weights).total at the cells (rows[i], slots[i]), their CellCodes), `rows` sorted:
    the same floats, each component computed by the same operations and the total summed in partial_total's order."""
    codes = cell_codes(batch, index, rows, slots)
    components = codes.components(batch.n_domains[rows], np.bitwise_count(batch.goals)[rows],
                                  index.free_capacity[slots], index.columns["responsiveness"][slots])
    weights = resolve_weights(weights)
    return partial_total(components, weights) + weights[TEXT] * components[TEXT], codes


def mentor_preference_cells(batch: MenteeBatch, index: MentorIndex, rows: np.ndarray, slots: np.ndarray
                            ) -> np.ndarray:
    """mentor_preference(batch, index)[rows, slots] at those cells only (`rows` sorted)."""
    domains = index.rows["prefers_domains"].dot_cells(batch.prefixes, rows, slots) > 0
    schools = index.rows["prefers_schools"].dot_cells(batch.schools, rows, slots) > 0
    wanted = index.columns["prefers_international"][slots]
    international = (wanted >= 0) & (wanted == batch.international[rows])
    return domains.astype(np.int64) + schools + international


def score_mentee(mentee: Profile, index: MentorIndex, weights=None) -> Scored:
    """Scores of one mentee against every mentor, in index.mentor_ids order (arrays of shape (len(index),))."""
    scored = score_batch(index.encode([mentee]), index, weights)
    return Scored(scored.total[0], {name: values[0] for name, values in scored.components.items()})


def mentor_preference(batch: MenteeBatch, index: MentorIndex) -> np.ndarray:
    """How many of each mentor's `prefers` criteria each mentee meets (0..3), shape (B, n)."""
    domains = index.rows["prefers_domains"].dot(batch.prefixes) > 0
    schools = index.rows["prefers_schools"].dot(batch.schools) > 0
    wanted = index.columns["prefers_international"][None, :]
    international = (wanted >= 0) & (wanted == batch.international[:, None])
    return domains.astype(np.int64) + schools + international


@dataclass(frozen=True)
class OneMentee:
    """One mentee's partial total (shape (1, n)), and how to read each component back at chosen mentor slots."""

    partial: np.ndarray
    codes: dict[str, np.ndarray]   # per mentor slot: a component's index into values[name], and the traits code
    values: dict[str, np.ndarray]  # per component: values by code, or by mentor slot (responsiveness)

    def components(self, slots: np.ndarray) -> dict[str, np.ndarray]:
        """Each component's values at mentor `slots`, equal to what COMPONENTS computes there."""
        out, traits = {}, self.codes["traits"][slots]
        for name, values in self.values.items():
            if name == "responsiveness":
                out[name] = values[slots]
            elif name in _TRAIT_SHIFT:  # a field of the mentor's traits code
                out[name] = values[(traits >> _TRAIT_SHIFT[name]) & _TRAIT_MASK[name]]
            elif name in self.codes:
                out[name] = values[self.codes[name][slots]]
            else:  # no code: the component is 0 for every mentor
                out[name] = np.zeros(len(slots))
        return out


# The per-mentor traits code (features.py keeps it up to date): international · 8 + sponsors · 4 + min(free
# capacity, CAPACITY_FULL). Its three fields are the three last table axes, so it is added to a code unchanged.
_TRAIT_SHIFT = {"international": 3, "visa": 2, "capacity": 0}
_TRAIT_MASK = {"international": 1, "visa": 1, "capacity": 3}
TABLE_MAX = 1 << 18  # table cells (2 MB of float64): past this (a mentee with dozens of domains) use the batch path


def one_mentee_partial(b: MenteeBatch, ix: MentorIndex, weights: Mapping[str, float]) -> OneMentee | None:
    """partial_total(COMPONENTS for one mentee) with the very same float operations, in the same order, done once
    per distinct value instead of once per mentor. Every component but responsiveness takes few values for one
    mentee (small counts or 0/1 flags), so their weighted sum, in COMPONENTS order, is one look-up in a table over
    (domain, goals, availability, school, language, international, visa, capacity) codes; responsiveness, the one
    continuous component and the last in COMPONENTS, is then added per mentor as partial_total adds it. A
    component that is None there (zero for every mentor) adds 0.0 here, which changes no sum. None when the table
    would exceed TABLE_MAX cells."""
    shape = (2 * len(b.domains.ids) + 2, int(np.bitwise_count(b.goals)[0]) + 1, AVAILABILITY_FULL_SLOTS + 1,
             2, 2, 2, 2, CAPACITY_FULL + 1)
    cells = math.prod(shape)
    if cells > TABLE_MAX:
        return None
    values, table = _tables(shape, int(b.n_domains[0]), bool(b.international[0]), bool(b.needs_visa[0]),
                            tuple(weights[name] for name in WEIGHTS))
    codes = _one_mentee_codes(b, ix)
    dtype = np.uint16 if cells <= 1 << 16 else np.uint32
    strides = _strides(shape)
    code = np.multiply(codes["domain"], dtype(strides[0]), dtype=dtype)
    for name, stride in zip(("goals", "availability", "school", "language"), strides[1:5], strict=True):
        if codes[name] is not None:
            code += np.multiply(codes[name], dtype(stride), dtype=dtype)
    code += ix.columns["traits"]
    partial = table.take(code)
    partial += weights["responsiveness"] * ix.columns["responsiveness"]
    present = {name: array for name, array in codes.items() if array is not None}
    return OneMentee(partial[None, :], {**present, "traits": ix.columns["traits"]},
                     {**values, "responsiveness": ix.columns["responsiveness"]})


@lru_cache(maxsize=64)
def _strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    """The C-order strides of a table of this shape, in cells (the last axis varies fastest)."""
    return tuple(math.prod(shape[axis + 1:]) for axis in range(len(shape)))


@lru_cache(maxsize=64)
def _tables(shape: tuple[int, ...], n_domains: int, international: bool, needs_visa: bool,
            weights: tuple[float, ...]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Values of each table component by its code, and their weighted sum over all code combinations (raveled in C
    order): what the COMPONENTS functions and partial_total compute, as the same float operations in the same
    order."""
    named = dict(zip(WEIGHTS, weights, strict=True))
    coverage = np.minimum(np.arange(shape[0] // 2) / max(n_domains, 1), 1.0)
    domain = np.repeat(DOMAIN_EXACT + (1 - DOMAIN_EXACT) * coverage, 2)  # by 2 · exact + min(family, 1)
    domain[:2] = np.minimum(np.arange(2, dtype=np.uint16), 1) * DOMAIN_RELATED
    flag = np.array([0.0, 1.0])
    values = {
        "domain": domain,
        "goals": np.arange(shape[1], dtype=np.uint8) / np.uint8(max(shape[1] - 1, 1)),
        "availability": np.minimum(np.arange(shape[2], dtype=np.uint16), AVAILABILITY_FULL_SLOTS) * (
            1 / AVAILABILITY_FULL_SLOTS),
        "school": flag,
        "language": flag,
        "international": flag * international,  # the mentee's flag times the mentor's, as _flags computes it
        "visa": flag * needs_visa,
        "capacity": np.minimum(np.arange(shape[7]), CAPACITY_FULL) * (1 / CAPACITY_FULL),
    }
    table = None
    for name in values:  # the table components, in COMPONENTS order, the table raveled in C order as it grows
        term = named[name] * values[name]
        if table is None:
            table = term
            continue
        # table + term over a new last axis, one column at a time: the axes are short (2 to 9), and numpy's
        # broadcasting loops over the last one, 2 to 4 cells per inner loop (a new shape's table 77 -> 46 µs)
        grown = np.empty((len(table), len(term)))
        for column, value in enumerate(term):
            np.add(table, value, out=grown[:, column])
        table = grown.ravel()
    for array in (*values.values(), table):
        array.setflags(write=False)
    return values, table


def _one_mentee_codes(b: MenteeBatch, ix: MentorIndex) -> dict[str, np.ndarray | None]:
    """Per mentor slot: 2 · exact shared domains + (any shared family), shared goals, min(shared availability slots,
    AVAILABILITY_FULL_SLOTS), same school (0/1), any shared language (0/1); None where it is 0 for every mentor."""
    domain = ix.bits["domains"].count_one(b.domains.ids).astype(np.uint16)
    domain *= np.uint16(2)
    domain += np.minimum(ix.bits["families"].count_one(b.families.ids), 1)
    goals = np.bitwise_count(ix.columns["goals"] & b.goals[0]) if b.goals[0] else None
    words = {word: mask for word, mask in enumerate(b.availability[0].tolist()) if mask}
    slots = np.minimum(count_words(words, ix.columns["availability"]), AVAILABILITY_FULL_SLOTS) if words else None
    # Mentee school ids are -2 when unknown, mentors' -1 when none: no sentinel ever equals another.
    school = (ix.columns["school"] == b.school[0]).view(np.uint8) if b.school[0] >= 0 else None
    language = (np.minimum(ix.bits["languages"].count_one(b.languages.ids), 1) if len(b.languages.ids) else None)
    return {"domain": domain, "goals": goals, "availability": slots, "school": school, "language": language}
