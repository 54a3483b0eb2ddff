"""Writes for webhook endpoints: register (the secret shown once, kept sealed to sign with) and delete."""
import base64
import secrets

from flask import current_app
from sqlalchemy import delete, select

from mentorship.common.sealing import seal
from mentorship.errors import Invalid, NotFound
from mentorship.extensions import db
from mentorship.tenancy.audit import actor, record
from mentorship.webhooks import ssrf
from mentorship.webhooks.delivery import SEALING_PURPOSE
from mentorship.webhooks.models import Webhook, WebhookDelivery

SECRET_BYTES = 32


def new_secret():
    """Standard Webhooks: `whsec_` + base64 of random bytes; the HMAC key is those bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def create_webhook(url, events):
    """Register an endpoint for `events` (or ["*"]); returns (webhook, secret). 422 for a URL ssrf.py refuses."""
    try:
        ssrf.check(url, allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE"])
    except ssrf.UnsafeUrl as exc:
        raise Invalid(str(exc), errors={"url": [str(exc)]}) from None
    secret = new_secret()
    hook = Webhook(url=url, events=events, created_by=actor()[:40],
                   sealed_secret=seal(secret, current_app.config["SECRET_KEY"], SEALING_PURPOSE))
    db.session.add(hook)
    db.session.flush()
    record("webhook.created", hook, events=events)
    db.session.commit()
    return hook, secret


def get_webhook(webhook_id):
    """The endpoint with this id in the current tenant, or 404."""
    hook = db.session.scalar(select(Webhook).where(Webhook.id == webhook_id))
    if hook is None:
        raise NotFound("No such webhook.")
    return hook


def delete_webhook(webhook_id):
    """Remove an endpoint and its deliveries (pending ones are not sent)."""
    hook = get_webhook(webhook_id)
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id),
                       execution_options={"synchronize_session": False})
    record("webhook.deleted", hook)
    db.session.delete(hook)
    db.session.commit()


def deliveries_query(webhook_id):
    """SELECT of an endpoint's deliveries, newest first (404 for an endpoint not in the tenant)."""
    hook = get_webhook(webhook_id)
    return select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id).order_by(WebhookDelivery.id.desc())
