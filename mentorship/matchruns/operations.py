"""Cohort match runs (SPEC §5): queue a run, let a worker solve it, read the result."""
from datetime import timedelta

from sqlalchemy import select, update

from mentorship.audit.models import record
from mentorship.common.clock import utcnow
from mentorship.errors import Invalid, NotFound
from mentorship.extensions import db
from mentorship.matchruns.models import MatchRun
from mentorship.members.models import Member

# a run still `running` this long after it started lost its worker: the sweep queues it again
STALE_RUNNING = timedelta(minutes=30)
STALE_QUEUED = timedelta(minutes=2)


def _check_ids(ids, role, field):
    if ids is None:
        return None
    ids = list(dict.fromkeys(ids))
    found = set()
    for i in range(0, len(ids), 1000):
        chunk = ids[i:i + 1000]
        found.update(db.session.scalars(select(Member.id).where(
            Member.id.in_(chunk), Member.role == role, Member.erased_at.is_(None))))
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise Invalid(f"Some ids are not {role}s of this tenant.",
                      errors={field: [f"Not a {role} of this tenant: {unknown[:20]}"]})
    return ids


def queue_match_run(data):
    """Record a queued run and hand it to a worker; returns the run."""
    from mentorship.matchruns.tasks import run_match

    run = MatchRun(strategy=data["strategy"], min_score=data["min_score"], status="queued",
                   requested_mentee_ids=_check_ids(data.get("mentee_ids"), "mentee", "mentee_ids"),
                   requested_mentor_ids=_check_ids(data.get("mentor_ids"), "mentor", "mentor_ids"))
    db.session.add(run)
    db.session.flush()
    record("match_run.queued", run, strategy=run.strategy)
    db.session.commit()
    run_match.enqueue(run.tenant_id, run.id, job_id=_job_id(run))
    return run


def _job_id(run):
    return f"match-run-{run.tenant_id}-{run.id}"


def get_match_run(run_id):
    run = db.session.scalar(select(MatchRun).where(MatchRun.id == run_id))
    if run is None:
        raise NotFound("No such match run.")
    return run


def claim(run_id):
    """queued -> running, only once: concurrent or repeated jobs for the same run do nothing."""
    claimed = db.session.execute(update(MatchRun).where(MatchRun.id == run_id, MatchRun.status == "queued")
                                 .values(status="running", started_at=utcnow(), attempts=MatchRun.attempts + 1))
    db.session.commit()
    return claimed.rowcount == 1


def requeue_stale():
    """Sweep (across tenants): queued runs a lost Redis dropped, running runs whose worker died."""
    from mentorship.matchruns.tasks import run_match

    now = utcnow()
    db.session.execute(update(MatchRun).where(MatchRun.status == "running", MatchRun.started_at < now - STALE_RUNNING)
                       .values(status="queued"))
    db.session.commit()
    stale = db.session.scalars(select(MatchRun).where(MatchRun.status == "queued",
                                                      MatchRun.created_at < now - STALE_QUEUED)).all()
    for run in stale:
        run_match.enqueue(run.tenant_id, run.id, job_id=_job_id(run))
    return len(stale)
