"""Bit sets per mentor slot, stored word-major, and the one kernel that compares them: popcount(a AND b).

Small vocabularies (domain slugs, languages) are cheapest as bit sets: "how many domains do they share" is one AND
and one popcount per query word, whatever the vocabulary size, and a query of 1–3 domains touches 1–3 words.

One query (recommend) reads a second copy instead: a byte per (id, slot), 1 where the slot has the id, so each of
its 1–3 ids is one contiguous row of bytes to add (10 × less memory traffic than AND + popcount over 64-bit words:
at 100,000 mentors 5 µs instead of 130 µs an id). It costs 64 bytes a slot per word of the vocabulary (6.4 MB at
100,000 mentors for a one-word vocabulary) and is kept up to date by the same set/remove.
"""
import numpy as np

from .postings import Ragged


def shared_bits(query: np.ndarray, bits: np.ndarray) -> np.ndarray:
    """Bits in common between each query (B, words) and each slot of `bits` (words, n): a uint16 (B, n) array."""
    words = np.flatnonzero(query.any(axis=0)).tolist()
    if len(words) == 1:  # the common case for one mentee's 1–3 domains or languages: no accumulator needed
        return np.bitwise_count(query[:, words[0], None] & bits[None, words[0], :]).astype(np.uint16)
    out = np.zeros((query.shape[0], bits.shape[1]), dtype=np.uint16)
    # Word by word keeps the temporaries at (B, n) instead of (B, n, words); words no query uses are skipped.
    for word in words:
        out += np.bitwise_count(query[:, word, None] & bits[None, word, :])
    return out


def cells_shared_bits(query: np.ndarray, bits: np.ndarray, rows: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """shared_bits(query, bits)[rows, slots] for the given cells only (uint16)."""
    out = np.zeros(len(rows), dtype=np.uint16)
    for word in np.flatnonzero(query.any(axis=0)).tolist():
        out += np.bitwise_count(query[rows, word] & bits[word, slots])
    return out


def dense_bits(bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bit sets stored word-major (words, n) as (the bit ids set anywhere, a float32 (len(ids), n) 0/1 matrix)."""
    unpacked = np.unpackbits(np.ascontiguousarray(bits.T).view(np.uint8), axis=1, bitorder="little")  # (n, bits)
    used = np.flatnonzero(unpacked.any(axis=0))
    return used, unpacked[:, used].T.astype(np.float32)


def count_words(masks: dict[int, int], bits: np.ndarray) -> np.ndarray:
    """Bits in common between one query, given as {word: mask}, and each slot of `bits` (words, n): (n,) uint8, or
    uint16 when more than 4 words could overflow uint8. The one-query form of shared_bits, without its set-up."""
    out = None
    for word, mask in masks.items():
        shared = np.bitwise_count(bits[word] & np.uint64(mask))
        if out is None:
            out = shared if len(masks) <= 4 else shared.astype(np.uint16)
        else:
            out += shared
    return np.zeros(bits.shape[1], dtype=np.uint8) if out is None else out


def _words_for(ids: np.ndarray) -> int:
    return int(ids.max()) // 64 + 1 if len(ids) else 1


class BitRows:
    """Per-slot sets of small non-negative integer ids, with the same slots and swap-on-remove as Columns."""

    def __init__(self, rows=()):
        rows = list(rows)
        self._fill(Ragged.from_rows([(ids, np.ones(len(ids))) for ids in rows]))

    @classmethod
    def of_ragged(cls, stacked: Ragged) -> "BitRows":
        """BitRows(the rows' id arrays), from the rows stacked (their weights are not read)."""
        rows = cls.__new__(cls)
        rows._fill(stacked)
        return rows

    def _fill(self, stacked: Ragged) -> None:
        self._n = len(stacked.ptr) - 1
        self._bits = np.zeros((_words_for(stacked.ids), max(16, self._n)), dtype=np.uint64)
        slots = np.repeat(np.arange(self._n), np.diff(stacked.ptr))
        np.bitwise_or.at(self._bits, (stacked.ids >> 6, slots), np.left_shift(1, stacked.ids & 63).astype(np.uint64))
        self._by_id = np.zeros((self._bits.shape[0] * 64, self._bits.shape[1]), dtype=np.uint8)
        self._by_id[stacked.ids, slots] = 1

    def __len__(self) -> int:
        return self._n

    def set(self, slot: int, ids: np.ndarray) -> None:
        """Replace the set at `slot`, or append one when slot == len(self)."""
        words, capacity = self._bits.shape
        need_words = max(words, _words_for(ids))
        if slot == self._n:
            self._n += 1
        if need_words > words or self._n > capacity:
            grown = np.zeros((need_words, max(capacity, 2 * self._n)), dtype=np.uint64)
            grown[:words, :capacity] = self._bits
            self._bits = grown
            by_id = np.zeros((need_words * 64, grown.shape[1]), dtype=np.uint8)
            by_id[:words * 64, :capacity] = self._by_id
            self._by_id = by_id
        self._bits[:, slot] = 0
        np.bitwise_or.at(self._bits[:, slot], ids >> 6, np.left_shift(1, ids & 63).astype(np.uint64))
        self._by_id[:, slot] = 0
        self._by_id[ids, slot] = 1

    def remove(self, slot: int) -> None:
        """Move the last set into `slot` and shrink by one."""
        self._n -= 1
        self._bits[:, slot] = self._bits[:, self._n]
        self._by_id[:, slot] = self._by_id[:, self._n]

    def count(self, query: Ragged) -> np.ndarray:
        """How many ids each query row shares with each slot: uint16 (B, n)."""
        return shared_bits(self._masks(query), self._bits[:, : self._n])

    def count_one(self, ids: np.ndarray) -> np.ndarray:
        """How many of `ids` (one query's) each slot has: (n,) uint8, or uint16 when they span more than 4 words
        (as count_words counts: each distinct id once; ids past the last word are in no slot). The ids' rows of
        bytes, added."""
        known = sorted({item for item in ids.tolist() if item < len(self._by_id)})
        dtype = np.uint8 if len({item >> 6 for item in known}) <= 4 else np.uint16
        if not known:
            return np.zeros(self._n, dtype=dtype)
        out = self._by_id[known[0], : self._n].astype(dtype)
        for item in known[1:]:
            out += self._by_id[item, : self._n]
        return out

    def count_cells(self, query: Ragged, rows: np.ndarray, slots: np.ndarray) -> np.ndarray:
        """count(query)[rows, slots] for the given cells only: uint16, the same numbers."""
        return cells_shared_bits(self._masks(query), self._bits[:, : self._n], rows, slots)

    def dense(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids some slot has, a float32 (len(ids), n) 0/1 matrix of which slot has which of them)."""
        by_id = self._by_id[:, : self._n]
        used = np.flatnonzero(by_id.any(axis=1))
        return used, by_id[used].astype(np.float32)

    def _masks(self, query: Ragged) -> np.ndarray:
        words = self._bits.shape[0]
        masks = np.zeros((len(query.ptr) - 1, words), dtype=np.uint64)
        owner = np.repeat(np.arange(len(query.ptr) - 1), np.diff(query.ptr))
        known = query.ids < words * 64  # ids past the last word: no mentor has them
        if len(query.ids) <= 32:
            # A single mentee's handful of ids: plain Python beats ufunc.at's set-up cost.
            for row, item in zip(owner[known].tolist(), query.ids[known].tolist(), strict=True):
                masks[row, item >> 6] |= np.uint64(1 << (item & 63))
            return masks
        ids = query.ids[known]
        np.bitwise_or.at(masks, (owner[known], ids >> 6), np.left_shift(1, ids & 63).astype(np.uint64))
        return masks
