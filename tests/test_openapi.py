"""/openapi.json's generic parts (mentorship/apidoc): security, operationIds, error responses, examples, time zones.

They hold for every operation, so an endpoint added on another branch is checked here without a line of this file
changing (only `STABLE_IDS` grows when someone wants a new id pinned)."""
import re

import jsonschema_rs
import pytest

from mentorship.apidoc.examples import EXAMPLES
from mentorship.extensions import api
from mentorship.members.vocab import TIMEZONE_PATTERN, timezones
from tests.factories import mentee_payload

METHODS = ("get", "put", "post", "patch", "delete")
# Published ids: clients generated from the document call these names, so they must not change.
STABLE_IDS = {
    ("get", "/api/v1/members"): "members_get",
    ("post", "/api/v1/members"): "members_post",
    ("get", "/api/v1/members/{member_id}"): "members_member_get",
    ("patch", "/api/v1/members/{member_id}"): "members_member_patch",
    ("post", "/api/v1/members/{member_id}/tokens"): "members_create_member_token",
    ("post", "/api/v1/intros"): "intros_post",
    ("post", "/api/v1/intros/{intro_id}/accept"): "intros_accept",
    ("post", "/api/v1/intros/{intro_id}/decline"): "intros_decline",
    ("post", "/api/v1/api-keys"): "tenancy_api_keys_post",
    ("delete", "/api/v1/api-keys/{key_id}"): "tenancy_delete_api_key",
    ("get", "/api/v1/tenant"): "tenancy_get_tenant",
    ("post", "/api/v1/mentorships/{mentorship_id}/referral-requests"): "referrals_request_referral",
}
SUCCESS = re.compile(r"2\d\d")


@pytest.fixture(scope="module")
def doc(app):
    return app.test_client().get("/openapi.json").json


def operations(doc):
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def json_bodies(operation):
    """(where, schema, media type object) of each JSON request body and success response."""
    for media_type, body in operation.get("requestBody", {}).get("content", {}).items():
        if "json" in media_type:
            yield "request", body
    for status, response in operation["responses"].items():
        for media_type, body in response.get("content", {}).items():
            if SUCCESS.fullmatch(status) and "json" in media_type:
                yield status, body


def schema_name(schema):
    if schema.get("type") == "array":
        return schema_name(schema["items"])
    return schema.get("$ref", "").rpartition("/")[2] or f"an inline schema {schema}"


def test_every_api_operation_needs_the_bearer_credential(doc):
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": doc["components"]["securitySchemes"]["bearerAuth"][
            "description"]}
    for path, method, operation in operations(doc):
        if path.startswith("/api/"):
            assert operation["security"] == [{"bearerAuth": []}], (method, path)
            assert "Credentials:" in operation["description"], (method, path)
        else:
            assert "security" not in operation, (method, path)


def test_operation_ids_are_unique_snake_case_and_stable(doc):
    ids = {(method, path): operation.get("operationId") for path, method, operation in operations(doc)}
    missing = [key for key, value in ids.items() if not value]
    assert not missing, f"operations without an operationId: {missing}"
    assert len(set(ids.values())) == len(ids), "operationIds must be unique"
    odd = [value for value in ids.values() if not re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", value)]
    assert not odd, f"operationIds must be <blueprint>_<view>[_<method>] in snake case: {odd}"
    changed = {key: (value, ids.get(key)) for key, value in STABLE_IDS.items() if ids.get(key) != value}
    assert not changed, f"published operationIds changed (expected, now): {changed}"


def test_error_responses_follow_from_what_each_operation_is(doc):
    for path, method, operation in operations(doc):
        statuses = set(operation["responses"])
        expected = {"429", "503"} | ({"401", "403"} if path.startswith("/api/") else set())
        if "{" in path:
            expected.add("404")
        if "requestBody" in operation:
            expected |= {"400", "413", "415", "422"}
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            expected.add("422")
        if method == "post":
            expected |= {"409", "422"}  # Idempotency-Key: still in use; malformed or reused with another body
            assert any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in operation["parameters"])
        assert expected <= statuses, (method, path, sorted(expected - statuses))
        assert "default" not in statuses, (method, path)  # a catch-all would hide undocumented statuses
        for status in statuses - {s for s in statuses if s.startswith("2")}:
            ref = operation["responses"][status]["$ref"].rpartition("/")[2]
            content = doc["components"]["responses"][ref]["content"]
            assert list(content) == ["application/problem+json"], (method, path, status)
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_declared_conflicts_are_documented(doc):
    ops = {(method, path): op for path, method, op in operations(doc)}
    assert "409" in ops[("patch", "/api/v1/members/{member_id}")]["responses"]  # email_taken
    assert "409" in ops[("delete", "/api/v1/api-keys/{key_id}")]["responses"]  # last_admin_key
    assert "409" not in ops[("get", "/api/v1/members/{member_id}")]["responses"]


def test_one_open_problem_schema_documents_the_extensions(doc):
    problem = doc["components"]["schemas"]["Problem"]
    assert problem["additionalProperties"] is True
    assert {"type", "title", "status", "detail", "code", "errors", "coaching", "missing"} <= set(problem["properties"])
    assert not problem.get("required")
    assert [name for name in doc["components"]["schemas"] if "problem" in name.lower()] == ["Problem"]


def test_time_zones_are_a_documented_string_not_an_enum(doc):
    for name in ("Member", "MemberIn", "MemberPatch"):
        field = doc["components"]["schemas"][name]["properties"]["timezone"]
        assert field["type"] == "string" and "enum" not in field, name
        assert field["pattern"] == TIMEZONE_PATTERN and field["example"] == "America/New_York"
    pattern = re.compile(TIMEZONE_PATTERN)
    assert [zone for zone in timezones() if not pattern.match(zone)] == []


def test_a_time_zone_outside_the_tz_database_is_still_refused(admin):
    response = admin.post("/api/v1/members", json={**mentee_payload(), "timezone": "Mars/Olympus_Mons"})
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["timezone"]


def test_every_request_and_response_body_has_an_example(doc):
    missing = set()
    for path, method, operation in operations(doc):
        for where, body in json_bodies(operation):
            if "example" not in body:
                missing.add(f"{schema_name(body['schema'])} ({where} of {method.upper()} {path})")
    assert not missing, ("add an example for each of these schemas to mentorship/apidoc/examples.py (EXAMPLES, by "
                         "the schema's name in /openapi.json):\n  " + "\n  ".join(sorted(missing)))


def _json_schema(node):
    """OpenAPI 3.0's `nullable` as JSON Schema's null type, so a JSON Schema validator reads it."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
        if "$ref" in node:
            node = {"anyOf": [{"$ref": node.pop("$ref")}, {"type": "null"}], **node}
    return node


def test_response_examples_validate_against_their_schemas(doc):
    components = {"components": {"schemas": _json_schema(doc["components"]["schemas"])}}
    failures = []
    for path, method, operation in operations(doc):
        for where, body in json_bodies(operation):
            if where == "request":
                continue
            validator = jsonschema_rs.Draft4Validator({**components, **_json_schema(body["schema"])})
            errors = [str(e) for e in validator.iter_errors(body["example"])]
            if errors:
                failures.append(f"{schema_name(body['schema'])} ({where} of {method.upper()} {path}): {errors[:3]}")
    assert not failures, "\n".join(failures)


def test_request_examples_load_through_their_marshmallow_schemas(app, doc):
    modifiers = ("only", "exclude", "load_only", "dump_only", "partial")  # apispec's schema key: (class, *these)
    schemas = {name: key[0](**{m: v for m, v in zip(modifiers, key[1:], strict=True) if v not in (None, (), False)})
               for key, name in api.ma_plugin.converter.refs.items()}
    failures = []
    for path, method, operation in operations(doc):
        for where, body in json_bodies(operation):
            if where != "request":
                continue
            name = schema_name(body["schema"])
            errors = schemas[name].validate(EXAMPLES[name])
            if errors:
                failures.append(f"{name} ({method.upper()} {path}): {errors}")
    assert not failures, "\n".join(failures)


def test_an_endpoint_added_elsewhere_gets_it_all_by_being_registered(monkeypatch):
    """What another branch's blueprint (webhooks, here a stand-in) gets without touching mentorship/apidoc."""
    import marshmallow as ma
    from flask import Flask
    from flask.views import MethodView
    from flask_smorest import Blueprint

    from mentorship.apidoc import ApiDocPlugin
    from mentorship.common.api import Api
    from mentorship.tenancy.access import allow

    class HookInSchema(ma.Schema):
        url = ma.fields.Url(required=True)

    class HookSchema(ma.Schema):
        id = ma.fields.Integer()
        url = ma.fields.Url()

    monkeypatch.setitem(EXAMPLES, "HookIn", {"url": "https://portal.example.edu/hooks"})
    blp = Blueprint("hooks", __name__, url_prefix="/api/v1/hooks")

    @blp.route("")
    class Hooks(MethodView):
        @allow("admin", "partner")
        @blp.arguments(HookInSchema)
        @blp.response(201, HookSchema)
        def post(self, data):
            return data

    @blp.route("/<id:hook_id>/deliveries")
    @allow("admin")
    @blp.response(200, HookSchema(many=True))
    def list_deliveries(hook_id):
        return []

    app = Flask("stand_in")
    app.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    stand_in = Api()
    stand_in.init_app(app, spec_kwargs={"extra_plugins": [ApiDocPlugin(app)]})
    stand_in.register_blueprint(blp)
    paths = stand_in.spec.to_dict()["paths"]
    post, deliveries = paths["/api/v1/hooks"]["post"], paths["/api/v1/hooks/{hook_id}/deliveries"]["get"]
    assert (post["operationId"], deliveries["operationId"]) == ("hooks_post", "hooks_list_deliveries")
    assert post["security"] == deliveries["security"] == [{"bearerAuth": []}]
    assert "admin key, partner key" in post["description"] and "partner" not in deliveries["description"]
    assert set(post["responses"]) == {"201", "400", "401", "403", "409", "413", "415", "422", "429", "503"}
    assert set(deliveries["responses"]) == {"200", "401", "403", "404", "429", "503"}
    assert post["requestBody"]["content"]["application/json"]["example"] == EXAMPLES["HookIn"]
    assert "example" not in post["responses"]["201"]["content"]["application/json"]  # Hook: none registered


def test_every_error_response_has_a_problem_example_that_validates(doc):
    components = {"components": {"schemas": _json_schema(doc["components"]["schemas"])}}
    validator = jsonschema_rs.Draft4Validator({**components, "$ref": "#/components/schemas/Problem"})
    used = {response["$ref"].rpartition("/")[2] for _, _, operation in operations(doc)
            for status, response in operation["responses"].items() if "$ref" in response}
    for name in used:
        example = doc["components"]["responses"][name]["content"]["application/problem+json"]["example"]
        assert validator.is_valid(example) and example["code"], (name, example)
