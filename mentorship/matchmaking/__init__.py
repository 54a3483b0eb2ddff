"""Who meets whom: recommendations for one mentee, and cohort match runs with their warm intros."""
from mentorship import events
from mentorship.matchmaking import freshness, index, recommendations, tasks  # noqa: F401  (tasks: the match-run job, sweep)


def init_app(app):
    freshness.init_app(app)
    for event in (events.member_created, events.member_updated, events.member_erasing):
        event.connect(index.on_member_changed)
    events.members_imported.connect(index.on_members_written)
    events.members_updated.connect(index.on_members_written)
    events.intro_declined.connect(recommendations.tell_with_suggestions)
    events.intro_expired.connect(recommendations.tell_with_suggestions)
