"""JSON for what the service writes to and reads from its database: orjson, with the standard library's json for
what orjson declines or would read differently, so nothing json accepts is refused or changed (integers beyond 64
bits, which orjson refuses to write and reads as floats; text json reads and orjson does not, such as NaN).

The big documents are why: a match run of 50,000 mentees stores 17 MB of assignments (json.dumps ~0.4 s, orjson
~0.04 s), and a split run's workers pass each other the run's mentors and each block's mentees as JSON
(matchmaking/profiles.py). The SQLAlchemy engine uses `dumps`/`loads` for every JSON column (database.py). Output
differs from json.dumps only in form: no spaces after separators, non-ASCII characters written as UTF-8, not
escaped.
"""
import json

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS  # {1: ...} written as {"1": ...}, as json.dumps does


def dumps_bytes(value) -> bytes:
    """`value` as UTF-8 JSON."""
    try:
        return orjson.dumps(value, option=_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError is one: e.g. an int beyond 64 bits, which json writes
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def dumps(value) -> str:
    """`value` as JSON text (the engine's json_serializer)."""
    return dumps_bytes(value).decode()


# orjson reads an integer literal beyond 64 bits (below -2**63 or above 2**64 - 1) as a float, silently: such a
# literal has at least 19 digits in a row, so text with a run of 19 digits goes to json (exact) instead. The run is
# found by mapping every byte to b"1" (a digit) or b"0" and searching, both in C: ~20 ms for a 16 MB run result.
_DIGITS = bytes(49 if 48 <= byte <= 57 else 48 for byte in range(256))
_LONG_RUN = b"1" * 19


def loads(data: str | bytes | memoryview):
    """The value of JSON text or UTF-8 bytes (the engine's json_deserializer)."""
    raw = data.tobytes() if isinstance(data, memoryview) else data
    as_bytes = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw  # for the search only
    if as_bytes.translate(_DIGITS).find(_LONG_RUN) >= 0:
        return json.loads(raw)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:  # e.g. NaN, which json reads
        return json.loads(raw)
