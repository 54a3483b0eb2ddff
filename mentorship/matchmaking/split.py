"""Big match runs split across workers (issue 16): blocks of mentees that any worker may compute.

A run of at least MATCH_RUN_SPLIT_MENTEES mentees (tasks.run_match) writes, in one transaction, the mentors it scores
against (JSON profiles on the run's row) and one row per block of MATCH_RUN_BLOCK_MENTEES mentee ids (the last ones
smaller: block_bounds), and queues up to MATCH_RUN_SPLIT_HELPERS helper jobs (`run_match_blocks`). The run's own job
and every helper that starts while blocks are pending claim them one at a time (a guarded UPDATE; SKIP LOCKED on
PostgreSQL), read those mentees' profiles, compute their candidate edges against the same mentors
(matching.candidates.CandidateGenerator: a mentee's edges depend on that mentee and the mentors only) and store them
with the block (with what the pairs' reasons read of those mentees' profiles: matching.assign.PAIR_MENTEE_FIELDS),
counting it in the run's `blocks_done` (the progress GET /match-runs/{id} shows). The run's job keeps the blocks it
computed in memory (marked done without their edges: no other worker reads them) and reads those done elsewhere as
they come in, between its own blocks and then while it waits for the last ones (taking over one whose worker has been
silent for MATCH_RUN_STALE_SECONDS); it joins the blocks in order and solves: the graph is the one an unsplit run
builds from the same members, and so are the assignments.

With one worker, or without Redis (in-process jobs run one at a time, so the helpers start once the run has finished
and find nothing to do), the run's job computes every block itself, in order. Block rows belong to one attempt of the
run: a helper of an older attempt claims nothing, and the job that finishes the run deletes them.

A mentee's profile is read when their block is computed, so a profile edited during the run counts as edited (an
erased mentee is left out); the mentors are those the run read at its start, on every worker.
"""
import logging
import os
import socket
import threading
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, exists, func, select, update

from matching.assign import PAIR_MENTEE_FIELDS
from matching.candidates import CANDIDATES, BlockEdges, CandidateGenerator, join
from matching.features import MentorIndex
from mentorship.common.clock import utcnow
from mentorship.common.gc_pause import collector_paused
from mentorship.extensions import db
from mentorship.jobs import job
from mentorship.matchmaking.models import MatchRun, MatchRunBlock
from mentorship.matchmaking.profiles import LazyProfiles, from_json, profiles_of, to_json

log = logging.getLogger(__name__)
POLL_SECONDS = 0.05  # how often the run's job looks whether the blocks other workers hold are in


def splits(mentee_count):
    """Whether a run of this many mentees is split into blocks."""
    return mentee_count >= current_app.config["MATCH_RUN_SPLIT_MENTEES"]


def begin(tenant_id, run_id, attempt, mentee_ids, mentors):
    """Write the run's blocks and mentor snapshot, and queue its helpers: they can start while this worker builds
    its index."""
    _plan(tenant_id, run_id, attempt, mentee_ids, mentors)


def candidate_graph(run_id, attempt, index: MentorIndex, min_score):
    """(The run's candidate graph, the profiles of its mentees in row order), computed block by block here and by
    any helper that joins (after `begin`); None when the run is no longer this attempt's (the sweep gave it to
    another worker). The blocks this worker computes stay in its memory; those computed elsewhere are read as they
    come in, between its own blocks and while it waits for the last ones."""
    generator, me = CandidateGenerator(index, CANDIDATES, min_score), _worker_name()
    stale = timedelta(seconds=current_app.config["MATCH_RUN_STALE_SECONDS"])
    held = {}  # block -> (BlockEdges, its mentees' profiles as a list or as to_json's document)
    here, reading, waiting = 0, 0.0, 0.0  # for the log: where the phase's time went
    while True:
        blocks = _blocks_if_running(run_id, attempt)
        if blocks is None:
            return None
        started = time.perf_counter()
        held.update(_done_elsewhere(run_id, attempt, held))
        reading += time.perf_counter() - started
        if len(held) == blocks:
            break
        computed = _compute(run_id, attempt, generator, me, store=False)
        if computed is None:  # none pending: one whose worker went silent, else wait for the others
            computed = _compute(run_id, attempt, generator, me, stale_before=utcnow() - stale, store=False)
        if computed is None:
            started = time.perf_counter()
            time.sleep(POLL_SECONDS)
            waiting += time.perf_counter() - started
        else:
            held.update(computed)
            here += len(computed)
    workers = db.session.scalar(select(func.count(func.distinct(MatchRunBlock.claimed_by))).where(
        MatchRunBlock.run_id == run_id, MatchRunBlock.attempt == attempt))
    db.session.execute(update(MatchRun).where(MatchRun.id == run_id, MatchRun.attempts == attempt)
                       .values(block_workers=workers).execution_options(synchronize_session=False))
    db.session.commit()
    log.info("match run %s: %s of %s blocks computed here; the others read in %.2f s, %.2f s spent waiting for them",
             run_id, here, blocks, reading, waiting)
    in_order = [held.pop(block) for block in range(blocks)]
    # as read by their blocks' workers: those of other workers' blocks with what the pairs' reasons read only
    mentees = LazyProfiles((profiles for _, profiles in in_order), PAIR_MENTEE_FIELDS)
    return join([edges for edges, _ in in_order], mentees.ids, index), mentees


def forget(run):
    """The run's blocks and mentor snapshot, once it has finished (in the caller's transaction)."""
    if run.blocks is not None:
        db.session.execute(delete(MatchRunBlock).where(MatchRunBlock.run_id == run.id)
                           .execution_options(synchronize_session=False))
        run.mentor_snapshot = None


def block_bounds(count, size):
    """[(start, stop)] of a run's blocks over `count` mentees: blocks of `size`, then the last 2 × size mentees in
    blocks of a quarter of it. The last blocks claimed are small ones, so the workers finish close together: a
    worker that runs out waits at most for a small block, not for a whole one (a block of 2,500 is ~0.8 s)."""
    small, bounds, start = max(1, size // 4), [], 0
    while start < count:
        stop = min(start + (size if count - start > 2 * size else small), count)
        bounds.append((start, stop))
        start = stop
    return bounds


def _plan(tenant_id, run_id, attempt, mentee_ids, mentors):
    """Write the blocks and the mentor snapshot, and queue the helpers once they are committed."""
    bounds = block_bounds(len(mentee_ids), current_app.config["MATCH_RUN_BLOCK_MENTEES"])
    blocks = [mentee_ids[start:stop] for start, stop in bounds]
    db.session.execute(delete(MatchRunBlock).where(MatchRunBlock.run_id == run_id)  # an earlier attempt's
                       .execution_options(synchronize_session=False))
    db.session.add_all(MatchRunBlock(run_id=run_id, attempt=attempt, block=n, mentee_ids=ids, status="pending")
                       for n, ids in enumerate(blocks))
    db.session.execute(update(MatchRun).where(MatchRun.id == run_id, MatchRun.attempts == attempt)
                       .values(blocks=len(blocks), blocks_done=0, mentor_snapshot=to_json(mentors))
                       .execution_options(synchronize_session=False))
    for helper in range(min(current_app.config["MATCH_RUN_SPLIT_HELPERS"], len(blocks) - 1)):
        run_match_blocks.enqueue_after_commit(tenant_id, run_id, attempt,
                                              job_id=f"match-run-{tenant_id}-{run_id}-{attempt}-blocks-{helper}")
    db.session.commit()


def _compute(run_id, attempt, generator, me, stale_before=None, store=True):
    """Claim a block (see _claim) and compute it: None when there was none to claim, else {block: (edges, the
    mentees' profiles)}, empty when another worker took the block over meanwhile. `store=False` (the run's job,
    which keeps what it computes) marks the block done without its edges: nobody else reads them, and a run whose
    job is lost starts again from new blocks."""
    claimed = _claim(run_id, attempt, me, stale_before)
    if claimed is None:
        return None
    mentees = profiles_of(claimed.mentee_ids)
    db.session.commit()  # the read ends: no transaction is held while computing
    edges = generator.edges(mentees)
    stored = _store(run_id, attempt, claimed.block, me, edges, mentees, store)
    return {claimed.block: (edges, mentees)} if stored else {}


def _blocks_if_running(run_id, attempt):
    """How many blocks the run has, or None when it is no longer running as this attempt."""
    blocks = db.session.scalar(select(MatchRun.blocks).where(MatchRun.id == run_id, MatchRun.attempts == attempt,
                                                             MatchRun.status == "running"))
    db.session.commit()
    return blocks


def _done_elsewhere(run_id, attempt, held):
    """{block: (edges, profiles document)} of the blocks done and not in `held` (another worker's)."""
    rows = db.session.execute(select(MatchRunBlock.block, MatchRunBlock.edges, MatchRunBlock.profiles).where(
        MatchRunBlock.run_id == run_id, MatchRunBlock.attempt == attempt, MatchRunBlock.status == "done",
        MatchRunBlock.block.not_in(list(held)))).all()
    db.session.commit()
    return {row.block: (BlockEdges.from_bytes(row.edges), row.profiles) for row in rows}


def _claim(run_id, attempt, me, stale_before=None):
    """(block, mentee_ids) of a block now claimed by `me`, or None: the first pending block, or with `stale_before`
    the first claimed before then and not done (its worker went silent). Only while the run is this attempt's."""
    if stale_before is None:
        state = (MatchRunBlock.status == "pending",)
    else:
        state = (MatchRunBlock.status == "claimed", MatchRunBlock.claimed_at < stale_before)
    of_run = (MatchRunBlock.run_id == run_id, MatchRunBlock.attempt == attempt)
    first = (select(MatchRunBlock.block).where(*of_run, *state).order_by(MatchRunBlock.block).limit(1)
             .with_for_update(skip_locked=True).scalar_subquery())
    running = exists().where(MatchRun.id == run_id, MatchRun.attempts == attempt, MatchRun.status == "running")
    claimed = db.session.execute(
        update(MatchRunBlock).where(*of_run, MatchRunBlock.block == first, *state, running)
        .values(status="claimed", claimed_by=me, claimed_at=utcnow())
        .returning(MatchRunBlock.block, MatchRunBlock.mentee_ids)
        .execution_options(synchronize_session=False)).first()
    db.session.commit()
    return claimed


def _store(run_id, attempt, block, me, edges: BlockEdges, mentees, store=True) -> bool:
    """Mark the block done, with its edges and what the pairs' reasons read of the profiles they were computed from
    unless `store` is false, if `me` still holds it, and count it in the run's progress: False when another worker
    took the block over. The run's row is locked first, as the run's job does when it finishes."""
    payload = {"edges": edges.to_bytes(), "profiles": to_json(mentees, PAIR_MENTEE_FIELDS)} if store else {}
    held = exists().where(MatchRunBlock.run_id == run_id, MatchRunBlock.attempt == attempt,
                          MatchRunBlock.block == block, MatchRunBlock.status == "claimed",
                          MatchRunBlock.claimed_by == me)
    counted = db.session.execute(
        update(MatchRun).where(MatchRun.id == run_id, MatchRun.attempts == attempt, MatchRun.status == "running", held)
        .values(blocks_done=MatchRun.blocks_done + 1).returning(MatchRun.id)
        .execution_options(synchronize_session=False)).first()
    stored = counted is not None and db.session.execute(
        update(MatchRunBlock).where(MatchRunBlock.run_id == run_id, MatchRunBlock.attempt == attempt,
                                    MatchRunBlock.block == block, MatchRunBlock.claimed_by == me,
                                    MatchRunBlock.status == "claimed")
        .values(status="done", **payload)
        .returning(MatchRunBlock.block)
        .execution_options(synchronize_session=False)).first() is not None
    if stored:
        db.session.commit()
        return True
    db.session.rollback()
    return False


def _worker_name():
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:120]


@job(queue="low", timeout=1800)
def run_match_blocks(tenant_id, run_id, attempt):
    """A helper of a split run: computes pending blocks until none is left. Returns how many it computed."""
    pending = db.session.scalar(select(MatchRunBlock.block).where(
        MatchRunBlock.run_id == run_id, MatchRunBlock.attempt == attempt, MatchRunBlock.status == "pending").limit(1))
    run = db.session.execute(select(MatchRun.created_at, MatchRun.min_score, MatchRun.mentor_snapshot).where(
        MatchRun.id == run_id, MatchRun.attempts == attempt, MatchRun.status == "running")).first()
    db.session.commit()
    if pending is None or run is None or run.mentor_snapshot is None:
        return 0  # the run finished (or moved on to another attempt) before this helper started
    with collector_paused():
        index = MentorIndex.build(from_json(run.mentor_snapshot), week_of=run.created_at)  # the run's week
        generator, me, computed = CandidateGenerator(index, CANDIDATES, run.min_score), _worker_name(), 0
        while (done := _compute(run_id, attempt, generator, me)) is not None:  # the blocks' objects die here
            computed += len(done)
        return computed
