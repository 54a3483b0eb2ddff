"""Every metric the service exports (prometheus-client), in one place; ops/metrics.py serves them on /metrics.

Under gunicorn (PROMETHEUS_MULTIPROC_DIR set by gunicorn.conf.py before this is imported) each value lives in a
per-process file, and a scrape sums every worker's, the exited ones' included, so a counter never goes back.
"""
import time
from contextlib import contextmanager

from prometheus_client import Counter, Histogram

REQUESTS = Counter("mentorship_http_requests_total", "HTTP requests", ["method", "endpoint", "status"])
LATENCY = Histogram("mentorship_http_request_seconds", "HTTP request latency", ["method", "endpoint"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
JOBS = Counter("mentorship_jobs_total", "Jobs run, by queue, job and outcome", ["queue", "job", "outcome"])
JOB_SECONDS = Histogram("mentorship_job_seconds", "Job run time, by queue, job and outcome",
                        ["queue", "job", "outcome"], buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900))
WEBHOOK_FAILURES = Counter("mentorship_webhook_delivery_failures_total",
                           "Failed webhook delivery attempts, by what became of the delivery (pending: retried "
                           "later; failed: given up)", ["status"])


@contextmanager
def timed_job(queue, job):
    """Count and time the block as one run of `job`: `succeeded`, or `failed` when it raises."""
    started, outcome = time.perf_counter(), "failed"
    try:
        yield
        outcome = "succeeded"
    finally:
        JOBS.labels(queue, job, outcome).inc()
        JOB_SECONDS.labels(queue, job, outcome).observe(time.perf_counter() - started)
