"""The match-run job: load the cohort, solve with the matching library, store the result; and the sweep's
safety net for runs a lost Redis or a dead worker left behind."""
import logging
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from matching.assign import strategy_of, to_assignment
from matching.candidates import CANDIDATES, candidate_graph
from matching.features import MentorIndex
from mentorship import events
from mentorship.common.clock import utcnow
from mentorship.common.gc_pause import collector_paused
from mentorship.extensions import db
from mentorship.jobs import job
from mentorship.jobs.schedule import periodic
from mentorship.matchmaking import eligibility, split
from mentorship.matchmaking.models import MatchRun
from mentorship.matchmaking.profiles import PROFILE_COLUMNS, profile_of_row, profiles_of, responsiveness
from mentorship.outreach import capacity
from mentorship.tenancy.audit import record
from mentorship.tenancy.scope import tenant_scope

log = logging.getLogger(__name__)
# A worker that runs a match run beats every MATCH_RUN_HEARTBEAT_SECONDS; a `running` run whose last beat is older
# than MATCH_RUN_STALE_SECONDS lost its worker: the sweep queues it again, or fails it after MAX_ATTEMPTS.
MAX_ATTEMPTS = 3
STALE_QUEUED = timedelta(minutes=2)  # queued this long and not run: a lost Redis dropped its job


@job(queue="low", timeout=1800)
def run_match(tenant_id, run_id):
    """Idempotent: a run that is not `queued` any more is left alone; its result is stored once."""
    attempt = _claim(run_id)
    if attempt is None:
        return "skipped"
    run = _run(run_id)
    week_of, strategy, min_score = run.created_at, run.strategy, run.min_score
    started = time.perf_counter()
    phases = _Phases()
    with _heartbeat(tenant_id, run_id, attempt), collector_paused():
        try:
            mentee_ids, mentors, left_out = _cohort(tenant_id, run)
            divided = split.splits(len(mentee_ids))
            mentees = None if divided else profiles_of(mentee_ids)
            # nothing written: ends the read, so the solve holds no transaction open (on SQLite, no write lock);
            # nothing of the session is touched again until the result is stored
            db.session.commit()
            solve = strategy_of(strategy)
            if divided:  # blocks of mentees, computed here and by any worker that joins (split.py)
                split.begin(tenant_id, run_id, attempt, mentee_ids, mentors)
            phases.end("cohort")
            index = MentorIndex.build(mentors, week_of=week_of)  # the run's week on any worker: the same result
            phases.end("index")
            if divided:
                pieces = split.candidate_graph(run_id, attempt, index, min_score)
                if pieces is None:
                    return "superseded"
                graph, mentees = pieces  # the mentees' profiles as their blocks read them
            else:
                graph = candidate_graph(mentees, index, CANDIDATES, min_score)
            phases.end("candidates")
            chosen = solve(graph)
            phases.end("solve")
            result = to_assignment(graph, chosen, mentees, index)
            phases.end("reasons")
        except Exception as exc:  # a failed run says why; the job itself succeeds (nothing to retry)
            db.session.rollback()
            return _finish(run_id, attempt, status="failed", error=f"{type(exc).__name__}: {exc}"[:2000])
        outcome = _finish(run_id, attempt, status="succeeded", result=result, left_out=left_out,
                          mentees=len(mentee_ids), mentors=len(mentors), seconds=time.perf_counter() - started)
        phases.end("store")
        log.info("match run %s (%s mentees, %s): %s", run_id, len(mentee_ids),
                 "split in blocks" if divided else "in one piece", phases)
        return outcome


class _Phases:
    """Seconds of each phase of a run, for the log (operators see where a big run's time goes)."""

    def __init__(self):
        self.seconds, self.last = {}, time.perf_counter()

    def end(self, name):
        now = time.perf_counter()
        self.seconds[name], self.last = round(now - self.last, 3), now

    def __str__(self):
        return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.seconds.items())


@contextmanager
def _heartbeat(tenant_id, run_id, attempt):
    """While the block runs, a thread of its own stamps the run's heartbeat_at (its own session and transaction),
    so the sweep can tell a run being worked on from one whose worker died."""
    app, every = current_app._get_current_object(), current_app.config["MATCH_RUN_HEARTBEAT_SECONDS"]
    stop = threading.Event()

    def beat():
        while not stop.wait(every):
            with app.app_context(), tenant_scope(tenant_id):
                db.session.execute(update(MatchRun).where(MatchRun.id == run_id, MatchRun.attempts == attempt,
                                                          MatchRun.status == "running").values(heartbeat_at=utcnow()))
                db.session.commit()

    thread = threading.Thread(target=beat, name=f"match-run-{run_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _cohort(tenant_id, run):
    """Mentee ids and mentor profiles of the run (eligibility decides who), and the named mentees left out."""
    mentee_ids, mentors, left_out = eligibility.cohort(tenant_id, run.requested_mentee_ids, run.requested_mentor_ids,
                                                       PROFILE_COLUMNS)
    responsive = responsiveness()
    mentor_profiles = [profile_of_row(m, capacity.free(m.capacity, load), responsive.get(m.id, 1.0))
                       for m, load in mentors]
    return mentee_ids, mentor_profiles, left_out


def _finish(run_id, attempt, status, result=None, error=None, left_out=None, mentees=0, mentors=0, seconds=0.0):
    """Store the outcome, if this attempt still holds the run (a worker thought dead and re-queued meanwhile does
    not overwrite the attempt that replaced it): the row is locked and checked first."""
    run = db.session.scalar(select(MatchRun).where(MatchRun.id == run_id).with_for_update())
    if run.status != "running" or run.attempts != attempt:
        db.session.rollback()
        return "superseded"
    run.status, run.finished_at, run.error = status, utcnow(), error
    split.forget(run)
    if result is not None:
        run.assignments = [{"mentee_id": p.mentee_id, "mentor_id": p.mentor_id, "score": round(float(p.score), 4),
                            "reasons": p.reasons} for p in result.pairs]
        unmatched = {mentee_id: "no_match" for mentee_id in result.unmatched_mentee_ids}
        unmatched.update(left_out or {})
        run.unmatched_mentee_ids = sorted(unmatched)
        run.unmatched = [{"mentee_id": mentee_id, "reason": unmatched[mentee_id]} for mentee_id in sorted(unmatched)]
        run.stats = {"mentees": mentees, "mentors": mentors, "matched": len(result.pairs),
                     "total_score": round(float(result.total_score), 4), "seconds": round(seconds, 3)}
    record(f"match_run.{status}", run)
    if status == "succeeded":
        events.match_run_succeeded.send(run)
    db.session.commit()
    return status


def _run(run_id):
    return db.session.scalar(select(MatchRun).where(MatchRun.id == run_id))


def _claim(run_id):
    """queued -> running, only once: concurrent or repeated jobs for the same run do nothing (None). Returns the
    attempt number, which fences this worker's writes."""
    now = utcnow()
    attempt = db.session.scalar(update(MatchRun).where(MatchRun.id == run_id, MatchRun.status == "queued")
                                .values(status="running", started_at=now, heartbeat_at=now,
                                        attempts=MatchRun.attempts + 1).returning(MatchRun.attempts))
    db.session.commit()
    return attempt


def job_id(run):
    return f"match-run-{run.tenant_id}-{run.id}"


@periodic(every_seconds=60)
def requeue_stale_match_runs():
    """Across tenants: running runs whose worker died go back to the queue (failed after MAX_ATTEMPTS), and queued
    runs whose job a lost Redis dropped get a new one. Returns how many jobs it queued."""
    now = utcnow()
    lost = db.session.scalars(select(MatchRun).where(
        MatchRun.status == "running",  # (a run claimed before heartbeats existed: its start counts)
        func.coalesce(MatchRun.heartbeat_at, MatchRun.started_at)
        < now - timedelta(seconds=current_app.config["MATCH_RUN_STALE_SECONDS"]))
        .with_for_update(skip_locked=True)).all()
    for run in lost:
        with tenant_scope(run.tenant_id):
            if run.attempts >= MAX_ATTEMPTS:
                run.status, run.finished_at = "failed", now
                run.error = f"The worker running it was lost {run.attempts} times."
                split.forget(run)
                record("match_run.failed", run, reason="worker_lost")
            else:
                run.status = "queued"
                record("match_run.requeued", run, attempts=run.attempts)
    db.session.commit()
    stale = db.session.scalars(select(MatchRun).where(MatchRun.status == "queued", or_(
        MatchRun.created_at < now - STALE_QUEUED, MatchRun.id.in_([run.id for run in lost])))).all()
    for run in stale:
        run_match.enqueue(run.tenant_id, run.id, job_id=job_id(run))
    return len(stale)
