"""Coalescing file changes into batches: a burst of saves gives one rebuild.

A batch is due once no new change has arrived for `quiet` seconds (the burst is over),
or `max_wait` seconds after its first change (a never-ending stream still gets built).
Changes that arrive while a batch is being built wait, merged, for the next batch: a
rebuild is never started twice for the same save and never run concurrently. A consumer
that asks for it also gets the first changes of a burst at once, as a ``Lead``: serve
shows an edited article from them without waiting for the burst to end (its full build
still comes once, with the whole burst).

This is what `livereload`'s own watcher does not do: it runs the task for the first
changed file it finds on every 0.8 s poll and throttles reloads instead of builds, which
is the rebuild storm MkDocs users reported (mkdocs#766, mkdocs#2061).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class DebounceWindow:
    """When a pending burst is due (pure: times are given, not read)."""

    quiet: float
    max_wait: float
    first: float | None = None
    last: float | None = None

    def add(self, now: float) -> None:
        if self.first is None:
            self.first = now
        self.last = now

    def due_at(self) -> float | None:
        if self.first is None or self.last is None:
            return None
        return min(self.last + self.quiet, self.first + self.max_wait)

    def reset(self) -> None:
        self.first = self.last = None


@dataclass(frozen=True)
class Lead:
    """The first changes of a burst, handed out before the burst is over (they are in the
    batch that follows too)."""

    paths: frozenset[Path]


class ChangeQueue:
    """Thread-safe collector of changed paths, handing out debounced batches.

    Producers (watchers) call `put`; one consumer (the rebuild loop) calls `take`, builds,
    then calls `done`. `wait_idle` lets callers await "nothing pending, nothing building".
    """

    def __init__(
        self,
        quiet: float,
        max_wait: float,
        clock: Callable[[], float] = time.monotonic,
    ):
        if quiet < 0 or max_wait < quiet:
            raise ValueError("need 0 <= quiet <= max_wait")
        self._window = DebounceWindow(quiet, max_wait)
        self._clock = clock
        self._paths: set[Path] = set()
        self._busy = False
        self._led = False      # the lead of the pending burst was handed out
        self._closed = False
        self._cond = threading.Condition()

    def put(self, paths: Iterable[Path]) -> None:
        paths = set(paths)
        if not paths:
            return
        with self._cond:
            self._paths |= paths
            self._window.add(self._clock())
            self._cond.notify_all()

    def take(self, idle: float | None = None, *, lead: bool = False) -> set[Path] | Lead | None:
        """Block until a batch is due and return it (None once the queue is closed); with
        ``idle``, an empty set once nothing has come for that many seconds; with ``lead``,
        first a ``Lead`` of what a burst brought before it is due, once a burst."""
        with self._cond:
            since = self._clock()
            while True:
                if self._closed:
                    return None
                if lead and self._paths and not self._led:
                    self._led = True
                    return Lead(frozenset(self._paths))
                due = self._window.due_at()
                if due is None:
                    if idle is None:
                        self._cond.wait()
                        continue
                    left = since + idle - self._clock()
                    if left <= 0:
                        return set()
                    self._cond.wait(left)
                    continue
                remaining = due - self._clock()
                if remaining > 0:
                    self._cond.wait(remaining)
                    continue
                batch, self._paths = self._paths, set()
                self._window.reset()
                self._busy = True
                self._led = False
                return batch

    def done(self) -> None:
        """The batch handed out by `take` has been built."""
        with self._cond:
            self._busy = False
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def pending(self) -> set[Path]:
        with self._cond:
            return set(self._paths)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no change is pending and no batch is being built."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._paths or self._busy:
                if self._closed:
                    return False
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True
