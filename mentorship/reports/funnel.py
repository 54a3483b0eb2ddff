"""The career office's funnel (SPEC §11): counts and medians over a period, for the whole tenant and, with `by`,
per school, domain or intro source (docs/decisions.md, "Staff views").

Counted by the database: one GROUP BY statement per kind of row (members, intros, blocked first messages,
meetings, mentorships, referral requests) on what groups it — its mentee's school or the top-level segment of the
mentee's first domain, or the source of the intro it came from — and one statement per median. Trust
(referral eligibility) and health are the rules of mentorships/trust.py written as SQL conditions on each
mentorship's meetings and completed milestones (tests/reports/test_funnel_reference.py holds them equal to the
Python rules on random tenants). A breakdown's groups add up to the total (medians aside), because the total is
their sum. Members are a snapshot, not of the period; they have no source, so a source group's `members` is null.
"""
from sqlalchemy import func, literal, null, select, true
from sqlalchemy.orm import aliased

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.members.profile import ready_clause
from mentorship.mentorships.models import Mentorship
from mentorship.outreach.models import BlockedIntro, Intro
from mentorship.referrals.models import OUTCOMES, ReferralRequest
from mentorship.reports import pair_facts, sql
from mentorship.reports.sql import count_if, elapsed, median, rounded, with_total
from mentorship.scheduling.models import Meeting
from mentorship.tenancy.policy import for_tenant
from mentorship.tenancy.scope import current_tenant_id

BREAKDOWNS = ("school", "domain", "source")
SOURCES = ("mentee", "career_office")
Mentee = aliased(Member, name="mentee")
Pair = aliased(Mentorship, name="pair")
PairIntro = aliased(Intro, name="pair_intro")


def between(column, start, end):
    """[start, end) on `column`, either end open when None."""
    return [*([column >= start] if start is not None else []), *([column < end] if end is not None else [])]


class Grouping:
    """What a row of the funnel is grouped by (`by`), and the joins that find it from the row."""

    def __init__(self, by):
        self.by = by

    def mentee_key(self, mentee):
        return {"school": mentee.school, "domain": sql.first_segment(mentee.domains)}[self.by]

    def select(self, columns, base, mentee_id=None, mentorship_id=None, source=None):
        """SELECT grp, *columns FROM base [JOIN what finds the group] [GROUP BY grp]. A row reaches its group by its
        mentee (`mentee_id`) for school and domain, and by its intro's `source` or its mentorship's intro for
        source."""
        if self.by is None:
            return select(null().label("grp"), *columns).select_from(base)
        if self.by == "source":
            if source is not None:
                statement = select(source.label("grp"), *columns).select_from(base)
            else:
                statement = select(PairIntro.source.label("grp"), *columns).select_from(base)
                if mentorship_id is not None:
                    statement = statement.join(Pair, Pair.id == mentorship_id)
                    intro_id = Pair.intro_id
                else:
                    intro_id = Mentorship.intro_id
                statement = statement.outerjoin(PairIntro, PairIntro.id == intro_id)
        elif mentee_id is None:  # the members themselves
            statement = select(self.mentee_key(base).label("grp"), *columns).select_from(base)
        else:
            statement = select(self.mentee_key(Mentee).label("grp"), *columns).select_from(base) \
                .join(Mentee, Mentee.id == mentee_id)
        return statement.group_by("grp")


def _added(a, b):
    """Counts of two groups added up, key by key (no-show counts by member too)."""
    if isinstance(b, dict):
        return {key: _added(a.get(key, {} if isinstance(value, dict) else 0), value) for key, value in b.items()} \
            | {key: value for key, value in a.items() if key not in b}
    return a + b


def _with_sum(groups, empty):
    """(groups, their sum): the total of a kind of row is the sum of its groups."""
    total = empty
    for counts in groups.values():
        total = _added(total, counts)
    return groups, total


def _members(grouping, tenant):
    ready = ready_clause(Mentee.profile_score, Mentee.profile_gaps, tenant["min_profile_score"])
    columns = (count_if(Mentee.role == "mentee"), count_if(Mentee.role == "mentor"), count_if(ready))
    people = (grouping if grouping.by != "source" else Grouping(None)).select(columns, Mentee)
    return _with_sum({grp: {"mentees": a, "mentors": b, "ready": c}
                      for grp, a, b, c in db.session.execute(people.where(Mentee.erased_at.is_(None)))},
                     {"mentees": 0, "mentors": 0, "ready": 0})


def _intros(grouping, period):
    """Sent, accepted, declined, expired and the median hours to the mentor's answer, and the blocked first
    messages, of the period."""
    hours = elapsed(Intro.responded_at, Intro.created_at, 3600)
    rows = grouping.select((Intro.status.label("status"), hours.label("hours")), Intro, mentee_id=Intro.mentee_id,
                           source=Intro.source).group_by(None).where(*between(Intro.created_at, *period))

    def aggregates(c):
        return (func.count(), *(count_if(c.status == s) for s in ("accepted", "declined", "expired")),
                median(c.hours).filter(c.status.in_(("accepted", "declined"))))

    def described(sent, accepted, declined, expired, hours):
        return {**EMPTY_INTROS, "sent": sent, "accepted": accepted, "declined": declined, "expired": expired}, \
            rounded(hours)

    groups, total = with_total(rows, grouping.by is not None, aggregates)
    groups, total = {grp: described(*values) for grp, values in groups.items()}, described(*total)
    blocked = db.session.execute(grouping.select((func.count(),), BlockedIntro, mentee_id=BlockedIntro.mentee_id,
                                                 source=literal("mentee") if grouping.by == "source" else null())
                                 .where(*between(BlockedIntro.at, *period)))
    for grp, n in blocked:
        total[0]["blocked"] += n
        if grouping.by is not None:
            groups.setdefault(grp, described(0, 0, 0, 0, None))[0]["blocked"] = n
    return groups, total


def _meetings(grouping, period):
    columns = (count_if(Meeting.status.in_(("scheduled", "completed", "missed"))),
               count_if(Meeting.status == "completed"), count_if(Meeting.status == "missed"))
    where = between(Meeting.created_at, *period)
    counts = {grp: {"scheduled": s, "completed": c, "missed": m, "no_shows": {}}
              for grp, s, c, m in db.session.execute(grouping.select(
                  columns, Meeting, mentee_id=Meeting.mentee_id, mentorship_id=Meeting.mentorship_id).where(*where))}
    # who missed which meeting is a JSON list on each missed meeting: counted by member by the database
    member = sql.json_items(Meeting.no_show_member_ids)
    missed = grouping.select((member.c.value, func.count()), Meeting, mentee_id=Meeting.mentee_id,
                             mentorship_id=Meeting.mentorship_id).join(member, true()).group_by(member.c.value)
    for grp, member_id, n in db.session.execute(missed.where(*where, Meeting.status == "missed")):
        counts[grp]["no_shows"][str(int(member_id))] = n
    return _with_sum(counts, EMPTY_MEETINGS)


def _referrals(grouping, period):
    columns = (func.count(), *(count_if(ReferralRequest.status == s) for s in ("approved", "declined")),
               *(count_if(ReferralRequest.outcome == o) for o in OUTCOMES))
    return _with_sum(
        {grp: {"requested": n, "approved": a, "declined": d, "outcomes": dict(zip(OUTCOMES, outcomes, strict=True))}
         for grp, n, a, d, *outcomes in db.session.execute(grouping.select(
             columns, ReferralRequest, mentee_id=ReferralRequest.mentee_id,
             mentorship_id=ReferralRequest.mentorship_id).where(*between(ReferralRequest.created_at, *period)))},
        EMPTY_REFERRALS)


EMPTY_INTROS = {"blocked": 0, "sent": 0, "accepted": 0, "declined": 0, "expired": 0}
EMPTY_MEETINGS = {"scheduled": 0, "completed": 0, "missed": 0, "no_shows": {}}
EMPTY_REFERRALS = {"requested": 0, "approved": 0, "declined": 0, "outcomes": {o: 0 for o in OUTCOMES}}
EMPTY_PAIRS = {"mentorships": {"active": 0, "closed": 0, **{h: 0 for h in pair_facts.HEALTH}}, "eligible": 0,
               "medians": (None, None)}


def _summary(members, intros, meetings, pairs, referrals):
    """SPEC §11's funnel of one group's (or the whole period's) counts."""
    (intro_counts, response_hours), (first, to_eligible) = intros, pairs["medians"]
    no_shows = dict(sorted(meetings["no_shows"].items(), key=lambda kv: (-kv[1], int(kv[0]))))
    return {
        "members": members, "intros": intro_counts, "meetings": {**meetings, "no_shows": no_shows},
        "mentorships": pairs["mentorships"], "referrals": {"eligible": pairs["eligible"], **referrals},
        "medians": {"days_to_first_meeting": first, "days_to_referral_eligible": to_eligible,
                    "mentor_response_hours": response_hours},
    }


def _keys(by, parts):
    keys = set().union(*(groups for groups, _ in parts))
    if by == "source":
        return [*SOURCES, *sorted(k for k in keys if k is not None and k not in SOURCES)]
    return sorted(keys, key=lambda k: (k is None, k or ""))


def funnel(start=None, end=None, by=None):
    """Everything a career office watches, for intros/meetings/mentorships/referrals created in [start, end); with
    `by` (school, domain, source) also `"by"` and `"groups"`: [{"key", ...the same funnel of the group's rows}]."""
    now, tenant, period = utcnow(), for_tenant(current_tenant_id()), (start, end)
    grouping = Grouping(by)
    sql.room_to_sort()
    members = _members(grouping, tenant)
    intros, meetings = _intros(grouping, period), _meetings(grouping, period)
    pairs = pair_facts.counted(grouping, between(Mentorship.started_at, *period), tenant, now)
    referrals = _referrals(grouping, period)
    data = _summary(members[1], intros[1], meetings[1], pairs[1], referrals[1])
    if by:
        no_members = {"mentees": 0, "mentors": 0, "ready": 0} if by != "source" else None
        data["by"] = by
        data["groups"] = [
            {"key": key, **_summary(members[0].get(key, no_members) if by != "source" else None,
                                    intros[0].get(key, ({**EMPTY_INTROS}, None)), meetings[0].get(key, EMPTY_MEETINGS),
                                    pairs[0].get(key, EMPTY_PAIRS), referrals[0].get(key, EMPTY_REFERRALS))}
            for key in _keys(by, (members if by != "source" else ({}, None), intros, meetings, pairs, referrals))]
    return data

