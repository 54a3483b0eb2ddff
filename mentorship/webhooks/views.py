from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from mentorship.common.schemas import PageArgs, page_of
from mentorship.database import paginate
from mentorship.tenancy.access import allow
from mentorship.webhooks import operations
from mentorship.webhooks.models import Webhook
from mentorship.webhooks.schemas import DeliverySchema, WebhookCreatedSchema, WebhookInSchema, WebhookSchema

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks", description="Webhooks (Standard Webhooks)")


@blp.route("")
class Webhooks(MethodView):
    @allow("admin", "partner")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(WebhookSchema))
    def get(self, args):
        """The tenant's endpoints (never their secrets); a disabled one shows when and why."""
        return paginate(select(Webhook).order_by(Webhook.id), args)

    @allow("admin", "partner")
    @blp.arguments(WebhookInSchema)
    @blp.response(201, WebhookCreatedSchema)
    def post(self, data):
        """Register an endpoint; the signing secret is shown once. Private addresses answer 422."""
        hook, secret = operations.create_webhook(data["url"], data["events"])
        hook.secret = secret  # not a column: exists only on this response's object
        return hook


@blp.route("/<id:webhook_id>", methods=["DELETE"])
@allow("admin", "partner")
@blp.response(204)
def delete_webhook(webhook_id):
    """Remove an endpoint; nothing more is sent to it."""
    operations.delete_webhook(webhook_id)


@blp.route("/<id:webhook_id>/deliveries")
@allow("admin", "partner")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(DeliverySchema))
def deliveries(args, webhook_id):
    """The endpoint's deliveries, newest first: status, attempts, the last answer and the next attempt."""
    return paginate(operations.deliveries_query(webhook_id), args)
