"""Sending deliveries: per endpoint, a drain job claims the due ones in batches (one guarded UPDATE each), signs,
POSTs them oldest first over kept-alive connections, and records each outcome; retried with backoff by the sweep.

A delivery is claimed only while `pending` and due, or `sending` past its lease (its worker died mid-request: sent
again with the same webhook-id, at-least-once as Standard Webhooks expects). Once a 2xx is recorded it is
`delivered` and no claim matches it again. A failed attempt goes back to `pending` with the next attempt at
now + backoff (exponential, with jitter that only lengthens it); a failure once RETRY_WINDOW has passed since the
event makes it `failed`. An endpoint whose every attempt has failed for DISABLE_AFTER is disabled (disabling.py).

One job per endpoint rather than per delivery: the outbox and the sweep queue `drain` with `once`, so a burst of
events waits as one job, which then sends them all (a job costs about as much as a delivery). Each outcome is its
own commit, so a delivery that fails never holds back the recording of the others; a batch stops early (and hands
its unsent rows back) only when the next answer could come after the lease.
"""
import random
import time
from collections import Counter
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from mentorship.common.clock import utcnow
from mentorship.common.metrics import WEBHOOK_FAILURES
from mentorship.common.sealing import unseal
from mentorship.database import claim_batch, commit_without_flush_wait
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
BATCH_SIZE = 25  # deliveries claimed by one statement
DRAIN_SECONDS = 20  # a drain claims no new batch after this; a successor job takes the rest
LEASE_MARGIN_SECONDS = 5
DISABLED = "the endpoint is disabled"


def backoff(attempts):
    """Seconds before the next attempt after `attempts` failed ones: 30 s, 1 min, 2 min, ... capped at 6 h, each
    stretched by up to a quarter (jitter spreads retries of many deliveries, never shortens the schedule)."""
    return min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS) * random.uniform(1.0, 1.25)


def _claimable(now):
    lease = timedelta(seconds=current_app.config["WEBHOOK_LEASE_SECONDS"])
    return or_(and_(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now),
               and_(WebhookDelivery.status == "sending", WebhookDelivery.claimed_at < now - lease))


def _claim(webhook_id, limit=BATCH_SIZE):
    """The endpoint's due deliveries, oldest first, now held by this worker: rows of (id, attempt number, msg id,
    body). One guarded UPDATE ... RETURNING; on PostgreSQL its rows are picked FOR UPDATE SKIP LOCKED, so two
    workers never hold the same row (nor wait for each other). Not committed here."""
    now = utcnow()
    due = (select(WebhookDelivery.id).where(WebhookDelivery.webhook_id == webhook_id, _claimable(now))
           .order_by(WebhookDelivery.id).limit(limit))
    rows = claim_batch(WebhookDelivery, due, _claimable(now),
                       {"status": "sending", "claimed_at": now, "attempts": WebhookDelivery.attempts + 1},
                       (WebhookDelivery.id, WebhookDelivery.attempts, WebhookDelivery.msg_id, WebhookDelivery.body))
    return sorted(rows, key=lambda row: row.id)


@job(queue="default", timeout=180)
def drain(tenant_id, webhook_id):
    """Send the endpoint's due deliveries, a batch per claim (its commit), then one commit per outcome; what is
    still due when DRAIN_SECONDS have passed goes to a successor job. Returns the outcomes counted."""
    started, counts = time.monotonic(), Counter()
    with sender.Session(current_app.config["WEBHOOK_ALLOW_PRIVATE"]) as session:
        while True:
            batch = _claim(webhook_id)
            hook = batch and db.session.execute(
                select(Webhook.id, Webhook.url, Webhook.sealed_secret, Webhook.disabled_at, Webhook.failing_since)
                .where(Webhook.id == webhook_id)).one_or_none()
            if not hook:  # nothing due (or the endpoint is gone)
                db.session.commit()  # nothing of its own changed: a read-only commit
                break
            commit_without_flush_wait()
            finished = _send(batch, hook, session, counts)
            if finished and len(batch) < BATCH_SIZE:
                break  # what arrives from now on has a job of its own (this one no longer waits)
            if not finished or time.monotonic() - started > DRAIN_SECONDS:
                drain.enqueue_or_leave_for_sweep(tenant_id, webhook_id, once=True)
                break
    return dict(counts) or "skipped"


def _send(batch, hook, session, counts):
    """POST each claimed delivery in order and record it; False when the lease ran short and the rest went back."""
    problem, secret = DISABLED if hook.disabled_at is not None else None, None
    if problem is None:
        secret = unseal(hook.sealed_secret, current_app.config["SECRET_KEY"], SEALING_PURPOSE)
        problem = None if secret is not None else "the secret cannot be unsealed (SECRET_KEY changed)"
    if problem:
        counts.update(_record(row, sender.Outcome(None, problem), final=True) for row in batch)
        return True
    lease_ends = time.monotonic() + current_app.config["WEBHOOK_LEASE_SECONDS"] - LEASE_MARGIN_SECONDS
    failing = hook.failing_since is not None
    for index, row in enumerate(batch):
        if index and time.monotonic() + sender.TOTAL_TIMEOUT_SECONDS > lease_ends:
            _release(batch[index:])
            return False
        outcome = session.post(hook.url, row.body, sender.headers_for(secret, row.msg_id, row.body))
        result = _record(row, outcome, clear_failing=failing)
        failing = failing and result != "delivered"
        counts[result] += 1
        if not outcome.ok and _disabled(hook.id):  # by that failure: the rest of the batch is not sent
            counts.update(_record(rest, sender.Outcome(None, DISABLED), final=True) for rest in batch[index + 1:])
            return True
    return True


def _disabled(webhook_id):
    disabled = db.session.scalar(select(Webhook.disabled_at).where(Webhook.id == webhook_id)) is not None
    db.session.commit()  # read only; no transaction stays open during the next request
    return disabled


def _release(rows):
    """Hand claimed, unsent deliveries back as they were (due, the attempt not counted)."""
    for row in rows:
        db.session.execute(update(WebhookDelivery).where(*_held(row))
                           .values(status="pending", claimed_at=None, attempts=WebhookDelivery.attempts - 1),
                           execution_options={"synchronize_session": False})
    commit_without_flush_wait()


def _held(row):
    return WebhookDelivery.id == row.id, WebhookDelivery.status == "sending", WebhookDelivery.attempts == row.attempts


def _record(row, outcome, final=False, clear_failing=True):
    """Record the attempt, unless the lease ran out and another worker holds the delivery now. A success is one
    guarded UPDATE (and the endpoint's failing clock cleared when it was set at the claim); a failure also reads
    the endpoint for its failing clock and the disabling rule."""
    now = utcnow()
    recorded = {"last_status_code": outcome.status_code, "last_error": outcome.error, "claimed_at": None}
    if outcome.ok:
        webhook_id = db.session.scalar(
            update(WebhookDelivery).where(*_held(row)).values(status="delivered", delivered_at=now, **recorded)
            .returning(WebhookDelivery.webhook_id), execution_options={"synchronize_session": False})
        if webhook_id is None:
            db.session.rollback()
            return _gone_or_superseded(row.id)
        if clear_failing:
            db.session.execute(update(Webhook).where(Webhook.id == webhook_id, Webhook.failing_since.is_not(None))
                               .values(failing_since=None), execution_options={"synchronize_session": False})
        commit_without_flush_wait()
        return "delivered"
    delivery = db.session.scalar(select(WebhookDelivery).where(*_held(row)))
    if delivery is None:
        db.session.rollback()
        return _gone_or_superseded(row.id)
    hook = db.session.scalar(select(Webhook).where(Webhook.id == delivery.webhook_id))
    delivery.last_status_code, delivery.last_error, delivery.claimed_at = outcome.status_code, outcome.error, None
    if final or now - delivery.created_at >= RETRY_WINDOW:
        delivery.status = "failed"
    else:
        delivery.status, delivery.next_attempt_at = "pending", now + timedelta(seconds=backoff(row.attempts))
    if not final:
        hook.failing_since = hook.failing_since or now
        disabling.disable_if_failing(hook, now)
    commit_without_flush_wait()
    WEBHOOK_FAILURES.labels(delivery.status).inc()
    return delivery.status


def _gone_or_superseded(delivery_id):
    """Why an outcome was not recorded: the endpoint (and its deliveries) deleted meanwhile, or another worker's."""
    exists = db.session.scalar(select(WebhookDelivery.id).where(WebhookDelivery.id == delivery_id))
    db.session.rollback()
    return "superseded" if exists else "deleted"


def backlog():
    """Deliveries due and not delivered, across tenants (the `mentorship_outbox_backlog` gauge of /metrics)."""
    with unscoped():
        return db.session.scalar(select(func.count()).select_from(WebhookDelivery).where(_claimable(utcnow())))


@job(queue="default", timeout=180)
def deliver(tenant_id, delivery_id):
    """A job of one delivery (queued by a version before `drain`, or by hand): drains that delivery's endpoint."""
    webhook_id = db.session.scalar(select(WebhookDelivery.webhook_id).where(WebhookDelivery.id == delivery_id))
    return drain(tenant_id, webhook_id) if webhook_id is not None else "deleted"


@periodic(every_seconds=60)
def deliver_due_webhooks():
    """Across tenants: every endpoint with deliveries due (a retry whose time came, or one whose worker died) gets
    a drain job, unless one already waits. Returns how many deliveries are due."""
    due = db.session.execute(select(WebhookDelivery.tenant_id, WebhookDelivery.webhook_id, func.count())
                             .where(_claimable(utcnow()))
                             .group_by(WebhookDelivery.tenant_id, WebhookDelivery.webhook_id)).all()
    for tenant_id, webhook_id, _count in due:
        drain.enqueue(tenant_id, webhook_id, once=True)
    return sum(count for _tenant, _hook, count in due)
