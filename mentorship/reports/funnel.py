"""The career office's funnel (SPEC §11): counts and medians over a period, from the domain tables."""
import statistics
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.members.profile import is_ready
from mentorship.mentorships.models import Mentorship
from mentorship.mentorships.operations import describe_many
from mentorship.outreach.models import BlockedIntro, Intro
from mentorship.referrals.models import OUTCOMES, ReferralRequest
from mentorship.scheduling.models import Meeting
from mentorship.tenancy.policy import for_tenant
from mentorship.tenancy.scope import current_tenant_id


def _between(column, start, end):
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return conditions


def _counts(column, *conditions):
    return dict(db.session.execute(select(column, func.count()).where(*conditions).group_by(column)).all())


def _members():
    minimum = for_tenant(current_tenant_id())["min_profile_score"]
    rows = db.session.execute(select(Member.role, Member.profile_score, Member.profile_gaps)
                              .where(Member.erased_at.is_(None))).all()
    return {"mentees": sum(r.role == "mentee" for r in rows), "mentors": sum(r.role == "mentor" for r in rows),
            "ready": sum(is_ready(r.profile_score, r.profile_gaps, minimum) for r in rows)}


def _median_days(pairs):
    values = [(later - earlier).total_seconds() / 86400 for earlier, later in pairs if later and earlier]
    return round(statistics.median(values), 2) if values else None


def _mentorships(start, end, now):
    rows = db.session.scalars(select(Mentorship).options(selectinload(Mentorship.milestones))
                              .where(*_between(Mentorship.started_at, start, end))).all()
    described = describe_many(rows, now)
    health = [d["health"] for d in described if d["status"] == "active"]
    first_meetings = {m.id: next((s.completed_at for s in m.milestones if s.key == "first_meeting_completed"), None)
                      for m in rows}
    return rows, described, {
        "active": sum(d["status"] == "active" for d in described), "closed": sum(d["status"] == "closed"
                                                                                for d in described),
        "on_track": health.count("on_track"), "needs_check_in": health.count("needs_check_in"),
        "at_risk": health.count("at_risk"),
    }, _median_days((m.started_at, first_meetings.get(m.id)) for m in rows)


def funnel(start=None, end=None):
    """Everything a career office watches, for intros/meetings/mentorships/referrals created in [start, end)."""
    now = utcnow()
    intros = _counts(Intro.status, *_between(Intro.created_at, start, end))
    blocked = db.session.scalar(select(func.count()).select_from(BlockedIntro).where(
        *_between(BlockedIntro.at, start, end)))
    meetings = _counts(Meeting.status, *_between(Meeting.created_at, start, end))
    rows, described, mentorships, to_first_meeting = _mentorships(start, end, now)
    referrals = _counts(ReferralRequest.status, *_between(ReferralRequest.created_at, start, end))
    outcomes = _counts(ReferralRequest.outcome, ReferralRequest.outcome.is_not(None),
                       *_between(ReferralRequest.created_at, start, end))
    answered = db.session.execute(select(Intro.created_at, Intro.responded_at).where(
        Intro.status.in_(("accepted", "declined")), *_between(Intro.created_at, start, end))).all()
    response_hours = [(r - c).total_seconds() / 3600 for c, r in answered if r]
    return {
        "members": _members(),
        "intros": {"blocked": blocked, "sent": sum(intros.values()), "accepted": intros.get("accepted", 0),
                   "declined": intros.get("declined", 0), "expired": intros.get("expired", 0)},
        "meetings": {"scheduled": meetings.get("scheduled", 0) + meetings.get("completed", 0)
                     + meetings.get("missed", 0), "completed": meetings.get("completed", 0),
                     "missed": meetings.get("missed", 0), "no_shows": _no_shows(start, end)},
        "mentorships": mentorships,
        "referrals": {"eligible": sum(d["trust"]["referral_eligible"] for d in described if d["status"] == "active"),
                      "requested": sum(referrals.values()), "approved": referrals.get("approved", 0),
                      "declined": referrals.get("declined", 0),
                      "outcomes": {o: outcomes.get(o, 0) for o in OUTCOMES}},
        "medians": {"days_to_first_meeting": to_first_meeting,
                    "days_to_referral_eligible": _days_to_eligible(rows, described),
                    "mentor_response_hours": round(statistics.median(response_hours), 2) if response_hours else None},
    }


def _no_shows(start, end):
    """Member id (as a string, a JSON key) -> meetings that member missed, most first."""
    counts = {}
    for ids in db.session.scalars(select(Meeting.no_show_member_ids).where(
            Meeting.status == "missed", *_between(Meeting.created_at, start, end))):
        for member_id in ids or []:
            counts[str(member_id)] = counts.get(str(member_id), 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], int(kv[0]))))


def _days_to_eligible(rows, described):
    """For eligible mentorships: from the start to the moment the last requirement was met."""
    weeks = timedelta(weeks=for_tenant(current_tenant_id())["min_weeks"])
    values = []
    for mentorship, d in zip(rows, described, strict=True):
        if not d["trust"]["referral_eligible"]:
            continue
        moments = [m.completed_at for m in mentorship.milestones if m.completed_at]
        reached = max([*moments, mentorship.started_at + weeks])
        values.append((reached - mentorship.started_at).total_seconds() / 86400)
    return round(statistics.median(values), 2) if values else None
