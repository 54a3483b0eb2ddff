"""An erased member's notifications (SPEC §10): nothing more is sent to them, and what was sent keeps no subject."""
from sqlalchemy import select, update

from mentorship.extensions import db
from mentorship.notifications.models import Notification


def export(member):
    rows = db.session.scalars(select(Notification).where(Notification.member_id == member.id)
                              .order_by(Notification.id)).all()
    return "notifications", [{"event": n.event, "status": n.status, "subject": n.subject,
                              "sent_at": n.sent_at.isoformat() if n.sent_at else None} for n in rows]


def erase(member):
    sync = {"synchronize_session": False}
    db.session.execute(update(Notification).where(Notification.member_id == member.id,
                                                  Notification.status == "pending").values(status="cancelled"),
                       execution_options=sync)
    db.session.execute(update(Notification).where(Notification.member_id == member.id).values(subject=None),
                       execution_options=sync)
