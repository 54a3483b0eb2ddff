"""Applying a match run (SPEC §5): each assignment becomes a warm intro from the career office."""
from sqlalchemy import select, update

from mentorship.common.clock import utcnow
from mentorship.database import lock_rows
from mentorship.errors import Conflict
from mentorship.extensions import db
from mentorship.matchmaking import eligibility
from mentorship.matchmaking.models import MatchRun
from mentorship.members.models import Member
from mentorship.outreach.operations import send_warm_intros
from mentorship.tenancy.audit import record
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


def _locked_members(ids):
    """The members by id, each row locked until the apply commits, in id order (so two applies cannot deadlock):
    what eligibility answers about them holds while their intros are written."""
    found = {}
    ids = sorted(ids)
    for i in range(0, len(ids), 1000):
        found.update((m.id, m) for m in db.session.scalars(lock_rows(Member, ids[i:i + 1000])))
    return found


def apply_run(run):
    """Warm intros for every assignment still possible (SPEC §5); a pair whose mentee or mentor changed since the
    run is skipped and listed with why (eligibility.Assignments); 409 when applied before or unfinished."""
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
    office = db.session.scalar(select(Tenant).where(Tenant.id == current_tenant_id())).name
    assignments = run.assignments or []
    members = _locked_members({a["mentee_id"] for a in assignments} | {a["mentor_id"] for a in assignments})
    check = eligibility.Assignments(run.tenant_id)
    pairs, skipped = [], []
    for a in assignments:
        mentee, mentor = members.get(a["mentee_id"]), members.get(a["mentor_id"])
        reason = check.obstacle(mentee, mentor)
        if reason:
            skipped.append({"mentee_id": a["mentee_id"], "mentor_id": a["mentor_id"], "reason": reason})
            continue
        pairs.append((mentee, mentor, warm_message(office, mentee, mentor, a["reasons"])))
        check.taken(mentee, mentor)
    created = [intro.id for intro in send_warm_intros(pairs, run.id)]
    record("match_run.applied", run, intros=len(created), skipped=len(skipped))
    db.session.commit()
    return {"id": run.id, "applied_at": run.applied_at, "intro_ids": created, "skipped": skipped}
