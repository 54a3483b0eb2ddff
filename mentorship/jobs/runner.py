"""Where jobs run: RQ over Redis when REDIS_URL is set, otherwise a background thread in this process."""
import logging
import queue as stdlib_queue
import threading
import time
from contextlib import suppress

from flask import current_app, g
from redis import Redis, RedisError
from rq import Queue, Retry, get_current_job
from sqlalchemy import event
from sqlalchemy.orm import Session

from mentorship.common.metrics import timed_job
from mentorship.common.redis_client import request_client
from mentorship.extensions import db
from mentorship.jobs import schedule
from mentorship.jobs.registry import AFTER_COMMIT, JOBS
from mentorship.tenancy.scope import tenant_scope

log = logging.getLogger(__name__)
RETRY_INTERVALS = [10, 60, 300, 900]
# after a failed enqueue, later ones skip Redis this long (the sweep queues their work): an unreachable Redis
# costs one timeout now and then, not one per request
QUIET_AFTER_FAILURE_SECONDS = 5
# how long a job queued `once` keeps later copies out if it never starts (lost queue): then they queue again
WAITING_SECONDS = 120
_state = {"app": None, "local": None}


def init_app(app):
    """Choose the backend; the first app of the process is the one jobs run in (see bind)."""
    if _state["app"] is None:
        _state["app"] = app
    url = app.config.get("REDIS_URL")
    if url:
        app.extensions["jobs"] = RqBackend(url, app.config.get("JOBS_QUEUE_PREFIX", ""),
                                           redis=request_client(url, app.config))
    else:
        app.extensions["jobs"] = LocalBackend(autostart=app.config["JOBS_LOCAL_AUTOSTART"])


def bind(app):
    """Run jobs in `app` (a process holding several apps, e.g. the test suite, says which)."""
    _state["app"] = app


def backend():
    return current_app.extensions["jobs"]


def enqueue(name, tenant_id, *ids, job_id=None):
    """Queue job `name` for the tenant; `job_id` makes repeats of the same work collapse into one."""
    return JOBS[name].enqueue(tenant_id, *ids, job_id=job_id)


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session):
    for name, tenant_id, ids, job_id, once in session.info.pop(AFTER_COMMIT, []):
        JOBS[name].enqueue_or_leave_for_sweep(tenant_id, *ids, job_id=job_id, once=once)  # the row is committed


@event.listens_for(Session, "after_rollback")
def _drop_uncommitted(session):
    session.info.pop(AFTER_COMMIT, None)


def execute(name, tenant_id, *ids):
    """The body of every job, on either backend: fresh app context, the tenant's scope, commit or roll back."""
    spec = JOBS[name]
    app = _state["app"]
    _started(get_current_job())
    with timed_job(spec.queue, name.removeprefix("mentorship.")), app.app_context(), tenant_scope(tenant_id):
        g.actor = f"job:{name.rsplit('.', 1)[-1]}"
        try:
            result = spec.func(tenant_id, *ids)
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            raise


def execute_periodic(name, app=None):
    """The body of a periodic job (jobs/scheduler.py: once per slot of its interval): the task across tenants."""
    with timed_job("default", f"periodic.{name}"), (app or _state["app"]).app_context():
        try:
            result = schedule.run(name)
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            raise


def _started(rq_job):
    """A job queued `once` no longer waits: from now on the same call queues a new copy (work that arrives after
    this one looked must not be left to the sweep)."""
    if rq_job is not None and rq_job.meta.get("waiting"):
        with suppress(RedisError):  # else the key expires (WAITING_SECONDS) and the sweep queues what is due
            rq_job.connection.delete(rq_job.meta["waiting"])


def _waiting_key(name, tenant_id, ids):
    return f"waiting:{name}:{tenant_id}:" + ":".join(str(i) for i in ids)


class QueueUnavailable(RedisError):
    """Redis failed moments ago; this enqueue did not try again (the sweep will queue the work)."""


class RqBackend:
    """Enqueues through `redis` (for the web process: common.redis_client's short timeouts); workers open their
    own connection (`worker_connection`), whose blocking reads RQ times itself."""

    def __init__(self, redis_url, prefix="", redis=None):
        self.url = redis_url
        self.redis = redis or Redis.from_url(redis_url)
        self.prefix = prefix
        self.quiet_until = 0.0

    def queue(self, name, connection=None):
        return Queue(self.prefix + name, connection=connection or self.redis)

    def worker_connection(self):
        return Redis.from_url(self.url, socket_connect_timeout=5, socket_keepalive=True)

    def _options(self, spec):
        return {"timeout": spec.timeout, "result_ttl": 3600, "failure_ttl": 7 * 86400,
                "retry": Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS)}

    def enqueue(self, spec, tenant_id, ids, job_id, once=False):
        if time.monotonic() < self.quiet_until:
            raise QueueUnavailable("Redis failed less than a few seconds ago")
        waiting = self.prefix + _waiting_key(spec.name, tenant_id, ids) if once else None
        try:
            if waiting and not self.redis.set(waiting, job_id or 1, nx=True, ex=WAITING_SECONDS):
                return None  # the same call waits in the queue; it will see this work when it starts
            return self.queue(spec.queue).enqueue_call(
                "mentorship.jobs.runner.execute", args=(spec.name, tenant_id, *ids), job_id=job_id,
                meta={"waiting": waiting} if waiting else None, **self._options(spec))
        except RedisError:
            self.quiet_until = time.monotonic() + QUIET_AFTER_FAILURE_SECONDS
            if waiting:
                with suppress(RedisError):
                    self.redis.delete(waiting)
            raise



class LocalBackend:
    """One daemon thread draining a FIFO; the same `execute` as an RQ worker, retried the same way.

    With autostart off (the test suite, whose requests all share one database connection) nothing runs until
    `wait()`, which drains the queue in the calling thread: a job never shares that connection with a request.
    """

    def __init__(self, autostart=True):
        self.items = stdlib_queue.Queue()
        self.thread = None
        self.lock = threading.Lock()
        self.autostart = autostart
        self.waiting = set()

    def enqueue(self, spec, tenant_id, ids, job_id, once=False):
        if once:
            with self.lock:
                if (spec.name, tenant_id, ids) in self.waiting:
                    return None
                self.waiting.add((spec.name, tenant_id, ids))
        self.items.put((spec.name, tenant_id, ids, 0))
        if self.autostart:
            self._ensure_thread()
        return job_id

    def _ensure_thread(self):
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._drain_forever, name="mentorship-jobs", daemon=True)
                self.thread.start()

    def _drain_forever(self):
        while True:
            self._run_one(*self.items.get())
            self.items.task_done()

    def _run_one(self, name, tenant_id, ids, attempt):
        with self.lock:
            self.waiting.discard((name, tenant_id, ids))
        try:
            execute(name, tenant_id, *ids)
        except Exception:
            log.exception("job %s failed (attempt %s)", name, attempt + 1)
            if attempt < len(RETRY_INTERVALS):
                delay = RETRY_INTERVALS[attempt]
                timer = threading.Timer(delay, self.items.put, args=((name, tenant_id, ids, attempt + 1),))
                timer.daemon = True
                timer.start()

    def wait(self, timeout=30):
        """Block until every queued job has run (tests, CLI)."""
        if not self.autostart:
            while not self.items.empty():
                self._run_one(*self.items.get())
                self.items.task_done()
            return True
        done = threading.Event()

        def joiner():
            self.items.join()
            done.set()

        threading.Thread(target=joiner, daemon=True).start()
        return done.wait(timeout)
