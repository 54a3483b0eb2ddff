import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from mentorship.audit.models import AuditEvent
from mentorship.common.schemas import PageArgs, Text, page_of, paginate
from mentorship.tenancy.credentials import require

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit-events", description="Audit trail (admin)")


class AuditEventSchema(ma.Schema):
    id = ma.fields.Integer()
    at = ma.fields.AwareDateTime()
    actor = ma.fields.String()
    action = ma.fields.String()
    object_type = ma.fields.String()
    object_id = ma.fields.Integer(allow_none=True)
    data = ma.fields.Dict()


class AuditArgs(PageArgs):
    action = Text(validate=ma.validate.Length(max=60))
    object_type = Text(validate=ma.validate.Length(max=40))
    object_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**31 - 1))


@blp.route("")
class AuditEvents(MethodView):
    @blp.arguments(AuditArgs, location="query")
    @blp.response(200, page_of(AuditEventSchema))
    def get(self, args):
        """Every change in this tenant, newest first."""
        require("admin")
        query = select(AuditEvent).order_by(AuditEvent.id.desc())
        for name in ("action", "object_type", "object_id"):
            if name in args:
                query = query.where(getattr(AuditEvent, name) == args[name])
        return paginate(query, args)
