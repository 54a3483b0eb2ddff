"""Referral requests (SPEC §8): asked by the mentee once earned, decided by the mentor alone, outcomes tracked."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mentorship import events
from mentorship.common.clock import utcnow
from mentorship.database import guarded_update, lock_row
from mentorship.errors import ApiError, Conflict
from mentorship.extensions import db
from mentorship.mentorships.models import Mentorship
from mentorship.mentorships.operations import describe, party_of
from mentorship.notifications.outbox import notify
from mentorship.referrals.models import DECISIONS, ReferralRequest
from mentorship.tenancy.access import ensure
from mentorship.tenancy.audit import record
from mentorship.tenancy.visibility import get_visible, visible_query


def request_referral(mentorship, data):
    """The mentee asks; 409 referral_not_earned with `missing` until the mentorship meets the policy."""
    ensure(lambda p: party_of(mentorship, p) == "mentee", "Only the mentee of this mentorship asks for a referral.")
    lock_row(Mentorship, mentorship.id)  # one open request per mentorship, and none once it is closed
    db.session.refresh(mentorship)
    if mentorship.status != "active":
        raise Conflict("The mentorship is closed.", code="invalid_transition")
    if db.session.scalar(select(ReferralRequest.id).where(ReferralRequest.mentorship_id == mentorship.id,
                                                          ReferralRequest.status == "requested")):
        raise Conflict("A referral request of this mentorship is waiting for the mentor's decision.",
                       code="referral_exists")
    trust = describe(mentorship)["trust"]
    if not trust["referral_eligible"]:
        raise ApiError("A referral is earned inside the mentorship first; see `missing`.", status=409,
                       code="referral_not_earned", missing=trust["missing"])
    referral = ReferralRequest(mentorship_id=mentorship.id, mentee_id=mentorship.mentee_id,
                               mentor_id=mentorship.mentor_id, status="requested", **data)
    db.session.add(referral)
    try:
        db.session.flush()
    except IntegrityError:  # the unique index: another request got in first (SQLite, or a lock not taken)
        db.session.rollback()
        raise Conflict("A referral request of this mentorship is waiting for the mentor's decision.",
                       code="referral_exists") from None
    record("referral.requested", referral)
    events.referral_requested.send(referral)
    notify(mentorship.mentor_id, "referral.requested", referral, company=referral.company,
           job_title=referral.job_title)
    db.session.commit()
    return referral


def referrals_query(args):
    """Referral requests, newest first, by status and mentorship; a member token lists only its own."""
    query = visible_query(select(ReferralRequest).order_by(ReferralRequest.id.desc()), ReferralRequest)
    for name in ("status", "mentorship_id"):
        if name in args:
            query = query.where(getattr(ReferralRequest, name) == args[name])
    return query


def get_referral(referral_id):
    """The request, if the credential may see it."""
    return get_visible(ReferralRequest, referral_id, "referral request")


def decide(referral, decision, note=None):
    """Only the mentor decides: nobody, the career office included, vouches on a mentor's behalf."""
    ensure(lambda p: p.is_member and p.member_id == referral.mentor_id, "Only the mentor decides on a referral.")
    if not guarded_update(referral, ReferralRequest.status == "requested", status=DECISIONS[decision],
                          decision_note=note, decided_at=utcnow()):
        raise Conflict(f"The request is already {referral.status}.", code="invalid_transition")
    record("referral.decided", referral, decision=referral.status)
    notify(referral.mentee_id, "referral.decided", referral, decision=referral.status)
    events.referral_decided.send(referral)
    db.session.commit()
    return referral


def set_outcome(referral, outcome):
    """What became of an approved referral (the mentee, the mentor or staff report it)."""
    if referral.status != "approved":
        raise Conflict("Only an approved referral has an outcome.", code="invalid_transition")
    referral.outcome, referral.outcome_at = outcome, utcnow()
    record("referral.outcome", referral, outcome=outcome)
    db.session.commit()
    return referral
