"""Periodic meeting work: rebuild reminder and check-in rows from the meetings themselves."""
from datetime import timedelta

from sqlalchemy import select

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.jobs.schedule import periodic
from mentorship.scheduling.models import Meeting
from mentorship.scheduling.operations import schedule_reminders
from mentorship.tenancy.scope import tenant_scope


@periodic(every_seconds=600)
def rebuild_meeting_reminders():
    """Across tenants: every scheduled meeting has its reminder and check-in rows (existing ones are kept)."""
    meetings = db.session.scalars(select(Meeting).where(Meeting.status == "scheduled",
                                                        Meeting.end > utcnow() - timedelta(days=2))).all()
    for meeting in meetings:
        with tenant_scope(meeting.tenant_id):
            schedule_reminders(meeting)
    db.session.commit()
    return len(meetings)
