"""The @job decorator and the registry of job functions by name."""
from dataclasses import dataclass

from flask import current_app

from mentorship.extensions import db

QUEUES = ("high", "default", "low")
JOBS = {}
AFTER_COMMIT = "after_commit"  # the session.info key of the jobs to queue when the transaction commits


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: object
    queue: str
    timeout: int

    def enqueue(self, tenant_id, *ids, job_id=None):
        """Queue this job for the tenant on the app's backend (runner.py); `job_id` collapses repeats into one."""
        return current_app.extensions["jobs"].enqueue(self, tenant_id, ids, job_id)

    def enqueue_after_commit(self, tenant_id, *ids, job_id=None):
        """Queue this job once the caller's transaction has committed (runner.py listens); dropped on rollback."""
        db.session.info.setdefault(AFTER_COMMIT, []).append((self.name, tenant_id, ids, job_id))

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
