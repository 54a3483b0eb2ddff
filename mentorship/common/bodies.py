"""Request bodies are checked before any view runs: size, content type, UTF-8, JSON syntax and depth, and
strings no field can hold (control characters, lone surrogates)."""
import json
import re

from flask import current_app, request

from mentorship.errors import ApiError, Invalid

WRITE_METHODS = {"POST", "PUT", "PATCH"}


def raw_body_endpoint(view):
    """Mark a view that reads its own (non-JSON) body, e.g. the CSV import."""
    view._raw_body = True
    return view


# Characters no text field may hold, whatever its schema: C0/C1 controls except tab, newline and carriage
# return (multi-line text; Text fields decide about those). PostgreSQL cannot even store NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# "\ud800" is valid JSON syntax but not Unicode: it cannot be encoded as UTF-8, so no database takes it.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _path(prefix, key):
    key = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(key))
    return f"{prefix}.{key}" if prefix else key


def _inspect(value, limit):
    """One walk over the parsed JSON: too deep, strings that are not Unicode, strings holding control characters.

    Returns (too_deep, not_unicode, {path: [message]}).
    """
    stack, too_deep, not_unicode, control = [(value, 1, "")], False, False, {}

    def check(text, path):
        nonlocal not_unicode
        if _SURROGATE.search(text):
            not_unicode = True
        elif _CONTROL.search(text):
            control[path or "_schema"] = ["Control characters are not allowed."]

    while stack:
        item, depth, path = stack.pop()
        if depth > limit:
            too_deep = True
            break
        if isinstance(item, dict):
            for key, child in item.items():
                check(key, _path(path, key))
                stack.append((child, depth + 1, _path(path, key)))
        elif isinstance(item, list):
            stack.extend((child, depth + 1, _path(path, i)) for i, child in enumerate(item))
        elif isinstance(item, str):
            check(item, path)
    return too_deep, not_unicode, control


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
    _check_parsed(parsed)


def _check_parsed(parsed):
    """400 for JSON too deep or not Unicode; 422 naming each string that holds control characters."""
    too_deep, not_unicode, control = _inspect(parsed, current_app.config["JSON_MAX_DEPTH"])
    if too_deep:
        raise ApiError("The JSON is nested too deeply.", code="bad_request")
    if not_unicode:
        raise ApiError("The JSON holds a lone surrogate escape (\\ud800-\\udfff), which is not text.",
                       code="bad_request")
    if control:
        raise Invalid("Text must not contain control characters.", errors=dict(sorted(control.items())))
