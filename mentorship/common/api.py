"""flask-smorest Api whose errors, documented and served, are problem+json."""
import http

import marshmallow as ma
from flask_smorest import Api as BaseApi
from flask_smorest.utils import prepare_response
from werkzeug.routing import IntegerConverter

from mentorship.errors import CODES

PROBLEM = "application/problem+json"
MAX_ID = 2**31 - 1
DESCRIPTIONS = {
    400: "Malformed JSON (or not UTF-8, or nested too deep): `bad_request`.",
    401: "Missing, unknown or revoked credential: `unauthorized`.",
    403: "The credential may not do this: `forbidden`.",
    404: "No such object, or another tenant's: `not_found`.",
    409: "A conflicting state (`invalid_transition`, `email_taken`, ...) or the same Idempotency-Key still running "
         "(`idempotency_key_in_use`).",
    413: "The body is over the size limit: `payload_too_large`.",
    415: "Wrong content type: `unsupported_media_type`.",
    422: "The request does not match the schema (`validation_error`, with `errors`), or an endpoint's own refusal "
         "(e.g. `outreach_blocked`, with `coaching`).",
    429: "Too many requests for this credential (`rate_limited`); see Retry-After.",
    503: "A dependency (PostgreSQL) is unavailable (`service_unavailable`); see Retry-After.",
}
EXTENSION_EXAMPLES = {
    409: {"code": "invalid_transition", "detail": "The intro is accepted; it cannot become declined."},
    422: {"errors": {"timezone": ["Not an IANA time zone name, e.g. America/New_York."]}},
    503: {"code": "service_unavailable", "detail": "The database is unavailable; try again shortly."},
}


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details. Open: an endpoint may add its own extensions, and clients keep them."""

    class Meta:
        unknown = ma.INCLUDE  # additionalProperties: true

    type = ma.fields.String(metadata={"example": "about:blank"})
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    code = ma.fields.String(metadata={"description": "stable snake_case error identifier, e.g. `email_taken`"})
    errors = ma.fields.Raw(metadata={
        "description": "422 `validation_error`: field -> list of messages; CSV import: list of {row, field, message}"})
    coaching = ma.fields.Dict(metadata={
        "description": "422 `outreach_blocked`: the coach's review of the message: {ok, score, issues: [{code, "
                       "severity, message}], suggestions}"})
    missing = ma.fields.List(ma.fields.String(), metadata={
        "description": "409 `referral_not_earned`: the trust policy's milestones still missing, e.g. `first_meeting`"})


class IdConverter(IntegerConverter):
    """Positive 32-bit ids: larger numbers cannot name a row, so they 404 before reaching the database.

    Only the canonical spelling matches: ASCII digits, no leading zero. (IntegerConverter's pattern also takes
    "01", Arabic-Indic or fullwidth digits: other names for the same object.)
    """

    regex = r"[1-9][0-9]*"

    def __init__(self, map, **kwargs):
        super().__init__(map, min=1, max=MAX_ID)


class Api(BaseApi):
    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # each operation lists the statuses it can answer (mentorship.apidoc)

    def init_app(self, app, *, spec_kwargs=None):
        app.url_map.converters["id"] = IdConverter
        # "/api/v1//members" is not an address of the API: 404 problem+json. (Merging slashes answers with a
        # redirect whose body is werkzeug's HTML page, and Flask gives routing redirects to no error handler.)
        app.url_map.merge_slashes = False
        super().init_app(app, spec_kwargs=spec_kwargs)
        self.register_converter(IdConverter, lambda c: {"type": "integer", "minimum": 1, "maximum": MAX_ID})
        self.register_field(ma.fields.Url, "string", "uri")  # apispec says "url", which no JSON Schema tool knows

    def _register_error_handlers(self):
        """mentorship.errors registers the handlers: one problem+json path for every error."""

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": DESCRIPTIONS.get(status, status.phrase)}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            if "content" in response:
                response["content"][PROBLEM]["example"] = problem_example(status)
            self.spec.components.response(status.name, response, lazy=True)


def problem_example(status):
    body = {"type": "about:blank", "title": status.phrase, "status": int(status), "detail": status.phrase,
            "code": CODES.get(status, "error")}
    return {**body, **EXTENSION_EXAMPLES.get(status, {})}
