import marshmallow as ma
from marshmallow import validate

from mentorship.common.schemas import StrictSchema, Text
from mentorship.webhooks.models import STATUSES
from mentorship.webhooks.outbox import EVENT_NAMES


class WebhookInSchema(StrictSchema):
    url = Text(required=True, validate=validate.Length(min=1, max=2000))
    events = ma.fields.List(ma.fields.String(validate=validate.OneOf([*EVENT_NAMES, "*"])), required=True,
                            validate=validate.Length(min=1, max=len(EVENT_NAMES)),
                            metadata={"description": "event types, or [\"*\"] for all of them"})

    @ma.validates("events")
    def _star_alone(self, events, **_):
        if "*" in events and len(events) > 1:
            raise ma.ValidationError('"*" stands alone: it means every event.')

    @ma.post_load
    def _unique(self, data, **_):
        data["events"] = list(dict.fromkeys(data["events"]))
        return data


class WebhookSchema(ma.Schema):
    id = ma.fields.Integer()
    url = ma.fields.String()
    events = ma.fields.List(ma.fields.String())
    created_at = ma.fields.AwareDateTime()
    disabled_at = ma.fields.AwareDateTime(allow_none=True, metadata={
        "description": "set when every delivery failed for 3 days; register the URL again to resume"})
    disabled_reason = ma.fields.String(allow_none=True)


class WebhookCreatedSchema(WebhookSchema):
    secret = ma.fields.String(metadata={"description": "whsec_…, shown only in this response"})


class DeliverySchema(ma.Schema):
    id = ma.fields.Integer()
    webhook_id = ma.fields.Integer()
    msg_id = ma.fields.String(metadata={"description": "the webhook-id header, the same on every retry"})
    event = ma.fields.String()
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
    attempts = ma.fields.Integer()
    last_status_code = ma.fields.Integer(allow_none=True)
    last_error = ma.fields.String(allow_none=True)
    next_attempt_at = ma.fields.AwareDateTime(allow_none=True, metadata={"description": "null once settled"})
    created_at = ma.fields.AwareDateTime()
    delivered_at = ma.fields.AwareDateTime(allow_none=True)

    @ma.post_dump
    def _no_next_attempt_when_settled(self, data, **_):
        if data.get("status") in ("delivered", "failed"):
            data["next_attempt_at"] = None
        return data
