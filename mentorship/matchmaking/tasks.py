"""The match-run job: load the cohort, solve with the matching library, store the result; and the sweep's
safety net for runs a lost Redis or a dead worker left behind."""
import time
from datetime import timedelta

from sqlalchemy import select, update

from matching.assign import assign
from matching.features import MentorIndex
from mentorship import events
from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.jobs import job
from mentorship.jobs.schedule import periodic
from mentorship.matchmaking import eligibility
from mentorship.matchmaking.models import MatchRun
from mentorship.matchmaking.profiles import profile_of, responsiveness
from mentorship.outreach import capacity
from mentorship.tenancy.audit import record

# a run still `running` this long after it started lost its worker: the sweep queues it again
STALE_RUNNING = timedelta(minutes=30)
STALE_QUEUED = timedelta(minutes=2)


@job(queue="low", timeout=1800)
def run_match(tenant_id, run_id):
    """Idempotent: a run that is not `queued` any more is left alone."""
    if not _claim(run_id):
        return "skipped"
    run = _run(run_id)
    started = time.perf_counter()
    try:
        mentees, mentors, left_out = _cohort(tenant_id, run)
        db.session.commit()  # nothing written: ends the read so the solve holds no lock (SQLite)
        index = MentorIndex.build(mentors, week_of=run.created_at)  # same week on any worker: same result
        result = assign(mentees, index, strategy=run.strategy, min_score=run.min_score)
    except Exception as exc:  # a failed run says why; the job itself succeeds (nothing to retry)
        db.session.rollback()
        _finish(run_id, status="failed", error=f"{type(exc).__name__}: {exc}"[:2000])
        return "failed"
    _finish(run_id, status="succeeded", result=result, left_out=left_out, mentees=len(mentees),
            mentors=len(mentors), seconds=time.perf_counter() - started)
    return "succeeded"


def _cohort(tenant_id, run):
    """Mentee and mentor profiles of the run (eligibility decides who), and the named mentees left out."""
    mentees, mentors, left_out = eligibility.cohort(tenant_id, run.requested_mentee_ids, run.requested_mentor_ids)
    responsive = responsiveness()
    mentor_profiles = [profile_of(m, capacity.free(m.capacity, load), responsive.get(m.id, 1.0))
                       for m, load in mentors]
    return [profile_of(m) for m in mentees], mentor_profiles, left_out


def _finish(run_id, status, result=None, error=None, left_out=None, mentees=0, mentors=0, seconds=0.0):
    run = _run(run_id)
    run.status, run.finished_at, run.error = status, utcnow(), error
    if result is not None:
        run.assignments = [{"mentee_id": p.mentee_id, "mentor_id": p.mentor_id, "score": round(float(p.score), 4),
                            "reasons": p.reasons} for p in result.pairs]
        unmatched = {mentee_id: "no_match" for mentee_id in result.unmatched_mentee_ids}
        unmatched.update(left_out or {})
        run.unmatched_mentee_ids = sorted(unmatched)
        run.unmatched = [{"mentee_id": mentee_id, "reason": unmatched[mentee_id]} for mentee_id in sorted(unmatched)]
        run.stats = {"mentees": mentees, "mentors": mentors, "matched": len(result.pairs),
                     "total_score": round(float(result.total_score), 4), "seconds": round(seconds, 3)}
    record(f"match_run.{status}", run)
    if status == "succeeded":
        events.match_run_succeeded.send(run)
    db.session.commit()


def _run(run_id):
    return db.session.scalar(select(MatchRun).where(MatchRun.id == run_id))


def _claim(run_id):
    """queued -> running, only once: concurrent or repeated jobs for the same run do nothing."""
    claimed = db.session.execute(update(MatchRun).where(MatchRun.id == run_id, MatchRun.status == "queued")
                                 .values(status="running", started_at=utcnow(), attempts=MatchRun.attempts + 1))
    db.session.commit()
    return claimed.rowcount == 1


def job_id(run):
    return f"match-run-{run.tenant_id}-{run.id}"


@periodic(every_seconds=60)
def requeue_stale_match_runs():
    """Across tenants: queued runs a lost Redis dropped, running runs whose worker died."""
    now = utcnow()
    db.session.execute(update(MatchRun).where(MatchRun.status == "running", MatchRun.started_at < now - STALE_RUNNING)
                       .values(status="queued"))
    db.session.commit()
    stale = db.session.scalars(select(MatchRun).where(MatchRun.status == "queued",
                                                      MatchRun.created_at < now - STALE_QUEUED)).all()
    for run in stale:
        run_match.enqueue(run.tenant_id, run.id, job_id=job_id(run))
    return len(stale)
