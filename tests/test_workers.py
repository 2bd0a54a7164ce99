"""Forked workers: background ones run at lower CPU priority than the process that forked them."""

from __future__ import annotations

import os

import pytest

from briefing.workers import CAN_FORK, fork_pool

pytestmark = pytest.mark.skipif(not CAN_FORK, reason="needs fork")


def _niceness(_: int) -> int:
    return os.nice(0)


def test_background_workers_are_niced_and_others_are_not():
    mine = os.nice(0)
    with fork_pool(2, niceness=5) as pool:
        assert set(pool.map(_niceness, range(4))) == {min(mine + 5, 19)}
    with fork_pool(2) as pool:
        assert set(pool.map(_niceness, range(4))) == {mine}
