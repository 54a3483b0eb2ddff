"""Meetings: slot finding in both members' availability, invites, reminders and check-ins."""
from mentorship import events
from mentorship.scheduling import operations, privacy, tasks  # noqa: F401  (tasks: the reminders sweep)


def init_app(app):
    events.member_erasing.connect(privacy.erase)
    events.member_exporting.connect(privacy.export)
    events.meeting_calendar.connect(operations.invite)
