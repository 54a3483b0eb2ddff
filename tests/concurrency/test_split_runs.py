"""A split match run on PostgreSQL with workers claiming its blocks at the same time (matchmaking/split.py): the run's
job and three helpers, each on its own thread and connection, race for 23 blocks of one mentee; every block is
computed once, and the assignments are those of the same run computed in one piece."""
import random
import threading

from mentorship.jobs import runner
from mentorship.jobs.runner import execute
from mentorship.matchmaking import split
from mentorship.matchmaking.tasks import run_match

DOMAINS = ["finance/credit-risk", "software/backend", "data/analytics", "data/ml"]
GOALS = ["domain-knowledge", "career-plan", "visa-guidance", "interview-prep"]


def _without_timing(run):
    stats = dict(run["stats"])
    stats.pop("seconds")
    return run["assignments"], run["unmatched"], stats


def test_workers_racing_for_blocks_compute_each_once(served, office, monkeypatch):
    draw = random.Random(11)
    for _ in range(9):
        office.member("mentor", domains=draw.sample(DOMAINS, 2), capacity=draw.randint(1, 3),
                      goals=draw.sample(GOALS, 2))
    for _ in range(23):
        office.member(domains=draw.sample(DOMAINS, 1), goals=draw.sample(GOALS, 2), international=draw.random() < .5)
    jobs = served.app.extensions["jobs"]  # in-process, run only when asked (TestConfig)
    monkeypatch.setitem(runner._state, "app", served.app)  # jobs run in the served app (its own connections)
    whole = office.ok("POST", "/api/v1/match-runs", {})
    jobs.wait()
    whole = office.ok("GET", f"/api/v1/match-runs/{whole['id']}")
    assert whole["status"] == "succeeded" and whole["stats"]["matched"] >= 8

    for key, value in {"MATCH_RUN_SPLIT_MENTEES": 10, "MATCH_RUN_BLOCK_MENTEES": 1}.items():
        monkeypatch.setitem(served.app.config, key, value)
    queued = office.ok("POST", "/api/v1/match-runs", {})
    name, tenant_id, ids, _ = jobs.items.get()
    assert name == run_match.name
    finished, results = threading.Event(), {}

    def the_runs_job():
        try:
            results["run"] = execute(name, tenant_id, *ids)
        finally:
            finished.set()

    def helper(i):
        computed = 0
        while not finished.is_set():
            computed += execute(split.run_match_blocks.name, tenant_id, queued["id"], 1)
        results[i] = computed

    threads = [threading.Thread(target=the_runs_job), *(threading.Thread(target=helper, args=(i,)) for i in range(3))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    jobs.wait()  # the helpers the run queued: nothing is left for them
    assert results["run"] == "succeeded"
    run = office.ok("GET", f"/api/v1/match-runs/{queued['id']}")
    assert _without_timing(run) == _without_timing(whole)
    assert run["progress"]["blocks"] == run["progress"]["blocks_done"] == 23  # counted once each
    assert sum(results[i] for i in range(3)) >= 1 and run["progress"]["workers"] >= 2  # the helpers did take blocks
