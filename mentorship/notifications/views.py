import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from mentorship.common.schemas import PageArgs, page_of
from mentorship.database import paginate
from mentorship.notifications.models import STATUSES, Notification
from mentorship.tenancy.access import allow, ensure
from mentorship.tenancy.credentials import current_principal

blp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications",
                description="Notifications (the e-mails the service sends, and those it will send)")


class NotificationSchema(ma.Schema):
    id = ma.fields.Integer()
    member_id = ma.fields.Integer()
    event = ma.fields.String()
    object_type = ma.fields.String()
    object_id = ma.fields.Integer()
    data = ma.fields.Dict(metadata={"description": "what the message is about beyond the object (e.g. milestone)"})
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
    subject = ma.fields.String(allow_none=True)
    due_at = ma.fields.AwareDateTime()
    sent_at = ma.fields.AwareDateTime(allow_none=True)
    created_at = ma.fields.AwareDateTime()


class NotificationArgs(PageArgs):
    member_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**31 - 1))
    event = ma.fields.String(validate=ma.validate.Length(max=60))
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))


@blp.route("")
class Notifications(MethodView):
    @allow("admin", "partner", "member")
    @blp.arguments(NotificationArgs, location="query")
    @blp.response(200, page_of(NotificationSchema))
    def get(self, args):
        """Notifications of one member (`member_id`; a member token sees only its own), newest first."""
        member_id = args.get("member_id", current_principal().member_id)
        ensure(lambda p: not p.is_member or p.member_id == member_id,
               "A member token reads only its own notifications.")
        query = select(Notification).order_by(Notification.id.desc())
        if member_id is not None:
            query = query.where(Notification.member_id == member_id)
        for name in ("event", "status"):
            if name in args:
                query = query.where(getattr(Notification, name) == args[name])
        return paginate(query, args)
