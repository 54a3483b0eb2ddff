"""Milestones toward an earned referral (SPEC §7): which event completes which, and who completes the rest.

The automatic ones are completed here, by receivers of the events that cause them; the manual ones only by the
party each belongs to, with its evidence. Nothing else in the service completes a milestone.
"""
from datetime import timedelta

from sqlalchemy import select

from mentorship import events
from mentorship.common.clock import utcnow
from mentorship.database import guarded_update, lock_row
from mentorship.errors import Conflict, Invalid, NotFound
from mentorship.extensions import db
from mentorship.mentorships.models import Mentorship, Milestone
from mentorship.mentorships.operations import party_of
from mentorship.notifications.outbox import notify
from mentorship.scheduling.models import Meeting
from mentorship.tenancy.access import ensure
from mentorship.tenancy.audit import record
from mentorship.tenancy.credentials import current_principal
from mentorship.tenancy.policy import MILESTONE_KEYS

# automatic milestone -> the event that completes it
AUTOMATIC = {"intro_accepted": "mentorship.started", "first_meeting_completed": "meeting.completed",
             "follow_up_completed": "meeting.completed"}
# a follow-up is a completed meeting at least this long after the first one
FOLLOW_UP_AFTER = timedelta(days=7)
# manual milestone -> (the party who completes it, the evidence field it takes)
MANUAL = {"questions_prepared": ("mentee", "questions"), "career_plan_shared": ("mentee", "plan"),
          "mentor_endorsement": ("mentor", "note")}
assert set(AUTOMATIC) | set(MANUAL) == set(MILESTONE_KEYS)


def _milestone(mentorship, key):
    return next(m for m in mentorship.milestones if m.key == key)


def _complete(mentorship, milestone, evidence, by):
    """pending -> completed in one guarded statement: reached once, also when two requests or meetings reach it at
    the same moment (False for the others)."""
    now = utcnow()
    if not guarded_update(milestone, Milestone.status == "pending", status="completed", completed_at=now,
                          evidence=evidence, completed_by=by):
        return False
    mentorship.last_activity_at = now
    record("milestone.completed", mentorship, key=milestone.key, by=by)
    events.milestone_completed.send(mentorship, key=milestone.key, by=by)
    return True


def _complete_automatic(mentorship, key, evidence):
    milestone = _milestone(mentorship, key)
    if milestone.status != "completed":
        _complete(mentorship, milestone, evidence, by="system")


def on_mentorship_started(mentorship, intro):
    """intro_accepted: the mentorship exists because its intro was accepted."""
    _complete_automatic(mentorship, "intro_accepted", {"intro_id": intro.id})


def on_meeting_completed(meeting):
    """first_meeting_completed on the first completed meeting; follow_up_completed on one at least
    FOLLOW_UP_AFTER after the first."""
    mentorship = db.session.scalar(select(Mentorship).where(Mentorship.id == meeting.mentorship_id))
    first = db.session.scalar(select(Meeting).where(Meeting.mentorship_id == mentorship.id,
                                                    Meeting.status == "completed").order_by(Meeting.start).limit(1))
    if first is None or first.id == meeting.id:
        _complete_automatic(mentorship, "first_meeting_completed", {"meeting_id": meeting.id})
    elif meeting.start >= first.start + FOLLOW_UP_AFTER:
        _complete_automatic(mentorship, "follow_up_completed", {"meeting_id": meeting.id,
                                                                "first_meeting_id": first.id})


def complete_milestone(mentorship, key, data):
    """A manual milestone, completed only by the party it belongs to, with its evidence (SPEC §7)."""
    if key not in MILESTONE_KEYS:
        raise NotFound(f"No milestone {key!r}; the keys are {', '.join(MILESTONE_KEYS)}.")
    if key in AUTOMATIC:
        raise Conflict(f"{key} completes automatically.", code="milestone_automatic")
    party, field = MANUAL[key]
    ensure(lambda p: party_of(mentorship, p) == party, f"Only the {party} completes {key}.")
    extra = sorted(set(data) - {field})
    if field not in data or extra:
        errors = {name: ["Not used for this milestone."] for name in extra}
        if field not in data:
            errors[field] = ["Missing data for required field."]
        raise Invalid(f"{key} takes `{field}`.", errors=errors)
    lock_row(Mentorship, mentorship.id)  # not while a close of the same mentorship runs
    db.session.refresh(mentorship)
    if mentorship.status != "active":
        raise Conflict("The mentorship is closed.", code="invalid_transition")
    if not _complete(mentorship, _milestone(mentorship, key), {field: data[field]}, by=current_principal().credential):
        raise Conflict(f"{key} is already completed.", code="invalid_transition")
    other = mentorship.mentor_id if party == "mentee" else mentorship.mentee_id
    notify(other, "milestone.completed", mentorship, key=f"milestone.completed:{mentorship.id}:{key}:{other}",
           milestone=key.replace("_", " "))
    db.session.commit()
    return mentorship
