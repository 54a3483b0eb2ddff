"""The @job decorator and the registry of job functions by name."""
import logging
from dataclasses import dataclass

from flask import current_app

from mentorship.extensions import db

log = logging.getLogger(__name__)
QUEUES = ("high", "default", "low")
JOBS = {}
AFTER_COMMIT = "after_commit"  # the session.info key of the jobs to queue when the transaction commits
AFTER_COMMIT_MANY = "after_commit_many"  # ... and of the batches of them (enqueue_many_after_commit)


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: object
    queue: str
    timeout: int

    def enqueue(self, tenant_id, *ids, job_id=None):
        """Queue this job for the tenant on the app's backend (runner.py); `job_id` collapses repeats into one."""
        return current_app.extensions["jobs"].enqueue(self, tenant_id, ids, job_id)

    def enqueue_or_leave_for_sweep(self, tenant_id, *ids, job_id=None):
        """Queue this job if the queue answers; else log and leave it to the sweep, which finds the committed row
        that asks for it (an outbox row, a queued run). A request never fails on Redis (SPEC §2)."""
        try:
            return self.enqueue(tenant_id, *ids, job_id=job_id)
        except Exception as exc:  # Redis down or slow: the database still says the work is due
            log.warning("could not queue %s for tenant %s (%s: %s); the sweep will", self.name, tenant_id,
                        type(exc).__name__, exc)
            return None

    def enqueue_after_commit(self, tenant_id, *ids, job_id=None):
        """Queue this job once the caller's transaction has committed (runner.py listens); dropped on rollback."""
        db.session.info.setdefault(AFTER_COMMIT, []).append((self.name, tenant_id, ids, job_id))

    def enqueue_many_after_commit(self, tenant_id, calls):
        """`enqueue_after_commit` for many calls, `calls` being (ids, job_id) pairs: queued in a few round trips
        (thousands of outbox rows written by one statement, e.g. a CSV import's webhook deliveries)."""
        db.session.info.setdefault(AFTER_COMMIT_MANY, []).append((self.name, tenant_id, list(calls)))

    def enqueue_many_or_leave_for_sweep(self, tenant_id, calls):
        """`enqueue_or_leave_for_sweep` for (ids, job_id) pairs."""
        try:
            return current_app.extensions["jobs"].enqueue_many(self, tenant_id, calls)
        except Exception as exc:  # as enqueue_or_leave_for_sweep: the database still says the work is due
            log.warning("could not queue %s %s jobs for tenant %s (%s: %s); the sweep will", len(calls), self.name,
                        tenant_id, type(exc).__name__, exc)
            return None

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
