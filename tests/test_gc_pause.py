"""common/gc_pause.py: the cycle collector is paused while a big job runs, and back (collecting what the job left)
when the last such job has left."""
import gc
import threading
import weakref

import pytest

from mentorship.common.gc_pause import collector_paused


class _Node:
    pass


def _cycle():
    node = _Node()
    node.self = node  # only the cycle collector frees it
    return weakref.ref(node)


def _allocate(count=20_000):
    """Enough new container objects that a running collector would have made several passes."""
    return [[] for _ in range(count)]


@pytest.fixture(autouse=True)
def _collector_enabled():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_does_not_run_inside_and_collects_the_jobs_garbage_after():
    passes = gc.get_stats()[0]["collections"]
    with collector_paused():
        assert not gc.isenabled()
        garbage = _cycle()
        _allocate()
        assert garbage() is not None  # no pass ran on its own
        assert gc.get_stats()[0]["collections"] == passes
    assert gc.isenabled()
    _allocate()  # the collector runs on its own again
    assert gc.get_stats()[0]["collections"] > passes
    gc.collect()
    assert garbage() is None


def test_back_when_the_job_fails():
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("the run failed")
    assert gc.isenabled()


def test_nested_bodies_keep_it_paused_until_the_outer_leaves():
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_concurrent_bodies_the_first_to_leave_does_not_bring_it_back():
    entered, leave = threading.Event(), threading.Event()

    def other_job():
        with collector_paused():
            entered.set()
            leave.wait(10)

    thread = threading.Thread(target=other_job)
    thread.start()
    entered.wait(10)
    with collector_paused():
        pass
    assert not gc.isenabled()  # the other job is still running
    leave.set()
    thread.join(10)
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
