"""Feature encoding: mentors into a MentorIndex (built once, updated in place), mentees into query batches.

Set-valued features are BitRows (domains, their families, languages) or SparseRows (preferences, text terms), and
scalar features are Columns, all with the same slots. Domains, languages and schools get integer ids from vocabularies
that only grow, so a mentee term no mentor has is simply absent (it can match nothing anyway).
"""
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import chain

import numpy as np

from .availability import WORDS, week_mask, week_start
from .bits import BitRows
from .columns import Columns
from .norms import NEVER, TextNorms
from .postings import Ragged
from .profile import Profile, families, goal_mask, normalise_school, normalise_slug, prefixes, profile_of_fields
from .sparse_rows import SparseRows
from .text import N_FEATURES, idf, term_weights, term_weights_many

__all__ = ["MenteeBatch", "MentorIndex", "Profile"]

ENCODED_MAX = 4096  # one-mentee encodings kept per index (a few KB each)
CAPACITY_FULL = 3  # free capacity at which scoring's capacity component is full; here for the traits code below

_COLUMNS = {
    "id": (np.int64, ()),
    "free_capacity": (np.int64, ()),
    "responsiveness": (np.float64, ()),
    "school": (np.int64, ()),  # -1: none
    "international": (np.float64, ()),  # 0.0 / 1.0: scoring multiplies by them directly
    "sponsors": (np.float64, ()),
    "goals": (np.uint16, ()),
    "prefers_international": (np.int8, ()),  # -1: no preference
    "availability": (np.uint64, (WORDS,)),
    # international · 8 + sponsors · 4 + min(free_capacity, CAPACITY_FULL): the mentor's last three table codes in
    # scoring.one_mentee_partial, kept with the columns it is made of
    "traits": (np.uint8, ()),
}
_BITS = ("domains", "families", "languages")          # small vocabularies, compared on every query
_ROWS = ("prefers_domains", "prefers_schools", "text")  # open-ended or only used by the stable strategy


class _Vocab(dict):
    def keys_to_ids(self, keys, grow: bool) -> list[int]:
        """Sorted unique ids of `keys`: new keys get ids when `grow`, else are dropped (no mentor has them)."""
        if grow:
            return sorted({self.setdefault(key, len(self)) for key in keys if key})
        return sorted({self[key] for key in keys if key in self})


def _slugs(values) -> list[str]:
    return sorted({slug for slug in map(normalise_slug, values) if slug})


@dataclass(frozen=True)
class MenteeBatch:
    """Mentees encoded against one index's vocabularies; row b of every field is mentee b."""

    ids: np.ndarray
    domains: Ragged
    families: Ragged
    prefixes: Ragged     # the mentees' slugs and all their ancestors, for mentors' prefers_domains
    languages: Ragged
    schools: Ragged      # the school id (if any mentor has it), for mentors' prefers_schools
    text: Ragged         # sublinear term frequencies; IDF is applied at scoring time
    n_domains: np.ndarray
    goals: np.ndarray
    school: np.ndarray   # -2: none, or no mentor has it (mentors use -1 for none, so they never match)
    international: np.ndarray
    needs_visa: np.ndarray
    availability: np.ndarray


class MentorIndex:
    """Feature matrix over a set of mentors, built once and updated incrementally."""

    def __init__(self, week_of: datetime | date | None = None):
        self.week = week_start(week_of)
        self._slugs, self._langs, self._schools = _Vocab(), _Vocab(), _Vocab()
        self._slot: dict[int, int] = {}
        self._encoded: dict[tuple, MenteeBatch] = {}  # see _encode_one_cached
        self._profiles: list[Profile] = []
        self.columns = Columns(_COLUMNS)
        self.bits = {name: BitRows() for name in _BITS}
        self.rows = {name: SparseRows() for name in _ROWS}
        self._df = np.zeros(N_FEATURES, dtype=np.int32)  # mentors per text term bucket
        # Text norms by slot: exact ones, computed when first needed after the IDF last moved, and stale ones with a
        # bound on how far they can be off (see norms.py).
        self._norm = TextNorms()
        # The IDF of each term of the bulk text postings (text.main_terms), kept so that a norm is one gather and a
        # few products per entry, not a log: (those terms, the IDF), or None when every IDF moved (the mentor count
        # changed); _idf_moved lists the terms whose document frequency changed since (an update of one mentor's
        # text), refreshed by the next _main_idf.
        self._term_idf: tuple[np.ndarray, np.ndarray] | None = None
        self._idf_moved: list[np.ndarray] = []

    @classmethod
    def build(cls, mentors: Iterable[Profile], *, week_of: datetime | date | None = None) -> "MentorIndex":
        """Index `mentors` (ids must be unique); `week_of` picks the reference week for availability (default: now)."""
        index = cls(week_of)
        mentors = list(mentors)
        index._slot = {mentor.id: slot for slot, mentor in enumerate(mentors)}
        if len(index._slot) != len(mentors):
            raise ValueError("duplicate mentor id")
        cols, rows = index._encode_mentors(mentors)
        index.columns = Columns(_COLUMNS, cols)
        index.bits = {name: BitRows.of_ragged(rows[name]) for name in _BITS}
        index.rows = {name: SparseRows(_row_views(rows[name])) for name in _ROWS}
        index._profiles = [_slim(mentor) for mentor in mentors]
        if mentors:
            index._df += np.bincount(rows["text"].ids, minlength=N_FEATURES).astype(np.int32)
        index._norm.resize(len(mentors))
        index.text_norms()  # every norm now, in one O(nnz) pass, rather than a slice in each of the first queries
        return index

    def upsert(self, mentor: Profile) -> None:
        """Add or replace one mentor: O(its features), plus an occasional compaction (see SparseRows)."""
        cols, rows = self._encode_mentor(mentor)
        slot = self._slot.get(mentor.id, len(self._profiles))
        text = self.rows["text"]
        new_ids, new_tf = rows["text"]
        n = len(self._profiles)
        if slot == n:
            # One more mentor: every term's IDF moved.
            self._norm.moved(self._move_df(np.empty(0, dtype=np.int64), new_ids, n + 1))
            self._norm.resize(n + 1)
            self._term_idf = None
        elif not (np.array_equal(text.row(slot)[0], new_ids) and np.array_equal(text.row(slot)[1], new_tf)):
            old_ids = text.row(slot)[0]
            # The IDF of the terms that came or went moved, and with it the norm of every mentor holding one (common
            # words: a good part of them). Their old norms stay as bounds; this mentor's own bounds nothing.
            self._norm.moved(self._move_df(old_ids, new_ids, n))
            self._norm.changed(slot)
            self._idf_moved += (old_ids, new_ids)  # a superset of the terms whose IDF moved: refreshing more is exact
            if len(self._idf_moved) > 256:  # many updates and no query: refresh them all at once, later
                self._term_idf, self._idf_moved = None, []
        self.columns.set(slot, cols)
        for name in _BITS:
            self.bits[name].set(slot, rows[name][0])
        for name in _ROWS:
            self.rows[name].set(slot, *rows[name])
        if slot == len(self._profiles):
            self._profiles.append(_slim(mentor))
        else:
            self._profiles[slot] = _slim(mentor)
        self._slot[mentor.id] = slot

    def remove(self, mentor_id: int) -> None:
        """Drop one mentor (KeyError if absent). The last mentor takes its slot, so slots are not stable ids."""
        slot = self._slot.pop(mentor_id)
        delta = self._move_df(self.rows["text"].row(slot)[0], np.empty(0, dtype=np.int64), len(self) - 1)
        self.columns.remove(slot)
        for structure in (*self.bits.values(), *self.rows.values()):
            structure.remove(slot)
        last = self._profiles.pop()
        if slot < len(self._profiles):
            self._profiles[slot] = last
            self._slot[last.id] = slot
        self._norm.remove(slot)
        self._norm.moved(delta)
        self._term_idf = None

    def __len__(self) -> int:
        return len(self._profiles)

    def __contains__(self, mentor_id: int) -> bool:
        return mentor_id in self._slot

    def slot(self, mentor_id: int) -> int:
        """Position of a mentor in mentor_ids and in every score array."""
        return self._slot[mentor_id]

    def profile(self, slot: int) -> Profile:
        """The mentor at `slot`, without text and availability (kept only as features)."""
        return self._profiles[slot]

    @property
    def mentor_ids(self) -> np.ndarray:
        """Mentor ids by slot: the order of every score array (a view; do not modify)."""
        return self.columns["id"]

    @property
    def free_capacity(self) -> np.ndarray:
        """Free capacity by slot (a view; change it through upsert)."""
        return self.columns["free_capacity"]

    def text_idf(self, ids: np.ndarray) -> np.ndarray:
        """IDF of text term buckets over the current mentors."""
        return idf(self._df[ids], len(self))

    def _move_df(self, old_ids: np.ndarray, new_ids: np.ndarray, n_after: int) -> float:
        """Move the document frequencies from one mentor's old terms to its new ones (the mentor count becoming
        n_after), and return a bound δ: every other mentor's text norm moved by a factor within e^±δ.

        A norm's square is Σ_t (tf_t · idf_t)², so it moves by no more than the IDF of its terms. The terms that came
        or went are measured, those no other mentor holds left out (their IDF moves no other norm). When the mentor
        count changes by one, every other term's IDF, ln((1 + n) / (1 + df)) + 1 (at least 1), moves by c =
        ln((1 + n_after) / (1 + n)) added to it: a factor within [1 - |c|, 1 + |c|]."""
        n_before = len(self)
        touched = np.concatenate((old_ids, new_ids))
        before = idf(self._df[touched], n_before)
        self._df[old_ids] -= 1
        self._df[new_ids] += 1
        df = self._df[touched]
        after = idf(df, n_after)
        others = df - np.repeat([0, 1], [len(old_ids), len(new_ids)])  # holders of each term but this mentor
        moved = np.abs(np.log(after[others > 0] / before[others > 0]))
        delta = float(moved.max()) if len(moved) else 0.0
        if n_after != n_before and n_before and n_after:
            delta = max(delta, -math.log1p(-abs(math.log((1 + n_after) / (1 + n_before)))))
        return delta

    def _main_idf(self) -> np.ndarray:
        """text_idf(text.main_terms), from the kept values: whole after a compaction or a change of the mentor
        count, else only the terms that moved. idf is elementwise, so each value is the one text_idf gives."""
        terms = self.rows["text"].main_terms
        kept = self._term_idf
        if kept is None or kept[0] is not terms or sum(map(len, self._idf_moved)) > len(terms):
            kept = self._term_idf = (terms, self.text_idf(terms))
        elif self._idf_moved and len(terms):
            moved = np.concatenate(self._idf_moved)
            pos = np.minimum(np.searchsorted(terms, moved), len(terms) - 1)
            pos = pos[terms[pos] == moved]
            kept[1][pos] = self.text_idf(terms[pos])
        self._idf_moved = []
        return kept[1]

    def text_norms(self, slots: np.ndarray | None = None) -> np.ndarray:
        """L2 norm of each mentor's TF-IDF vector (of those at `slots`; all: a view, do not modify), computed only
        for mentors not yet known since the IDF last moved: an upsert then costs the next query only its own rows'
        norms (and text_norm_bounds spares it most of those)."""
        norm = self._norm
        if slots is None:
            if not norm.known.all():
                norm.set(slice(None), np.sqrt(self.rows["text"].row_sums(self.text_idf, self._main_idf())))
            return norm.values
        unknown = slots[~norm.known[slots]]
        if len(unknown):
            if len(unknown) > 1 and not (unknown[1:] > unknown[:-1]).all():  # one mentee's slots come sorted
                unknown = np.unique(unknown)
            norm.set(unknown, np.sqrt(self.rows["text"].row_sums_at(unknown, self.text_idf, self._main_idf())))
        return norm.values[slots]

    def text_norm_bounds(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(low, high) around the text norm at each of `slots`, equal to it where it is known (see norms.py); None
        when every one is known. Slots whose row changed since their norm was computed get their exact norm."""
        norm = self._norm
        known = norm.known[slots]
        if known.all():
            return None
        fresh = slots[~known & (norm.at[slots] == NEVER)]
        if len(fresh):
            self.text_norms(np.unique(fresh))
        return norm.bounds(slots)

    def encode(self, mentees: Iterable[Profile]) -> MenteeBatch:
        """Encode mentees against this index's vocabularies and reference week."""
        mentees = list(mentees)
        if len(mentees) == 1:  # recommend's case, once per query: numpy's per-call overhead is most of its cost
            return self._encode_one_cached(mentees[0])
        return _encode_many(self, mentees)

    def _encode_one_cached(self, mentee: Profile) -> MenteeBatch:
        # A mentee asks again with the same profile: its encoding is the same as long as the vocabularies are (they
        # only grow, so their sizes tell), and nothing writes to a batch. Keyed by the whole (frozen) profile, so a
        # changed profile is a new key; bounded by dropping everything when full.
        key = (mentee, len(self._slugs), len(self._langs), len(self._schools))
        batch = self._encoded.get(key)
        if batch is None:
            if len(self._encoded) >= ENCODED_MAX:
                self._encoded.clear()
            batch = self._encoded[key] = _encode_one(self, mentee)
        return batch

    def _encode_mentors(self, mentors: list[Profile]) -> tuple[dict[str, list], dict[str, Ragged]]:
        """_encode_mentor of each mentor in turn (build's case), as column lists and one Ragged per row field: the
        vocabularies grow in the same order, so the ids are the same, without ~90,000 small arrays."""
        encoded = [self._mentor_values(m) for m in mentors]
        cols = {name: [values[name] for values, _ in encoded] for name in _COLUMNS}
        rows = {name: Ragged.from_lists([lists[name] for _, lists in encoded])
                for name in ("domains", "families", "languages", "prefers_domains", "prefers_schools")}
        rows["text"] = Ragged(*term_weights_many([m.text for m in mentors]))
        return cols, rows

    def _encode_mentor(self, m: Profile) -> tuple[dict, dict]:
        """(column values, rows as (ids, unit weights) arrays) of one mentor (upsert's case)."""
        cols, lists = self._mentor_values(m)
        rows = {name: (np.array(ids, dtype=np.int64), np.ones(len(ids))) for name, ids in lists.items()}
        rows["text"] = term_weights(m.text)
        return cols, rows

    def _mentor_values(self, m: Profile) -> tuple[dict, dict[str, list[int]]]:
        """(column values, sorted id lists of the row fields but text), growing the vocabularies."""
        slugs = _slugs(m.domains)
        school = self._schools.keys_to_ids([normalise_school(m.school)], grow=True)
        cols = {
            "id": m.id,
            "free_capacity": max(int(m.free_capacity), 0),
            "responsiveness": min(max(float(m.responsiveness), 0.0), 1.0),
            "school": school[0] if len(school) else -1,
            "international": float(bool(m.international)),
            "sponsors": float(bool(m.company_sponsors_visa)),
            "goals": goal_mask(m.goals),
            "prefers_international": -1 if m.prefers_international is None else int(m.prefers_international),
            "availability": week_mask(m.availability, m.timezone, self.week),
        }
        cols["traits"] = (int(cols["international"]) << 3 | int(cols["sponsors"]) << 2
                          | min(cols["free_capacity"], CAPACITY_FULL))
        lists = {
            "domains": self._slugs.keys_to_ids(slugs, grow=True),
            "families": self._slugs.keys_to_ids(chain(*map(families, slugs)), grow=True),
            "languages": self._langs.keys_to_ids(_lower(m.languages), grow=True),
            "prefers_domains": self._slugs.keys_to_ids(_slugs(m.prefers_domains), grow=True),
            "prefers_schools": self._schools.keys_to_ids(map(normalise_school, m.prefers_schools), grow=True),
        }
        return cols, lists


def _row_views(ragged: Ragged) -> list[tuple[np.ndarray, np.ndarray]]:
    """A Ragged's rows as (ids, weights) views of its arrays (SparseRows' rows; nothing writes into a row)."""
    bounds = ragged.ptr.tolist()
    ids, weights = ragged.ids, ragged.weights
    return [(ids[start:stop], weights[start:stop]) for start, stop in zip(bounds[:-1], bounds[1:], strict=True)]


def _lower(codes) -> list[str]:
    return [code.strip().lower() for code in codes]


def _slim(mentor: Profile) -> Profile:
    """The mentor without text and availability, which live on only as features: half the memory of a large index.
    (dataclasses.replace would run __init__ again for a profile already made: a quarter of an index's build.)"""
    return profile_of_fields({**vars(mentor), "text": "", "availability": ()})


def _encode_many(index: MentorIndex, mentees: list[Profile]) -> MenteeBatch:
    """The general MentorIndex.encode: one list per field over the mentees, then one array or Ragged per field."""
    slugs = [_slugs(m.domains) for m in mentees]
    schools = [index._schools.keys_to_ids([normalise_school(m.school)], grow=False) for m in mentees]
    known_slugs = index._slugs.keys_to_ids
    return MenteeBatch(
        ids=np.array([m.id for m in mentees], dtype=np.int64),
        domains=Ragged.from_lists([known_slugs(s, grow=False) for s in slugs]),
        families=Ragged.from_lists([known_slugs(chain(*map(families, s)), grow=False) for s in slugs]),
        prefixes=Ragged.from_lists([known_slugs(chain(*map(prefixes, s)), grow=False) for s in slugs]),
        languages=Ragged.from_lists([index._langs.keys_to_ids(_lower(m.languages), grow=False) for m in mentees]),
        schools=Ragged.from_lists(schools),
        text=Ragged(*term_weights_many([m.text for m in mentees])),
        n_domains=np.array([len(s) for s in slugs], dtype=np.int64),
        goals=np.array([goal_mask(m.goals) for m in mentees], dtype=np.uint16),
        school=np.array([ids[0] if ids else -2 for ids in schools], dtype=np.int64),
        international=np.array([bool(m.international) for m in mentees]),
        needs_visa=np.array([bool(m.needs_visa_sponsorship) for m in mentees]),
        availability=np.array([week_mask(m.availability, m.timezone, index.week) for m in mentees],
                              dtype=np.uint64).reshape(len(mentees), WORDS),
    )


def _encode_one(index: MentorIndex, m: Profile) -> MenteeBatch:
    """_encode_many([m]) with a handful of numpy calls instead of ~25: the same dtypes, shapes and values.

    Fields of one dtype are slices of one array (every int64 field and row pointer in one, the unit weights in
    another), which is safe because nothing writes to a batch and no two slices overlap.
    """
    slugs, family_keys, prefix_keys = _domain_keys(tuple(m.domains))
    known_slugs = index._slugs.keys_to_ids
    school_key = normalise_school(m.school)
    school = [index._schools[school_key]] if school_key in index._schools else []  # keys_to_ids of one key
    languages = index._langs.keys_to_ids(_language_keys(tuple(m.languages)), grow=False)
    lists = (known_slugs(slugs, grow=False), known_slugs(family_keys, grow=False),
             known_slugs(prefix_keys, grow=False), languages, school)
    text_ids, text_tf = term_weights(m.text)
    # ints = [id, n_domains, school, (0, len) per Ragged incl. the text's, then the five id lists one after another]
    ints = [m.id, len(slugs), school[0] if school else -2]
    for ids in lists:
        ints += (0, len(ids))
    ints += (0, len(text_ids))
    first = len(ints)
    ints = np.fromiter(chain(ints, *lists), dtype=np.int64, count=first + sum(map(len, lists)))
    ones = np.empty(len(ints) - first)
    ones.fill(1.0)  # np.ones, without its Python wrapper
    ragged, start = [], 0
    for i, ids in enumerate(lists):
        ragged.append(Ragged(ints[3 + 2 * i:5 + 2 * i], ints[first + start:first + start + len(ids)],
                             ones[start:start + len(ids)]))
        start += len(ids)
    flags = np.array([bool(m.international), bool(m.needs_visa_sponsorship)])
    return MenteeBatch(
        ids=ints[0:1],
        domains=ragged[0],
        families=ragged[1],
        prefixes=ragged[2],
        languages=ragged[3],
        schools=ragged[4],
        text=Ragged(ints[first - 2:first], text_ids, text_tf),
        n_domains=ints[1:2],
        goals=np.array([goal_mask(m.goals)], dtype=np.uint16),
        school=ints[2:3],
        international=flags[0:1],
        needs_visa=flags[1:2],
        availability=week_mask(m.availability, m.timezone, index.week).reshape(1, WORDS),
    )


@lru_cache(maxsize=1 << 12)
def _domain_keys(domains: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """A mentee's slugs, their families and their prefixes: pure strings, so cached (domain lists repeat a lot)."""
    slugs = _slugs(domains)
    return tuple(slugs), tuple(chain(*map(families, slugs))), tuple(chain(*map(prefixes, slugs)))


@lru_cache(maxsize=1 << 10)
def _language_keys(languages: tuple[str, ...]) -> tuple[str, ...]:
    """_lower, cached: a few language lists cover most mentees."""
    return tuple(_lower(languages))
