"""The scheduler: each task of the one periodic list (jobs/schedule.py) runs once per slot of its declared interval.

A task's slot is floor(now / every_seconds) and the task is due when its slot changes: the hourly task runs once an
hour however often the scheduler wakes. With Redis (`flask --app wsgi scheduler`) a due slot is claimed with
SET NX and queued through RQ's CronScheduler as the job `periodic-{name}-{slot}`: two schedulers started together
queue each (task, slot) once, and RQ keeps its registry of schedulers, their heartbeats and each task's job history.
Without Redis the web process runs the same slots on a thread (`start_local_scheduler`).
"""
import logging
import re
import threading
import time
from contextlib import suppress
from datetime import UTC, datetime

from redis import RedisError
from rq.cron import CronScheduler, get_cron_job_history_key, get_cron_job_ids
from rq.exceptions import NoSuchJobError
from rq.job import Job

from mentorship.jobs import schedule
from mentorship.jobs.runner import execute_periodic

log = logging.getLogger(__name__)
QUEUE = "default"
JOB_TIMEOUT = 600
FAILURE_TTL = 7 * 86400


def claim_key(prefix, name, slot):
    return f"{prefix}periodic:{name}:{slot}"


def history_name(prefix, name):
    """The name of the task's RQ cron job, whose history (`rq:cron_job:{name}:jobs`) all schedulers share."""
    return f"{prefix}periodic:{name}"


def job_id(prefix, name, slot):
    """One RQ job per (task, slot); RQ allows only [A-Za-z0-9_-] in ids."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", prefix) + f"periodic-{name}-{slot}"


def _moment(seconds):
    return datetime.fromtimestamp(seconds, UTC)


def iso(moment):
    """An aware or naive-UTC (as RQ keeps them) datetime as 2026-12-04T23:00:00Z."""
    return moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


class Slots:
    """The due logic both schedulers share: which (task, slot) pairs are due at a moment, and when the next is."""

    def __init__(self, tasks):
        self.tasks = dict(tasks)
        self.done = {}  # name -> the last slot this scheduler dispatched

    def due(self, moment):
        return [(task, task.slot(moment)) for task in self.tasks.values()
                if self.done.get(task.name) != task.slot(moment)]

    def seconds_to_next(self, moment):
        return min(((task.slot(moment) + 1) * task.every_seconds - moment for task in self.tasks.values()),
                   default=60)


class Loop:
    """`tick()` dispatches every due (task, slot) once; `run()` ticks at each slot boundary until stopped."""

    clock = staticmethod(time.time)
    slots: Slots

    def dispatch(self, task, slot, moment):
        raise NotImplementedError

    def tick(self):
        """Dispatch what is due now; returns the names of the tasks this scheduler dispatched."""
        moment, dispatched = self.clock(), []
        for task, slot in self.slots.due(moment):
            try:
                if self.dispatch(task, slot, moment):
                    dispatched.append(task.name)
            except RedisError as exc:  # this slot and the rest stay due: the next tick tries again
                log.warning("could not queue periodic task %s: %s", task.name, exc)
                break
            self.slots.done[task.name] = slot
        return dispatched

    def sleep_seconds(self, most):
        return max(min(self.slots.seconds_to_next(self.clock()), most), 0)

    def run(self, sleep=schedule.pause, stop=lambda: False, most=60):
        """Tick, sleep until the next slot begins (at most `most` seconds), until `stop()`."""
        while not stop():
            self.tick()
            sleep(self.sleep_seconds(most))


class RqScheduler(Loop, CronScheduler):
    """Queues each due (task, slot) once across all schedulers sharing the Redis: SET NX on the slot's key, then an
    RQ job with the slot's id. Runs as one of RQ's cron schedulers (registered, heartbeating, job history kept)."""

    def __init__(self, connection, prefix="", tasks=None, clock=time.time, queue=QUEUE):
        CronScheduler.__init__(self, connection)
        self.name = prefix + self.name  # hostname:pid:random, under the queue prefix
        self.prefix, self.clock = prefix, clock
        self.slots = Slots(schedule.PERIODIC if tasks is None else tasks)
        self.cron_jobs = {task.name: self.register(
            execute_periodic, prefix + queue, args=(task.name,), interval=task.every_seconds,
            job_timeout=JOB_TIMEOUT, ttl=task.every_seconds, result_ttl=2 * task.every_seconds,
            failure_ttl=FAILURE_TTL, name=history_name(prefix, task.name)) for task in self.slots.tasks.values()}

    def dispatch(self, task, slot, moment):
        """Claim the slot, then queue it; False when another scheduler claimed it first."""
        claim = claim_key(self.prefix, task.name, slot)
        if not self.connection.set(claim, self.name, nx=True, ex=2 * task.every_seconds):
            return False
        cron_job = self.cron_jobs[task.name]
        cron_job.job_options["job_id"] = job_id(self.prefix, task.name, slot)
        try:
            cron_job.enqueue(self.connection)
        except RedisError:
            with suppress(RedisError):
                self.connection.delete(claim)  # unclaimed again: the next tick, here or elsewhere, queues it
            raise
        finally:
            del cron_job.job_options["job_id"]
        cron_job.latest_enqueue_time, cron_job.next_enqueue_time = _moment(moment), task.starts(slot + 1)
        return True

    def enqueue_jobs(self):  # what RQ's CronScheduler.start() calls: the slot logic instead of RQ's timers
        return [self.cron_jobs[name] for name in self.tick()]

    def calculate_sleep_interval(self):
        return self.sleep_seconds(60)

    def run(self, sleep=schedule.pause, stop=lambda: False, most=60):
        """RQ's start() loop with our clock, sleep and stop, and a Redis outage waited out instead of fatal."""
        try:
            self.register_birth()
        except RedisError as exc:  # the first heartbeat after Redis answers registers it
            log.warning("scheduler could not register with Redis: %s", exc)
        try:
            while not stop():
                try:
                    if self.tick():
                        self.save()
                    self.heartbeat()
                except RedisError as exc:
                    log.warning("scheduler lost Redis: %s", exc)
                sleep(self.sleep_seconds(most))
        finally:
            with suppress(RedisError):
                self.register_death()


class LocalScheduler(Loop):
    """Without Redis: the same slots, each task run here (an app's process holds one scheduler)."""

    def __init__(self, app, tasks=None, clock=time.time):
        self.app, self.clock = app, clock
        self.slots = Slots(schedule.PERIODIC if tasks is None else tasks)
        self.last_runs = {}

    def dispatch(self, task, slot, moment):
        try:
            execute_periodic(task.name, self.app)
        except Exception:  # one broken task must not stop the others, nor the thread
            log.exception("periodic task %s failed", task.name)
        self.last_runs[task.name] = _moment(moment)
        return True


def start_local_scheduler(app):
    """Without Redis: a daemon thread runs each periodic task once per slot of its interval, in this process; its
    first tick comes SWEEP_INTERVAL_SECONDS after the first request."""
    if app.extensions.get("local_scheduler"):
        return
    most = app.config["SWEEP_INTERVAL_SECONDS"]
    scheduler = LocalScheduler(app)

    def loop():
        schedule.pause(most)
        scheduler.run(most=most)

    thread = threading.Thread(target=loop, name="mentorship-sweep", daemon=True)
    app.extensions["local_scheduler"] = thread
    thread.start()


def listing(jobs, moment):
    """(name, every_seconds, next due, last run) per periodic task; Redis (if `jobs` has it) tells the last run."""
    redis = getattr(jobs, "redis", None)
    rows = []
    for task in schedule.PERIODIC.values():
        slot, next_due, last = task.slot(moment), task.starts(task.slot(moment) + 1), None
        if redis is not None:
            try:
                if not redis.exists(claim_key(jobs.prefix, task.name, slot)):
                    next_due = _moment(moment)  # this slot is not queued yet: due at the scheduler's next tick
                last = _last_run(redis, jobs.prefix, task.name)
            except RedisError as exc:
                last = f"unknown ({type(exc).__name__})"
        rows.append((task.name, task.every_seconds, next_due, last))
    return rows


def _last_run(redis, prefix, name):
    history = history_name(prefix, name)
    ids = get_cron_job_ids(history, redis, 0, 0)
    if not ids:
        return None
    try:
        job = Job.fetch(ids[0], connection=redis)
    except NoSuchJobError:  # its result expired; the history still says when it was queued
        return f"queued {iso(_moment(redis.zscore(get_cron_job_history_key(history), ids[0])))}"
    return f"{job.get_status().value} {iso(job.ended_at or job.enqueued_at)}"
