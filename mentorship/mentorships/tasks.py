"""Periodic mentorship work: a nudge to both after 21 days without a meeting or milestone."""
from datetime import timedelta

from sqlalchemy import select

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.jobs.schedule import periodic
from mentorship.mentorships.models import Mentorship
from mentorship.mentorships.trust import NEEDS_CHECK_IN_DAYS
from mentorship.notifications.outbox import notify
from mentorship.scheduling.models import Meeting
from mentorship.tenancy.scope import tenant_scope


@periodic(every_seconds=3600)
def nudge_idle_mentorships():
    """Across tenants: one nudge per idle stretch (the key names the day the stretch began)."""
    now, sent = utcnow(), 0
    upcoming = select(Meeting.mentorship_id).where(Meeting.status == "scheduled", Meeting.start > now)
    idle = db.session.scalars(select(Mentorship).where(
        Mentorship.status == "active", Mentorship.last_activity_at <= now - timedelta(days=NEEDS_CHECK_IN_DAYS),
        Mentorship.id.not_in(upcoming))).all()
    for mentorship in idle:
        stretch = mentorship.last_activity_at.date().isoformat()
        with tenant_scope(mentorship.tenant_id):
            for member_id in (mentorship.mentee_id, mentorship.mentor_id):
                notify(member_id, "mentorship.nudge", mentorship,
                       key=f"mentorship.nudge:{mentorship.id}:{stretch}:{member_id}")
        sent += 1
    db.session.commit()
    return sent
