"""Sending deliveries: claim with one guarded UPDATE, sign, POST, record; retried with backoff by the sweep.

A delivery is claimed only while `pending` and due, or `sending` past its lease (its worker died mid-request: sent
again with the same webhook-id, at-least-once as Standard Webhooks expects). Once a 2xx is recorded it is
`delivered` and no claim matches it again. A failed attempt goes back to `pending` with the next attempt at
now + backoff (exponential, with jitter that only lengthens it); a failure once RETRY_WINDOW has passed since the
event makes it `failed`. An endpoint whose every attempt has failed for DISABLE_AFTER is disabled (disabling.py).
"""
import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from mentorship.common.clock import utcnow
from mentorship.common.metrics import WEBHOOK_FAILURES
from mentorship.common.sealing import unseal
from mentorship.extensions import db
from mentorship.jobs import job
from mentorship.jobs.schedule import periodic
from mentorship.tenancy.scope import unscoped
from mentorship.webhooks import disabling, sender
from mentorship.webhooks.models import Webhook, WebhookDelivery

SEALING_PURPOSE = "webhook-secrets"
RETRY_WINDOW = timedelta(hours=24)  # retried at least this long after the event (SPEC §10)
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 6 * 3600


def job_id(tenant_id, delivery_id):
    """One job per delivery at a time: repeats collapse into one."""
    return f"webhook-{tenant_id}-{delivery_id}"


def backoff(attempts):
    """Seconds before the next attempt after `attempts` failed ones: 30 s, 1 min, 2 min, ... capped at 6 h, each
    stretched by up to a quarter (jitter spreads retries of many deliveries, never shortens the schedule)."""
    return min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS) * random.uniform(1.0, 1.25)


def _claimable(now):
    lease = timedelta(seconds=current_app.config["WEBHOOK_LEASE_SECONDS"])
    return or_(and_(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now),
               and_(WebhookDelivery.status == "sending", WebhookDelivery.claimed_at < now - lease))


def _claim(delivery_id):
    """(attempt number this worker now holds, webhook id, msg id, body) of the delivery, or None when it is not due,
    delivered or held: one guarded UPDATE ... RETURNING, not committed here."""
    now = utcnow()
    return db.session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id == delivery_id, _claimable(now))
        .values(status="sending", claimed_at=now, attempts=WebhookDelivery.attempts + 1)
        .returning(WebhookDelivery.attempts, WebhookDelivery.webhook_id, WebhookDelivery.msg_id,
                   WebhookDelivery.body), execution_options={"synchronize_session": False}).first()


@job(queue="default", timeout=60)
def deliver(tenant_id, delivery_id):
    """Send one delivery unless it was delivered, is being sent, or is not due. Two commits: the claim (with what
    the request needs read in its transaction) before the request, so none stays open during it; the outcome."""
    claimed = _claim(delivery_id)
    if claimed is None:
        db.session.commit()  # nothing of its own changed (a read-only commit costs no WAL flush)
        return "skipped"
    attempt, webhook_id, msg_id, body = claimed
    hook = db.session.execute(select(Webhook.url, Webhook.sealed_secret, Webhook.disabled_at)
                              .where(Webhook.id == webhook_id)).one()
    db.session.commit()
    if hook.disabled_at is not None:
        return _finish(delivery_id, attempt, sender.Outcome(None, "the endpoint is disabled"), final=True)
    secret = unseal(hook.sealed_secret, current_app.config["SECRET_KEY"], SEALING_PURPOSE)
    if secret is None:
        return _finish(delivery_id, attempt,
                       sender.Outcome(None, "the secret cannot be unsealed (SECRET_KEY changed)"), final=True)
    outcome = sender.post(hook.url, body, sender.headers_for(secret, msg_id, body),
                          allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE"])
    return _finish(delivery_id, attempt, outcome)


def _finish(delivery_id, attempt, outcome, final=False):
    """Record the attempt, unless the lease ran out and another worker holds the delivery now. A success is one
    guarded UPDATE (and the endpoint's failing clock cleared only when it runs); a failure also reads the endpoint
    for its failing clock and the disabling rule."""
    now = utcnow()
    held = (WebhookDelivery.id == delivery_id, WebhookDelivery.status == "sending",
            WebhookDelivery.attempts == attempt)
    recorded = {"last_status_code": outcome.status_code, "last_error": outcome.error, "claimed_at": None}
    if outcome.ok:
        webhook_id = db.session.scalar(
            update(WebhookDelivery).where(*held).values(status="delivered", delivered_at=now, **recorded)
            .returning(WebhookDelivery.webhook_id), execution_options={"synchronize_session": False})
        if webhook_id is None:
            db.session.rollback()
            return _gone_or_superseded(delivery_id)
        db.session.execute(update(Webhook).where(Webhook.id == webhook_id, Webhook.failing_since.is_not(None))
                           .values(failing_since=None), execution_options={"synchronize_session": False})
        db.session.commit()
        return "delivered"
    row = db.session.scalar(select(WebhookDelivery).where(*held))
    if row is None:
        db.session.rollback()
        return _gone_or_superseded(delivery_id)
    hook = db.session.scalar(select(Webhook).where(Webhook.id == row.webhook_id))
    row.last_status_code, row.last_error, row.claimed_at = outcome.status_code, outcome.error, None
    if final or now - row.created_at >= RETRY_WINDOW:
        row.status = "failed"
    else:
        row.status, row.next_attempt_at = "pending", now + timedelta(seconds=backoff(attempt))
    if not final:
        hook.failing_since = hook.failing_since or now
        disabling.disable_if_failing(hook, now)
    db.session.commit()
    WEBHOOK_FAILURES.labels(row.status).inc()
    return row.status


def _gone_or_superseded(delivery_id):
    """Why an outcome was not recorded: the endpoint (and its deliveries) deleted meanwhile, or another worker's."""
    exists = db.session.scalar(select(WebhookDelivery.id).where(WebhookDelivery.id == delivery_id))
    db.session.rollback()
    return "superseded" if exists else "deleted"


def backlog():
    """Deliveries due and not delivered, across tenants (the `mentorship_outbox_backlog` gauge of /metrics)."""
    with unscoped():
        return db.session.scalar(select(func.count()).select_from(WebhookDelivery).where(_claimable(utcnow())))


@periodic(every_seconds=60)
def deliver_due_webhooks():
    """Across tenants: every delivery due (a retry whose time came, or one whose worker died) gets a job."""
    due = db.session.execute(select(WebhookDelivery.tenant_id, WebhookDelivery.id)
                             .where(_claimable(utcnow())).order_by(WebhookDelivery.next_attempt_at)
                             .limit(5000)).all()
    for tenant_id, delivery_id in due:
        deliver.enqueue(tenant_id, delivery_id, job_id=job_id(tenant_id, delivery_id))
    return len(due)
