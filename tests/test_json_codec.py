"""common/json_codec.py: orjson for the database's JSON, the standard library's json for what orjson declines."""
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentorship.common import json_codec

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4), max_leaves=20)


@given(json_values)
def test_what_it_writes_json_reads_back_the_same_and_it_reads_what_json_writes(value):
    assert json.loads(json_codec.dumps(value)) == value
    assert json_codec.loads(json_codec.dumps_bytes(value)) == value
    assert json_codec.loads(json.dumps(value)) == value
    assert json_codec.loads(json.dumps(value).encode()) == value


def test_what_orjson_declines_goes_through_json():
    huge = 2 ** 70  # beyond 64 bits: orjson refuses to write it
    assert json.loads(json_codec.dumps({"n": huge})) == {"n": huge}
    assert json_codec.loads(json.dumps([huge])) == [huge]
    assert math.isnan(json_codec.loads("[NaN]")[0])  # json writes NaN, orjson does not read it
    assert json_codec.loads(memoryview(b"[NaN, 1]"))[1] == 1  # a driver's buffer, too
    assert json_codec.dumps({1: "a", 2: ["b"]}) == '{"1":"a","2":["b"]}'  # as json.dumps keys them
    assert json_codec.dumps(("é", "日本")) == '["é","日本"]'  # UTF-8, not escaped
    with pytest.raises(TypeError):
        json_codec.dumps({"when": object()})  # neither writes it: still an error
    with pytest.raises(ValueError):
        json_codec.loads("{not json")


@pytest.mark.parametrize("number", [-2 ** 63 - 1, 2 ** 64, 2 ** 70 + 1, -10 ** 30 - 7, 10 ** 40 + 3])
def test_integers_beyond_64_bits_read_back_exactly(number):
    """orjson reads these as floats (-9223372036854775809 as -9.223372036854776e+18): found by the property test
    above on a CI run; json reads them exactly, and so must loads, whatever form the text comes in."""
    text = json.dumps({"n": [1, number]})
    for form in (text, text.encode(), memoryview(text.encode())):
        value = json_codec.loads(form)["n"][1]
        assert type(value) is int and value == number
    assert json_codec.loads(json.dumps([2 ** 64 - 1, -2 ** 63, 0.1234567890123456789])) == [2 ** 64 - 1, -2 ** 63,
                                                                                         0.1234567890123456789]
    assert json_codec.loads('["\ud800", 12345678901234567890123]') == ["\ud800", 12345678901234567890123]


def test_the_engine_stores_and_reads_json_columns_with_it(app, tenant):
    """A JSON column round-trips through the engine's serializer (both databases)."""
    from sqlalchemy import select

    from mentorship.extensions import db
    from mentorship.matchmaking.models import MatchRun
    from mentorship.tenancy.scope import tenant_scope

    with app.app_context(), tenant_scope(tenant.id):
        assert db.engine.dialect._json_serializer is json_codec.dumps
        assert db.engine.dialect._json_deserializer is json_codec.loads
        run = MatchRun(strategy="optimal", min_score=0.2, status="queued", requested_mentee_ids=[2 ** 70, 1],
                       stats={"note": "Université", "7": [1.5]})
        db.session.add(run)
        db.session.commit()
        run_id = run.id
        db.session.expunge_all()
        stored = db.session.scalar(select(MatchRun).where(MatchRun.id == run_id))
        assert stored.requested_mentee_ids == [2 ** 70, 1] and stored.stats == {"note": "Université", "7": [1.5]}
