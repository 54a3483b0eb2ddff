"""docs/integration.md: its webhook verification accepts what the service signs and nothing else, and its API calls
name documented operations with bodies their schemas accept."""
import ast
import base64
import hashlib
import hmac
import os
import re
import time
from pathlib import Path

import jsonschema_rs
import pytest

from tests.test_openapi import _json_schema

DOC = Path(__file__).resolve().parents[1] / "docs" / "integration.md"


def _blocks():
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


def _signed(secret, msg_id, timestamp, body):
    """As the service signs (SPEC §10, Standard Webhooks)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


@pytest.fixture
def verify():
    namespace = {}
    exec(compile(_blocks()[1], str(DOC), "exec"), namespace)  # our own documentation's code
    return namespace["verify"]


def test_the_documented_verification_accepts_a_genuine_delivery_only(verify):
    secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    body = b'{"type": "intro.created", "data": {"id": 7}}'
    now = str(int(time.time()))
    headers = {"webhook-id": "msg_2bXv", "webhook-timestamp": now,
               "webhook-signature": _signed(secret, "msg_2bXv", now, body)}
    assert verify(secret, headers, body)
    assert not verify(secret, headers, body.replace(b"7", b"8"))
    assert not verify(secret, {**headers, "webhook-id": "msg_other"}, body)
    other = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    assert not verify(other, headers, body)
    both = f"{_signed(other, 'msg_2bXv', now, body)} {headers['webhook-signature']}"  # while a secret is rotated
    rotated = {**headers, "webhook-signature": both}
    assert verify(secret, rotated, body)
    old = str(int(time.time()) - 3600)
    assert not verify(secret, {**headers, "webhook-timestamp": old,
                               "webhook-signature": _signed(secret, "msg_2bXv", old, body)}, body)


def _calls():
    """(method, path, literal body or None) of each `call(...)` in the API block."""
    for node in ast.walk(ast.parse(_blocks()[0])):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "call":
            method, path = (arg.value for arg in node.args[:2])
            try:
                body = ast.literal_eval(node.args[2]) if len(node.args) > 2 else None
            except ValueError:  # names an earlier answer (mentee["id"])
                body = None
            yield method.lower(), path, body


def test_the_documented_calls_are_operations_of_the_document(client):
    doc = client.get("/openapi.json").json
    schemas = {"components": {"schemas": _json_schema(doc["components"]["schemas"])}}
    calls = list(_calls())
    assert [path for _, path, _ in calls] == ["/webhooks", "/members", "/members", "/intros"]
    for method, path, body in calls:
        operation = doc["paths"].get(f"/api/v1{path}", {}).get(method)
        assert operation is not None, (method, path)
        if body is not None:
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            errors = [str(e) for e in jsonschema_rs.Draft4Validator({**schemas, **schema}).iter_errors(body)]
            assert not errors, (method, path, errors)
