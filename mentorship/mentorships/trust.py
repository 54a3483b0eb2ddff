"""Trust, referral eligibility and health of a mentorship, computed from its state and the tenant's policy.

Each rule is here twice, as Python for one mentorship and as a SQL condition for reports that count tens of
thousands (reports/funnel.py); tests/reports/test_funnel_reference.py holds the two equal on random tenants.
"""
from datetime import timedelta

from sqlalchemy import and_, case, or_

from mentorship.tenancy.policy import MILESTONE_KEYS

HEALTH = ("on_track", "needs_check_in", "at_risk")  # best first
NEEDS_CHECK_IN_DAYS = 21
AT_RISK_DAYS = 42


def trust(milestones, started_at, completed_meetings, policy, now):
    """{"score", "referral_eligible", "missing"} exactly per the policy (SPEC §8); policy changes apply at once."""
    done = {m.key for m in milestones if m.status == "completed"}
    missing = [key for key in policy["referral_requires"] if key not in done]
    weeks_needed = timedelta(weeks=policy["min_weeks"])
    if now - started_at < weeks_needed:
        missing.append("min_weeks")
    if completed_meetings < policy["min_meetings"]:
        missing.append("min_meetings")
    # progress toward the policy: milestones weigh most, then time together and meetings
    milestone_part = len(done & set(MILESTONE_KEYS)) / len(MILESTONE_KEYS)
    weeks_part = 1.0 if not weeks_needed else min(1.0, (now - started_at) / weeks_needed)
    meetings_part = 1.0 if not policy["min_meetings"] else min(1.0, completed_meetings / policy["min_meetings"])
    score = round(100 * (0.6 * milestone_part + 0.2 * weeks_part + 0.2 * meetings_part))
    return {"score": score, "referral_eligible": not missing, "missing": missing}


def referral_eligible_sql(required_done, started_at, completed_meetings, policy, now):
    """trust()'s referral_eligible as a SQL condition: `required_done` counts the completed milestones whose key
    the policy requires (one per key), `completed_meetings` the mentorship's completed meetings."""
    return and_(required_done >= len(policy["referral_requires"]),
                started_at <= now - timedelta(weeks=policy["min_weeks"]),
                completed_meetings >= policy["min_meetings"])


def unresolved_miss(finished):
    """Whether the last finished meeting (completed or missed, by finished_at) was missed; of two finished at the
    same moment, the missed one counts as the later (as in unresolved_miss_sql)."""
    finished = sorted(finished, key=lambda m: (m.finished_at, m.status == "missed"))
    return bool(finished) and finished[-1].status == "missed"


def health_sql(last_activity_at, upcoming_meeting, last_completed_at, last_missed_at, now):
    """health() as a SQL CASE: `upcoming_meeting` a condition, the last two the latest finished_at of the
    mentorship's completed and missed meetings (NULL when none)."""
    unresolved = and_(last_missed_at.is_not(None),
                      or_(last_completed_at.is_(None), last_missed_at >= last_completed_at))
    return case((unresolved, "at_risk"), (upcoming_meeting, "on_track"),
                (last_activity_at <= now - timedelta(days=AT_RISK_DAYS), "at_risk"),
                (last_activity_at <= now - timedelta(days=NEEDS_CHECK_IN_DAYS), "needs_check_in"),
                else_="on_track")


def health(last_activity_at, upcoming_meeting, unresolved_miss, now):
    """on_track, needs_check_in (21 days without a meeting or milestone) or at_risk (a missed meeting, 42 idle days)."""
    if unresolved_miss:
        return "at_risk"
    if upcoming_meeting:
        return "on_track"
    idle = now - last_activity_at
    if idle >= timedelta(days=AT_RISK_DAYS):
        return "at_risk"
    if idle >= timedelta(days=NEEDS_CHECK_IN_DAYS):
        return "needs_check_in"
    return "on_track"
