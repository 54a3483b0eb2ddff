"""common/long_lived.py: what a big job keeps is out of the cycle collector's reach while it runs, and handed back."""
import gc
import weakref

from mentorship.common.long_lived import long_lived


class _Node:
    pass


def _cycle():
    node = _Node()
    node.self = node  # only the cycle collector frees it
    return weakref.ref(node)


def test_kept_objects_are_not_scanned_while_the_job_runs_and_are_collected_after():
    with long_lived() as keep:
        kept = _cycle()
        keep()
        gc.collect()
        assert kept() is not None  # frozen: a full pass did not look at it
        assert gc.get_freeze_count() > 0
        newer = _cycle()  # made after the last keep(): collected as usual
        gc.collect()
        assert newer() is None
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert kept() is None  # handed back when the job ended: garbage is collected


def test_handed_back_when_the_job_fails():
    try:
        with long_lived() as keep:
            kept = _cycle()
            keep()
            raise RuntimeError("the run failed")
    except RuntimeError:
        pass
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert kept() is None
