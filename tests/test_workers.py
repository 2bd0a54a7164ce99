"""Forked workers: background ones run at lower CPU priority than the process that forked them;
work run in a child process hands back its result or its errors."""

from __future__ import annotations

import os
import select
import signal

import pytest

from briefing.errors import BriefingError, BriefingErrors
from briefing.workers import CAN_FORK, ChildCall, fork_pool, run_in_child

pytestmark = pytest.mark.skipif(not CAN_FORK, reason="needs fork")


def _niceness(_: int) -> int:
    return os.nice(0)


def test_background_workers_are_niced_and_others_are_not():
    mine = os.nice(0)
    with fork_pool(2, niceness=5) as pool:
        assert set(pool.map(_niceness, range(4))) == {min(mine + 5, 19)}
    with fork_pool(2) as pool:
        assert set(pool.map(_niceness, range(4))) == {mine}


def test_a_child_process_hands_back_its_result_or_its_errors():
    assert run_in_child(lambda: {"pid": os.getpid()})["pid"] != os.getpid()
    errors = [BriefingError("content/articles/a.md", "bad YAML front matter", 3)]

    def fails():
        raise BriefingErrors(errors)

    with pytest.raises(BriefingErrors) as caught:
        run_in_child(fails)
    assert caught.value.errors == errors   # the errors themselves, with file and line

    with pytest.raises(RuntimeError, match="signal 9"):
        run_in_child(lambda: os.kill(os.getpid(), signal.SIGKILL))


@pytest.mark.skipif(not CAN_FORK, reason="needs fork")
def test_work_done_beside_a_child_reaches_it_and_a_failure_there_only_loses_it():
    parent = os.getpid()
    big = list(range(100_000))   # more than a pipe holds: neither side may wait on the other

    def child(received):
        return os.getpid(), received()

    pid, got = run_in_child(child, beside=lambda: (os.getpid(), big))
    assert pid != parent and got == (parent, big)   # done by this process, handed to the child

    def fails():
        raise OSError("no stamp")

    assert run_in_child(child, beside=fails)[1] is None
    # a child that never asks does not keep either process waiting
    assert run_in_child(lambda received: "done", beside=lambda: big) == "done"


@pytest.mark.skipif(not CAN_FORK, reason="needs fork")
def test_several_helpers_reach_the_child_each_when_done_and_an_interrupted_one_ends_them():
    big = list(range(100_000))   # more than a pipe holds: the next helper is not held up by it
    order: list[str] = []

    def child(received):
        return received(1), received(0) == big, received(2)

    def first():
        order.append("first")
        return big

    def second():
        order.append("second")
        return "second"

    assert run_in_child(child, beside=(first, second)) == ("second", True, None)
    assert order == ["first", "second"]

    def interrupted():
        raise KeyboardInterrupt

    def left_waiting(*_):
        raise AssertionError("the child was left waiting for what the interrupted helper never sent")

    before = signal.signal(signal.SIGALRM, left_waiting)
    signal.alarm(30)
    try:
        with pytest.raises(KeyboardInterrupt):   # raised here, once the child has ended
            run_in_child(lambda received: received(1), beside=(first, interrupted))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)


def test_work_started_in_a_child_runs_beside_this_process_and_hands_back_its_result():
    go_read, go_write = os.pipe()

    def waits_for_this_process():   # ends only once this process has gone on to its next step
        ready, _, _ = select.select([go_read], [], [], 30)
        return os.getpid(), bool(ready)

    started = ChildCall(waits_for_this_process)
    os.write(go_write, b"go")   # the next step: done while the child is under way
    pid, went_on = started.result()
    assert pid != os.getpid() and went_on
    assert started.result() == (pid, True)   # asked again: the same, from memory
    os.close(go_read)
    os.close(go_write)

    def fails():
        raise OSError("no saved state")

    assert ChildCall(fails).result() is None
    assert ChildCall(lambda: os._exit(3)).result() is None   # its process died: nothing came

    never_read, never_written = os.pipe()
    waiting = ChildCall(lambda: os.read(never_read, 1))   # would wait for ever
    waiting.stop()
    assert waiting.result() is None
    os.close(never_read)
    os.close(never_written)


def test_a_child_tells_whether_a_result_has_arrived_without_waiting_for_it(monkeypatch):
    """``received.arrived(i)``: False while the parent is still making the i-th result (the
    child may do other work meanwhile), True once it is there; without fork, always True."""
    looked_read, looked_write = os.pipe()

    def helper():   # in the parent: done only once the child has looked
        os.read(looked_read, 1)
        return "ranked"

    def child(received):
        before = received.arrived(0)
        os.write(looked_write, b"x")
        value = received(0)
        return before, value, received.arrived(0)

    assert run_in_child(child, beside=helper) == (False, "ranked", True)
    monkeypatch.setattr("briefing.workers.CAN_FORK", False)
    assert run_in_child(lambda received: (received.arrived(0), received(0)), beside=lambda: "here") == (True, "here")


def _within(seconds: int):
    """Fail instead of hanging when a child and this process wait on each other."""
    def hung(*_):
        raise AssertionError("the child and this process waited on each other")
    before = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    return before


def test_work_a_child_hands_over_early_runs_here_while_the_child_goes_on():
    """``received.tell(value)``: ``early(value)`` runs in this process at once, while the
    child is still working (here the child waits for what only that call sends it), and
    ``run_in_child`` returns once it has ended."""
    answer_read, answer_write = os.pipe()
    ran = []

    def early(value):
        ran.append((value, os.getpid()))
        os.write(answer_write, b"k")

    def child(received):
        received.tell("the search step")
        return os.read(answer_read, 1)   # only early() writes it

    before = _within(30)
    try:
        assert run_in_child(child, early=early) == b"k"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)
    assert ran == [("the search step", os.getpid())]


def test_a_failure_of_early_work_is_raised_after_the_child_and_the_childs_own_comes_first():
    def early(value):
        raise ValueError(f"early failed on {value}")

    def telling(received):
        received.tell(1)
        return "done"

    with pytest.raises(ValueError, match="early failed on 1"):
        run_in_child(telling, early=early)

    def telling_then_failing(received):
        received.tell(2)
        raise BriefingError(None, "the child's own error")

    with pytest.raises(BriefingError, match="the child's own error"):
        run_in_child(telling_then_failing, early=early)
