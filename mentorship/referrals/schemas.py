import marshmallow as ma
from marshmallow import validate

from mentorship.common.schemas import PageArgs, StrictSchema, Text
from mentorship.referrals.models import DECISIONS, OUTCOMES, STATUSES


class ReferralInSchema(StrictSchema):
    company = Text(required=True, validate=validate.Length(min=1, max=120))
    job_title = Text(required=True, validate=validate.Length(min=1, max=160))
    job_url = ma.fields.Url(schemes={"http", "https"}, validate=validate.Length(max=500), allow_none=True)
    note = Text(multiline=True, validate=validate.Length(max=2000), allow_none=True)


class ReferralSchema(ma.Schema):
    id = ma.fields.Integer()
    mentorship_id = ma.fields.Integer()
    mentee_id = ma.fields.Integer()
    mentor_id = ma.fields.Integer()
    company = ma.fields.String()
    job_title = ma.fields.String()
    job_url = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
    decision_note = ma.fields.String(allow_none=True)
    outcome = ma.fields.String(allow_none=True, metadata={"enum": [*OUTCOMES, None]})
    created_at = ma.fields.AwareDateTime()
    decided_at = ma.fields.AwareDateTime(allow_none=True)
    outcome_at = ma.fields.AwareDateTime(allow_none=True)


class DecideSchema(StrictSchema):
    decision = ma.fields.String(required=True, validate=validate.OneOf(list(DECISIONS)))
    note = Text(multiline=True, validate=validate.Length(max=2000), allow_none=True)


class OutcomeSchema(StrictSchema):
    outcome = ma.fields.String(required=True, validate=validate.OneOf(OUTCOMES))


class ReferralListArgs(PageArgs):
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    mentorship_id = ma.fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
