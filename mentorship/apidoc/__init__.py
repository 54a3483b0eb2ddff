"""The generic parts of /openapi.json, added to every operation as its blueprint is registered (an apispec plugin):
the bearer security scheme, a stable operationId, the problem+json error responses it can answer, the examples
of its request and response bodies, and the text/csv variant of a 200 answer where the view serves one (csvdoc.py).
A new endpoint gets them all by being registered; nothing here names one, except the short list of operations
that can conflict beyond POST (`conflicts.py`) and the examples (`examples.py`).
"""
import re
from http import HTTPStatus

from apispec import BasePlugin

from mentorship.apidoc import conflicts, csvdoc, examples
from mentorship.common.queries import handler
from mentorship.tenancy.access import KINDS, SELF, endpoint_kinds

SECURITY_SCHEME = "bearerAuth"
METHODS = ("get", "put", "post", "patch", "delete")
IDEMPOTENCY_KEY = {  # tenancy/idempotency.py: every POST
    "in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string", "maxLength": 255},
    "description": "Retry safely: the same key with the same body replays the first answer (Idempotent-Replayed: "
                   "true); with another body 422 `idempotency_key_reused`; while the first runs 409. Kept 24 h."}
WHO = {"admin": "admin key", "partner": "partner key", "member": "member token", SELF: "member token of that member"}


def operation_id(endpoint, method, view):
    """`<blueprint>_<view function>` (intros_accept); a MethodView's method: `<blueprint>_<class>_<method>` in
    snake case, without a `Resource` suffix, the class dropped when it only repeats the blueprint (members_get,
    members_member_patch)."""
    blueprint, _, name = endpoint.partition(".")
    if getattr(view, "view_class", None) is None:
        return f"{blueprint}_{name}"
    resource = _snake(name).removesuffix("_resource")
    return "_".join(part for part in (blueprint, "" if resource == blueprint else resource, method) if part)


def _snake(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def error_statuses(path, method, operation, *, needs_credential, endpoint):
    """The problem+json statuses an operation can answer, from what it is (SPEC §1-§2)."""
    statuses = {429, 503}  # rate limit per credential; PostgreSQL out of reach
    if needs_credential:
        statuses |= {401, 403}
    if "{" in path:
        statuses.add(404)
    has_body = "requestBody" in operation
    has_query = any(p.get("in") in ("query", "header") for p in operation.get("parameters", []))
    if has_body:
        statuses |= {400, 413, 415, 422}
    if has_query:
        statuses.add(422)  # an argument out of range, an unknown one, a malformed Idempotency-Key
    if method == "post" or conflicts.may_conflict(endpoint, method):
        statuses.add(409)  # POST: the same Idempotency-Key while the first request runs
    return statuses


class ApiDocPlugin(BasePlugin):
    def __init__(self, app):
        super().__init__()
        self.app = app

    def init_spec(self, spec):
        spec.components.security_scheme(SECURITY_SCHEME, {
            "type": "http", "scheme": "bearer",
            "description": "An admin key, a partner key or a member token: `Authorization: Bearer <secret>`."})

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs["rule"]
        view = self.app.view_functions[rule.endpoint]
        needs_credential = rule.rule.startswith("/api/")  # tenancy.requests.authenticate: every /api/ call
        for method in [m for m in METHODS if m in operations]:
            operation = operations[method]
            operation["operationId"] = operation_id(rule.endpoint, method, view)
            if method == "post":
                operation.setdefault("parameters", []).append(dict(IDEMPOTENCY_KEY))
            if needs_credential:
                operation["security"] = [{SECURITY_SCHEME: []}]
                _describe_who(operation, endpoint_kinds(view, method.upper()))
            responses = operation.setdefault("responses", {})
            for status in sorted(error_statuses(path, method, operation, needs_credential=needs_credential,
                                                endpoint=rule.endpoint)):
                responses.setdefault(str(status), HTTPStatus(status).name)  # mentorship.common.api's components
            attach_examples(operation)
            csvdoc.attach_csv(operation, handler(view, method))


def _describe_who(operation, kinds):
    who = ", ".join(WHO[k] for k in (*KINDS, SELF) if k in kinds) or "no credential (not callable)"
    line = f"Credentials: {who}."
    operation["description"] = f"{operation['description']}\n\n{line}" if operation.get("description") else line


def _name(schema):
    ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
    return ref.rpartition("/")[2] or None


def example_for(schema):
    """The example of a body schema: a registered component, or a list of one."""
    if not isinstance(schema, dict):
        return None
    if schema.get("type") == "array":
        item = example_for(schema.get("items"))
        return None if item is None else [item]
    return examples.EXAMPLES.get(_name(schema))


def _attach_content(content):
    for media_type, body in content.items():
        if "json" not in media_type or "example" in body:
            continue
        example = example_for(body.get("schema"))
        if example is not None:
            body["example"] = example


def attach_examples(operation):
    """Put the registered examples into an operation's request body and success responses."""
    _attach_content(operation.get("requestBody", {}).get("content", {}))
    for response in operation.get("responses", {}).values():
        if isinstance(response, dict):
            _attach_content(response.get("content", {}))

