"""When an endpoint is disabled: every attempt to it has failed for DISABLE_AFTER (3 days, so at least three
whole retry windows' worth of events) with not one 2xx in between. Its pending deliveries then fail, no new ones
are written, and the tenant's admins see it: `disabled_at` and `disabled_reason` on GET /webhooks and a
`webhook.disabled` audit event. Register it again to resume."""
from datetime import timedelta

from sqlalchemy import update

from mentorship.extensions import db
from mentorship.tenancy.audit import record
from mentorship.webhooks.models import WebhookDelivery

DISABLE_AFTER = timedelta(days=3)


def disable_if_failing(hook, now):
    """Disable `hook` if it has been failing for DISABLE_AFTER; returns whether it is disabled now."""
    if hook.disabled_at is not None:
        return True
    if hook.failing_since is None or now - hook.failing_since < DISABLE_AFTER:
        return False
    hook.disabled_at = now
    hook.disabled_reason = f"every delivery failed since {hook.failing_since.isoformat()}"
    db.session.execute(update(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id,
                                                     WebhookDelivery.status == "pending")
                       .values(status="failed", last_error="the endpoint was disabled"),
                       execution_options={"synchronize_session": False})
    record("webhook.disabled", hook, failing_since=hook.failing_since.isoformat())
    return True
