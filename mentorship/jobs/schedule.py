"""Periodic work, all in one list with deterministic names and declared intervals; `sweep()` runs all of it once.

Each periodic task is a cheap scan of the database that enqueues jobs (with deterministic job ids) for what is
due and not done: the safety net that makes a lost Redis or a killed worker lose nothing. The scheduler
(jobs/scheduler.py) runs each task once per slot of its interval; `sweep()` (tests, `flask --app wsgi sweep`) runs
every task now, whatever its interval.
"""
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from mentorship.tenancy import idempotency
from mentorship.tenancy.scope import unscoped

log = logging.getLogger(__name__)
PERIODIC = {}


@dataclass(frozen=True)
class Periodic:
    name: str
    every_seconds: int
    func: object

    def slot(self, moment):
        """The slot of `moment` (seconds since the epoch): the task runs once per slot, when its slot changes."""
        return int(moment // self.every_seconds)

    def starts(self, slot):
        """When `slot` begins, as an aware UTC datetime."""
        return datetime.fromtimestamp(slot * self.every_seconds, UTC)


def periodic(every_seconds):
    """Register `func()` (runs across tenants, unscoped) as periodic work, due every `every_seconds`."""

    def register(func):
        PERIODIC[func.__name__] = Periodic(func.__name__, every_seconds, func)
        return func

    return register


def run(name):
    """Run the periodic task `name` once, across tenants; returns its result. Needs an app context."""
    with unscoped():
        return PERIODIC[name].func()


def sweep():
    """Run every periodic task once, due or not; returns {name: result}. Needs an app context."""
    results = {}
    for name in PERIODIC:
        try:
            results[name] = run(name)
        except Exception:  # one broken task must not stop the others
            log.exception("periodic task %s failed", name)
            results[name] = "error"
    return results


@periodic(every_seconds=3600)
def purge_idempotency_keys():
    """Stored first responses are kept IDEMPOTENCY_HOURS (SPEC §2: 24 h), then deleted."""
    return idempotency.purge_expired()


def pause(seconds):
    """Sleep. Event.wait rather than time.sleep: under libfaketime (used to move a server's clock in contract
    tests) time.sleep fails with EINVAL once the clock is moved."""
    threading.Event().wait(seconds)

