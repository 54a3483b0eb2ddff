import marshmallow as ma
from marshmallow import validate

from coach import latin_length
from mentorship.common.schemas import PageArgs, StrictSchema, Text
from mentorship.mentorships.models import CLOSE_REASONS
from mentorship.mentorships.trust import HEALTH


class MilestoneSchema(ma.Schema):
    key = ma.fields.String()
    status = ma.fields.String(metadata={"enum": ["pending", "completed"]})
    completed_at = ma.fields.AwareDateTime(allow_none=True)
    evidence = ma.fields.Dict(allow_none=True)


class TrustSchema(ma.Schema):
    score = ma.fields.Integer()
    referral_eligible = ma.fields.Boolean()
    missing = ma.fields.List(ma.fields.String())


class MeetingCountsSchema(ma.Schema):
    completed = ma.fields.Integer()
    scheduled = ma.fields.Integer()


class MentorshipSchema(ma.Schema):
    id = ma.fields.Integer()
    mentee_id = ma.fields.Integer()
    mentor_id = ma.fields.Integer()
    intro_id = ma.fields.Integer(allow_none=True)
    status = ma.fields.String(metadata={"enum": ["active", "closed"]})
    started_at = ma.fields.AwareDateTime()
    closed_at = ma.fields.AwareDateTime(allow_none=True)
    close_reason = ma.fields.String(allow_none=True)
    milestones = ma.fields.List(ma.fields.Nested(MilestoneSchema))
    trust = ma.fields.Nested(TrustSchema)
    health = ma.fields.String(allow_none=True, metadata={"enum": ["on_track", "needs_check_in", "at_risk", None],
                                                         "description": "null once closed"})
    meetings = ma.fields.Nested(MeetingCountsSchema)


class MentorshipListArgs(PageArgs):
    member_id = ma.fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    status = ma.fields.String(validate=validate.OneOf(["active", "closed"]))
    health = ma.fields.String(validate=validate.OneOf(HEALTH), metadata={
        "description": "active mentorships of this health (SPEC §7)"})
    school = Text(validate=validate.Length(min=1, max=120), metadata={"description": "the mentee's school"})


class CloseSchema(StrictSchema):
    reason = ma.fields.String(required=True, validate=validate.OneOf(CLOSE_REASONS))
    note = Text(multiline=True, validate=validate.Length(max=2000), allow_none=True)


def _questions(values):
    if len([v for v in values if v.strip()]) < 3:
        raise ma.ValidationError("Prepare at least 3 questions.")


MIN_PLAN = 200  # Latin-equivalent characters (SPEC §6, §7): a CJK character counts 3


def _plan_length(value):
    if latin_length(value) < MIN_PLAN:
        raise ma.ValidationError(f"Write at least {MIN_PLAN} characters (a Chinese character counts 3).")


class MilestoneInSchema(StrictSchema):
    """`questions` for questions_prepared, `plan` for career_plan_shared, `note` for mentor_endorsement."""

    questions = ma.fields.List(Text(validate=validate.Length(min=1, max=500)),
                               validate=[validate.Length(max=20), _questions])
    plan = Text(multiline=True, validate=[validate.Length(max=5000), _plan_length])
    note = Text(multiline=True, validate=validate.Length(min=1, max=2000))
