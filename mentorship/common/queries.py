"""Unknown query parameters are refused on every endpoint of the API (SPEC §2), as unknown body fields are.

An endpoint declares the query it reads with `@blp.arguments(Schema, location="query")`; any other name in the
query string is a 422 `validation_error` naming it. An endpoint that declares no query schema (one that reads a
body, or only its path) takes no query parameter at all. Checked as a before_request hook, after authorization
(a credential that may not call an endpoint gets its 403 whatever it sends), so no view can forget it.
"""
from functools import cache

from flask import current_app, request

from mentorship.errors import Invalid

UNKNOWN = "Unknown field."


@cache
def _names(schema):
    """The query names a schema (class or instance) reads: each field's data_key, else its name."""
    instance = schema() if isinstance(schema, type) else schema
    return frozenset(field.data_key or name for name, field in instance.load_fields.items())


def handler(view, method):
    """The function that answers `method` for a registered view: the view function itself, or its MethodView's
    method (HEAD is answered by `get`). What decorators declared (`@allow`, `@blp.arguments`) is on it."""
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return view
    return getattr(view_class, "get" if method == "HEAD" else method.lower(), None)


def declared_query(view, method):
    """The query parameter names a view function (or a MethodView's method) declares; empty when it declares none."""
    view = handler(view, method)
    parameters = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return frozenset().union(*(_names(p["schema"]) for p in parameters if p["in"] == "query"))


def check_query():
    """before_request: 422 for any query parameter the endpoint does not declare."""
    if not request.args or not request.path.startswith("/api/") or request.url_rule is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is None or request.method == "OPTIONS":
        return
    unknown = sorted(set(request.args) - declared_query(view, request.method))
    if unknown:
        raise Invalid("Unknown query parameters: " + ", ".join(unknown) + ".",
                      errors={name: [UNKNOWN] for name in unknown})
