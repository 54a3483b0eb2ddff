"""Named domain events: a lower domain announces what happened, higher ones react.

Each event is a blinker signal sent with the changed object as its sender, inside the transaction of the change,
so what a receiver writes (a milestone, an outbox row, later a webhook delivery) commits or rolls back with it,
and a receiver that raises fails the change. Events named after SPEC §10's webhook events carry its dotted name;
the others are the service's own. Each package connects its receivers in its own `init_app`. The order in which
receivers run is not defined (blinker's), so no receiver may depend on another having run.
"""
from blinker import Namespace

_events = Namespace()

# SPEC §10's webhook events
member_created = _events.signal("member.created")  # sender: Member
intro_created = _events.signal("intro.created")  # sender: Intro (new intros are announced as intros_created)
intro_accepted = _events.signal("intro.accepted")  # sender: Intro (its mentorship_id set)
intro_declined = _events.signal("intro.declined")  # sender: Intro
intro_expired = _events.signal("intro.expired")  # sender: Intro
meeting_scheduled = _events.signal("meeting.scheduled")  # sender: Meeting
meeting_completed = _events.signal("meeting.completed")  # sender: Meeting
milestone_completed = _events.signal("milestone.completed")  # sender: Mentorship; key=, by=
referral_requested = _events.signal("referral.requested")  # sender: ReferralRequest
referral_decided = _events.signal("referral.decided")  # sender: ReferralRequest
match_run_succeeded = _events.signal("match_run.succeeded")  # sender: MatchRun

# the service's own
mentorship_started = _events.signal("mentorship.started")  # sender: Mentorship; intro=
mentorship_closed = _events.signal("mentorship.closed")  # sender: Mentorship
meeting_cancelled = _events.signal("meeting.cancelled")  # sender: Meeting
# A CSV import's new members, written in bulk: member.created for each of them, announced once per batch so a
# receiver can write for all of them in one statement (webhooks: one `member.created` delivery per member).
members_imported = _events.signal("members.imported")  # sender: the tenant id; member_ids=[...]
# intro.created for each new intro (one a mentee sent, or all of a match run's apply), announced once for all of
# them, the same way: webhooks write every `intro.created` delivery in one statement.
intros_created = _events.signal("intros.created")  # sender: the tenant id; intros=[Intro, ...]
# A member's profile changed (SPEC §3 fields, capacity, readiness); fields=[names]. A CSV import's updates are
# announced once per batch as members_updated, like members_imported.
member_updated = _events.signal("member.updated")  # sender: Member; fields=[...]
members_updated = _events.signal("members.updated")  # sender: the tenant id; member_ids=[...]
# Erasure (SPEC §10), sent before the member's own row is erased. Each domain ends what the member takes part in
# through its own operations (the other side is told) and removes the member's personal data it holds.
member_erasing = _events.signal("member.erasing")  # sender: Member
# Export (SPEC §10): each receiver returns (section name, JSON-able data) for the domain it speaks for.
member_exporting = _events.signal("member.exporting")  # sender: Member
# E-mails about a meeting carry its calendar file: the receiver (scheduling) returns the meeting's `.ics` bytes, built
# by the code that answers the API's invite.ics; a question, so it changes nothing.
meeting_calendar = _events.signal("meeting.calendar")  # sender: Meeting with a start
