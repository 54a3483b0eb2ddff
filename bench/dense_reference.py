"""A plain float32 numpy reference for candidate generation (issue 16): the yardstick for matching/dense.py.

Every score component of matching/scoring.py as float32 matrix products over blocks of mentees, each component
written out as scoring.py defines it, the weighted sum, then each mentee's top k by argpartition. No exact rescoring
and no tie rule: the scores agree with the engine's to ~1e-6, the edges wherever no near-tie decides.
"""
import numpy as np

from matching.scoring import AVAILABILITY_FULL_SLOTS, CAPACITY_FULL, DOMAIN_EXACT, DOMAIN_RELATED, WEIGHTS


def _dense_rows(ragged, vocabulary: np.ndarray, values=None) -> np.ndarray:
    """A Ragged batch (ids per row) as a float32 (rows, len(vocabulary)) matrix; ids outside the vocabulary dropped."""
    out = np.zeros((len(ragged.ptr) - 1, len(vocabulary)), np.float32)
    owner = np.repeat(np.arange(len(ragged.ptr) - 1), np.diff(ragged.ptr))
    pos = np.searchsorted(vocabulary, ragged.ids).clip(max=max(len(vocabulary) - 1, 0))
    hit = vocabulary[pos] == ragged.ids if len(vocabulary) else np.zeros(len(pos), bool)
    out[owner[hit], pos[hit]] = 1 if values is None else values[hit]
    return out


def _bits(words: np.ndarray) -> np.ndarray:
    """(rows, words) uint64 bit sets as a float32 (rows, 64 · words) 0/1 matrix."""
    return np.unpackbits(np.ascontiguousarray(words).view(np.uint8), axis=1, bitorder="little").astype(np.float32)


def reference_candidates(mentees, index, k: int = 50, min_score: float = 0.2, block_cells: int = 1 << 21):
    """(mentee rows, mentor slots, float32 scores) of each mentee's top k mentors with room and score >= min_score,
    in blocks of about block_cells mentee × mentor cells (the engine's block size)."""
    w = {name: np.float32(value / sum(WEIGHTS.values())) for name, value in WEIGHTS.items()}
    slots = np.flatnonzero(index.free_capacity > 0)
    block = max(1, block_cells // max(len(slots), 1))
    cols = index.columns
    domain_ids, domains = index.bits["domains"].dense()
    family_ids, families = index.bits["families"].dense()
    language_ids, languages = index.bits["languages"].dense()
    domains, families, languages = domains[:, slots], families[:, slots], languages[:, slots]
    availability = _bits(cols["availability"][:, slots].T).T
    goals = _bits(cols["goals"][slots].astype(np.uint64)[:, None]).T
    tf = index.rows["text"].matrix()[slots].tocsc()
    terms = np.flatnonzero(np.diff(tf.indptr))
    norms = index.text_norms()[slots]
    text = (tf[:, terms].toarray() / np.where(norms > 0, norms, np.inf)[:, None]).T.astype(np.float32)
    mentor_only = (w["capacity"] * np.minimum(index.free_capacity[slots], CAPACITY_FULL) / CAPACITY_FULL
                   + w["responsiveness"] * cols["responsiveness"][slots]).astype(np.float32)
    found_rows, found_slots, found_scores = [], [], []
    for start in range(0, len(mentees), block):
        b = index.encode(mentees[start:start + block])
        idf = index.text_idf(b.text.ids)
        owner = np.repeat(np.arange(len(b.ids)), np.diff(b.text.ptr))
        q_norm = np.sqrt(np.bincount(owner, (b.text.weights * idf) ** 2, minlength=len(b.ids)))
        query = _dense_rows(b.text, terms, b.text.weights * idf * idf / np.where(q_norm > 0, q_norm, 1)[owner])
        exact = _dense_rows(b.domains, domain_ids) @ domains
        domain = np.where(exact > 0, DOMAIN_EXACT + (1 - DOMAIN_EXACT) * exact / np.maximum(b.n_domains, 1)[:, None],
                          DOMAIN_RELATED * ((_dense_rows(b.families, family_ids) @ families) > 0))
        mentee_goals = _bits(b.goals.astype(np.uint64)[:, None])
        total = (w["domain"] * domain
                 + w["goals"] * (mentee_goals @ goals) / np.maximum(mentee_goals.sum(1), 1)[:, None]
                 + w["text"] * np.minimum(query @ text, 1)
                 + w["availability"] / AVAILABILITY_FULL_SLOTS * np.minimum(_bits(b.availability) @ availability,
                                                                             AVAILABILITY_FULL_SLOTS)
                 + w["school"] * (b.school[:, None] == cols["school"][slots][None, :])
                 + w["language"] * ((_dense_rows(b.languages, language_ids) @ languages) > 0)
                 + w["international"] * np.outer(b.international, cols["international"][slots]).astype(np.float32)
                 + w["visa"] * np.outer(b.needs_visa, cols["sponsors"][slots]).astype(np.float32)
                 + mentor_only)
        top = np.argpartition(total, len(slots) - k, axis=1)[:, len(slots) - k:] if len(slots) > k else \
            np.broadcast_to(np.arange(len(slots)), (len(b.ids), len(slots)))
        scores = np.take_along_axis(total, top, axis=1)
        rows, kept = np.nonzero(scores >= min_score)
        found_rows.append(rows + start)
        found_slots.append(slots[top[rows, kept]])
        found_scores.append(scores[rows, kept])
    return np.concatenate(found_rows), np.concatenate(found_slots), np.concatenate(found_scores)
