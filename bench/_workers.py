"""What the outbox benchmarks share (`bench_webhooks.py`, `bench_notifications.py`): real `flask worker` processes on
a throwaway database and a queue prefix of their own, a series of jobs timed by RQ's own timestamps, and the summary
of rates by series."""
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager

import _common

ROOT = str(_common.ROOT)


def migrated_env(database_url, redis_url, prefix, **extra):
    """The workers' environment (this one, plus the database, Redis, the queue prefix and `extra`), after
    `flask db upgrade` has run with it."""
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "JOBS_QUEUE_PREFIX": prefix,
           "SWEEP_IN_PROCESS": "0", "PYTHONPATH": ROOT, **extra}
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    return env


@contextmanager
def workers(env, count, queue, backend, prefix, log=None):
    """`count` `flask --app wsgi worker --queues <queue>` processes (their output appended to the file `log`, if
    given); on exit they get SIGTERM (their jobs end) and every Redis key of `prefix` is deleted."""
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    processes = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--queues", queue],
                                  cwd=ROOT, env=env, stdout=output, stderr=output,
                                  start_new_session=True) for _ in range(count)]
    try:
        yield processes
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(30)
        if log:
            output.close()
        for key in backend.redis.scan_iter(f"*{prefix}*"):
            backend.redis.delete(key)


def run_jobs(backend, enqueue_all, n, done=None, queue_name="default"):
    """Enqueue with `enqueue_all(queue)`, wait until the queue is empty, no job runs and `done()` holds, then return
    (n / seconds, seconds, jobs) from RQ's own timestamps of every job that ran (successors queued by a job
    included)."""
    from rq.job import Job

    queue = backend.queue(queue_name)
    enqueue_all(queue)
    deadline = time.monotonic() + 600
    while queue.count or queue.started_job_registry.count or not (done is None or done()):
        failed = queue.failed_job_registry.count
        if failed or time.monotonic() > deadline:
            raise SystemExit(f"{failed} jobs failed / timed out")
        time.sleep(0.05)
    registry = queue.finished_job_registry
    job_ids = registry.get_job_ids()
    jobs = Job.fetch_many(job_ids, connection=backend.redis)
    while any(j.ended_at is None for j in jobs):  # a job can be in the registry a moment before its end is saved
        time.sleep(0.05)
        jobs = Job.fetch_many(job_ids, connection=backend.redis)
    seconds = (max(j.ended_at for j in jobs) - min(j.started_at for j in jobs)).total_seconds()
    for job_id in job_ids:
        registry.remove(job_id, delete_job=True)
    return n / seconds, seconds, len(job_ids)


def rq_noop(n):
    """enqueue_all for RQ's own no-op job, the baseline both benchmarks divide by."""
    return lambda queue: [queue.enqueue_call("builtins.abs", args=(1,), result_ttl=600) for _ in range(n)]


def summarise(series):
    """{series: {rates, jobs, median}} of {series: [(rate, seconds, jobs) per round]}."""
    return {name: {"rates": [round(r, 1) for r, _, _ in runs], "jobs": [j for _, _, j in runs],
                   "median": _common.median([r for r, _, _ in runs])}
            for name, runs in series.items()}
