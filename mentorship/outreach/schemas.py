import marshmallow as ma
from marshmallow import validate

from mentorship.common.schemas import PageArgs, StrictSchema, Text
from mentorship.outreach.models import SOURCES, STATUSES

ID = {"validate": validate.Range(min=1, max=2**31 - 1)}


class IntroInSchema(StrictSchema):
    mentee_id = ma.fields.Integer(required=True, **ID)
    mentor_id = ma.fields.Integer(required=True, **ID)
    message = Text(required=True, multiline=True, validate=validate.Length(min=1, max=5000))


class IssueSchema(ma.Schema):
    code = ma.fields.String()
    severity = ma.fields.String(metadata={"enum": ["block", "warn"]})
    message = ma.fields.String()


class CoachingSchema(ma.Schema):
    ok = ma.fields.Boolean()
    score = ma.fields.Integer()
    issues = ma.fields.List(ma.fields.Nested(IssueSchema))
    suggestions = ma.fields.List(ma.fields.String())


class IntroSchema(ma.Schema):
    id = ma.fields.Integer()
    mentee_id = ma.fields.Integer()
    mentor_id = ma.fields.Integer()
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
    source = ma.fields.String(metadata={"enum": list(SOURCES)})
    message = ma.fields.String(allow_none=True)
    coaching = ma.fields.Nested(CoachingSchema, allow_none=True)
    mentorship_id = ma.fields.Integer(allow_none=True)
    match_run_id = ma.fields.Integer(allow_none=True)
    decline_reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()
    expires_at = ma.fields.AwareDateTime()
    responded_at = ma.fields.AwareDateTime(allow_none=True)


class IntroListArgs(PageArgs):
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    source = ma.fields.String(validate=validate.OneOf(SOURCES))
    mentee_id = ma.fields.Integer(**ID)
    mentor_id = ma.fields.Integer(**ID)


class DeclineSchema(StrictSchema):
    reason = Text(multiline=True, validate=validate.Length(max=1000), allow_none=True)


class EmptySchema(StrictSchema):
    """No fields (an empty JSON object, or no body at all)."""
