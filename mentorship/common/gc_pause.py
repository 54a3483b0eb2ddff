"""Python's cycle collector paused around a big job that builds and keeps many objects (a match run's mentors,
index, profiles, edges and reasons).

The collector runs after every 700 new container objects and makes a full pass over every tracked object each time
their number has grown by a quarter: a job that makes tens of thousands of profiles, tuples and dicts pays for
passes that find next to nothing (what it drops is freed by reference counting; cycles are rare). Inside
`collector_paused()` the collector does not run on its own; objects are freed by reference counting as usual, and a
cycle that became garbage meanwhile is collected after the last body has left (the collector is enabled again, if it
was before). A 50,000 x 10,000 match run: ~0.1 s less in each of its cohort, index and reasons phases, 0-5 % less in
all (bench/RESULTS.md §24; §22 measured the full passes, which an earlier gc.freeze() version only thinned out).

Nested and concurrent bodies (a run's job and a helper in one process, the in-process job thread beside requests,
the tests' threads) count: the collector comes back when the last one leaves. Garbage cycles made meanwhile wait:
a split run's job makes ~10 small ones each time it looks at its blocks (every 50 ms while it waits).
"""
import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_inside = 0             # bodies running now, across threads
_was_enabled = False    # the collector's state when the first of them entered


@contextmanager
def collector_paused():
    """Run the body with the cycle collector paused (see the module)."""
    global _inside, _was_enabled
    with _lock:
        if _inside == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _was_enabled:
                gc.enable()
