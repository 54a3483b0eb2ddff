"""The candidate graph of a cohort match: each mentee's top mentors by score, as flat edge arrays.

Mentees are scored in blocks of about DENSE_BLOCK_CELLS mentee × mentor cells, so memory stays bounded whatever the
cohort size: float32 matrix products give every cell an approximate total (dense.py), and only the cells that can be
in a mentee's top k get their exact score, components and mentor preference. Each edge keeps its components (as the
exact codes of EdgeComponents), so the reasons of the chosen pairs come from the very numbers the solver saw.

candidate_graph_shortlist is the previous way (exact partial totals of every cell, text where it can matter, see
shortlist.py), kept as the reference the tests and the benchmark compare against: the same edges and scores.
"""
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .dense import DenseMentors, _Buffers, approximate_totals, floor_cells, top_cells
from .features import MentorIndex, Profile
from .scoring import (
    COMPONENTS,
    PREFER_BONUS,
    CellCodes,
    mentor_preference,
    mentor_preference_cells,
    resolve_weights,
    score_cells,
)
from .shortlist import shortlist

CANDIDATES = 50  # each mentee's top mentors kept in the graph, unless asked otherwise
BLOCK_CELLS = 1 << 20  # candidate_graph_shortlist's blocks
DENSE_BLOCK_CELLS = 1 << 21  # float32 cells per block of candidate_graph: ~8 MB per work array, three of them


@dataclass(frozen=True)
class CandidateGraph:
    """Edges mentee → mentor sorted by (mentee, mentor id); every array is indexed by edge unless noted."""

    mentee: np.ndarray       # position in mentee_ids
    mentor: np.ndarray       # slot in mentor_ids / capacity
    score: np.ndarray
    preference: np.ndarray   # the mentor's view of the mentee: score + PREFER_BONUS · matched `prefers` criteria
    components: np.ndarray   # (edges, len(COMPONENTS)) in COMPONENTS order (or EdgeComponents: indexed the same way)
    mentee_ids: np.ndarray   # per mentee
    mentor_ids: np.ndarray   # per mentor slot
    capacity: np.ndarray     # per mentor slot: free capacity


def candidate_graph(mentees: Sequence[Profile], index: MentorIndex, candidates: int = CANDIDATES,
                    min_score: float = 0.2, weights=None) -> CandidateGraph:
    """Top-`candidates` mentors with free capacity and score >= min_score for each mentee (ties by mentor id)."""
    mentee_ids = _mentee_ids(mentees)
    return join([CandidateGenerator(index, candidates, min_score, weights).edges(mentees)], mentee_ids, index)


class CandidateGenerator:
    """The mentor side of candidate generation, made once per index (the dense per-mentor matrices): `edges` of any
    list of mentees. Each mentee's edges depend on that mentee and the index only, so a cohort cut into blocks, the
    blocks computed anywhere (other processes, with the same index), gives the same edges once joined in order."""

    def __init__(self, index: MentorIndex, candidates: int = CANDIDATES, min_score: float = 0.2, weights=None):
        self.index, self.candidates, self.min_score = index, max(candidates, 0), min_score
        self.weights = resolve_weights(weights)
        self.mentors = DenseMentors.build(index, index.free_capacity > 0, self.weights)
        self.block = max(1, DENSE_BLOCK_CELLS // max(len(self.mentors.slots), 1))

    def edges(self, mentees: Sequence[Profile]) -> "BlockEdges":
        """The edges of `mentees`, their rows numbered 0.. in the given order."""
        index, mentors, count, min_score = self.index, self.mentors, self.candidates, self.min_score
        n = len(mentors.slots)
        buffers = _Buffers(min(self.block, len(mentees)), n) if n and count and len(mentees) else None
        edges = _Edges(len(mentees) * count, len(mentees))
        for start in range(0, len(mentees) if buffers is not None else 0, self.block):
            batch = index.encode(mentees[start:start + self.block])
            total = approximate_totals(batch, index, mentors, buffers)
            rows, cols = floor_cells(total, count, min_score, buffers.spare)
            slots = mentors.slots[cols]
            score, codes = score_cells(batch, index, rows, slots, self.weights)
            keep = top_cells(rows, score, count, min_score)  # cells come in (mentee, mentor id) order
            rows, slots, score = rows[keep], slots[keep], score[keep]
            edges.add(rows + start, slots, score, mentor_preference_cells(batch, index, rows, slots), codes.take(keep))
            edges.n_domains[start:start + len(batch.ids)] = batch.n_domains
            edges.goal_count[start:start + len(batch.ids)] = np.bitwise_count(batch.goals)
        return edges.block()


@dataclass(frozen=True)
class BlockEdges:
    """The edges of one block of mentees: rows 0.. of the block, mentor slots of the index, scores, how many of the
    mentor's `prefers` criteria the mentee meets (the preference is score + PREFER_BONUS · that, made by `join`) and
    component codes, and the two per-mentee counts the components are decoded with."""

    mentee: np.ndarray      # row in the block (int32; uint16 when read back from to_bytes and it fits)
    mentor: np.ndarray      # slot (likewise)
    score: np.ndarray
    prefers: np.ndarray     # uint8, 0..3
    codes: CellCodes
    n_domains: np.ndarray   # per mentee of the block
    goal_count: np.ndarray  # per mentee of the block

    def arrays(self) -> dict[str, np.ndarray]:
        named = {name: getattr(self, name) for name in ("mentee", "mentor", "score", "prefers", "n_domains",
                                                          "goal_count")}
        return named | {f"codes.{name}": getattr(self.codes, name) for name in CellCodes.__dataclass_fields__}

    def to_bytes(self) -> bytes:
        """The arrays in numpy's own .npz layout (uncompressed: the floats do not compress), rows and slots in 16
        bits where they fit (27 bytes an edge)."""
        out = io.BytesIO()
        np.savez(out, **{name: _narrow(array) if name in ("mentee", "mentor") else array
                         for name, array in self.arrays().items()})
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "BlockEdges":
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        codes = CellCodes(*(arrays.pop(f"codes.{name}") for name in CellCodes.__dataclass_fields__))
        return cls(codes=codes, **arrays)


def join(blocks: Sequence[BlockEdges], mentee_ids: np.ndarray, index: MentorIndex) -> CandidateGraph:
    """The candidate graph of consecutive blocks of mentees (`mentee_ids` in block order), from the same index."""
    if len(blocks) == 1:
        block = blocks[0]
    else:
        offsets = np.cumsum([0] + [len(block.n_domains) for block in blocks[:-1]])
        block = BlockEdges(
            np.concatenate([b.mentee.astype(np.int32) + np.int32(offset)
                            for b, offset in zip(blocks, offsets, strict=True)]),
            np.concatenate([b.mentor for b in blocks]).astype(np.int32, copy=False),
            *(np.concatenate([getattr(b, name) for b in blocks]) for name in ("score", "prefers")),
            CellCodes(*(np.concatenate([getattr(b.codes, name) for b in blocks])
                        for name in CellCodes.__dataclass_fields__)),
            *(np.concatenate([getattr(b, name) for b in blocks]) for name in ("n_domains", "goal_count")))
    mentee_ids = np.asarray(mentee_ids, dtype=np.int64)
    if len(block.n_domains) != len(mentee_ids):
        raise ValueError(f"the blocks hold {len(block.n_domains)} mentees, not {len(mentee_ids)}")
    mentee, mentor = block.mentee.astype(np.int32, copy=False), block.mentor.astype(np.int32, copy=False)
    preference = block.score + PREFER_BONUS * block.prefers.astype(np.float64)  # the float candidate_graph made
    capacity = index.free_capacity.copy()
    components = EdgeComponents(block.codes, mentee, mentor, block.n_domains, block.goal_count,
                                capacity, index.columns["responsiveness"].copy())
    return CandidateGraph(mentee, mentor, block.score, preference, components, mentee_ids,
                          index.mentor_ids.copy(), capacity)


def _narrow(array: np.ndarray) -> np.ndarray:
    """Non-negative integers in 16 bits when they fit."""
    return array.astype(np.uint16) if not len(array) or array.max() < 1 << 16 else array


def _mentee_ids(mentees: Sequence[Profile]) -> np.ndarray:
    mentee_ids = np.array([mentee.id for mentee in mentees], dtype=np.int64)
    if len(np.unique(mentee_ids)) != len(mentee_ids):
        raise ValueError("duplicate mentee id")
    return mentee_ids


class EdgeComponents:
    """The components of every edge, kept as CellCodes (about 14 bytes an edge instead of 80): indexing with edges
    gives the (len(edges), len(COMPONENTS)) float64 values, the same floats score_cells added up."""

    def __init__(self, codes: CellCodes, mentee, mentor, n_domains, goal_count, capacity, responsiveness):
        self.codes, self.mentee, self.mentor = codes, mentee, mentor
        self.n_domains, self.goal_count = n_domains, goal_count
        self.capacity, self.responsiveness = capacity, responsiveness

    def __len__(self) -> int:
        return len(self.mentee)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.mentee), len(COMPONENTS)

    def __getitem__(self, edges) -> np.ndarray:
        one = not isinstance(edges, slice) and np.ndim(edges) == 0
        edges = np.atleast_1d(np.arange(len(self))[edges] if isinstance(edges, slice) else edges)
        mentee, mentor = self.mentee[edges], self.mentor[edges]
        values = self.codes.take(edges).components(self.n_domains[mentee], self.goal_count[mentee],
                                                   self.capacity[mentor], self.responsiveness[mentor])
        out = np.column_stack([values[name] for name in COMPONENTS])
        return out[0] if one else out


class _Edges:
    """Edge arrays sized for the most there can be (pages never written are never resident), filled block by block
    in final order, then cut to size in place: no second copy of the edges."""

    def __init__(self, most: int, mentees: int):
        self.mentee, self.mentor = np.empty(most, np.int32), np.empty(most, np.int32)  # 4 bytes an edge each
        self.score, self.prefers = np.empty(most), np.empty(most, np.uint8)
        self.codes = CellCodes(np.empty(most, np.uint16), *(np.empty(most, np.uint8) for _ in range(4)),
                               np.empty(most))
        self.n_domains, self.goal_count = np.zeros(mentees, np.int64), np.zeros(mentees, np.uint8)
        self.count = 0

    def add(self, mentee, mentor, score, prefers, codes: CellCodes) -> None:
        start, end = self.count, self.count + len(mentee)
        self.mentee[start:end], self.mentor[start:end] = mentee, mentor
        self.score[start:end], self.prefers[start:end] = score, prefers
        for name in CellCodes.__dataclass_fields__:
            getattr(self.codes, name)[start:end] = getattr(codes, name)
        self.count = end

    def block(self) -> BlockEdges:
        arrays = (self.mentee, self.mentor, self.score, self.prefers,
                  *(getattr(self.codes, name) for name in CellCodes.__dataclass_fields__))
        for array in arrays:
            array.resize(self.count, refcheck=False)
        return BlockEdges(self.mentee, self.mentor, self.score, self.prefers, self.codes, self.n_domains,
                          self.goal_count)


def candidate_graph_shortlist(mentees: Sequence[Profile], index: MentorIndex, candidates: int = CANDIDATES,
                              min_score: float = 0.2, weights=None) -> CandidateGraph:
    """candidate_graph as it was before dense.py: exact partial totals of every cell (the reference)."""
    weights = resolve_weights(weights)
    mentee_ids = np.array([mentee.id for mentee in mentees], dtype=np.int64)
    if len(np.unique(mentee_ids)) != len(mentee_ids):
        raise ValueError("duplicate mentee id")
    has_room = index.free_capacity > 0
    block = max(1, BLOCK_CELLS // max(len(index), 1))
    # Edges go straight into arrays sized for the most there can be (pages never written are never resident), block
    # by block in final order: blocks are consecutive mentees, so sorting each by (mentee, mentor id) sorts all.
    most = len(mentees) * max(candidates, 0)
    mentee, mentor = np.empty(most, np.int64), np.empty(most, np.int64)
    score, preference = np.empty(most), np.empty(most)
    components = np.empty((most, len(COMPONENTS)))
    edges = 0
    for start in range(0, len(mentees) if candidates > 0 else 0, block):
        batch = index.encode(mentees[start:start + block])
        best = shortlist(batch, index, weights, candidates, has_room)
        # Top-`candidates` first, then the score floor: the same edges as filtering first, since it is monotone.
        keep = np.flatnonzero(best.total >= min_score)
        keep = keep[np.lexsort((index.mentor_ids[best.slots[keep]], best.rows[keep]))]
        rows, slots, end = best.rows[keep], best.slots[keep], edges + len(keep)
        mentee[edges:end], mentor[edges:end], score[edges:end] = rows + start, slots, best.total[keep]
        preference[edges:end] = best.total[keep] + PREFER_BONUS * mentor_preference(batch, index)[rows, slots]
        for column, name in enumerate(COMPONENTS):
            components[edges:end, column] = best.components[name][keep]
        edges = end
    for array in (mentee, mentor, score, preference, components):
        array.resize((edges, *array.shape[1:]), refcheck=False)  # in place: no second copy of the edges
    return CandidateGraph(mentee, mentor, score, preference, components, mentee_ids, index.mentor_ids.copy(),
                          index.free_capacity.copy())
