"""The worker loop of `flask --app wsgi worker`: RQ's SimpleWorker, started again when Redis goes away.

RQ reconnects only while it waits for a job; a Redis error anywhere else (finishing a job, a heartbeat, its
maintenance) ends `work()`, and a worker that was busy when Redis stopped used to exit for good. Here the worker
waits for Redis with a backoff and starts over. The job it was running is safe either way: its effects are in
the database, and the sweep queues again whatever is still due.
"""
import logging
import signal
import threading
import time
from contextlib import suppress

from redis import RedisError
from rq import SimpleWorker

log = logging.getLogger(__name__)
FIRST_WAIT_SECONDS = 1
MAX_WAIT_SECONDS = 30
STEADY_SECONDS = 60  # a worker that ran this long before failing starts over with the first wait again


class Worker(SimpleWorker):
    """SimpleWorker that remembers a shutdown signal: `work()` returns the same way for SIGTERM and for an error."""

    stop_signalled = False

    def request_stop(self, signum, frame):
        self.stop_signalled = True
        super().request_stop(signum, frame)


def work(backend, queue_names, burst=False):
    """Run jobs from `queue_names` until stopped (or, with `burst`, until the queues are empty)."""
    connection = backend.worker_connection()
    wait = FIRST_WAIT_SECONDS
    while True:
        started, worker = time.monotonic(), None
        try:
            worker = Worker([backend.queue(name, connection) for name in queue_names], connection=connection)
            worker.work(burst=burst, with_scheduler=True)
        except RedisError as exc:  # from its start (naming itself to Redis) or its teardown (registering its death)
            log.warning("worker lost Redis: %s", exc)
        finally:
            if worker is not None:
                _retire(worker)
        if burst or (worker is not None and worker.stop_signalled):
            return
        wait = FIRST_WAIT_SECONDS if time.monotonic() - started > STEADY_SECONDS else wait
        wait = _wait_for_redis(connection, wait)
        if wait is None:
            return


def _retire(worker):
    """What RQ's teardown does not finish when Redis is gone: its scheduler process and its pubsub thread."""
    with suppress(Exception):
        if worker.scheduler:
            worker.stop_scheduler()
    if worker.pubsub_thread:
        worker.pubsub_thread.stop()
    with suppress(Exception):
        if worker.pubsub:
            worker.pubsub.close()


def _wait_for_redis(connection, wait):
    """Sleep, ping, double the wait, until Redis answers; returns the next wait, or None on SIGTERM/SIGINT."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stop.wait(wait):
            try:
                connection.ping()
                log.warning("Redis answers again; starting a new worker")
                return min(wait * 2, MAX_WAIT_SECONDS)
            except RedisError as exc:
                log.warning("Redis unreachable (%s); next try in %s s", exc, wait)
                wait = min(wait * 2, MAX_WAIT_SECONDS)
        return None
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
