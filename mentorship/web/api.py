"""POST /api/v1/invites: a join link for one mentee or mentor (staff and integrations, as POST /members)."""
import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint
from marshmallow import validate

from mentorship.common.schemas import StrictSchema
from mentorship.members.schemas import Email
from mentorship.members.vocab import ROLES
from mentorship.tenancy import operations as tenancy
from mentorship.tenancy.access import allow
from mentorship.web import operations

blp = Blueprint("invites", __name__, url_prefix="/api/v1/invites", description="Invite links to the join pages")


class InviteInSchema(StrictSchema):
    role = ma.fields.String(required=True, validate=validate.OneOf(ROLES))
    email = Email()  # when given, the member can join with this address only


class InviteSchema(ma.Schema):
    url = ma.fields.String(metadata={"description": "single use, expires after 7 days; shown only in this response"})
    role = ma.fields.String()
    email = ma.fields.String(allow_none=True)
    expires_at = ma.fields.AwareDateTime()


@blp.route("", methods=["POST"])
@allow("admin", "partner")
@blp.arguments(InviteInSchema)
@blp.response(201, InviteSchema)
def create_invite(data):
    """A single-use link to the join page for a mentee or a mentor, optionally bound to one e-mail address."""
    invite, secret = operations.create_invite(data["role"], data.get("email"))
    slug = tenancy.current_tenant().slug
    url = f"{current_app.config['PUBLIC_URL'].rstrip('/')}/t/{slug}/join/{secret}"
    return {"url": url, "role": invite.role, "email": invite.email, "expires_at": invite.expires_at}
