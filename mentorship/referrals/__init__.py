"""Referral requests inside a mentorship that earned them, decided only by the mentor."""
from mentorship import events
from mentorship.referrals import privacy


def init_app(app):
    events.member_erasing.connect(privacy.erase)
    events.member_exporting.connect(privacy.export)
