"""The @job decorator and the registry of job functions by name."""
from dataclasses import dataclass

QUEUES = ("high", "default", "low")
JOBS = {}


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: object
    queue: str
    timeout: int

    def enqueue(self, tenant_id, *ids, job_id=None):
        """Run this job for the tenant later (after the caller's commit)."""
        from mentorship.jobs.runner import enqueue

        return enqueue(self.name, tenant_id, *ids, job_id=job_id)

    def enqueue_after_commit(self, tenant_id, *ids, job_id=None):
        """Run this job once the caller's transaction has committed."""
        from mentorship.jobs.runner import enqueue_after_commit

        enqueue_after_commit(self.name, tenant_id, *ids, job_id=job_id)

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
