"""Text features: a hashing vectorizer (stateless, so mentors can be added one at a time) and TF-IDF weights.

Terms are hashed with CRC-32 (stable across processes, unlike `hash()`) into N_FEATURES buckets; a collision only
blurs similarity a little. Term frequency is sublinear (1 + ln tf) so a bio that repeats a word does not dominate.
"""
import re
import zlib
from collections import Counter
from functools import lru_cache

import numpy as np

N_FEATURES = 1 << 20
_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*")
STOPWORDS = frozenset(
    """a about after all also am an and any are as at be been before being but by can could did do does doing for
    from had has have having he her here hers him his how i if in into is it its just me more most my no nor not of
    off on once only or other our ours out over own same she so some such than that the their them then there these
    they this those through to too under until up very was we were what when where which while who whom why will with
    would you your yours years year work working""".split()
)


@lru_cache(maxsize=1 << 16)
def _bucket(token: str) -> int:
    return zlib.crc32(token.encode()) & (N_FEATURES - 1)


def term_weights(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unique bucket ids, sublinear term frequencies) of `text`; empty arrays for empty text."""
    counts: dict[int, int] = {}
    # Count words first (Counter is C code), then hash each distinct word once; colliding words add up.
    for token, count in Counter(_TOKEN.findall(text.lower())).items():
        if token not in STOPWORDS:
            bucket = _bucket(token)
            counts[bucket] = counts.get(bucket, 0) + count
    if not counts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    order = np.argsort(ids)
    return ids[order], 1.0 + np.log(tf[order])


def idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """Smoothed inverse document frequency, ln((1 + n) / (1 + df)) + 1: never zero, so a word every mentor uses
    still counts a little."""
    return np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
