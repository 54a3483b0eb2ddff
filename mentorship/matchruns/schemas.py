import marshmallow as ma
from marshmallow import validate

from mentorship.common.schemas import StrictSchema
from mentorship.recommendations.views import ReasonSchema

STRATEGY_NAMES = ("optimal", "stable")


def _ids(description):
    return ma.fields.List(ma.fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
                          validate=validate.Length(min=1, max=100_000), metadata={"description": description})


class MatchRunInSchema(StrictSchema):
    mentee_ids = _ids("default: every ready mentee without a mentor or pending intro")
    mentor_ids = _ids("default: every ready mentor with free capacity")
    strategy = ma.fields.String(load_default="optimal", validate=validate.OneOf(STRATEGY_NAMES))
    min_score = ma.fields.Float(load_default=0.2, validate=validate.Range(min=0, max=1), allow_nan=False)


class QueuedSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()


class StatsSchema(ma.Schema):
    mentees = ma.fields.Integer()
    mentors = ma.fields.Integer()
    matched = ma.fields.Integer()
    total_score = ma.fields.Float()
    seconds = ma.fields.Float()


class AssignmentSchema(ma.Schema):
    mentee_id = ma.fields.Integer()
    mentor_id = ma.fields.Integer()
    score = ma.fields.Float()
    reasons = ma.fields.List(ma.fields.Nested(ReasonSchema))


class MatchRunSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    strategy = ma.fields.String()
    min_score = ma.fields.Float()
    stats = ma.fields.Nested(StatsSchema, allow_none=True)
    assignments = ma.fields.List(ma.fields.Nested(AssignmentSchema))
    unmatched_mentee_ids = ma.fields.List(ma.fields.Integer())
    error = ma.fields.String(allow_none=True, metadata={"description": "why a failed run failed"})
    created_at = ma.fields.AwareDateTime()
    started_at = ma.fields.AwareDateTime(allow_none=True)
    finished_at = ma.fields.AwareDateTime(allow_none=True)

    @ma.post_dump
    def _lists_not_null(self, data, **kwargs):
        data["assignments"] = data.get("assignments") or []
        data["unmatched_mentee_ids"] = data.get("unmatched_mentee_ids") or []
        return data


class SkippedSchema(ma.Schema):
    mentee_id = ma.fields.Integer()
    mentor_id = ma.fields.Integer()
    reason = ma.fields.String(metadata={"enum": ["member_erased", "intro_exists", "mentor_at_capacity"]})


class AppliedSchema(ma.Schema):
    id = ma.fields.Integer()
    applied_at = ma.fields.AwareDateTime()
    intro_ids = ma.fields.List(ma.fields.Integer(), metadata={"description": "the warm intros created"})
    skipped = ma.fields.List(ma.fields.Nested(SkippedSchema),
                             metadata={"description": "assignments no longer possible when applied"})
