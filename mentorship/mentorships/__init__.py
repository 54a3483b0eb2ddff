"""Mentorships after an accepted intro: milestones, trust and referral eligibility, health."""
from mentorship import events
from mentorship.mentorships import milestones, operations, privacy, tasks  # noqa: F401  (tasks: the idle nudge)


def init_app(app):
    events.mentorship_started.connect(milestones.on_mentorship_started)
    events.meeting_completed.connect(milestones.on_meeting_completed)
    events.meeting_scheduled.connect(operations.on_meeting_activity)
    events.meeting_completed.connect(operations.on_meeting_activity)
    events.member_erasing.connect(privacy.erase)
    events.member_exporting.connect(privacy.export)
