"""What the pair's pages list: the other party, a mentorship's meetings and referral requests, and a member's own
intros, mentorships and coming meetings; the mentee's recommendations; what waits for the member (the mentor's
inbox: intros to answer, referrals to decide; either side: times to pick, meetings to check in); the domains the
profile page suggests. Reads only; the signed-in member's principal limits the API's queries."""
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import lazyload

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.matchmaking.recommendations import recommendations_for
from mentorship.members.models import Member
from mentorship.mentorships.operations import mentorships_query
from mentorship.outreach import capacity
from mentorship.outreach.models import Intro
from mentorship.outreach.operations import intros_query
from mentorship.referrals.models import ReferralRequest
from mentorship.scheduling.models import Meeting

LIMIT = 50
RECOMMENDED = 10  # mentors on the mentee's home (the API's default `limit`)
CHECK_IN_DAYS = 30  # a meeting that started longer ago than this no longer asks for a check-in on the home page


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
    # the home shows neither a mentorship's milestones nor a coming meeting's check-ins: not read (a query each).
    mentorships = db.session.scalars(mentorships_query({}, with_milestones=False).limit(LIMIT)).all()
    meetings = db.session.scalars(select(Meeting).options(lazyload(Meeting.check_ins)).where(
        or_(Meeting.mentee_id == member.id, Meeting.mentor_id == member.id),
        Meeting.status.in_(("proposed", "scheduled")), or_(Meeting.end.is_(None), Meeting.end > utcnow()))
        .order_by(Meeting.start.is_(None), Meeting.start).limit(LIMIT)).all()
    waiting = waiting_on(member)
    pairs = [*intros, *mentorships, *meetings, *waiting["to_pick"], *waiting["to_check_in"], *waiting["to_decide"]]
    others = names([p.mentor_id if p.mentee_id == member.id else p.mentee_id for p in pairs]) if pairs else {}
    return {"intros": intros, "mentorships": mentorships, "meetings": meetings, "others": others,
            "recommended": recommended(member), "load": load(member) if member.role == "mentor" else None,
            **waiting}


def recommended(member):
    """The mentee's recommendations as GET /members/{id}/recommendations answers them (best first)."""
    return recommendations_for(member, RECOMMENDED)["items"] if member.role == "mentee" else []


def waiting_on(member):
    """What waits for `member`: intros to answer and referrals to decide (a mentor), proposed times to pick and
    meetings to check in (either side), each oldest first."""
    now = utcnow()
    mine = or_(Meeting.mentee_id == member.id, Meeting.mentor_id == member.id)
    to_pick = db.session.scalars(select(Meeting).options(lazyload(Meeting.check_ins)).where(
        mine, Meeting.status == "proposed", or_(Meeting.proposed_by.is_(None), Meeting.proposed_by != member.id))
        .order_by(Meeting.id).limit(LIMIT)).all()
    started = db.session.scalars(select(Meeting).where(
        mine, Meeting.status.in_(("scheduled", "completed", "missed")), Meeting.start <= now,
        Meeting.start > now - timedelta(days=CHECK_IN_DAYS)).order_by(Meeting.start).limit(LIMIT)).all()
    to_check_in = [m for m in started if all(c.member_id != member.id for c in m.check_ins)]
    intros, referrals = [], []
    if member.role == "mentor":
        pending = intros_query({"status": "pending", "mentor_id": member.id})
        intros = db.session.scalars(pending.order_by(None).order_by(Intro.id).limit(LIMIT)).all()
        referrals = db.session.scalars(select(ReferralRequest).where(
            ReferralRequest.mentor_id == member.id, ReferralRequest.status == "requested")
            .order_by(ReferralRequest.id).limit(LIMIT)).all()
    senders = {m.id: m for m in db.session.scalars(select(Member).where(
        Member.id.in_({i.mentee_id for i in intros}), Member.erased_at.is_(None)))} if intros else {}
    return {"to_answer": [(intro, senders.get(intro.mentee_id)) for intro in intros], "to_decide": referrals,
            "to_pick": to_pick, "to_check_in": to_check_in}


def load(member):
    """(active mentorships, capacity) of a mentor."""
    return capacity.mentoring(member.id), member.capacity


def domains_in_use(limit):
    """The domains the tenant's members give (the profile page's suggestions), sorted; at most `limit`."""
    rows = db.session.scalars(select(Member.domains).where(Member.erased_at.is_(None)).limit(2000))
    return sorted({d for domains in rows for d in domains or [] if isinstance(d, str)})[:limit]
