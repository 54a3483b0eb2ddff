"""Shared marshmallow pieces: strict base schema, clean text, pagination envelope."""
import re
from datetime import UTC, date, datetime, time, timedelta

import marshmallow as ma
from marshmallow import validate

# C0 and C1 control characters; multi-line text keeps newline and tab.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Lone surrogates ("\ud800" in JSON) are not text: UTF-8 cannot encode them, so no database stores them.
SURROGATE = re.compile(r"[\ud800-\udfff]")


class StrictSchema(ma.Schema):
    """Unknown fields are an error, never silently dropped; whole numbers are never silently truncated."""

    class Meta:
        unknown = ma.RAISE
        ordered = True

    @ma.pre_load
    def _no_fractional_integers(self, data, **kwargs):
        """marshmallow's Integer turns 2026.5 into 2026; a fraction where a whole number belongs is an error."""
        if not isinstance(data, dict):
            return data
        errors = {}
        for name, field in self.load_fields.items():
            key = field.data_key or name
            value = data.get(key)
            if isinstance(field, ma.fields.Integer) and isinstance(value, float) and not value.is_integer():
                errors[key] = ["Not a valid integer."]
        if errors:
            raise ma.ValidationError(errors)
        return data


class Text(ma.fields.String):
    """A string without control characters; `multiline` allows newline and tab (long text).

    Multi-line text arrives with CRLF from HTML forms: it is stored with plain newlines.
    """

    def __init__(self, *args, multiline=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if SURROGATE.search(value):
            raise ma.ValidationError("Not valid Unicode text.")
        if self.multiline:
            value = value.replace("\r\n", "\n")
        pattern = CONTROL if self.multiline else CONTROL_ONE_LINE
        if pattern.search(value):
            raise ma.ValidationError("Control characters are not allowed.")
        return value.strip()


class StoredList(ma.fields.List):
    """A list the service itself stored in the very shape its inner schema describes (a match run's assignments):
    dumped as it is. marshmallow would rebuild every element field by field, a second for the 30,000 assignments of
    a big run; the OpenAPI document still describes the elements by the inner schema."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else list(value)


class DateOrTime(ma.fields.Field):
    """A query bound: an ISO 8601 time with offset, or a date (`2026-12-01`) meaning that whole day in UTC.

    `end=True` is an upper bound, exclusive as a time and inclusive as a date: `to=2026-12-01` is loaded as
    2026-12-02T00:00Z, so the day's last moments count. Loaded as an aware UTC datetime."""

    def __init__(self, *args, end=False, **kwargs):
        metadata = {"description": ("through this date (inclusive), or before this time"
                                    if end else "from this date or time (inclusive)"),
                    "type": "string", "example": "2026-12-01", **kwargs.pop("metadata", {})}
        super().__init__(*args, metadata=metadata, **kwargs)
        self.end = end

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) > 40:
            raise ma.ValidationError("Use a date (2026-12-01) or a time with offset (2026-12-01T09:00:00Z).")
        if len(value) == 10:
            try:
                day = date.fromisoformat(value)
            except ValueError:
                raise ma.ValidationError("Not a valid date.") from None
            return datetime.combine(day + timedelta(days=1 if self.end else 0), time(), tzinfo=UTC)
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ma.ValidationError("Use a date (2026-12-01) or a time with offset (2026-12-01T09:00:00Z).") from None
        if moment.tzinfo is None:
            raise ma.ValidationError("A time needs its offset (Z or +01:00).")
        return moment.astimezone(UTC)


class PageArgs(StrictSchema):
    page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class PeriodArgs(StrictSchema):
    """`from` / `to` of a report or list (dates or times); `from` must come before `to`."""

    from_ = DateOrTime(data_key="from")
    to = DateOrTime(end=True)

    @ma.validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["from_"] >= data["to"]:
            raise ma.ValidationError({"from": ["Must be before `to`."]})


_page_schemas = {}


def page_of(item_schema):
    """The SPEC's list envelope around item_schema: {items, page, per_page, total}."""
    name = f"{item_schema.__name__.removesuffix('Schema')}PageSchema"
    if name not in _page_schemas:
        _page_schemas[name] = type(name, (ma.Schema,), {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "page": ma.fields.Integer(required=True),
            "per_page": ma.fields.Integer(required=True),
            "total": ma.fields.Integer(required=True),
        })
    return _page_schemas[name]
