import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import validate
from sqlalchemy import select

from mentorship.common.schemas import PageArgs, StrictSchema, Text, page_of
from mentorship.database import paginate
from mentorship.tenancy import operations
from mentorship.tenancy import policy as policies
from mentorship.tenancy.access import allow
from mentorship.tenancy.audit import AuditEvent
from mentorship.tenancy.models import KEY_KINDS, ApiKey

blp = Blueprint("tenancy", __name__, url_prefix="/api/v1", description="Tenant, policy, API keys")


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


@blp.route("/tenant")
@allow("admin", "partner", "member")
@blp.response(200, TenantSchema)
def get_tenant():
    """The tenant the credential belongs to."""
    return operations.current_tenant()


@blp.route("/tenant/policy")
class Policy(MethodView):
    @allow("admin")
    @blp.response(200, policies.PolicySchema)
    def get(self):
        """The tenant's referral and outreach rules (SPEC §8)."""
        return policies.effective(operations.current_tenant())

    @allow("admin")
    @blp.arguments(policies.PolicySchema)
    @blp.response(200, policies.PolicySchema)
    def patch(self, changes):
        """Change some of the rules; they apply to existing mentorships too."""
        return operations.update_policy(changes)


@blp.route("/api-keys")
class ApiKeys(MethodView):
    @allow("admin")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(ApiKeySchema))
    def get(self, args):
        """The tenant's keys (never their secrets)."""
        return paginate(select(ApiKey).order_by(ApiKey.id), args)

    @allow("admin")
    @blp.arguments(ApiKeyInSchema)
    @blp.response(201, ApiKeyCreatedSchema)
    def post(self, data):
        """Create an admin or partner key; the secret is shown once."""
        key, secret = operations.create_api_key(data["name"], data["kind"])
        key.secret = secret  # not a column: exists only on this response's object
        return key


@blp.route("/api-keys/<id:key_id>", methods=["DELETE"])
@allow("admin")
@blp.response(204)
def delete_api_key(key_id):
    """Revoke a key; it answers 401 from now on."""
    operations.revoke_api_key(key_id)


audit_blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit-events", description="Audit trail (admin)")


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


@audit_blp.route("")
class AuditEvents(MethodView):
    @allow("admin")
    @audit_blp.arguments(AuditArgs, location="query")
    @audit_blp.response(200, page_of(AuditEventSchema))
    def get(self, args):
        """Every change in this tenant, newest first."""
        query = select(AuditEvent).order_by(AuditEvent.id.desc())
        for name in ("action", "object_type", "object_id"):
            if name in args:
                query = query.where(getattr(AuditEvent, name) == args[name])
        return paginate(query, args)
