"""Intros (the first message): gates, capacity and contacts, sending, answering, expiry."""
from mentorship import events
from mentorship.outreach import privacy, tasks  # noqa: F401  (tasks: expiry and reminders)


def init_app(app):
    events.member_erasing.connect(privacy.erase)
    events.member_exporting.connect(privacy.export)
