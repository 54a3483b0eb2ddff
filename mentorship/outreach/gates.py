"""The checks of an intro that depend on the service's data, not on the message (SPEC §6)."""
from sqlalchemy import func, select

from mentorship.extensions import db
from mentorship.mentorships.models import Mentorship
from mentorship.outreach.models import Intro
from mentorship.tenancy.policy import for_tenant


def contacts(mentee_id):
    """(mentor id, status) of the mentee's pending and declined intros: one query answers intro_exists,
    too_many_pending and declined-before."""
    rows = db.session.execute(select(Intro.mentor_id, Intro.status).where(
        Intro.mentee_id == mentee_id, Intro.status.in_(("pending", "declined"))))
    return {(mentor_id, status) for mentor_id, status in rows}


def mentor_load(mentor_id):
    """Active mentorships plus pending intros: what the mentor's capacity is spent on (SPEC §5). One query."""
    active = select(func.count()).select_from(Mentorship).where(
        Mentorship.mentor_id == mentor_id, Mentorship.status == "active").scalar_subquery()
    pending = select(func.count()).select_from(Intro).where(
        Intro.mentor_id == mentor_id, Intro.status == "pending").scalar_subquery()
    return db.session.scalar(select(active + pending))


def _issue(code, message):
    return {"code": code, "severity": "block", "message": message}


def gates(mentee, mentor, known=None):
    """Blocking issues that come from profiles, capacity and policy; `known` is contacts(mentee.id) if at hand."""
    policy = for_tenant(mentee.tenant_id)
    known = contacts(mentee.id) if known is None else known
    found = []
    if not mentee.profile["ready"]:
        gaps = ", ".join(mentee.profile_gaps) or "a higher profile score"
        found.append(_issue("profile_not_ready", f"Finish your profile first ({gaps}): mentors read it before they "
                                                 "answer, and a real intro section about you matters most."))
    if not mentor.profile["ready"] or (mentor.id, "declined") in known \
            or mentor_load(mentor.id) >= (mentor.capacity or 0):
        found.append(_issue("mentor_unavailable", "This mentor cannot take a new intro from you right now; "
                                                  "your recommendations list mentors who can."))
    if sum(1 for _, status in known if status == "pending") >= policy["max_pending_intros"]:
        found.append(_issue("too_many_pending", f"You already have {policy['max_pending_intros']} intros "
                                                "waiting for an answer. Wait for one, or withdraw one, first."))
    return found
