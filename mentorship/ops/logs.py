"""Logging for the web process, the workers and the scheduler: one stderr handler on the root logger, JSON lines
(python-json-logger) or plain text (LOG_FORMAT), each with the request id and the tenant id when there is one.

The request id is taken from an incoming `X-Request-Id` made of safe characters (a proxy's), else made here; it
is on `g` for the log lines of the request and goes back in the response's `X-Request-Id` (gunicorn's access log
reads it there). Jobs log with their tenant (`g.tenant_id`, set by the job runner's tenant scope).
"""
import logging
import re
import uuid

from flask import g, has_app_context, request
from pythonjsonlogger.json import JsonFormatter

HEADER = "X-Request-Id"
_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
CONTEXT = ("request_id", "tenant_id")  # from flask.g, on every line that has them


def init_app(app):
    """The request id hooks; outside tests, the root logger too (tests leave logging to pytest's capture)."""
    app.before_request(assign_request_id)
    app.after_request(echo_request_id)
    if not app.testing:
        configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])


def assign_request_id():
    incoming = request.headers.get(HEADER, "")
    g.request_id = incoming if _SAFE_ID.fullmatch(incoming) else uuid.uuid4().hex


def echo_request_id(response):
    if "request_id" in g:
        response.headers[HEADER] = g.request_id
    return response


class ContextFilter(logging.Filter):
    """Puts the request id and tenant id of the current app context (a request, a job) on the record."""

    def filter(self, record):
        if has_app_context():
            for name in CONTEXT:
                value = g.get(name)
                if value is not None and not hasattr(record, name):
                    setattr(record, name, value)
        return True


class PlainFormatter(logging.Formatter):
    """`2026-12-04 23:00:00,123 WARNING mentorship.mail [request_id=… tenant_id=3]: message`, for a console."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s")

    def formatMessage(self, record):
        ids = " ".join(f"{name}={getattr(record, name)}" for name in CONTEXT if hasattr(record, name))
        record.context = f" [{ids}]" if ids else ""
        return super().formatMessage(record)


def json_formatter():
    """One JSON object per line: timestamp (UTC, ISO 8601), level, logger, message, process, and the context."""
    return JsonFormatter("%(levelname)s %(name)s %(message)s %(process)d", timestamp=True,
                         rename_fields={"levelname": "level", "name": "logger"})


FORMATTERS = {"plain": PlainFormatter, "json": json_formatter}


def configure(log_format="plain", level="INFO", stream=None):
    """Install (or replace) this module's handler on the root logger; returns it."""
    if log_format not in FORMATTERS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATTERS)}, not {log_format!r}")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(FORMATTERS[log_format]())
    handler.addFilter(ContextFilter())
    handler.mentorship = True
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "mentorship", False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    return handler
