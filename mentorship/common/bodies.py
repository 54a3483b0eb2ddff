"""Request bodies are checked before any view runs: size, content type, UTF-8, JSON syntax and depth."""
import json

from flask import current_app, request

from mentorship.errors import ApiError

WRITE_METHODS = {"POST", "PUT", "PATCH"}


def raw_body_endpoint(view):
    """Mark a view that reads its own (non-JSON) body, e.g. the CSV import."""
    view._raw_body = True
    return view


def _depth(value, limit):
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def _no_constants(name):
    raise ValueError(f"{name} is not JSON")


def check_body():
    """before_request: 413 / 415 / 400 for bodies the API cannot take."""
    if request.method not in WRITE_METHODS or not request.path.startswith("/api/"):
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is None or getattr(view, "_raw_body", False):
        return
    limit = current_app.config["JSON_MAX_BYTES"]
    if (request.content_length or 0) > limit:
        raise ApiError(f"JSON bodies are limited to {limit} bytes.", status=413, code="payload_too_large")
    data = request.get_data(cache=True)
    if len(data) > limit:
        raise ApiError(f"JSON bodies are limited to {limit} bytes.", status=413, code="payload_too_large")
    if not data.strip():
        return
    if not request.is_json:
        raise ApiError("Send JSON with Content-Type: application/json.", status=415, code="unsupported_media_type")
    try:
        parsed = json.loads(data.decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError("The body is not valid UTF-8 JSON.", code="bad_request") from None
    if _depth(parsed, current_app.config["JSON_MAX_DEPTH"]):
        raise ApiError("The JSON is nested too deeply.", code="bad_request")
