"""JSON for what the service writes to and reads from its database: orjson, with the standard library's json for
what orjson declines, so nothing json accepted is refused (integers beyond 64 bits; text json reads and orjson does
not, such as NaN).

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


def loads(data: str | bytes | memoryview):
    """The value of JSON text or UTF-8 bytes (the engine's json_deserializer)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:  # e.g. NaN or a 65-bit integer, which json reads
        return json.loads(bytes(data) if isinstance(data, memoryview) else data)
