"""A progress line on stderr for long runs (only on a terminal, only after a couple of seconds)."""

from __future__ import annotations

import sys
import time

SHOW_AFTER_SECONDS = 2.0


class Progress:
    def __init__(self, label: str, *, enabled: bool = True, stream=sys.stderr):
        self.label = label
        self.stream = stream
        self.enabled = enabled and stream.isatty()
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or time.monotonic() - self.started < SHOW_AFTER_SECONDS:
            return
        width = 30
        filled = int(width * done / max(1, total))
        rate = done / max(1e-9, time.monotonic() - self.started)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {rate:.0f}/s")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
