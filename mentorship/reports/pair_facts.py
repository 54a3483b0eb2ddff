"""The funnel's mentorships: one row per mentorship started in the period, with its group, whether it is active,
its referral eligibility and health (mentorships/trust.py's SQL forms) and the days to its first meeting and to
eligibility, all worked out by the database from the mentorship's meetings and completed milestones."""
from sqlalchemy import and_, case, func, select

from mentorship.mentorships import trust
from mentorship.mentorships.models import Mentorship, Milestone
from mentorship.reports.sql import count_if, elapsed, median, rounded, with_total
from mentorship.scheduling.models import Meeting

DAY = 86400.0
HEALTH = trust.HEALTH


def flag(condition):
    """1 where the condition holds, else 0: summed to count."""
    return case((condition, 1), else_=0)


def _of_period(mentorship_id, period_conditions):
    """Rows of the period's mentorships: a semi-join, none when the period is open (every mentorship)."""
    return [mentorship_id.in_(select(Mentorship.id).where(*period_conditions))] if period_conditions else []


def _meetings(in_period, now):
    return select(
        Meeting.mentorship_id.label("mid"),
        count_if(Meeting.status == "completed").label("completed"),
        func.max(flag(and_(Meeting.status == "scheduled", Meeting.start > now))).label("upcoming"),
        func.max(case((Meeting.status == "completed", Meeting.finished_at))).label("last_completed"),
        func.max(case((Meeting.status == "missed", Meeting.finished_at))).label("last_missed"),
    ).where(*in_period).group_by(Meeting.mentorship_id).subquery("pair_meetings")


def _milestones(in_period, policy):
    return select(
        Milestone.mentorship_id.label("mid"),
        count_if(Milestone.key.in_(policy["referral_requires"])).label("required"),
        func.max(case((Milestone.key == "first_meeting_completed", Milestone.completed_at))).label("first_meeting"),
        func.max(Milestone.completed_at).label("last_done"),
    ).where(Milestone.status == "completed", *in_period) \
        .group_by(Milestone.mentorship_id).subquery("pair_milestones")


def rows(grouping, period_conditions, policy, now):
    """The SELECT of the period's mentorships: grp, active (1/0), eligible (1/0), health (NULL when closed),
    first (days to the first meeting), to_eligible (days from the start to the moment the last requirement was
    met: the last completed milestone or the minimum weeks, whichever came later; NULL unless eligible)."""
    meetings = _meetings(_of_period(Meeting.mentorship_id, period_conditions), now)
    milestones = _milestones(_of_period(Milestone.mentorship_id, period_conditions), policy)
    eligible = trust.referral_eligible_sql(func.coalesce(milestones.c.required, 0), Mentorship.started_at,
                                           func.coalesce(meetings.c.completed, 0), policy, now)
    health = trust.health_sql(Mentorship.last_activity_at, meetings.c.upcoming == 1, meetings.c.last_completed,
                              meetings.c.last_missed, now)
    weeks = float(policy["min_weeks"] * 7)
    since_start = elapsed(milestones.c.last_done, Mentorship.started_at, DAY)
    columns = (flag(Mentorship.status == "active").label("active"), flag(eligible).label("eligible"),
               case((Mentorship.status == "active", health)).label("health"),
               elapsed(milestones.c.first_meeting, Mentorship.started_at, DAY).label("first"),
               case((eligible, case((since_start > weeks, since_start), else_=weeks))).label("to_eligible"))
    return grouping.select(columns, Mentorship, mentee_id=Mentorship.mentee_id).group_by(None) \
        .outerjoin(meetings, meetings.c.mid == Mentorship.id) \
        .outerjoin(milestones, milestones.c.mid == Mentorship.id).where(*period_conditions)


def counted(grouping, period_conditions, policy, now):
    """{group: {"mentorships": {...}, "eligible": n, "medians": (days to the first meeting, days to eligible)}} and
    the same for the whole period (key None when there is no breakdown)."""
    grouped = grouping.by is not None

    def aggregates(c):
        active = c.active == 1
        return (func.count(), count_if(active), count_if(and_(active, c.eligible == 1)),
                *(count_if(and_(active, c.health == h)) for h in HEALTH),
                median(c.first), median(c.to_eligible))

    groups, total = with_total(rows(grouping, period_conditions, policy, now), grouped, aggregates)
    return {grp: _described(*values) for grp, values in groups.items()}, _described(*total)


def _described(n, active, eligible, *rest):
    *health, first, to_eligible = rest
    return {"mentorships": {"active": active, "closed": n - active, **dict(zip(HEALTH, health, strict=True))},
            "eligible": eligible, "medians": (rounded(first), rounded(to_eligible))}
