"""Writing notifications: a row in the caller's transaction, sent by the tenant's drain job (delivery.py), queued
once that transaction commits (one while one waits)."""
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.notifications.delivery import drain
from mentorship.notifications.models import Notification


def notify(member_id, event, obj, *, due_at=None, key=None, **data):
    """Add the notification `event` about `obj` for `member_id`; returns its id, or None when the key existed.

    The key is unique per tenant, so writing the same (event, object, recipient) twice yields one row: one e-mail.
    One INSERT ... ON CONFLICT DO NOTHING, in the caller's transaction.
    """
    key = key or _key(event, obj, member_id)
    now = utcnow()
    due_at = due_at or now
    insert = _dialect_insert()(Notification).values(
        tenant_id=obj.tenant_id, member_id=member_id, event=event, key=key, object_type=type(obj).__tablename__,
        object_id=obj.id, data=data, due_at=due_at, status="pending", attempts=0, created_at=now)
    row_id = db.session.scalar(insert.on_conflict_do_nothing(index_elements=["tenant_id", "key"])
                               .returning(Notification.id))
    if row_id is not None and due_at <= now:
        drain.enqueue_after_commit(obj.tenant_id, once=True)
    return row_id


def notify_each(event, recipients):
    """notify(member_id, event, obj) for each (member_id, obj) of one tenant, due now, with no data: the same rows,
    keys and e-mails, written by one INSERT ... ON CONFLICT DO NOTHING (executemany) instead of one statement each
    (a match run's apply: tens of thousands)."""
    now = utcnow()
    rows = [dict(tenant_id=obj.tenant_id, member_id=member_id, event=event, key=_key(event, obj, member_id),
                 object_type=type(obj).__tablename__, object_id=obj.id, data={}, due_at=now, status="pending",
                 attempts=0, created_at=now) for member_id, obj in recipients]
    if not rows:
        return
    db.session.execute(_dialect_insert()(Notification).on_conflict_do_nothing(index_elements=["tenant_id", "key"]),
                       rows)
    drain.enqueue_after_commit(rows[0]["tenant_id"], once=True)


def _key(event, obj, member_id):
    """A notification's default key: one e-mail per event, object and recipient."""
    return f"{event}:{type(obj).__tablename__}:{obj.id}:{member_id}"


def notify_office(tenant, event, *, key, **data):
    """Add the notification `event` for the career office of `tenant` (sent to its contact_email as it is when
    sent); returns its id, or None when the key existed. `data` holds what the e-mail says: no personal text."""
    now = utcnow()
    insert = _dialect_insert()(Notification).values(
        tenant_id=tenant.id, member_id=None, event=event, key=key, object_type="tenants", object_id=tenant.id,
        data=data, due_at=now, status="pending", attempts=0, created_at=now)
    row_id = db.session.scalar(insert.on_conflict_do_nothing(index_elements=["tenant_id", "key"])
                               .returning(Notification.id))
    if row_id is not None:
        drain.enqueue_after_commit(tenant.id, once=True)
    return row_id


def _dialect_insert():
    return postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def cancel_pending(object_type, object_id, events, member_id=None):
    """Withdraw not-yet-sent notifications that no longer apply (reminders of a cancelled meeting)."""
    query = update(Notification).where(
        Notification.object_type == object_type, Notification.object_id == object_id,
        Notification.event.in_(events), Notification.status == "pending")
    if member_id is not None:
        query = query.where(Notification.member_id == member_id)
    db.session.execute(query.values(status="cancelled"), execution_options={"synchronize_session": False})


def forget_subjects(object_type, object_ids, data=False):
    """Erasure: the subjects as sent (they name people) of every notification about these objects, whoever got
    them; with `data`, what they were written with too (cancel pending ones first: they cannot render without)."""
    values = {"subject": None, **({"data": {}} if data else {})}
    for i in range(0, len(object_ids), 1000):
        db.session.execute(update(Notification).where(
            Notification.object_type == object_type, Notification.object_id.in_(object_ids[i:i + 1000]))
            .values(**values), execution_options={"synchronize_session": False})

