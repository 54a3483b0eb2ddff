"""An erased member's mentorships (SPEC §10): active ones end as a person would end them (the other side is told
it ended), and close notes and milestone evidence they wrote or that is about them go; counts and states stay."""
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from mentorship.extensions import db
from mentorship.mentorships import operations
from mentorship.mentorships.models import Mentorship
from mentorship.notifications.outbox import forget_subjects

KEPT_EVIDENCE = {"intro_id", "meeting_id"}  # what automatic milestones record: ids, nothing personal


def _theirs(member):
    return select(Mentorship).where(or_(Mentorship.mentee_id == member.id, Mentorship.mentor_id == member.id)) \
        .options(selectinload(Mentorship.milestones)).order_by(Mentorship.id)


def export(member):
    return "mentorships", [
        {"id": m.id, "status": m.status, "started_at": m.started_at.isoformat(), "close_note": m.close_note,
         "milestones": [{"key": s.key, "status": s.status, "evidence": s.evidence} for s in m.milestones]}
        for m in db.session.scalars(_theirs(member))]


def erase(member):
    mentorships = db.session.scalars(_theirs(member)).all()
    for mentorship in mentorships:
        if mentorship.status == "active":
            operations.end_for_departure(mentorship, member.id)
        mentorship.close_note = None
        for milestone in mentorship.milestones:
            if milestone.evidence and not KEPT_EVIDENCE & set(milestone.evidence):
                milestone.evidence = {"erased": True}
    forget_subjects("mentorships", [m.id for m in mentorships])
