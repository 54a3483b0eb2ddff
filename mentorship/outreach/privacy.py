"""An erased member's intros (SPEC §10): pending ones end as a person ends them (the other side is told), and
every message, reason and coaching note between them and anyone goes."""
from sqlalchemy import delete, or_, select, update

from mentorship.extensions import db
from mentorship.notifications.outbox import forget_subjects
from mentorship.outreach import operations
from mentorship.outreach.models import Intro, IntroBand


def _theirs(member):
    return or_(Intro.mentee_id == member.id, Intro.mentor_id == member.id)


def _iso(value):
    return value.isoformat() if value is not None else None


def export(member):
    rows = db.session.scalars(select(Intro).where(_theirs(member)).order_by(Intro.id)).all()
    return "intros", [{"id": i.id, "mentee_id": i.mentee_id, "mentor_id": i.mentor_id, "status": i.status,
                       "source": i.source, "message": i.message, "created_at": _iso(i.created_at),
                       "responded_at": _iso(i.responded_at)} for i in rows]


def erase(member):
    for intro in db.session.scalars(select(Intro).where(_theirs(member), Intro.status == "pending")
                                    .order_by(Intro.id)).all():
        operations.end_for_departure(intro, member.id)
    ids = list(db.session.scalars(select(Intro.id).where(_theirs(member))))
    sync = {"synchronize_session": False}
    db.session.execute(update(Intro).where(_theirs(member)).values(message=None, decline_reason=None, coaching=None,
                                                                   fingerprint=None), execution_options=sync)
    db.session.execute(delete(IntroBand).where(IntroBand.mentee_id == member.id), execution_options=sync)
    forget_subjects("intros", ids)
