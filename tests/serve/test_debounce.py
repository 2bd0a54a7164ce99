"""A burst of changes becomes one batch; changes during a build wait for the next one."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from briefing.serve.debounce import ChangeQueue, DebounceWindow, Lead


def test_window_is_due_after_the_quiet_time_following_the_last_change():
    window = DebounceWindow(quiet=0.05, max_wait=2.0)
    assert window.due_at() is None
    window.add(10.0)
    window.add(10.03)
    window.add(10.07)
    assert window.due_at() == pytest.approx(10.12)


def test_window_never_waits_longer_than_max_wait_after_the_first_change():
    window = DebounceWindow(quiet=0.05, max_wait=1.0)
    for i in range(100):  # a change every 40 ms, forever
        window.add(10.0 + i * 0.04)
    assert window.due_at() == pytest.approx(11.0)


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_queue_hands_out_the_union_of_a_burst_as_one_batch():
    clock = FakeClock()
    queue = ChangeQueue(quiet=0.0, max_wait=0.0, clock=clock)
    queue.put({Path("a")})
    queue.put({Path("b"), Path("a")})
    queue.put([])
    assert queue.take() == {Path("a"), Path("b")}
    assert queue.pending == set()


def test_changes_made_while_a_batch_builds_are_merged_into_the_next_batch():
    queue = ChangeQueue(quiet=0.0, max_wait=0.0)
    queue.put({Path("a")})
    assert queue.take() == {Path("a")}
    assert not queue.wait_idle(timeout=0)  # busy building
    queue.put({Path("b")})
    queue.put({Path("c")})
    queue.done()
    assert queue.take() == {Path("b"), Path("c")}
    queue.done()
    assert queue.wait_idle(timeout=0)


def test_take_waits_for_the_quiet_time_and_close_releases_it():
    queue = ChangeQueue(quiet=30.0, max_wait=60.0)
    got = []
    taker = threading.Thread(target=lambda: got.append(queue.take()))
    taker.start()
    queue.put({Path("a")})
    taker.join(timeout=0.2)
    assert taker.is_alive()  # still inside the quiet window
    queue.close()
    taker.join(timeout=5)
    assert got == [None]


def test_quiet_must_not_exceed_max_wait():
    with pytest.raises(ValueError):
        ChangeQueue(quiet=2.0, max_wait=1.0)


def test_take_with_idle_hands_out_an_empty_batch_once_nothing_came_for_that_long():
    queue = ChangeQueue(quiet=0.0, max_wait=0.0)
    assert queue.take(idle=0.01) == set()
    assert queue.wait_idle(timeout=0)   # an idle turn is not a batch being built
    queue.put({Path("a")})
    assert queue.take(idle=30.0) == {Path("a")}   # a change ends the wait at once


def test_a_consumer_that_asks_gets_the_first_changes_of_a_burst_at_once_then_the_whole_burst():
    clock = FakeClock()
    queue = ChangeQueue(quiet=0.05, max_wait=2.0, clock=clock)
    queue.put({Path("a")})
    assert queue.take(lead=True) == Lead(frozenset({Path("a")}))   # not due yet: handed out at once
    queue.put({Path("b")})            # the burst goes on
    clock.now += 0.06
    assert queue.take(lead=True) == {Path("a"), Path("b")}          # one batch for the whole burst
    queue.put({Path("c")})            # while it builds: the next burst
    queue.done()
    assert queue.take(lead=True) == Lead(frozenset({Path("c")}))
    clock.now += 0.06
    assert queue.take() == {Path("c")}
    queue.done()
    queue.put({Path("d")})
    clock.now += 0.06
    assert queue.take() == {Path("d")}   # without asking: no lead
