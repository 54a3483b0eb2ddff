"""Member payloads: strict input validation, and the member as clients see it."""
import marshmallow as ma
from email_validator import EmailNotValidError, validate_email
from marshmallow import ValidationError, validate, validates_schema

from mentorship.common.schemas import CONTROL_ONE_LINE, PageArgs, StrictSchema, Text
from mentorship.members.vocab import DOMAIN_RE, GOALS, LANGUAGES, ROLES, timezones

HHMM = r"^([01]\d|2[0-3]):[0-5]\d\Z"  # \Z: "$" would also accept a trailing newline
HHMM_END = r"^(([01]\d|2[0-3]):[0-5]\d|24:00)\Z"
MENTOR_ONLY = ("company", "title", "years_experience", "capacity", "company_sponsors_visa", "prefers")
MENTEE_ONLY = ("graduation_year", "needs_visa_sponsorship")


class Email(Text):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, metadata={"format": "email", "maxLength": 254}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if len(value) > 254:
            raise ValidationError("Longer than 254 characters.")
        try:
            return validate_email(value, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            raise ValidationError(str(exc)) from None


def _dedupe(values):
    return list(dict.fromkeys(values))


class HttpUrl(ma.fields.Url):
    """An http(s) URL with no control characters (the CSV import does not pass the JSON body check)."""

    def __init__(self, **kwargs):
        super().__init__(schemes={"http", "https"}, validate=validate.Length(max=500), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if value is not None and CONTROL_ONE_LINE.search(value):
            raise ValidationError("Control characters are not allowed.")
        return value


class Domain(Text):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, metadata={"pattern": DOMAIN_RE.pattern, "maxLength": 100}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if len(value) > 100 or not DOMAIN_RE.match(value):
            raise ValidationError("Use lowercase words joined by '-', with '/' levels: finance/credit-risk.")
        return value


class Timezone(Text):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, metadata={"enum": sorted(timezones())}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if value not in timezones():
            raise ValidationError("Not an IANA time zone name, e.g. America/New_York.")
        return value


class WindowSchema(StrictSchema):
    weekday = ma.fields.Integer(required=True, validate=validate.Range(min=0, max=6),
                                metadata={"description": "0 = Monday"})
    start = ma.fields.String(required=True, validate=validate.Regexp(HHMM, error="Use HH:MM."))
    end = ma.fields.String(required=True, validate=validate.Regexp(HHMM_END, error="Use HH:MM (24:00 allowed)."))

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["start"] >= data["end"]:
            raise ValidationError("start must be before end.", "end")


class PrefersSchema(StrictSchema):
    domains = ma.fields.List(Domain(), validate=validate.Length(max=10))
    schools = ma.fields.List(Text(validate=validate.Length(min=1, max=120)), validate=validate.Length(max=10))
    international = ma.fields.Boolean()


class MemberInSchema(StrictSchema):
    role = ma.fields.String(required=True, validate=validate.OneOf(ROLES))
    name = Text(required=True, validate=validate.Length(min=1, max=120))
    email = Email(required=True)
    headline = Text(allow_none=True, validate=validate.Length(max=160))
    bio = Text(allow_none=True, multiline=True, validate=validate.Length(max=2000))
    photo_url = HttpUrl(allow_none=True)
    domains = ma.fields.List(Domain(), validate=validate.Length(max=10))
    goals = ma.fields.List(ma.fields.String(validate=validate.OneOf(GOALS)), validate=validate.Length(max=len(GOALS)))
    skills = ma.fields.List(Text(validate=validate.Length(min=1, max=60)), validate=validate.Length(max=30))
    languages = ma.fields.List(
        ma.fields.String(validate=validate.OneOf(sorted(LANGUAGES), error="Not an ISO 639-1 code.")),
        validate=validate.Length(max=20))
    timezone = Timezone(required=True)
    availability = ma.fields.List(ma.fields.Nested(WindowSchema), validate=validate.Length(max=50))
    international = ma.fields.Boolean()
    school = Text(allow_none=True, validate=validate.Length(max=120))
    graduation_year = ma.fields.Integer(allow_none=True, validate=validate.Range(min=1950, max=2100))
    company = Text(allow_none=True, validate=validate.Length(max=120))
    title = Text(allow_none=True, validate=validate.Length(max=120))
    years_experience = ma.fields.Integer(allow_none=True, validate=validate.Range(min=0, max=70))
    capacity = ma.fields.Integer(validate=validate.Range(min=0, max=20))
    company_sponsors_visa = ma.fields.Boolean(allow_none=True)
    prefers = ma.fields.Nested(PrefersSchema, allow_none=True)
    needs_visa_sponsorship = ma.fields.Boolean(allow_none=True)

    @ma.post_load
    def _normalise(self, data, **kwargs):
        for name in ("domains", "goals", "skills", "languages"):
            if name in data:
                data[name] = _dedupe(data[name])
        for name in ("headline", "bio", "school", "company", "title"):
            if data.get(name) == "":
                data[name] = None
        return data


class MemberPatchSchema(MemberInSchema):
    """PATCH: any subset of the fields (role may be repeated, not changed)."""


def role_errors(role, data):
    """Fields that belong to the other role, as 422 `errors` (empty values are fine)."""
    other = MENTOR_ONLY if role == "mentee" else MENTEE_ONLY
    return {name: [f"Only for {'mentors' if role == 'mentee' else 'mentees'}."]
            for name in other if data.get(name) not in (None, "", [], {})}


class ProfileSchema(ma.Schema):
    score = ma.fields.Integer()
    ready = ma.fields.Boolean()
    gaps = ma.fields.List(ma.fields.String())


class MemberSchema(ma.Schema):
    id = ma.fields.Integer()
    role = ma.fields.String()
    name = ma.fields.String()
    email = ma.fields.String()
    headline = ma.fields.String(allow_none=True)
    bio = ma.fields.String(allow_none=True)
    photo_url = ma.fields.String(allow_none=True)
    domains = ma.fields.List(ma.fields.String())
    goals = ma.fields.List(ma.fields.String())
    skills = ma.fields.List(ma.fields.String())
    languages = ma.fields.List(ma.fields.String())
    timezone = ma.fields.String()
    availability = ma.fields.List(ma.fields.Nested(WindowSchema))
    international = ma.fields.Boolean()
    school = ma.fields.String(allow_none=True)
    graduation_year = ma.fields.Integer(allow_none=True)
    company = ma.fields.String(allow_none=True)
    title = ma.fields.String(allow_none=True)
    years_experience = ma.fields.Integer(allow_none=True)
    capacity = ma.fields.Integer(allow_none=True)
    company_sponsors_visa = ma.fields.Boolean(allow_none=True)
    prefers = ma.fields.Nested(PrefersSchema, allow_none=True)
    needs_visa_sponsorship = ma.fields.Boolean(allow_none=True)
    profile = ma.fields.Nested(ProfileSchema)
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


class MemberListArgs(PageArgs):
    role = ma.fields.String(validate=validate.OneOf(ROLES))
    domain = Domain()
    q = Text(validate=validate.Length(min=1, max=100))


class ImportResultSchema(ma.Schema):
    created = ma.fields.Integer()
    updated = ma.fields.Integer()
