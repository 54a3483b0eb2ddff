"""An erased member's referral requests (SPEC §10): their details go (the job, the notes, the decision's reason);
the request's status and outcome stay, for counts. Nothing more is sent about them."""
from sqlalchemy import or_, select, update

from mentorship.extensions import db
from mentorship.notifications.outbox import cancel_pending, forget_subjects
from mentorship.referrals.models import ReferralRequest

ERASED = ""  # company and job_title are required columns


def _theirs(member):
    return or_(ReferralRequest.mentee_id == member.id, ReferralRequest.mentor_id == member.id)


def export(member):
    rows = db.session.scalars(select(ReferralRequest).where(_theirs(member)).order_by(ReferralRequest.id)).all()
    return "referral_requests", [{"id": r.id, "company": r.company, "job_title": r.job_title, "status": r.status,
                                  "outcome": r.outcome, "note": r.note, "decision_note": r.decision_note}
                                 for r in rows]


def erase(member):
    ids = list(db.session.scalars(select(ReferralRequest.id).where(_theirs(member))))
    for referral_id in ids:
        cancel_pending("referral_requests", referral_id, ["referral.requested", "referral.decided"])
    db.session.execute(update(ReferralRequest).where(_theirs(member)).values(
        company=ERASED, job_title=ERASED, job_url=None, note=None, decision_note=None),
        execution_options={"synchronize_session": False})
    forget_subjects("referral_requests", ids, data=True)
