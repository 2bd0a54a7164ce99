"""The preview's shared state: is a build writing the site, and what is wrong right now.

Written by the rebuild thread, read by the HTTP server (to hold requests while the site is
being written, and to push the current error to the browser overlay).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Snapshot:
    generation: int  # how many rebuilds have finished (successful or not)
    builds_ok: int  # how many of them succeeded
    error: str | None  # the overlay text, None when the last rebuild succeeded
    building: bool  # the site folder is being written
    last_line: str | None  # the last terminal line
    last_written: int  # files written by the last successful rebuild

    def as_json(self) -> dict:
        return asdict(self)


Listener = Callable[[Snapshot], None]


class PreviewState:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._builds_ok = 0
        self._error: str | None = None
        self._building = False
        self._ready: frozenset[str] = frozenset()   # pages already final while a build runs
        self._last_line: str | None = None
        self._last_written = 0
        self._listeners: list[Listener] = []
        self._changed = threading.Condition(self._lock)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _snapshot(self) -> Snapshot:
        return Snapshot(self._generation, self._builds_ok, self._error, self._building,
                        self._last_line, self._last_written)

    def snapshot(self) -> Snapshot:
        with self._lock:
            return self._snapshot()

    @property
    def building(self) -> bool:
        return self._building

    def is_ready(self, page: str) -> bool:
        """This page (relative to the site folder) is already as the running build leaves it."""
        return page in self._ready

    def mark_ready(self, pages) -> None:
        """A first pass wrote these pages: serve them at once, without waiting for the build."""
        with self._lock:
            self._ready = self._ready | frozenset(pages)

    def _notify(self) -> None:
        with self._lock:
            snapshot = self._snapshot()
            listeners = list(self._listeners)
            self._changed.notify_all()
        for listener in listeners:
            listener(snapshot)

    def begin_build(self) -> None:
        with self._lock:
            self._building = True
        self._notify()

    def end_build(self) -> None:
        with self._lock:
            self._building = False
            self._ready = frozenset()
        self._notify()

    def finish(self, *, error: str | None, line: str | None, written: int) -> None:
        """A rebuild is over: publish its outcome."""
        with self._lock:
            self._generation += 1
            if error is None:
                self._builds_ok += 1
                self._last_written = written
            self._error = error
            self._last_line = line
        self._notify()

    def wait_for(self, predicate: Callable[[Snapshot], bool], timeout: float) -> Snapshot | None:
        """Block until `predicate(snapshot)` holds (None on timeout)."""
        with self._changed:
            if self._changed.wait_for(lambda: predicate(self._snapshot()), timeout):
                return self._snapshot()
            return None
