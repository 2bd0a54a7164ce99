"""The collector settings: serve keeps what survives a rebuild frozen, and frees cycles when idle."""

from __future__ import annotations

import gc
import sys
import weakref

import pytest

from briefing import heap


@pytest.fixture
def clean_collector():
    thresholds = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


class Node:
    pass


def test_batch_work_collects_young_objects_far_less_often(clean_collector):
    heap.tune_for_batch()
    assert gc.get_threshold()[0] >= 10_000


def test_a_settled_heap_is_out_of_the_collectors_sight_until_tidied(clean_collector):
    kept = heap.LongLivedHeap()
    cycle = Node()
    cycle.self = cycle
    gone = weakref.ref(cycle)
    kept.settle()
    assert heap.frozen() and kept.untidy
    del cycle
    gc.collect()
    assert gone() is not None   # frozen: a collection does not look at it
    assert kept.tidy() is True
    assert gone() is None       # the idle collection frees it
    assert heap.frozen()        # and what is alive is frozen again
    assert kept.tidy() is False  # nothing new since


def test_free_memory_is_handed_back_where_the_c_library_can():
    assert heap.return_free_memory() is (heap._malloc_trim() is not None)
    assert heap._malloc_trim() is not None or sys.platform != "linux"   # glibc here: it must be found


def test_resident_memory_is_read_and_grows_with_what_is_held():
    before = heap.resident_mb()
    held = bytearray(50_000_000)   # touched: resident
    held[::4096] = b"x" * len(held[::4096])
    after = heap.resident_mb()
    assert before is not None and after is not None and after - before >= 45
    del held
