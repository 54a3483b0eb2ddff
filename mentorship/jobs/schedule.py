"""Periodic work, all in one list with deterministic names; `sweep()` runs everything due once.

Each periodic task is a cheap scan of the database that enqueues jobs (with deterministic job ids) for what is
due and not done: the safety net that makes a lost Redis or a killed worker lose nothing.
"""
import logging
import threading
from dataclasses import dataclass

from mentorship.tenancy import idempotency
from mentorship.tenancy.scope import unscoped

log = logging.getLogger(__name__)
PERIODIC = {}


@dataclass(frozen=True)
class Periodic:
    name: str
    every_seconds: int
    func: object


def periodic(every_seconds):
    """Register `func()` (runs across tenants, unscoped) as periodic work of the sweep."""

    def register(func):
        PERIODIC[func.__name__] = Periodic(func.__name__, every_seconds, func)
        return func

    return register


def sweep():
    """Run every periodic task once; returns {name: result}. Needs an app context."""
    results = {}
    with unscoped():
        for task in PERIODIC.values():
            try:
                results[task.name] = task.func()
            except Exception:  # one broken task must not stop the others
                log.exception("periodic task %s failed", task.name)
                results[task.name] = "error"
    return results


@periodic(every_seconds=3600)
def purge_idempotency_keys():
    """Stored first responses are kept IDEMPOTENCY_HOURS (SPEC §2: 24 h), then deleted."""
    return idempotency.purge_expired()


def pause(seconds):
    """Sleep. Event.wait rather than time.sleep: under libfaketime (used to move a server's clock in contract
    tests) time.sleep fails with EINVAL once the clock is moved."""
    threading.Event().wait(seconds)


def start_local_scheduler(app):
    """Without Redis: a daemon thread runs the sweep every SWEEP_INTERVAL_SECONDS in this process."""
    if app.extensions.get("local_scheduler"):
        return
    interval = app.config["SWEEP_INTERVAL_SECONDS"]

    def loop():
        while True:
            pause(interval)
            with app.app_context():
                sweep()

    thread = threading.Thread(target=loop, name="mentorship-sweep", daemon=True)
    app.extensions["local_scheduler"] = thread
    thread.start()
