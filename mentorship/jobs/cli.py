"""`flask --app wsgi worker`, `flask --app wsgi sweep`, `flask --app wsgi scheduler`, `flask --app wsgi jobs list`."""
import json
import signal
import threading
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from prometheus_client import start_http_server
from threadpoolctl import threadpool_limits

from mentorship.jobs import worker
from mentorship.jobs.registry import QUEUES
from mentorship.jobs.runner import backend
from mentorship.jobs.schedule import sweep
from mentorship.jobs.scheduler import LocalScheduler, RqScheduler, iso, listing


@click.command("worker")
@click.option("--queues", default=",".join(QUEUES), show_default=True, help="Comma-separated, in priority order.")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker_command(queues, burst):
    """Run jobs from Redis (REDIS_URL) in this process (RQ SimpleWorker, with the scheduler for retries); when
    Redis goes away, wait for it and go on."""
    jobs = backend()
    if not hasattr(jobs, "redis"):
        raise click.ClickException("REDIS_URL is not set: without Redis, jobs run inside the web process.")
    names = [q.strip() for q in queues.split(",") if q.strip()]
    if current_app.config["WORKER_BLAS_THREADS"]:  # for the life of this process
        threadpool_limits(limits=current_app.config["WORKER_BLAS_THREADS"], user_api="blas")
    port = current_app.config["WORKER_METRICS_PORT"]
    if port:  # this process's job counts and durations; the web's /metrics cannot see them
        start_http_server(port)
    worker.work(jobs, names, burst=burst)


@click.command("sweep")
@with_appcontext
def sweep_command():
    """Run everything that is due once (for cron and operators); waits for in-process jobs to finish."""
    results = sweep()
    jobs = backend()
    if hasattr(jobs, "wait"):
        jobs.wait(timeout=current_app.config["SWEEP_WAIT_SECONDS"])
    click.echo(json.dumps(results, default=str))


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run each periodic task once per slot of its declared interval, forever (the deployment's scheduler): with
    Redis, queued as RQ jobs with one id per task and slot (a second scheduler doubles nothing); without, run
    here."""
    jobs = backend()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if hasattr(jobs, "redis"):
        scheduler = RqScheduler(jobs.worker_connection(), jobs.prefix)
    else:
        scheduler = LocalScheduler(current_app._get_current_object())
    scheduler.run(sleep=stop.wait, stop=stop.is_set, most=current_app.config["SWEEP_INTERVAL_SECONDS"])


@click.group("jobs")
def jobs_cli():
    """Periodic jobs."""


@jobs_cli.command("list")
@with_appcontext
def list_command():
    """The periodic tasks: interval, next due time (UTC), last run (with Redis: status and time of its last job)."""
    rows = [("NAME", "EVERY", "NEXT DUE", "LAST RUN")]
    rows += [(name, f"{every}s", iso(next_due), last or "-") for name, every, next_due, last in listing(
        backend(), time.time())]
    width = max(len(row[0]) for row in rows)
    for name, every, next_due, last in rows:
        click.echo(f"{name:<{width}}  {every:>6}  {next_due:<20}  {last}")
