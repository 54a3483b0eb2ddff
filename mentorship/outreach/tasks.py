"""Periodic intro work: the mentor's halfway reminder and expiry after the policy's intro_expiry_days."""
from sqlalchemy import select

from mentorship import events
from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.jobs.schedule import periodic
from mentorship.notifications.models import Notification
from mentorship.notifications.outbox import notify
from mentorship.outreach.models import Intro
from mentorship.tenancy.audit import record
from mentorship.tenancy.scope import tenant_scope

BATCH = 1000


@periodic(every_seconds=300)
def expire_intros():
    """Across tenants: pending intros past expires_at become expired, and the mentee hears it."""
    now, done = utcnow(), 0
    while True:
        due = db.session.execute(select(Intro.tenant_id, Intro.id).where(
            Intro.status == "pending", Intro.expires_at <= now).order_by(Intro.id).limit(BATCH)).all()
        for tenant_id, intro_id in due:
            with tenant_scope(tenant_id):
                done += _expire(intro_id, now)
        if len(due) < BATCH:
            return done


def _expire(intro_id, now):
    intro = db.session.scalar(select(Intro).where(Intro.id == intro_id, Intro.status == "pending")
                              .with_for_update())
    if intro is None:  # answered meanwhile
        return 0
    intro.status, intro.responded_at = "expired", now
    record("intro.expired", intro)
    events.intro_expired.send(intro)  # the mentee hears it with fresh recommendations (matchmaking's receiver)
    db.session.commit()
    return 1


@periodic(every_seconds=300)
def remind_mentors_halfway():
    """Across tenants: one reminder per pending intro once half its time has passed."""
    now, sent = utcnow(), 0
    reminded = select(Notification.id).where(Notification.event == "intro.reminder",
                                             Notification.object_type == "intros", Notification.object_id == Intro.id)
    pending = db.session.scalars(select(Intro).where(Intro.status == "pending", Intro.expires_at > now,
                                                     ~reminded.exists())).all()
    for intro in pending:
        if intro.created_at + (intro.expires_at - intro.created_at) / 2 <= now:
            with tenant_scope(intro.tenant_id):
                notify(intro.mentor_id, "intro.reminder", intro)  # the unique key keeps it once under races
                sent += 1
    db.session.commit()
    return sent
