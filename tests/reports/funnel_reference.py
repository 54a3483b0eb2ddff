"""The career office's funnel (SPEC §11): counts and medians over a period, from the domain tables, for the whole
tenant and, with `by`, per school, domain or intro source (docs/decisions.md, "Staff views").

The period's rows are read once, each with what groups it: its mentee (school, or the top-level segment of the
mentee's first domain) or its intro's source. The same summary is then made of all of them and of each group's,
so a group's numbers are exactly those of the rows it holds and the groups of a breakdown add up to the total
(medians aside). Members are a snapshot, not of the period; they have no source, so a source group's `members` is
null.
"""
import statistics
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import literal, select

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.members.profile import ready_clause
from mentorship.mentorships.models import Mentorship, Milestone
from mentorship.mentorships.operations import describe_many
from mentorship.outreach.models import BlockedIntro, Intro
from mentorship.referrals.models import OUTCOMES, ReferralRequest
from mentorship.scheduling.models import Meeting
from mentorship.tenancy.policy import for_tenant
from mentorship.tenancy.scope import current_tenant_id

BREAKDOWNS = ("school", "domain", "source")
MENTORSHIP_COLUMNS = ("id", "tenant_id", "mentee_id", "mentor_id", "intro_id", "status", "started_at", "closed_at",
                      "close_reason", "last_activity_at")
SOURCES = ("mentee", "career_office")


def _between(column, start, end):
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return conditions


def top_domain(domains):
    """The group of a member's domains: the top-level segment of the first (`finance/credit-risk` -> `finance`)."""
    return domains[0].split("/", 1)[0] if domains and domains[0] else None


@dataclass
class _Facts:
    """The period's rows, each as a tuple whose last item is filled with its group key (None without `by`)."""

    members: list  # (role, ready, key)
    intros: list  # (status, created_at, responded_at, key)
    blocked: list  # (key,)
    meetings: list  # (status, no_show_member_ids, key)
    mentorships: list  # (mentorship, described, key)
    referrals: list  # (status, outcome, key)


def _load(start, end, by, now):
    tenant = for_tenant(current_tenant_id())
    period = (start, end)
    # readiness and the first domain worked out by the database: no JSON list of 100,000 members decoded here
    ready = ready_clause(Member.profile_score, Member.profile_gaps, tenant["min_profile_score"])
    key = {"school": Member.school, "domain": Member.domains[0].as_string()}.get(by, literal(None))
    people = db.session.execute(select(Member.id, Member.role, ready.label("ready"), Member.erased_at,
                                       key.label("key"))).all()
    member_key = {p.id: (top_domain([p.key]) if by == "domain" else p.key) for p in people}
    members = [(p.role, bool(p.ready), member_key[p.id]) for p in people if p.erased_at is None]
    # a mentorship's key: its mentee's group, or the source of the intro it came from
    pairs = db.session.execute(select(Mentorship.id, Mentorship.mentee_id, Intro.source).outerjoin(
        Intro, Intro.id == Mentorship.intro_id)).all() if by else []
    pair_key = {p.id: (p.source if by == "source" else member_key.get(p.mentee_id)) for p in pairs}

    def key_of(mentee_id, source):
        return source if by == "source" else member_key.get(mentee_id) if by else None

    intros = [(r.status, r.created_at, r.responded_at, key_of(r.mentee_id, r.source)) for r in db.session.execute(
        select(Intro.mentee_id, Intro.source, Intro.status, Intro.created_at, Intro.responded_at)
        .where(*_between(Intro.created_at, *period)))]
    # a blocked first message is always a mentee's own (the career office's warm intros are not coached)
    blocked = [(key_of(mentee_id, "mentee"),) for mentee_id in db.session.scalars(
        select(BlockedIntro.mentee_id).where(*_between(BlockedIntro.at, *period)))]
    meetings = [(r.status, r.no_show_member_ids, pair_key.get(r.mentorship_id)) for r in db.session.execute(
        select(Meeting.mentorship_id, Meeting.status, Meeting.no_show_member_ids)
        .where(*_between(Meeting.created_at, *period)))]
    rows, in_period = _mentorship_rows(period)
    mentorships = [(m, d, pair_key.get(m.id)) for m, d in zip(rows, describe_many(rows, now, in_period), strict=True)]
    referrals = [(r.status, r.outcome, pair_key.get(r.mentorship_id)) for r in db.session.execute(
        select(ReferralRequest.mentorship_id, ReferralRequest.status, ReferralRequest.outcome)
        .where(*_between(ReferralRequest.created_at, *period)))]
    return _Facts(members, intros, blocked, meetings, mentorships, referrals), tenant


def _mentorship_rows(period):
    """(The period's mentorships, the SELECT of their ids.) The mentorships come with their milestones as plain
    rows with the ORM objects' attributes, which is all describe_many (trust and health) reads: loading tens of
    thousands of ORM objects would cost seconds."""
    columns = [getattr(Mentorship, name) for name in MENTORSHIP_COLUMNS]
    rows = {r.id: SimpleNamespace(**r._asdict(), milestones=[]) for r in db.session.execute(
        select(*columns).where(*_between(Mentorship.started_at, *period)).order_by(Mentorship.id))}
    in_period = select(Mentorship.id).where(*_between(Mentorship.started_at, *period)).scalar_subquery()
    # only the completed milestones: trust, health and the medians read nothing of the pending ones
    for m in db.session.execute(select(Milestone.mentorship_id, Milestone.key, Milestone.status,
                                       Milestone.completed_at).where(Milestone.mentorship_id.in_(in_period),
                                                                     Milestone.status == "completed")):
        rows[m.mentorship_id].milestones.append(m)
    return list(rows.values()), in_period


def _count(rows, index, value):
    return sum(1 for row in rows if row[index] == value)


def _median(values):
    values = list(values)
    return round(statistics.median(values), 2) if values else None


def _summary(facts, tenant, with_members=True):
    """SPEC §11's funnel of these facts."""
    intros, meetings, referrals = facts.intros, facts.meetings, facts.referrals
    described = [d for _, d, _ in facts.mentorships]
    active = [d for d in described if d["status"] == "active"]
    health = [d["health"] for d in active]
    return {
        "members": {"mentees": _count(facts.members, 0, "mentee"), "mentors": _count(facts.members, 0, "mentor"),
                    "ready": sum(1 for m in facts.members if m[1])} if with_members else None,
        "intros": {"blocked": len(facts.blocked), "sent": len(intros), "accepted": _count(intros, 0, "accepted"),
                   "declined": _count(intros, 0, "declined"), "expired": _count(intros, 0, "expired")},
        "meetings": {"scheduled": sum(1 for m in meetings if m[0] in ("scheduled", "completed", "missed")),
                     "completed": _count(meetings, 0, "completed"), "missed": _count(meetings, 0, "missed"),
                     "no_shows": _no_shows(meetings)},
        "mentorships": {"active": len(active), "closed": len(described) - len(active),
                        "on_track": health.count("on_track"), "needs_check_in": health.count("needs_check_in"),
                        "at_risk": health.count("at_risk")},
        "referrals": {"eligible": sum(d["trust"]["referral_eligible"] for d in active), "requested": len(referrals),
                      "approved": _count(referrals, 0, "approved"), "declined": _count(referrals, 0, "declined"),
                      "outcomes": {o: _count(referrals, 1, o) for o in OUTCOMES}},
        "medians": {"days_to_first_meeting": _median(_days_to_first_meeting(facts.mentorships)),
                    "days_to_referral_eligible": _median(_days_to_eligible(facts.mentorships, tenant)),
                    "mentor_response_hours": _median((responded - created).total_seconds() / 3600
                                                     for status, created, responded, _ in intros
                                                     if status in ("accepted", "declined") and responded)},
    }


def _no_shows(meetings):
    """Member id (as a string, a JSON key) -> meetings that member missed, most first."""
    counts = {}
    for status, ids, _ in meetings:
        for member_id in (ids or []) if status == "missed" else []:
            counts[str(member_id)] = counts.get(str(member_id), 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], int(kv[0]))))


def _days_to_first_meeting(mentorships):
    for mentorship, _, _ in mentorships:
        first = next((s.completed_at for s in mentorship.milestones if s.key == "first_meeting_completed"), None)
        if first:
            yield (first - mentorship.started_at).total_seconds() / 86400


def _days_to_eligible(mentorships, tenant):
    """For eligible mentorships: from the start to the moment the last requirement was met."""
    weeks = timedelta(weeks=tenant["min_weeks"])
    for mentorship, d, _ in mentorships:
        if d["trust"]["referral_eligible"]:
            moments = [m.completed_at for m in mentorship.milestones if m.completed_at]
            yield (max([*moments, mentorship.started_at + weeks]) - mentorship.started_at).total_seconds() / 86400


FIELDS = ("members", "intros", "blocked", "meetings", "mentorships", "referrals")


def _grouped(facts, by):
    """{key: the facts of that group}, in one pass; keys alphabetical, members without one last (a source
    breakdown always has both sources)."""
    groups = {key: _Facts([], [], [], [], [], []) for key in (SOURCES if by == "source" else ())}
    for name in FIELDS:
        for row in getattr(facts, name):
            group = groups.get(row[-1])
            if group is None:
                group = groups[row[-1]] = _Facts([], [], [], [], [], [])
            getattr(group, name).append(row)
    if by == "source":
        groups.pop(None, None)  # mentorships without an intro (none today), members: no source
        return groups
    return dict(sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or "")))


def funnel(start=None, end=None, by=None):
    """Everything a career office watches, for intros/meetings/mentorships/referrals created in [start, end); with
    `by` (school, domain, source) also `"by"` and `"groups"`: [{"key", ...the same funnel of the group's rows}]."""
    facts, tenant = _load(start, end, by, utcnow())
    data = _summary(facts, tenant)
    if by:
        data["by"] = by
        data["groups"] = [{"key": key, **_summary(group, tenant, with_members=by != "source")}
                          for key, group in _grouped(facts, by).items()]
    return data
