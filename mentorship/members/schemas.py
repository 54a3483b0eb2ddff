"""Member payloads: strict input validation, and the member as clients see it."""
import marshmallow as ma
from email_validator import EmailNotValidError, validate_email
from marshmallow import ValidationError, validate, validates_schema

from mentorship.common.schemas import CONTROL_ONE_LINE, PageArgs, StrictSchema, Text
from mentorship.members.vocab import DOMAIN_RE, GOALS, LANGUAGES, ROLES, TIMEZONE_PATTERN, timezones

# (?!\n)$: Python's "$" alone would also accept a trailing newline, and \Z is not a pattern JSON Schema can read
HHMM = r"^([01]\d|2[0-3]):[0-5]\d(?!\n)$"
HHMM_END = r"^(([01]\d|2[0-3]):[0-5]\d|24:00)(?!\n)$"
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
    """An IANA time zone name. Documented as a pattern, not as an enum of ~600 names (some, like GMT0 and GMT-0,
    differ only in punctuation, which code generators turn into one identifier); the tz database validates it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, metadata={
            "pattern": TIMEZONE_PATTERN, "maxLength": 64, "example": "America/New_York",
            "description": "An IANA time zone name (tz database), e.g. `America/New_York`, `Europe/Berlin`, `UTC`; "
                           "any other string answers 422."}, **kwargs)

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
    timezone = Timezone()
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
    school = Text(validate=validate.Length(min=1, max=120), metadata={"description": "exactly this school"})
    ready = ma.fields.Boolean(metadata={"description": "profile ready (the policy's min_profile_score, no "
                                                       "blocking gap) or not"})
    cohort = ma.fields.Integer(validate=validate.Range(min=1950, max=2100),
                               metadata={"description": "graduation year"})
    unmatched = ma.fields.Boolean(metadata={"description": "true: mentees with neither an active mentorship nor a "
                                                           "pending intro; false: mentees with one"})


class ImportResultSchema(ma.Schema):
    created = ma.fields.Integer()
    updated = ma.fields.Integer()


class ImportErrorSchema(ma.Schema):
    row = ma.fields.Integer(allow_none=True)
    field = ma.fields.String(allow_none=True)
    message = ma.fields.String()


class MemberImportSchema(ma.Schema):
    """A CSV import running as a job: progress, then the counts or the rows' errors."""

    id = ma.fields.Integer()
    status = ma.fields.String(metadata={"enum": ["queued", "running", "succeeded", "failed"]})
    phase = ma.fields.String(allow_none=True, metadata={"enum": ["validating", "writing", None]})
    rows_total = ma.fields.Integer()
    rows_done = ma.fields.Integer()
    created = ma.fields.Integer(allow_none=True)
    updated = ma.fields.Integer(allow_none=True)
    errors = ma.fields.List(ma.fields.Nested(ImportErrorSchema), allow_none=True)
    errors_total = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    started_at = ma.fields.AwareDateTime(allow_none=True)
    finished_at = ma.fields.AwareDateTime(allow_none=True)


# ---- The member as MemberSchema dumps it, without marshmallow (the hot read, GET /members/{id}) ----
# MemberSchema stays the documented contract (OpenAPI) and serialises every other member answer; `dump_member`
# yields the same dict, field by field, with marshmallow 4's rules for these field types: Integer -> int(),
# String -> str(), Boolean as it is, None as None, List -> each item by its inner field, Nested -> the nested
# schema's fields that the value has, AwareDateTime -> isoformat(). tests/members/test_read_path.py compares the
# two over many members and fails when a field is added to one and not the other.


def _int(value):
    return None if value is None else int(value)


def _str(value):
    return None if value is None else str(value)


def _strs(values):
    return None if values is None else [None if v is None else str(v) for v in values]


def _iso(value):
    return None if value is None else value.isoformat()


def _same(value):
    return value


def _nested(schema, fields):
    """Nested(schema) for a dict: the schema's keys the dict holds, each formatted (anything else: the schema)."""
    slow = schema()

    def dump(value):
        if value is None:
            return None
        if type(value) is not dict:
            return slow.dump(value)
        return {key: fmt(value[key]) for key, fmt in fields if key in value}

    return dump


def _each(fmt):
    def dump(values):
        return None if values is None else [fmt(v) for v in values]

    return dump


_WINDOW = _nested(WindowSchema, (("weekday", _int), ("start", _str), ("end", _str)))
_PREFERS = _nested(PrefersSchema, (("domains", _strs), ("schools", _strs), ("international", _same)))
_PROFILE = _nested(ProfileSchema, (("score", _int), ("ready", _same), ("gaps", _strs)))

# MemberSchema's stored fields in its order, each with its formatter; then `profile` (computed), then the timestamps
MEMBER_FIELDS = (
    ("id", _int), ("role", _str), ("name", _str), ("email", _str), ("headline", _str), ("bio", _str),
    ("photo_url", _str), ("domains", _strs), ("goals", _strs), ("skills", _strs), ("languages", _strs),
    ("timezone", _str), ("availability", _each(_WINDOW)), ("international", _same), ("school", _str),
    ("graduation_year", _int), ("company", _str), ("title", _str), ("years_experience", _int), ("capacity", _int),
    ("company_sponsors_visa", _same), ("prefers", _PREFERS), ("needs_visa_sponsorship", _same),
)
TIMESTAMP_FIELDS = ("created_at", "updated_at")
# the stored columns the dump shows, in the order dump_member_values takes them
SHOWN_COLUMNS = tuple(name for name, _ in MEMBER_FIELDS) + TIMESTAMP_FIELDS


def dump_member(member, profile):
    """MemberSchema().dump(member) for `member` (a Member, or anything with its attributes) whose `profile`
    property would be `profile`."""
    return dump_member_values([getattr(member, name) for name in SHOWN_COLUMNS], profile)


def dump_member_values(values, profile):
    """dump_member from the values of SHOWN_COLUMNS in that order (e.g. a row that starts with those columns)."""
    out = {name: fmt(value) for (name, fmt), value in zip(MEMBER_FIELDS, values, strict=False)}
    out["profile"] = _PROFILE(profile)
    n = len(MEMBER_FIELDS)
    out["created_at"], out["updated_at"] = _iso(values[n]), _iso(values[n + 1])
    return out


class TokenInSchema(StrictSchema):
    days = ma.fields.Integer(validate=validate.Range(min=1, max=90),
                             metadata={"description": "lifetime in days (default MEMBER_TOKEN_DAYS, 90)"})


class TokenSchema(ma.Schema):
    token = ma.fields.String()
    member_id = ma.fields.Integer()
    expires_at = ma.fields.AwareDateTime()
