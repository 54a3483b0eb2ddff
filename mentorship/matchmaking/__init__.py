"""Who meets whom: recommendations for one mentee, and cohort match runs with their warm intros."""
from mentorship import events
from mentorship.matchmaking import recommendations, tasks  # noqa: F401  (tasks: the match-run job and its sweep)


def init_app(app):
    events.intro_declined.connect(recommendations.tell_with_suggestions)
    events.intro_expired.connect(recommendations.tell_with_suggestions)
