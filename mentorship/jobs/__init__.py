"""Background jobs: one decorator, two backends with the same code path.

With REDIS_URL, jobs go to RQ queues (`high`, `default`, `low`) and run in `flask --app wsgi worker`; without
it they run on a background thread of the web process. Either way a job is `execute(name, tenant_id, *ids)`:
it loads fresh state inside the tenant's scope and must be idempotent. The database stays the source of
truth: the sweep (`flask --app wsgi sweep`) re-enqueues anything due that a lost queue dropped.
"""
from mentorship.jobs.registry import JOBS, job  # noqa: F401
from mentorship.jobs.runner import enqueue, execute, init_app  # noqa: F401
