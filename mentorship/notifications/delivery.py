"""Delivering outbox rows: per tenant, a drain job claims the due notifications in batches (one guarded UPDATE
each), renders each from current data, sends it over the worker's kept SMTP connection (mailer.py) and records the
outcome at once (its own commit), so a message the server accepted is never sent again by this job.

A row is claimed only while `pending` and due, or `sending` past its lease (its worker died mid-send: sent again,
with the same Message-ID). On PostgreSQL a claim picks its rows FOR UPDATE SKIP LOCKED, so two workers never hold
the same row nor wait for each other. A drain whose batch came back full queues another drain of the tenant (`once`:
one waits at most), which a second worker picks up: the tenant's backlog is shared by every free worker.
A failed send goes back to `pending` (or `failed` after MAX_ATTEMPTS); a transport failure (server down, connection
lost) ends the drain with the error, the rest of its batch handed back, and the job's retries or the sweep go on.
"""
import smtplib
import time
from collections import Counter
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from mentorship.common.clock import utcnow
from mentorship.database import claim_batch, commit_without_flush_wait
from mentorship.extensions import db
from mentorship.jobs import job
from mentorship.jobs.schedule import periodic
from mentorship.members.models import Member
from mentorship.notifications import mailer
from mentorship.notifications.models import Notification
from mentorship.notifications.templates import render
from mentorship.tenancy.models import Tenant
from mentorship.tenancy.scope import unscoped

MAX_ATTEMPTS = 8
BATCH_SIZE = 20  # notifications claimed by one statement
DRAIN_SECONDS = 20  # a drain claims no new batch after this; a successor job takes the rest
LEASE_MARGIN_SECONDS = 5
# refusals of one message: the connection (and the other messages) are fine
_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
_SAFE = {"synchronize_session": False}
_FRESH = {"populate_existing": True}  # objects an earlier batch read are read again, not reused


def message_id(tenant_id, notification_id):
    """The same on every attempt: receiving systems can tell a repeat."""
    domain = current_app.config["MAIL_FROM"].rpartition("@")[2].rstrip(">") or "mentorship.local"
    return f"<notification-{tenant_id}-{notification_id}@{domain}>"


def _model(object_type):
    return next(m.class_ for m in db.Model.registry.mappers if m.class_.__tablename__ == object_type)


def _claimable(now):
    """Due and not sent: pending, or `sending` for longer than the lease (its worker died mid-send)."""
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    return and_(Notification.due_at <= now, or_(
        Notification.status == "pending",
        and_(Notification.status == "sending", Notification.claimed_at < now - lease)))


def _claim(tenant_id, skip=(), limit=BATCH_SIZE):
    """The tenant's due notifications, oldest first, now held by this worker (database.claim_batch; not committed
    here)."""
    now = utcnow()
    due = (select(Notification.id).where(Notification.tenant_id == tenant_id, _claimable(now))
           .order_by(Notification.due_at, Notification.id).limit(limit))
    if skip:  # failed in this drain already: left to the retries
        due = due.where(Notification.id.not_in(skip))
    rows = claim_batch(Notification, due, _claimable(now),
                       {"status": "sending", "claimed_at": now, "attempts": Notification.attempts + 1},
                       (Notification.id, Notification.member_id, Notification.event, Notification.object_type,
                        Notification.object_id, Notification.data, Notification.attempts, Notification.due_at))
    return sorted(rows, key=lambda row: (row.due_at, row.id))


@job(queue="high", timeout=180)
def drain(tenant_id):
    """Send the tenant's due notifications, a batch per claim, one commit per outcome; what is still due when
    DRAIN_SECONDS have passed goes to a successor job. Returns the outcomes counted."""
    started, counts, skip = time.monotonic(), Counter(), set()
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False  # what a batch read, its e-mails use
    try:
        while True:
            batch = _claim(tenant_id, skip)
            known = batch and _read(tenant_id, batch)
            commit_without_flush_wait()
            if not batch:
                break
            if len(batch) == BATCH_SIZE:  # more may be due: a free worker can join in (claims never overlap)
                drain.enqueue_or_leave_for_sweep(tenant_id, once=True)
            finished = _send_batch(tenant_id, known, batch, counts, skip)
            if finished and len(batch) < BATCH_SIZE:
                break  # what is written from now on queues a drain of its own
            if not finished or time.monotonic() - started > DRAIN_SECONDS:
                drain.enqueue_or_leave_for_sweep(tenant_id, once=True)
                break
    finally:
        session.expire_on_commit = expire
    return dict(counts) or "skipped"


def _read(tenant_id, batch):
    """What the batch's e-mails are about, read in the claim's transaction: a statement per kind of object, one for
    the members they name, one for the tenant's slug; as current as the claim (a batch lasts well under a second),
    kept through the batch's commits (the drain turns expire_on_commit off)."""
    known = {"slug": db.session.scalar(select(Tenant.slug).where(Tenant.id == tenant_id)), "members": {}}
    for object_type in {row.object_type for row in batch}:
        model = _model(object_type)
        ids = {row.object_id for row in batch if row.object_type == object_type}
        objects = db.session.scalars(select(model).where(model.id.in_(ids)), execution_options=_FRESH)
        known.update({(object_type, obj.id): obj for obj in objects})
    named = {row.member_id for row in batch} | {getattr(obj, side, None) for key, obj in known.items()
                                                 if isinstance(key, tuple) for side in ("mentee_id", "mentor_id")}
    named.discard(None)
    members = db.session.scalars(select(Member).where(Member.id.in_(named)), execution_options=_FRESH)
    known["members"].update({m.id: m for m in members})
    return known


def _send_batch(tenant_id, known, batch, counts, skip):
    """Send and record each claimed row in order; False when the lease ran short and the rest went back."""
    lease_ends = time.monotonic() + current_app.config["MAIL_LEASE_SECONDS"] - LEASE_MARGIN_SECONDS
    for index, row in enumerate(batch):
        if index and time.monotonic() + current_app.config["MAIL_TIMEOUT_SECONDS"] > lease_ends:
            _release(batch[index:])
            return False
        try:
            counts[_send(tenant_id, known, row)] += 1
        except Exception as exc:
            counts[_failed(row, exc)] += 1
            skip.add(row.id)
            if not isinstance(exc, _MESSAGE_ERRORS) and isinstance(exc, OSError):
                _release(batch[index + 1:])  # the server is unreachable: the job's retries (or the sweep) go on
                raise
    return True


def _send(tenant_id, known, row):
    """Render the row and send it; its outcome recorded. Raises when the send failed."""
    obj = known.get((row.object_type, row.object_id))
    if row.member_id is None:  # to the career office: its tenant's contact address as it is now
        recipient, address = None, getattr(obj, "contact_email", None)
    else:
        recipient = known["members"].get(row.member_id)
        address = recipient.email if recipient is not None and recipient.erased_at is None else None
    email = render(row, recipient, obj, known["slug"], known["members"]) if address and obj is not None else None
    if email is None:  # nobody to send it to, or no longer applies (a reminder too late, for a cancelled call)
        return _record(row, status="cancelled")
    mailer.send(address, email.subject, email.text, message_id(tenant_id, row.id), attachments=email.attachments)
    return _record(row, status="sent", sent_at=utcnow(), subject=email.subject[:200], last_error=None)


def _held(row):
    return Notification.id == row.id, Notification.status == "sending", Notification.attempts == row.attempts


def _record(row, **values):
    """The outcome, unless the lease ran out and another worker holds the row now ("superseded"); committed in the
    transaction that read what the e-mail says."""
    recorded = db.session.execute(update(Notification).where(*_held(row)).values(**values), execution_options=_SAFE)
    commit_without_flush_wait()
    return values["status"] if recorded.rowcount == 1 else "superseded"


def _failed(row, exc):
    db.session.rollback()  # the failure may have come from the database
    status = "failed" if row.attempts >= MAX_ATTEMPTS else "pending"
    _record(row, status=status, last_error=f"{type(exc).__name__}: {exc}"[:1000])
    return "failed" if status == "failed" else "retry"


def _release(rows):
    """Hand claimed, unsent rows back as they were (due, the attempt not counted)."""
    for row in rows:
        db.session.execute(update(Notification).where(*_held(row))
                           .values(status="pending", claimed_at=None, attempts=Notification.attempts - 1),
                           execution_options=_SAFE)
    commit_without_flush_wait()


@job(queue="high", timeout=180)
def deliver(tenant_id, notification_id):
    """A job of one notification (queued by a version before `drain`, or by hand): drains its tenant if it is due."""
    due = db.session.scalar(select(Notification.id).where(Notification.id == notification_id,
                                                          _claimable(utcnow())))
    return drain(tenant_id) if due is not None else "skipped"


def backlog():
    """Notifications due and not sent, across tenants (the `mentorship_outbox_backlog` gauge of /metrics)."""
    with unscoped():
        return db.session.scalar(select(func.count()).select_from(Notification).where(_claimable(utcnow())))


@periodic(every_seconds=60)
def deliver_due_notifications():
    """Across tenants: every tenant with notifications due (a reminder whose time came, a retry, one whose worker
    died) gets a drain job, unless one already waits. Returns how many notifications are due."""
    due = db.session.execute(select(Notification.tenant_id, func.count()).where(_claimable(utcnow()))
                             .group_by(Notification.tenant_id)).all()
    for tenant_id, _count in due:
        drain.enqueue(tenant_id, once=True)
    return sum(count for _tenant, count in due)
