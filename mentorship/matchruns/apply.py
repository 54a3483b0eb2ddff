"""Applying a match run (SPEC §5): each assignment becomes a warm intro from the career office."""
from sqlalchemy import select, update

from mentorship.audit.models import record
from mentorship.common.clock import utcnow
from mentorship.errors import Conflict
from mentorship.extensions import db
from mentorship.matchruns.models import MatchRun
from mentorship.members.models import Member
from mentorship.outreach.gates import mentor_load
from mentorship.outreach.models import Intro
from mentorship.outreach.operations import send_warm_intro
from mentorship.tenancy.models import Tenant
from mentorship.tenancy.scope import current_tenant_id


def warm_message(office, mentee, mentor, reasons):
    """The intro the service writes for the pair, from the same reasons the match was scored on."""
    because = "; ".join(r["detail"] for r in reasons[:4]) or "your profiles fit well"
    goals = ", ".join(g.replace("-", " ") for g in (mentee.goals or [])[:3]) or "your field"
    return (f"Hello {mentor.name},\n\n{office} would like to introduce {mentee.name}"
            f"{', ' + mentee.headline if mentee.headline else ''}. We matched you because: {because}.\n\n"
            f"{mentee.name} hopes to learn about {goals}. They are not asking for a referral: a short first call "
            f"(15-30 minutes) to get to know each other is the next step, if you have time.\n\n"
            f"Thank you for mentoring with {office}.")


def _skip_reason(mentee, mentor):
    if mentee is None or mentor is None:
        return "member_erased"
    if db.session.scalar(select(Intro.id).where(Intro.mentee_id == mentee.id, Intro.mentor_id == mentor.id,
                                                Intro.status == "pending")):
        return "intro_exists"
    if mentor_load(mentor.id) >= (mentor.capacity or 0):
        return "mentor_at_capacity"
    return None


def apply_run(run):
    """Warm intros for every assignment still possible; 409 when applied before or not finished."""
    if run.applied_at is not None:
        raise Conflict("This match run was applied already.", code="already_applied")
    if run.status != "succeeded":
        raise Conflict(f"The match run is {run.status}; only a succeeded run can be applied.",
                       code="invalid_transition")
    claimed = db.session.execute(update(MatchRun).where(MatchRun.id == run.id, MatchRun.applied_at.is_(None))
                                 .values(applied_at=utcnow()), execution_options={"synchronize_session": False})
    if claimed.rowcount != 1:  # a concurrent apply got there first
        raise Conflict("This match run was applied already.", code="already_applied")
    db.session.refresh(run)
    office = db.session.get(Tenant, current_tenant_id()).name
    ids = [a["mentee_id"] for a in run.assignments or []] + [a["mentor_id"] for a in run.assignments or []]
    members = {m.id: m for m in db.session.scalars(select(Member).where(Member.id.in_(ids),
                                                                          Member.erased_at.is_(None)))}
    created, skipped = [], []
    for a in run.assignments or []:
        mentee, mentor = members.get(a["mentee_id"]), members.get(a["mentor_id"])
        reason = _skip_reason(mentee, mentor)
        if reason:
            skipped.append({"mentee_id": a["mentee_id"], "mentor_id": a["mentor_id"], "reason": reason})
            continue
        intro = send_warm_intro(mentee, mentor, warm_message(office, mentee, mentor, a["reasons"]), run.id)
        created.append(intro.id)
    record("match_run.applied", run, intros=len(created), skipped=len(skipped))
    db.session.commit()
    return {"id": run.id, "applied_at": run.applied_at, "intro_ids": created, "skipped": skipped}
