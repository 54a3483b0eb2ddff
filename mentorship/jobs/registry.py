"""The @job decorator and the registry of job functions by name."""
import logging
from dataclasses import dataclass

from flask import current_app

from mentorship.extensions import db

log = logging.getLogger(__name__)
QUEUES = ("high", "default", "low")
JOBS = {}
AFTER_COMMIT = "after_commit"  # the session.info key of the jobs to queue when the transaction commits


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: object
    queue: str
    timeout: int

    def enqueue(self, tenant_id, *ids, job_id=None, once=False):
        """Queue this job for the tenant on the app's backend (runner.py); `job_id` collapses repeats into one.
        With `once`, nothing is queued while the same call (name, tenant, ids) still waits to start: a job that
        picks up all the work due when it starts needs no second copy queued behind it."""
        return current_app.extensions["jobs"].enqueue(self, tenant_id, ids, job_id, once)

    def enqueue_or_leave_for_sweep(self, tenant_id, *ids, job_id=None, once=False):
        """Queue this job if the queue answers; else log and leave it to the sweep, which finds the committed row
        that asks for it (an outbox row, a queued run). A request never fails on Redis (SPEC §2)."""
        try:
            return self.enqueue(tenant_id, *ids, job_id=job_id, once=once)
        except Exception as exc:  # Redis down or slow: the database still says the work is due
            log.warning("could not queue %s for tenant %s (%s: %s); the sweep will", self.name, tenant_id,
                        type(exc).__name__, exc)
            return None

    def enqueue_after_commit(self, tenant_id, *ids, job_id=None, once=False):
        """Queue this job once the caller's transaction has committed (runner.py listens); dropped on rollback."""
        pending = db.session.info.setdefault(AFTER_COMMIT, [])
        entry = (self.name, tenant_id, ids, job_id, once)
        if not (once and entry in pending):
            pending.append(entry)


    def __call__(self, tenant_id, *ids):
        return self.func(tenant_id, *ids)


def job(queue="default", timeout=600):
    """Register `func(tenant_id, *ids)` as a job; call `.enqueue(tenant_id, *ids)` to run it in the background."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")

    def register(func):
        name = f"{func.__module__}.{func.__name__}"
        spec = JobSpec(name, func, queue, timeout)
        JOBS[name] = spec
        return spec

    return register
