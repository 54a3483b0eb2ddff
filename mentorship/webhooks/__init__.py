"""Webhooks: endpoints, the outbox of SPEC §10's events, signed delivery with retries, the SSRF rule."""
from mentorship import events
from mentorship.webhooks import delivery, outbox, privacy  # noqa: F401  (delivery: its job and its sweep)


def init_app(app):
    outbox.connect()
    events.member_erasing.connect(privacy.erase)
