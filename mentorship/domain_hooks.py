"""Where the later domains plug into earlier ones: what recommendations and match runs must know of intros,
mentorships and meetings, and each domain's section of a member's export and erasure."""
from sqlalchemy import delete, func, or_, select, update

from mentorship.extensions import db
from mentorship.members.operations import ERASERS, EXPORTERS
from mentorship.mentorships.models import Mentorship
from mentorship.notifications.models import Notification
from mentorship.outreach.models import Intro, IntroBand
from mentorship.recommendations import profiles
from mentorship.referrals.models import ReferralRequest
from mentorship.scheduling.models import CheckIn, Meeting


def _count_by(column, *conditions):
    return dict(db.session.execute(select(column, func.count()).where(*conditions).group_by(column)).all())


def _loads(tenant_id):
    loads = _count_by(Mentorship.mentor_id, Mentorship.status == "active")
    for mentor_id, count in _count_by(Intro.mentor_id, Intro.status == "pending").items():
        loads[mentor_id] = loads.get(mentor_id, 0) + count
    return loads


def _responsiveness(tenant_id):
    """Answered intros and attended meetings: (answered+1)/(answered+expired+1) x (met+1)/(meetings+1)."""
    answered = _count_by(Intro.mentor_id, Intro.status.in_(("accepted", "declined")))
    expired = _count_by(Intro.mentor_id, Intro.status == "expired")
    finished = db.session.execute(select(Meeting.mentor_id, Meeting.no_show_member_ids).where(
        Meeting.status.in_(("completed", "missed")))).all()
    meetings, missed = {}, {}
    for mentor_id, no_shows in finished:
        meetings[mentor_id] = meetings.get(mentor_id, 0) + 1
        missed[mentor_id] = missed.get(mentor_id, 0) + (mentor_id in (no_shows or []))
    scores = {}
    for mentor_id in set(expired) | set(missed):
        a, e = answered.get(mentor_id, 0), expired.get(mentor_id, 0)
        m, n = meetings.get(mentor_id, 0), missed.get(mentor_id, 0)
        scores[mentor_id] = (a + 1) / (a + e + 1) * (m - n + 1) / (m + 1)
    return scores


def _excluded(tenant_id, mentee_id):
    """Never recommend a mentor with a pending intro, an active mentorship or a decline with this mentee."""
    intros = select(Intro.mentor_id).where(Intro.mentee_id == mentee_id, Intro.status.in_(("pending", "declined")))
    active = select(Mentorship.mentor_id).where(Mentorship.mentee_id == mentee_id, Mentorship.status == "active")
    return set(db.session.scalars(intros)) | set(db.session.scalars(active))


def _busy_mentees(tenant_id):
    pending = select(Intro.mentee_id).where(Intro.status == "pending")
    active = select(Mentorship.mentee_id).where(Mentorship.status == "active")
    return set(db.session.scalars(pending)) | set(db.session.scalars(active))


profiles.LOAD_SOURCES.append(_loads)
profiles.RESPONSIVENESS_SOURCES.append(_responsiveness)
profiles.EXCLUSION_SOURCES.append(_excluded)
profiles.BUSY_MENTEE_SOURCES.append(_busy_mentees)


def _rows(model, *conditions):
    return db.session.scalars(select(model).where(*conditions).order_by(model.id)).all()


def _iso(value):
    return value.isoformat() if value is not None else None


def _export_intros(member):
    return [{"id": i.id, "mentee_id": i.mentee_id, "mentor_id": i.mentor_id, "status": i.status, "source": i.source,
             "message": i.message, "created_at": _iso(i.created_at), "responded_at": _iso(i.responded_at)}
            for i in _rows(Intro, or_(Intro.mentee_id == member.id, Intro.mentor_id == member.id))]


def _export_mentorships(member):
    out = []
    for m in _rows(Mentorship, or_(Mentorship.mentee_id == member.id, Mentorship.mentor_id == member.id)):
        out.append({"id": m.id, "status": m.status, "started_at": _iso(m.started_at), "close_note": m.close_note,
                    "milestones": [{"key": s.key, "status": s.status, "evidence": s.evidence} for s in m.milestones]})
    return out


def _export_meetings(member):
    return [{"id": m.id, "status": m.status, "start": _iso(m.start), "mode": m.mode,
             "check_ins": [{"happened": c.happened, "rating": c.rating, "note": c.note} for c in m.check_ins
                           if c.member_id == member.id]}
            for m in _rows(Meeting, or_(Meeting.mentee_id == member.id, Meeting.mentor_id == member.id))]


def _export_referrals(member):
    return [{"id": r.id, "company": r.company, "job_title": r.job_title, "status": r.status, "outcome": r.outcome,
             "note": r.note, "decision_note": r.decision_note}
            for r in _rows(ReferralRequest, or_(ReferralRequest.mentee_id == member.id,
                                                ReferralRequest.mentor_id == member.id))]


def _export_notifications(member):
    return [{"event": n.event, "status": n.status, "subject": n.subject, "sent_at": _iso(n.sent_at)}
            for n in _rows(Notification, Notification.member_id == member.id)]


EXPORTERS.update(intros=_export_intros, mentorships=_export_mentorships, meetings=_export_meetings,
                 referral_requests=_export_referrals, notifications=_export_notifications)


def _end_relationships(member):
    """An erased member takes part in nothing any more: pending intros are withdrawn, active mentorships closed
    (their open meetings cancelled). No notifications: the other party sees the new states."""
    from mentorship.common.clock import utcnow
    from mentorship.scheduling.models import Meeting

    now, sync = utcnow(), {"synchronize_session": False}
    mine_intros = or_(Intro.mentee_id == member.id, Intro.mentor_id == member.id)
    db.session.execute(update(Intro).where(mine_intros, Intro.status == "pending")
                       .values(status="withdrawn", responded_at=now), execution_options=sync)
    mine = or_(Mentorship.mentee_id == member.id, Mentorship.mentor_id == member.id)
    active = select(Mentorship.id).where(mine, Mentorship.status == "active")
    db.session.execute(update(Meeting).where(Meeting.mentorship_id.in_(active),
                                             Meeting.status.in_(("proposed", "scheduled")))
                       .values(status="cancelled"), execution_options=sync)
    db.session.execute(update(Mentorship).where(mine, Mentorship.status == "active")
                       .values(status="closed", closed_at=now, close_reason="other"), execution_options=sync)


def _erase(member):
    """Messages, notes, plans and questions written by or about the member go; counts and states stay."""
    _end_relationships(member)
    sync = {"synchronize_session": False}
    mine_intros = or_(Intro.mentee_id == member.id, Intro.mentor_id == member.id)
    db.session.execute(update(Intro).where(mine_intros).values(message=None, decline_reason=None, coaching=None,
                                                               fingerprint=None), execution_options=sync)
    db.session.execute(delete(IntroBand).where(IntroBand.mentee_id == member.id), execution_options=sync)
    db.session.execute(update(CheckIn).where(CheckIn.member_id == member.id).values(note=None), execution_options=sync)
    mine = or_(Mentorship.mentee_id == member.id, Mentorship.mentor_id == member.id)
    for mentorship in db.session.scalars(select(Mentorship).where(mine)):
        mentorship.close_note = None
        for milestone in mentorship.milestones:
            if milestone.evidence and not {"intro_id", "meeting_id"} & set(milestone.evidence):
                milestone.evidence = {"erased": True}
    db.session.execute(update(ReferralRequest).where(or_(ReferralRequest.mentee_id == member.id,
                                                         ReferralRequest.mentor_id == member.id))
                       .values(note=None, decision_note=None, job_url=None), execution_options=sync)
    db.session.execute(update(Notification).where(Notification.member_id == member.id,
                                                  Notification.status == "pending").values(status="cancelled"),
                       execution_options=sync)
    db.session.execute(update(Notification).where(Notification.member_id == member.id).values(subject=None),
                       execution_options=sync)


ERASERS.append(_erase)
