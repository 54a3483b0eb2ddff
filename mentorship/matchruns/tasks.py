"""The match-run job: load the cohort, solve with the matching library, store the result."""
import time

from sqlalchemy import select

from matching.assign import assign
from matching.features import MentorIndex
from mentorship.audit.models import record
from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.jobs import job
from mentorship.jobs.schedule import periodic
from mentorship.matchruns import operations
from mentorship.members.models import Member
from mentorship.members.profile import is_ready
from mentorship.recommendations.profiles import busy_mentees, mentor_loads, profile_of, responsiveness
from mentorship.tenancy.policy import for_tenant


@job(queue="low", timeout=1800)
def run_match(tenant_id, run_id):
    """Idempotent: a run that is not `queued` any more is left alone."""
    if not operations.claim(run_id):
        return "skipped"
    run = operations.get_match_run(run_id)
    started = time.perf_counter()
    try:
        mentees, mentors = _cohort(tenant_id, run)
        db.session.commit()  # nothing written: ends the read so the solve holds no lock (SQLite)
        index = MentorIndex.build(mentors, week_of=run.created_at)  # same week on any worker: same result
        result = assign(mentees, index, strategy=run.strategy, min_score=run.min_score)
    except Exception as exc:  # a failed run says why; the job itself succeeds (nothing to retry)
        db.session.rollback()
        _finish(run_id, status="failed", error=f"{type(exc).__name__}: {exc}"[:2000])
        return "failed"
    _finish(run_id, status="succeeded", result=result, mentees=len(mentees), mentors=len(mentors),
            seconds=time.perf_counter() - started)
    return "succeeded"


def _ready(member, min_score):
    return member.erased_at is None and is_ready(member.profile_score, member.profile_gaps, min_score)


def _members(role, ids):
    """The role's members, restricted to `ids` in Python: a 100,000-id IN list would exceed PostgreSQL's 65,535
    bind parameters."""
    members = db.session.scalars(select(Member).where(Member.role == role, Member.erased_at.is_(None))
                                 .order_by(Member.id)).all()
    if ids is None:
        return members
    wanted = set(ids)
    return [m for m in members if m.id in wanted]


def _cohort(tenant_id, run):
    """Mentee and mentor profiles: the requested ids or the defaults, eligible ones only (SPEC §5)."""
    min_score = for_tenant(tenant_id)["min_profile_score"]
    loads, responsive = mentor_loads(tenant_id), responsiveness(tenant_id)
    mentors = []
    for m in _members("mentor", run.requested_mentor_ids):
        free = (m.capacity or 0) - loads.get(m.id, 0)
        if free > 0 and _ready(m, min_score):
            mentors.append(profile_of(m, free, responsive.get(m.id, 1.0)))
    busy = busy_mentees(tenant_id)
    mentees = [profile_of(m) for m in _members("mentee", run.requested_mentee_ids)
               if _ready(m, min_score) and m.id not in busy]
    return mentees, mentors


def _finish(run_id, status, result=None, error=None, mentees=0, mentors=0, seconds=0.0):
    run = operations.get_match_run(run_id)
    run.status, run.finished_at, run.error = status, utcnow(), error
    if result is not None:
        run.assignments = [{"mentee_id": p.mentee_id, "mentor_id": p.mentor_id, "score": round(float(p.score), 4),
                            "reasons": p.reasons} for p in result.pairs]
        run.unmatched_mentee_ids = list(result.unmatched_mentee_ids)
        run.stats = {"mentees": mentees, "mentors": mentors, "matched": len(result.pairs),
                     "total_score": round(float(result.total_score), 4), "seconds": round(seconds, 3)}
    record(f"match_run.{status}", run)
    db.session.commit()


@periodic(every_seconds=60)
def requeue_stale_match_runs():
    return operations.requeue_stale()
