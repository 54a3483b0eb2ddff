"""Big match runs split into blocks of mentees (matchmaking/split.py): the same assignments as a run computed in one
piece, progress by blocks, nothing left behind, and a block whose worker went silent taken over."""
import random
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from matching import Profile
from matching.assign import PAIR_MENTEE_FIELDS
from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.matchmaking import split
from mentorship.matchmaking.models import MatchRun, MatchRunBlock
from mentorship.matchmaking.profiles import LazyProfiles, from_json, profiles_of, to_json
from mentorship.tenancy.scope import tenant_scope
from tests.factories import make_member, run_worker, wait_local_jobs

DOMAINS = ["finance/credit-risk", "software/backend", "data/analytics", "data/ml"]
GOALS = ["domain-knowledge", "career-plan", "visa-guidance", "interview-prep"]


@pytest.fixture
def cohort(app, tenant):
    draw = random.Random(5)
    mentors = [make_member(app, tenant, role="mentor", domains=draw.sample(DOMAINS, 2), capacity=draw.randint(1, 3),
                           goals=draw.sample(GOALS, 2), school=draw.choice(["MIT", "UT Dallas", None]),
                           skills=draw.sample(["python", "sql", "risk", "react"], 2)) for _ in range(9)]
    mentees = [make_member(app, tenant, domains=draw.sample(DOMAINS, 1), goals=draw.sample(GOALS, 2),
                           international=draw.random() < 0.5, school=draw.choice(["MIT", "UT Dallas", None]),
                           skills=draw.sample(["python", "sql", "risk", "react"], 2)) for _ in range(23)]
    return mentees, mentors


def _run(app, admin, body=None, **config):
    saved = {key: app.config[key] for key in config}
    app.config.update(config)
    try:
        run = admin.post("/api/v1/match-runs", json=body or {}).json
        wait_local_jobs(app)
    finally:
        app.config.update(saved)
    return admin.get(f"/api/v1/match-runs/{run['id']}").json


def _without_timing(run):
    stats = dict(run["stats"])
    stats.pop("seconds")
    return run["assignments"], run["unmatched"], stats


SPLIT = {"MATCH_RUN_SPLIT_MENTEES": 10, "MATCH_RUN_BLOCK_MENTEES": 4}


@pytest.mark.parametrize("strategy", ["optimal", "stable"])
def test_a_split_run_assigns_as_a_run_in_one_piece(app, admin, tenant, cohort, strategy):
    whole = _run(app, admin, {"strategy": strategy})
    assert whole["status"] == "succeeded" and whole["progress"] is None
    assert whole["stats"]["matched"] >= 8  # a real matching, not an empty one
    divided = _run(app, admin, {"strategy": strategy}, **SPLIT)
    assert divided["status"] == "succeeded", divided
    assert _without_timing(divided) == _without_timing(whole)
    # 23 mentees in 4 blocks of 4, then the last 7 (at most 2 x 4) in blocks of 1; in process the run's own job
    # computes every block (the helpers it queued start after it and find nothing to do)
    assert divided["progress"] == {"blocks": 11, "blocks_done": 11, "workers": 1}
    with app.app_context(), tenant_scope(tenant.id):
        assert db.session.scalar(select(func.count()).select_from(MatchRunBlock)) == 0
        assert db.session.scalar(select(MatchRun.mentor_snapshot).where(MatchRun.id == divided["id"])) is None


def test_the_runs_job_stores_no_edges_of_the_blocks_it_keeps(app, admin, tenant, cohort, monkeypatch):
    """The run's own job keeps what it computes: its blocks are marked done without edges or profiles (only another
    worker's blocks are read back). Seen from inside the job, each time it looks for blocks done elsewhere."""
    seen = []
    done_elsewhere = split._done_elsewhere

    def watching(run_id, attempt, held):
        seen.append(db.session.execute(select(func.count(), func.count(MatchRunBlock.edges),
                                              func.count(MatchRunBlock.profiles))
                                       .where(MatchRunBlock.run_id == run_id, MatchRunBlock.status == "done")).one())
        return done_elsewhere(run_id, attempt, held)

    monkeypatch.setattr(split, "_done_elsewhere", watching)
    run = _run(app, admin, **SPLIT)
    assert run["status"] == "succeeded" and run["progress"]["blocks_done"] == 11
    assert seen[-1] == (11, 0, 0)  # every block done, by the job, none stored


def test_blocks_are_whole_then_small_at_the_end():
    assert split.block_bounds(50_000, 2_500) == (
        [(n * 2_500, (n + 1) * 2_500) for n in range(18)] + [(45_000 + n * 625, 45_000 + (n + 1) * 625)
                                                             for n in range(8)])
    assert split.block_bounds(23, 4) == [(0, 4), (4, 8), (8, 12), (12, 16)] + [(n, n + 1) for n in range(16, 23)]
    assert split.block_bounds(0, 2_500) == []
    assert split.block_bounds(5, 2_500) == [(0, 5)]  # fewer than a small block: one
    assert split.block_bounds(3, 1) == [(0, 1), (1, 2), (2, 3)]


@given(count=st.integers(0, 3_000), size=st.integers(1, 300))
def test_blocks_cover_the_mentees_once_in_order(count, size):
    bounds = split.block_bounds(count, size)
    assert [start for start, _ in bounds] == [0, *(stop for _, stop in bounds)][:len(bounds)]  # contiguous, in order
    assert (bounds[-1][1] if bounds else 0) == count
    assert all(0 < stop - start <= size for start, stop in bounds)
    small = max(1, size // 4)
    tail = [stop - start for start, stop in bounds if start >= count - 2 * size]
    assert all(length <= small for length in tail)  # the last 2 x size mentees come in small blocks


def test_a_named_cohort_below_the_threshold_is_not_split(app, admin, cohort):
    mentees, _ = cohort
    run = _run(app, admin, {"mentee_ids": mentees[:9]}, **SPLIT)
    assert run["status"] == "succeeded" and run["progress"] is None


def test_a_block_whose_worker_went_silent_is_taken_over(app, admin, tenant, cohort, monkeypatch):
    """One block claimed by a worker that died (claimed long ago) and one by a worker that is merely slow (claimed
    just now, silent past MATCH_RUN_STALE_SECONDS while the run's job waits): the run's job computes both."""
    whole = _run(app, admin)
    plan = split._plan

    def plan_then_lose_two_workers(tenant_id, run_id, attempt, mentee_ids, mentors):
        plan(tenant_id, run_id, attempt, mentee_ids, mentors)
        for block, when in ((0, utcnow() - timedelta(hours=1)), (3, utcnow())):
            db.session.execute(update(MatchRunBlock).where(MatchRunBlock.run_id == run_id, MatchRunBlock.block == block)
                               .values(status="claimed", claimed_by=f"gone-{block}", claimed_at=when))
        db.session.commit()

    monkeypatch.setattr(split, "_plan", plan_then_lose_two_workers)
    taken = _run(app, admin, **SPLIT, MATCH_RUN_STALE_SECONDS=0.3)
    assert taken["status"] == "succeeded"
    assert _without_timing(taken) == _without_timing(whole)
    assert taken["progress"] == {"blocks": 11, "blocks_done": 11, "workers": 1}


def test_a_helper_of_a_finished_or_replaced_attempt_does_nothing(app, admin, tenant, cohort):
    from mentorship.jobs.runner import execute

    run = _run(app, admin, **SPLIT)
    assert execute(split.run_match_blocks.name, tenant.id, run["id"], 1) == 0  # finished: no blocks, no snapshot
    with app.app_context(), tenant_scope(tenant.id):  # a planned attempt 1 whose run moved on to attempt 2
        db.session.execute(update(MatchRun).where(MatchRun.id == run["id"]).values(status="running", attempts=2,
                                                                                   mentor_snapshot=to_json([])))
        db.session.add(MatchRunBlock(run_id=run["id"], attempt=1, block=0, mentee_ids=[1], status="pending"))
        db.session.commit()
    assert execute(split.run_match_blocks.name, tenant.id, run["id"], 1) == 0
    with app.app_context(), tenant_scope(tenant.id):
        assert db.session.scalar(select(MatchRunBlock.status).where(MatchRunBlock.run_id == run["id"])) == "pending"


def test_the_mentor_snapshot_reads_back_the_same_profiles(app, tenant, cohort):
    mentees, mentors = cohort
    with app.app_context(), tenant_scope(tenant.id):
        profiles = profiles_of(mentors + mentees)
    assert len(profiles) == len(mentors) + len(mentees)
    assert from_json(to_json(profiles)) == profiles
    assert all(isinstance(p.availability, tuple) and all(isinstance(w, tuple) for w in p.availability)
               for p in from_json(to_json(profiles)))
    # the blocks in order: documents other workers stored, and the profiles this worker read itself
    lazy = LazyProfiles([to_json(profiles[:5]), profiles[5:7], to_json(profiles[7:])])
    assert lazy.ids == [p.id for p in profiles] and len(lazy) == len(profiles)
    assert [lazy[n] for n in reversed(range(len(lazy)))] == profiles[::-1] and lazy[3] is lazy[3]
    # as a split run stores its blocks: the fields the pairs' reasons read, the rest left to Profile's defaults
    fields = PAIR_MENTEE_FIELDS
    lazy = LazyProfiles([to_json(profiles[:5], fields), profiles[5:7], to_json(profiles[7:], fields)], fields)
    assert lazy.ids == [p.id for p in profiles]
    assert [lazy[n] for n in range(len(lazy))] == [
        p if 5 <= n < 7 else Profile(**{name: getattr(p, name) for name in fields}) for n, p in enumerate(profiles)]
    assert all(isinstance(lazy[n].domains, tuple) and lazy[n].text == "" for n in (*range(5), *range(7, len(lazy))))


def test_a_split_run_through_rq_workers(app, admin, tenant, cohort, rq_backend):
    first = admin.post("/api/v1/match-runs", json={}).json
    run_worker(rq_backend)
    whole = admin.get(f"/api/v1/match-runs/{first['id']}").json
    saved = {key: app.config[key] for key in SPLIT}
    app.config.update(SPLIT)
    try:
        queued = admin.post("/api/v1/match-runs", json={}).json
        run_worker(rq_backend)  # the run's job, then the helpers it queued after its plan committed
    finally:
        app.config.update(saved)
    run = admin.get(f"/api/v1/match-runs/{queued['id']}").json
    assert run["status"] == "succeeded" and run["progress"]["blocks_done"] == 11
    assert _without_timing(run) == _without_timing(whole)
    jobs = [job for name in ("low",) for job in rq_backend.queue(name).finished_job_registry.get_job_ids()]
    assert sum("-blocks-" in job for job in jobs) == 3  # MATCH_RUN_SPLIT_HELPERS helpers were queued, and ran
