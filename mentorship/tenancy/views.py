import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import validate
from sqlalchemy import select

from mentorship.common.schemas import PageArgs, StrictSchema, Text, page_of, paginate
from mentorship.members.operations import get_member
from mentorship.tenancy import operations
from mentorship.tenancy import policy as policies
from mentorship.tenancy.credentials import require
from mentorship.tenancy.models import KEY_KINDS, ApiKey

blp = Blueprint("tenancy", __name__, url_prefix="/api/v1", description="Tenant, policy, API keys, member tokens")


class TenantSchema(ma.Schema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    name = ma.fields.String()
    created_at = ma.fields.AwareDateTime()


class ApiKeyInSchema(StrictSchema):
    name = Text(required=True, validate=validate.Length(min=1, max=120))
    kind = ma.fields.String(required=True, validate=validate.OneOf(KEY_KINDS))


class ApiKeySchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String()
    prefix = ma.fields.String(metadata={"description": "the secret's first characters, to recognise it"})
    created_at = ma.fields.AwareDateTime()
    revoked_at = ma.fields.AwareDateTime(allow_none=True)
    last_used_at = ma.fields.AwareDateTime(allow_none=True)


class ApiKeyCreatedSchema(ApiKeySchema):
    secret = ma.fields.String(metadata={"description": "shown only in this response"})


class TokenInSchema(StrictSchema):
    days = ma.fields.Integer(validate=validate.Range(min=1, max=90),
                             metadata={"description": "lifetime in days (default MEMBER_TOKEN_DAYS, 90)"})


class TokenSchema(ma.Schema):
    token = ma.fields.String()
    member_id = ma.fields.Integer()
    expires_at = ma.fields.AwareDateTime()


@blp.route("/tenant")
@blp.response(200, TenantSchema)
def get_tenant():
    """The tenant the credential belongs to."""
    return operations.current_tenant()


@blp.route("/tenant/policy")
class Policy(MethodView):
    @blp.response(200, policies.PolicySchema)
    def get(self):
        """The tenant's referral and outreach rules (SPEC §8)."""
        require("admin")
        return policies.effective(operations.current_tenant())

    @blp.arguments(policies.PolicySchema)
    @blp.response(200, policies.PolicySchema)
    def patch(self, changes):
        """Change some of the rules; they apply to existing mentorships too."""
        require("admin")
        return operations.update_policy(changes)


@blp.route("/api-keys")
class ApiKeys(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(ApiKeySchema))
    def get(self, args):
        """The tenant's keys (never their secrets)."""
        require("admin")
        return paginate(select(ApiKey).order_by(ApiKey.id), args)

    @blp.arguments(ApiKeyInSchema)
    @blp.response(201, ApiKeyCreatedSchema)
    def post(self, data):
        """Create an admin or partner key; the secret is shown once."""
        require("admin")
        key, secret = operations.create_api_key(data["name"], data["kind"])
        key.secret = secret  # not a column: exists only on this response's object
        return key


@blp.route("/api-keys/<id:key_id>", methods=["DELETE"])
@blp.response(204)
def delete_api_key(key_id):
    """Revoke a key; it answers 401 from now on."""
    require("admin")
    operations.revoke_api_key(key_id)


@blp.route("/members/<id:member_id>/tokens", methods=["POST"])
@blp.arguments(TokenInSchema)
@blp.response(201, TokenSchema)
def create_member_token(data, member_id):
    """A token that acts as this member (for a portal's session)."""
    require("admin", "partner")
    token, secret = operations.issue_member_token(get_member(member_id), data.get("days"))
    return {"token": secret, "member_id": token.member_id, "expires_at": token.expires_at}
