"""RFC 9457 problem+json for every error: domain errors, HTTP errors, validation, and the unexpected."""
import logging
from http import HTTPStatus

from flask import Response, current_app, has_app_context, json
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
# SQLSTATE classes that mean the server is out of reach, not that a statement failed: connection exception (08),
# operator intervention (57P: shutting down, starting up), insufficient resources (53: too many connections)
UNREACHABLE_SQLSTATES = ("08", "57P", "53")
DATABASE_RETRY_AFTER = "5"

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """A domain error with a stable code; extensions (errors, coaching, missing) go into the body."""

    status = 400
    code = "bad_request"

    def __init__(self, detail=None, *, status=None, code=None, headers=None, **extensions):
        super().__init__(detail)
        self.status = status or self.status
        self.code = code or self.code
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions


class NotFound(ApiError):
    status, code = 404, "not_found"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class Conflict(ApiError):
    status, code = 409, "conflict"


class Invalid(ApiError):
    status, code = 422, "validation_error"


def _discard_uncommitted():
    """An error changes nothing: drop whatever the failed request wrote but did not commit. (The app's
    Flask-SQLAlchemy is found through the app: errors sit below extensions, which use them.)"""
    sqlalchemy = current_app.extensions.get("sqlalchemy") if has_app_context() else None
    if sqlalchemy is None:
        return
    try:
        sqlalchemy.session.rollback()
    except Exception:  # the session may be unusable; the error response matters more
        log.exception("rollback after error failed")


def problem(status, code, detail=None, headers=None, **extensions):
    _discard_uncommitted()
    body = {"type": "about:blank", "title": _title(status), "status": status, "detail": detail or _title(status),
            "code": code}
    body.update(extensions)
    resp = Response(json.dumps(body), status=status, mimetype=PROBLEM)
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def _title(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def flatten_messages(messages, prefix=""):
    """webargs/marshmallow nest messages by location and field; clients get field -> [messages]."""
    flat = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                flat[name] = value
            else:
                flat.update(flatten_messages(value, name))
    elif isinstance(messages, list):
        flat[prefix or "_schema"] = [str(m) for m in messages]
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat


def handle_http_exception(error: HTTPException):
    """Every werkzeug/flask-smorest abort becomes problem+json."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    headers = dict(data.get("headers") or {})
    if status == 429:
        return _rate_limited(error)
    if messages is not None and status == 422:
        errors = {}
        for location_messages in messages.values():
            errors.update(flatten_messages(location_messages))
        return problem(422, "validation_error", "The request does not match the schema.", headers, errors=errors)
    if messages is not None and status == 400:
        return problem(400, "bad_request", "The request body is not valid JSON.", headers)
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    detail = error.description if status < 500 else None
    return problem(status, CODES.get(status, "error"), detail, headers)


def _rate_limited(error):
    """common/ratelimit.py's refusal: Retry-After is the seconds until its window ends."""
    headers = {"Retry-After": str(getattr(error, "retry_after", None) or 60)}
    return problem(429, "rate_limited", "Too many requests for this credential; slow down.", headers)


def handle_api_error(error: ApiError):
    return problem(error.status, error.code, error.detail, error.headers, **error.extensions)


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException) and not isinstance(error, InternalServerError):
        return handle_http_exception(error)
    log.exception("unhandled error", exc_info=getattr(error, "original_exception", None) or error)
    return problem(500, "internal_error", "An unexpected error occurred; it has been logged.")


def database_unavailable(error):
    """Whether a SQLAlchemy error says the database cannot be reached (rather than that a statement failed)."""
    if isinstance(error, PoolTimeout):  # no pooled connection came free within pool_timeout
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if isinstance(error, OperationalError) and str(error.orig) == "database is locked":
        return True  # SQLite: another writer held the one write lock past busy_timeout (a big import): busy, retry
    # psycopg's errors carry a SQLSTATE (None for client-side ones: refused, timed out, closed by the server);
    # sqlite3's carry none, so SQLite's other errors stay what they were
    sqlstate = getattr(error.orig, "sqlstate", False)
    return isinstance(error, OperationalError) and (sqlstate is None or (
        isinstance(sqlstate, str) and sqlstate.startswith(UNREACHABLE_SQLSTATES)))


def handle_database_error(error: SQLAlchemyError):
    """PostgreSQL out of reach: 503 at once (the engine's timeouts bound the wait), nothing was committed."""
    if not database_unavailable(error):
        return handle_unexpected(error)
    log.warning("database unavailable: %s", str(error).splitlines()[0])
    return problem(503, "service_unavailable", "The database is unavailable; try again shortly.",
                   {"Retry-After": DATABASE_RETRY_AFTER})


def init_app(app):
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(SQLAlchemyError, handle_database_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
