"""What a completed meeting moves forward: the first-meeting and follow-up milestones."""
from datetime import timedelta

from sqlalchemy import select

from mentorship.extensions import db
from mentorship.mentorships.operations import complete_automatic
from mentorship.scheduling.models import Meeting

FOLLOW_UP_AFTER = timedelta(days=7)


def meeting_completed(meeting, mentorship):
    """first_meeting_completed on the first; follow_up_completed on one ≥ 7 days after the first (SPEC §7)."""
    mentorship.last_activity_at = meeting.finished_at
    first = db.session.scalar(select(Meeting).where(Meeting.mentorship_id == mentorship.id,
                                                    Meeting.status == "completed").order_by(Meeting.start).limit(1))
    if first is None or first.id == meeting.id:
        complete_automatic(mentorship, "first_meeting_completed", {"meeting_id": meeting.id})
    elif meeting.start >= first.start + FOLLOW_UP_AFTER:
        complete_automatic(mentorship, "follow_up_completed", {"meeting_id": meeting.id, "first_meeting_id": first.id})
