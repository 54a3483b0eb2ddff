"""Encoding one mentee (recommend's fast path) gives exactly the batch of the general path, and term_weights gives
exactly what the plain regex + Counter + np.log definition gives."""
import re
import zlib
from collections import Counter
from dataclasses import fields, replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import MentorIndex
from matching.features import MenteeBatch, _encode_many
from matching.postings import Ragged
from matching.text import _SUBLINEAR, N_FEATURES, STOPWORDS, term_weights, term_weights_many
from tests.matching.profiles import WEEK, WORDS, cohorts

COLLIDING = ("w8926", "w52600")  # two words in the same CRC-32 bucket
TOKENS = [*WORDS, *COLLIDING, "the", "and", "work", "C++", "c#", "+1", "#tag", "+", "Python,", "(SQL)", "naïve",
          "Kelvin\u212a", "a-b", ""]
SEPARATORS = [" ", "  ", "\n", "\t", ", ", "; ", " / ", "\u00a0", "\x1c"]
texts = st.one_of(
    st.lists(st.tuples(st.sampled_from(TOKENS), st.sampled_from(SEPARATORS)), max_size=12).map(
        lambda pairs: "".join(token + sep for token, sep in pairs)),
    st.text(max_size=40),
    st.tuples(st.sampled_from(WORDS), st.integers(60, 70)).map(lambda pair: " ".join([pair[0]] * pair[1])),
)


def _reference_term_weights(text: str) -> tuple[np.ndarray, np.ndarray]:
    """term_weights as first written: regex tokens, stopwords out, CRC-32 buckets, 1 + np.log(tf) by bucket."""
    counts: dict[int, int] = {}
    for token, count in Counter(re.findall(r"[a-z0-9][a-z0-9+#]*", text.lower())).items():
        if token not in STOPWORDS:
            bucket = zlib.crc32(token.encode()) & (N_FEATURES - 1)
            counts[bucket] = counts.get(bucket, 0) + count
    if not counts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    order = np.argsort(ids)
    return ids[order], 1.0 + np.log(tf[order])


def _assert_same_array(got: np.ndarray, want: np.ndarray, name: str) -> None:
    assert got.dtype == want.dtype and got.shape == want.shape and got.tobytes() == want.tobytes(), name


def _assert_same_batch(got: MenteeBatch, want: MenteeBatch) -> None:
    for field in fields(MenteeBatch):
        got_value, want_value = getattr(got, field.name), getattr(want, field.name)
        if isinstance(want_value, Ragged):
            for part in Ragged._fields:
                _assert_same_array(getattr(got_value, part), getattr(want_value, part), f"{field.name}.{part}")
        else:
            _assert_same_array(got_value, want_value, field.name)


def _first_row(batch: MenteeBatch) -> MenteeBatch:
    """Row 0 of a batch, as the batch of that mentee alone would hold it."""
    parts = {}
    for field in fields(MenteeBatch):
        value = getattr(batch, field.name)
        if isinstance(value, Ragged):
            end = int(value.ptr[1])
            parts[field.name] = Ragged(value.ptr[:2], value.ids[:end], value.weights[:end])
        else:
            parts[field.name] = value[:1]
    return MenteeBatch(**parts)


@settings(max_examples=300, deadline=None)
@given(cohort=cohorts(max_mentees=2, max_mentors=6, min_mentees=2), text=texts)
def test_one_mentee_fast_path_is_the_general_path(cohort, text):
    mentees, mentors = cohort
    index = MentorIndex.build(mentors, week_of=WEEK)
    mentee, other = replace(mentees[0], text=text), mentees[1]
    one = index.encode([mentee])
    _assert_same_batch(one, _encode_many(index, [mentee]))
    _assert_same_batch(one, _first_row(index.encode([mentee, other])))
    _assert_same_batch(one, _first_row(index.encode(iter([mentee, mentee]))))


@settings(max_examples=500, deadline=None)
@given(text=texts)
def test_term_weights_match_the_reference(text):
    ids, weights = term_weights(text)
    want_ids, want_weights = _reference_term_weights(text)
    _assert_same_array(ids, want_ids, "ids")
    _assert_same_array(weights, want_weights, "weights")


def test_colliding_words_add_up_and_stopwords_drop():
    ids, weights = term_weights(f"{COLLIDING[0]} the {COLLIDING[1]} {COLLIDING[1]} and")
    assert ids.tolist() == [zlib.crc32(COLLIDING[0].encode()) & (N_FEATURES - 1)]
    _assert_same_array(weights, 1.0 + np.log(np.array([3.0])), "weights")


def test_sublinear_table_holds_np_logs_bits_at_every_length_and_position():
    # The table lookup stands in for 1 + np.log(tf) on arrays of any length, where SIMD and tail loops differ.
    rng = np.random.default_rng(0)
    for length in range(1, 200):
        tf = rng.integers(1, 64, size=length)
        _assert_same_array(_SUBLINEAR[tf], 1.0 + np.log(tf.astype(np.float64)), f"length {length}")


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.text(alphabet="ab cC+#,-\\n" + "the and", max_size=40) | st.sampled_from(
    ["", "the and of", "Python SQL python", " ".join(["risk"] * 70)]), max_size=8))
def test_term_weights_many_equals_term_weights_of_each(texts):
    ptr, ids, weights = term_weights_many(texts)
    assert len(ptr) == len(texts) + 1
    for row, text in enumerate(texts):
        one_ids, one_weights = term_weights(text)
        np.testing.assert_array_equal(ids[ptr[row]:ptr[row + 1]], one_ids)
        np.testing.assert_array_equal(weights[ptr[row]:ptr[row + 1]], one_weights)
