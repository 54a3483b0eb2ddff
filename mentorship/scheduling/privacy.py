"""An erased member's meetings (SPEC §10): open ones are cancelled as a person cancels them (nothing scheduled for
them is sent, the other side is told), and the check-in notes of every meeting with them go."""
from sqlalchemy import or_, select, update

from mentorship.extensions import db
from mentorship.notifications.outbox import forget_subjects
from mentorship.scheduling.models import CheckIn, Meeting
from mentorship.scheduling.operations import cancel_open_meetings


def _theirs(member):
    return or_(Meeting.mentee_id == member.id, Meeting.mentor_id == member.id)


def export(member):
    rows = db.session.scalars(select(Meeting).where(_theirs(member)).order_by(Meeting.id)).all()
    return "meetings", [{"id": m.id, "status": m.status, "start": m.start.isoformat() if m.start else None,
                         "mode": m.mode, "check_ins": [{"happened": c.happened, "rating": c.rating, "note": c.note}
                                                       for c in m.check_ins if c.member_id == member.id]}
                        for m in rows]


def erase(member):
    cancel_open_meetings(_theirs(member), notify_except=member.id)
    ids = list(db.session.scalars(select(Meeting.id).where(_theirs(member))))
    for i in range(0, len(ids), 1000):
        db.session.execute(update(CheckIn).where(CheckIn.meeting_id.in_(ids[i:i + 1000])).values(note=None),
                           execution_options={"synchronize_session": False})
    forget_subjects("meetings", ids)
