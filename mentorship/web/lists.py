"""What the pair's pages list: the other party, a mentorship's meetings and referral requests, and a member's own
intros, mentorships and coming meetings; the domains the profile page suggests. Reads only; the signed-in member's
principal limits the API's queries."""
from sqlalchemy import or_, select

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.mentorships.operations import mentorships_query
from mentorship.outreach.operations import intros_query
from mentorship.referrals.models import ReferralRequest
from mentorship.scheduling.models import Meeting

LIMIT = 50


def other_party(pair, member):
    """The other member of an intro, mentorship or meeting; None once they left (erased)."""
    other_id = pair.mentor_id if member.id == pair.mentee_id else pair.mentee_id
    return db.session.scalar(select(Member).where(Member.id == other_id, Member.erased_at.is_(None)))


def meetings_of(mentorship):
    return db.session.scalars(select(Meeting).where(Meeting.mentorship_id == mentorship.id)
                              .order_by(Meeting.id.desc())).all()


def referral_requests_of(mentorship):
    return db.session.scalars(select(ReferralRequest).where(ReferralRequest.mentorship_id == mentorship.id)
                              .order_by(ReferralRequest.id.desc())).all()


def names(ids):
    """{member id: name} of the members still here."""
    rows = db.session.execute(select(Member.id, Member.name).where(Member.id.in_(set(ids)),
                                                                   Member.erased_at.is_(None)))
    return dict(rows.all())


def home(member):
    """The signed-in member's intros, mentorships and meetings not yet over (newest first), with the other names."""
    intros = db.session.scalars(intros_query({}).limit(LIMIT)).all()
    mentorships = db.session.scalars(mentorships_query({}).limit(LIMIT)).all()
    meetings = db.session.scalars(select(Meeting).where(
        or_(Meeting.mentee_id == member.id, Meeting.mentor_id == member.id),
        Meeting.status.in_(("proposed", "scheduled")), or_(Meeting.end.is_(None), Meeting.end > utcnow()))
        .order_by(Meeting.start.is_(None), Meeting.start).limit(LIMIT)).all()
    others = names([p.mentor_id if p.mentee_id == member.id else p.mentee_id for p in [*intros, *mentorships,
                                                                                       *meetings]])
    return {"intros": intros, "mentorships": mentorships, "meetings": meetings, "others": others}


def domains_in_use(limit):
    """The domains the tenant's members give (the profile page's suggestions), sorted; at most `limit`."""
    rows = db.session.scalars(select(Member.domains).where(Member.erased_at.is_(None)).limit(2000))
    return sorted({d for domains in rows for d in domains or [] if isinstance(d, str)})[:limit]
