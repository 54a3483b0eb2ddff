"""Trust, referral eligibility and health of a mentorship, computed from its state and the tenant's policy."""
from datetime import timedelta

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
