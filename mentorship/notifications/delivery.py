"""Delivering outbox rows: claim, render, send, mark sent. Safe to run for the same row any number of times."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.jobs import job
from mentorship.jobs.schedule import periodic
from mentorship.members.models import Member
from mentorship.notifications import mailer
from mentorship.notifications.models import Notification
from mentorship.notifications.templates import render
from mentorship.tenancy.scope import unscoped

MAX_ATTEMPTS = 8


def job_id(tenant_id, notification_id):
    """One delivery job per row at a time: repeats of the same delivery collapse into one."""
    return f"notify-{tenant_id}-{notification_id}"


def _model(object_type):
    return next(m.class_ for m in db.Model.registry.mappers if m.class_.__tablename__ == object_type)


def _claimable(now):
    """Due and not sent: pending, or `sending` for longer than the lease (its worker died mid-send)."""
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    return and_(Notification.due_at <= now, or_(
        Notification.status == "pending",
        and_(Notification.status == "sending", Notification.claimed_at < now - lease)))


def _claim(notification_id):
    now = utcnow()
    claimed = db.session.execute(update(Notification).where(Notification.id == notification_id, _claimable(now))
                                 .values(status="sending", claimed_at=now, attempts=Notification.attempts + 1))
    db.session.commit()
    return claimed.rowcount == 1


@job(queue="high", timeout=120)
def deliver(tenant_id, notification_id):
    """Send one notification unless it was sent (or is being sent) already."""
    if not _claim(notification_id):
        return "skipped"
    row = db.session.scalar(select(Notification).where(Notification.id == notification_id))
    obj = db.session.scalar(select(_model(row.object_type)).where(_model(row.object_type).id == row.object_id))
    if row.member_id is None:  # to the career office: its tenant's contact address as it is now
        recipient, address = None, getattr(obj, "contact_email", None)
    else:
        recipient = db.session.scalar(select(Member).where(Member.id == row.member_id))
        address = recipient.email if recipient is not None and recipient.erased_at is None else None
    if not address or obj is None:
        row.status = "cancelled"
        return "cancelled"
    try:
        email = render(row, recipient, obj)
        if email is None:  # no longer applies: a reminder that comes too late, for a call begun or cancelled
            row.status = "cancelled"
            return "cancelled"
        subject = email.subject
        domain = current_app.config["MAIL_FROM"].rpartition("@")[2].rstrip(">") or "mentorship.local"
        mailer.send(address, subject, email.text, f"<notification-{tenant_id}-{row.id}@{domain}>",
                    attachments=email.attachments)
    except Exception as exc:
        _failed(row, exc)
        raise  # the job's Retry (or the sweep) tries again
    row.status, row.sent_at, row.subject, row.last_error = "sent", utcnow(), subject[:200], None
    return "sent"


def _failed(row, exc):
    db.session.rollback()
    row = db.session.scalar(select(Notification).where(Notification.id == row.id))
    row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    row.status = "failed" if row.attempts >= MAX_ATTEMPTS else "pending"
    db.session.commit()


def backlog():
    """Notifications due and not sent, across tenants (the `mentorship_outbox_backlog` gauge of /metrics)."""
    with unscoped():
        return db.session.scalar(select(func.count()).select_from(Notification).where(_claimable(utcnow())))


@periodic(every_seconds=60)
def deliver_due_notifications():
    """Across tenants: everything due and not sent gets a delivery job (a lost Redis lost nothing)."""
    due = db.session.execute(select(Notification.tenant_id, Notification.id).where(_claimable(utcnow()))
                             .order_by(Notification.due_at).limit(5000)).all()
    for tenant_id, notification_id in due:
        deliver.enqueue(tenant_id, notification_id, job_id=job_id(tenant_id, notification_id))
    return len(due)
