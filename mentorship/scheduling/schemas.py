import marshmallow as ma
from marshmallow import validate

from mentorship.common.schemas import DateOrTime, PageArgs, PeriodArgs, StrictSchema, Text
from mentorship.scheduling.models import MODES, STATUSES


class MeetingInSchema(StrictSchema):
    duration_minutes = ma.fields.Integer(load_default=30, validate=validate.Range(min=15, max=60))
    mode = ma.fields.String(load_default="video", validate=validate.OneOf(MODES))
    start = ma.fields.AwareDateTime(metadata={"description": "book this time directly (the pair agreed on it)"})


class SlotSchema(ma.Schema):
    # stored as ISO 8601 text; documented as date-time, what Confirm takes back
    start = ma.fields.String(metadata={"format": "date-time"})
    end = ma.fields.String(metadata={"format": "date-time"})


class MeetingCheckInSchema(ma.Schema):
    id = ma.fields.Integer()
    meeting_id = ma.fields.Integer()
    member_id = ma.fields.Integer()
    role = ma.fields.String()
    happened = ma.fields.Boolean()
    rating = ma.fields.Integer(allow_none=True)
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()


class CheckInSchema(MeetingCheckInSchema):
    meeting_status = ma.fields.String(metadata={"description": "the meeting's status after this check-in"})


class MeetingSchema(ma.Schema):
    id = ma.fields.Integer()
    mentorship_id = ma.fields.Integer()
    mentee_id = ma.fields.Integer()
    mentor_id = ma.fields.Integer()
    proposed_by = ma.fields.Integer(allow_none=True)
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
    mode = ma.fields.String()
    duration_minutes = ma.fields.Integer()
    proposed_slots = ma.fields.List(ma.fields.Nested(SlotSchema))
    start = ma.fields.AwareDateTime(allow_none=True)
    end = ma.fields.AwareDateTime(allow_none=True)
    no_show_member_ids = ma.fields.List(ma.fields.Integer())
    check_ins = ma.fields.List(ma.fields.Nested(MeetingCheckInSchema))
    created_at = ma.fields.AwareDateTime()
    scheduled_at = ma.fields.AwareDateTime(allow_none=True)


class ConfirmSchema(StrictSchema):
    start = ma.fields.AwareDateTime(required=True)


class CheckInInSchema(StrictSchema):
    happened = ma.fields.Boolean(required=True, truthy={True}, falsy={False})
    rating = ma.fields.Integer(validate=validate.Range(min=1, max=5), allow_none=True)
    note = Text(multiline=True, validate=validate.Length(max=2000), allow_none=True)


class MeetingListArgs(PageArgs, PeriodArgs):
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    member_id = ma.fields.Integer(validate=validate.Range(min=1, max=2**31 - 1),
                                  metadata={"description": "meetings where this member is either party"})
    from_ = DateOrTime(data_key="from", metadata={"description": "meetings starting at or after this date or time"})
    to = DateOrTime(end=True, metadata={"description": "meetings starting through this date, or before this time"})
