"""`flask --app wsgi worker`, `flask --app wsgi sweep`, `flask --app wsgi scheduler`."""
import json

import click
from flask import current_app
from flask.cli import with_appcontext
from prometheus_client import start_http_server

from mentorship.jobs import worker
from mentorship.jobs.registry import QUEUES
from mentorship.jobs.runner import backend
from mentorship.jobs.schedule import pause, sweep


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
    """Run the sweep every SWEEP_INTERVAL_SECONDS, forever (the deployment's single scheduler replica)."""
    interval = current_app.config["SWEEP_INTERVAL_SECONDS"]
    while True:
        sweep()
        pause(interval)
