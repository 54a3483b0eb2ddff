"""The scheduler runs each periodic task once per slot of its declared interval (issue 15, acceptance 2): two hours
of a moved clock, ticks every 60 s; real RQ jobs on real Redis run by a SimpleWorker; two schedulers started
together queue each (task, slot) once; without Redis the same slots."""
import threading
from collections import Counter

import pytest
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq.cron import get_cron_job_ids

from mentorship.jobs import schedule
from mentorship.jobs.schedule import PERIODIC, Periodic
from mentorship.jobs.scheduler import LocalScheduler, RqScheduler, history_name, job_id
from tests.factories import run_worker

T0 = 1_800_000_000 // 3600 * 3600  # on the hour
TWO_HOURS = 7200


class Clock:
    """A moved clock: `sleep` moves it instead of waiting."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds > 0
        self.now += seconds


class LockstepClock(Clock):
    """One clock for several schedulers on threads: it moves when every one of them sleeps, so they all wake and
    tick at the same moment."""

    def __init__(self, now, parties):
        super().__init__(now)
        self.barrier = threading.Barrier(parties, action=self._move, timeout=30)
        self.step = None

    def _move(self):
        self.now += self.step

    def sleep(self, seconds):
        self.step = seconds  # the same for every party: same clock, same tasks
        self.barrier.wait()


@pytest.fixture
def jobs(rq_backend):
    """rq_backend, and afterwards this run's names dropped from RQ's registries of cron jobs and schedulers (keys
    shared by every run; wipe_redis takes the rest)."""
    yield rq_backend
    for key in ("rq:cron_jobs", "rq:cron_schedulers"):
        ours = [m for m in rq_backend.redis.zrange(key, 0, -1) if m.decode().startswith(rq_backend.prefix)]
        if ours:
            rq_backend.redis.zrem(key, *ours)


@pytest.fixture
def runs(monkeypatch):
    """The declared list, each function replaced by one that counts: the real names and intervals, no database
    work. Returns the names in the order their jobs ran."""
    ran = []
    tasks = {name: Periodic(name, task.every_seconds, lambda name=name: ran.append(name))
             for name, task in PERIODIC.items()}
    monkeypatch.setattr(schedule, "PERIODIC", tasks)  # where the worker's execute_periodic looks them up
    return ran


def slots_between(start, end, step=60):
    """{name: [slots]} that ticks every `step` seconds in [start, end) see, per task of the declared list."""
    return {name: sorted({task.slot(moment) for moment in range(start, end, step)})
            for name, task in schedule.PERIODIC.items()}


def test_each_periodic_task_runs_once_per_slot_of_its_interval_on_rq(app, jobs, runs):
    clock = Clock(T0)
    scheduler = RqScheduler(jobs.redis, jobs.prefix, clock=clock)
    scheduler.run(sleep=clock.sleep, stop=lambda: clock.now >= T0 + TWO_HOURS)
    assert runs == []  # queued, not run by the scheduler
    run_worker(jobs)

    expected = slots_between(T0, T0 + TWO_HOURS)
    assert Counter(runs) == {name: len(slots) for name, slots in expected.items()}
    by_interval = {PERIODIC[name].every_seconds: count for name, count in Counter(runs).items()}
    assert by_interval == {60: 120, 300: 24, 600: 12, 3600: 2}
    finished = set(jobs.queue("default").finished_job_registry.get_job_ids())
    assert finished == {job_id(jobs.prefix, name, slot) for name, slots in expected.items() for slot in slots}
    # RQ's own record of the cron job: one job per slot, newest first
    assert get_cron_job_ids(history_name(jobs.prefix, "purge_idempotency_keys"), jobs.redis) == [
        job_id(jobs.prefix, "purge_idempotency_keys", T0 // 3600 + n) for n in (1, 0)]


def test_two_schedulers_started_together_queue_each_slot_once(app, jobs, runs):
    start, end = T0 - 1800, T0 + 1800  # an hour across an hour's boundary: every task has two slots or more
    clock = LockstepClock(start, parties=2)
    schedulers = [RqScheduler(jobs.redis, jobs.prefix, clock=clock) for _ in range(2)]
    dispatched, errors = Counter(), []

    def run(scheduler):
        tick = scheduler.tick

        def counted_tick():
            names = tick()
            dispatched[scheduler.name] += len(names)
            return names

        scheduler.tick = counted_tick
        try:
            scheduler.run(sleep=clock.sleep, stop=lambda: clock.now >= end)
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)
            clock.barrier.abort()

    threads = [threading.Thread(target=run, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and not any(thread.is_alive() for thread in threads)
    run_worker(jobs)

    expected = {name: len(slots) for name, slots in slots_between(start, end).items()}
    assert Counter(runs) == expected  # not one task ran twice for a slot
    assert sum(dispatched.values()) == sum(expected.values())  # each (task, slot) claimed by exactly one of them


def test_a_slot_already_queued_is_not_queued_again_by_a_restarted_scheduler(app, jobs, runs):
    clock = Clock(T0 + 30)
    RqScheduler(jobs.redis, jobs.prefix, clock=clock).tick()
    clock.now += 15
    assert RqScheduler(jobs.redis, jobs.prefix, clock=clock).tick() == []  # same slots: claimed
    clock.now += 15  # T0 + 60: the 60 s tasks' next slot
    again = RqScheduler(jobs.redis, jobs.prefix, clock=clock).tick()
    assert sorted(again) == sorted(name for name, task in PERIODIC.items() if task.every_seconds == 60)


def test_with_redis_away_the_slot_stays_due_and_the_loop_goes_on(app, jobs, runs):
    clock = Clock(T0)
    refused = Redis(port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    scheduler = RqScheduler(refused, jobs.prefix, clock=clock)
    scheduler.run(sleep=clock.sleep, stop=lambda: clock.now >= T0 + 120)  # two ticks, Redis refused
    assert scheduler.slots.done == {}
    scheduler.connection = jobs.redis  # Redis answers again: the current slots are queued
    assert sorted(scheduler.tick()) == sorted(PERIODIC)
    run_worker(jobs)
    assert Counter(runs) == {name: 1 for name in PERIODIC}


def test_without_redis_the_same_slots_run_in_process(app, runs):
    clock = Clock(T0)
    scheduler = LocalScheduler(app, clock=clock)
    scheduler.run(sleep=clock.sleep, stop=lambda: clock.now >= T0 + TWO_HOURS)

    by_interval = {PERIODIC[name].every_seconds: count for name, count in Counter(runs).items()}
    assert by_interval == {60: 120, 300: 24, 600: 12, 3600: 2}
    assert Counter(runs) == {name: len(slots) for name, slots in slots_between(T0, T0 + TWO_HOURS).items()}
    assert scheduler.last_runs["purge_idempotency_keys"].timestamp() == T0 + 3600


def test_a_failing_task_does_not_stop_the_others_in_process(app, runs, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(schedule.PERIODIC, "broken", Periodic("broken", 60, broken))
    clock = Clock(T0)
    LocalScheduler(app, clock=clock).tick()
    assert len(runs) == len(schedule.PERIODIC) - 1


def test_jobs_list_prints_each_task_with_interval_next_due_and_last_run(app, jobs):
    RqScheduler(jobs.redis, jobs.prefix, tasks={"purge_idempotency_keys": PERIODIC[
        "purge_idempotency_keys"]}).tick()
    run_worker(jobs)
    result = app.test_cli_runner().invoke(args=["jobs", "list"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split() for line in result.output.splitlines()[1:]}
    assert set(lines) == set(PERIODIC)
    name, every, next_due, status, when = lines["purge_idempotency_keys"]
    assert (every, status) == ("3600s", "finished") and next_due.endswith(":00:00Z") and when.endswith("Z")
    assert lines["deliver_due_webhooks"][1] == "60s" and lines["deliver_due_webhooks"][-1] == "-"  # never queued
