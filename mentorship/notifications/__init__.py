"""The notification outbox: rows written with the change that causes them, delivered by jobs over SMTP."""
from mentorship import events
from mentorship.notifications import delivery, privacy  # noqa: F401  (delivery: its job and its sweep)


def init_app(app):
    events.member_erasing.connect(privacy.erase)
    events.member_exporting.connect(privacy.export)
