"""Python's cycle collector around a big job that keeps many objects (a match run's profiles, index and edges).

The collector's full pass scans every tracked object, and it runs each time their number has grown by a quarter: a
job that keeps tens of thousands of profiles pays a full pass every other block of mentees (~0.1 s each at
50,000 x 10,000, measured: bench/RESULTS.md §22). Inside `long_lived()`, `keep()` moves every object that exists
now out of the collector's reach (gc.freeze): what the job holds is scanned once, not again and again. Objects
kept this way are still freed by reference counting as usual; at the end they are all handed back (gc.unfreeze),
so a cycle that became garbage meanwhile is collected then. Nested or concurrent uses (the in-process job thread
beside requests, the tests' threads) only lose some of the saving: the first to leave hands everything back.
"""
import gc
from contextlib import contextmanager


@contextmanager
def long_lived():
    """The body keeps what it builds: call the yielded `keep()` after building something big it will hold."""
    gc.freeze()
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()
