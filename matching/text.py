"""Text features: a hashing vectorizer (stateless, so mentors can be added one at a time) and TF-IDF weights.

Terms are hashed with CRC-32 (stable across processes, unlike `hash()`) into N_FEATURES buckets; a collision only
blurs similarity a little. Term frequency is sublinear (1 + ln tf) so a bio that repeats a word does not dominate.
"""
import re
import zlib
from collections import Counter
from itertools import chain

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


_STOP = -1  # the bucket of a stopword: counted with the rest, then dropped
_PLAIN = re.compile(r"[a-z0-9 \t\n\r\f\v]*")  # text whose tokens are exactly its whitespace-separated words
_SUBLINEAR = 1.0 + np.log(np.arange(64, dtype=np.float64).clip(1))  # 1 + ln tf for tf < 64 (entry 0 unused)
_SUBLINEAR.setflags(write=False)


class _Buckets(dict):
    """token -> bucket (_STOP for stopwords), filled on first sight: a plain dict lookup per token, from C."""

    def __missing__(self, token: str) -> int:
        if len(self) >= 1 << 16:  # bounded like an LRU, at the price of refilling the common words
            self.clear()
        bucket = _STOP if token in STOPWORDS else zlib.crc32(token.encode()) & (N_FEATURES - 1)
        self[token] = bucket
        return bucket


_BUCKETS = _Buckets()


def term_weights(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unique bucket ids, sublinear term frequencies) of `text`; empty arrays for empty text."""
    text = text.lower()
    # Most bios are plain words and spaces: str.split gives the same tokens as the regex, in a quarter of the time.
    tokens = text.split() if _PLAIN.fullmatch(text) else _TOKEN.findall(text)
    # Counting bucket ids (not words) runs entirely in C and makes colliding words add up.
    counts = Counter(map(_BUCKETS.__getitem__, tokens))
    counts.pop(_STOP, None)
    if not counts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    n = len(counts)
    # Bucket ids and their counts in one int64 array: one numpy call, not two.
    keys_and_tf = np.fromiter(chain(counts.keys(), counts.values()), dtype=np.int64, count=2 * n)
    order = keys_and_tf[:n].argsort()
    tf = keys_and_tf[n:][order]
    try:  # np.log's own values (elementwise, so the same bits) by table lookup: one numpy call instead of two
        weights = _SUBLINEAR[tf]
    except IndexError:  # a word 64 times or more
        weights = 1.0 + np.log(tf.astype(np.float64))
    return keys_and_tf[:n][order], weights


def term_weights_many(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row pointers, ids, weights): term_weights of each text, stacked, with one numpy count over every token
    instead of a Counter per text (the same ids in the same order, the same weights)."""
    tokens = [text.split() if _PLAIN.fullmatch(text) else _TOKEN.findall(text) for text in map(str.lower, texts)]
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    buckets = np.fromiter(map(_BUCKETS.__getitem__, chain.from_iterable(tokens)), dtype=np.int64,
                          count=int(lengths.sum()))
    owner = np.repeat(np.arange(len(tokens), dtype=np.int64), lengths)
    kept = buckets != _STOP
    keys, tf = np.unique(owner[kept] * N_FEATURES + buckets[kept], return_counts=True)
    rows, ids = np.divmod(keys, N_FEATURES)
    weights = _SUBLINEAR[np.minimum(tf, len(_SUBLINEAR) - 1)]
    long = tf >= len(_SUBLINEAR)
    if long.any():  # words 64 times or more, as term_weights computes them
        weights[long] = 1.0 + np.log(tf[long].astype(np.float64))
    return np.searchsorted(rows, np.arange(len(tokens) + 1)), ids, weights


def idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """Smoothed inverse document frequency, ln((1 + n) / (1 + df)) + 1: never zero, so a word every mentor uses
    still counts a little."""
    return np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
