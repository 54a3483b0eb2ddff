"""flask-smorest Api whose errors, documented and served, are problem+json."""
import http

import marshmallow as ma
from flask_smorest import Api as BaseApi
from flask_smorest.utils import prepare_response
from werkzeug.routing import IntegerConverter

PROBLEM = "application/problem+json"
MAX_ID = 2**31 - 1


class ProblemSchema(ma.Schema):
    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    code = ma.fields.String(metadata={"description": "stable snake_case error identifier"})
    errors = ma.fields.Raw(metadata={"description": "field -> messages (422), or per-row errors (CSV import)"})


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

    def init_app(self, app, *, spec_kwargs=None):
        app.url_map.converters["id"] = IdConverter
        # "/api/v1//members" is not an address of the API: 404 problem+json. (Merging slashes answers with a
        # redirect whose body is werkzeug's HTML page, and Flask gives routing redirects to no error handler.)
        app.url_map.merge_slashes = False
        super().init_app(app, spec_kwargs=spec_kwargs)
        self.register_converter(IdConverter, lambda c: {"type": "integer", "minimum": 1, "maximum": MAX_ID})

    def _register_error_handlers(self):
        """mentorship.errors registers the handlers: one problem+json path for every error."""

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Error (problem+json)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)
