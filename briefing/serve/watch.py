"""The watcher interface, the shared tree walk, and the choice of watcher.

Two implementations, both standard library only (no pyinotify/watchdog):

* `InotifyWatcher` asks the Linux kernel directly through `ctypes` (instant, no CPU
  while idle: what makes save → page written fit in 150 ms at 10,000 articles);
* `PollingWatcher` compares `stat` snapshots (anywhere; its interval grows with the size
  of the tree so polling never takes more than a few percent of a core).

A watcher reports *sets of paths* that may have changed (files, or a folder when a whole
folder appeared, vanished or the kernel queue overflowed); what they mean is decided
later by the rebuild loop.
"""

from __future__ import annotations

import os
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from pathlib import Path

from briefing.serve.sources import WatchRoot, is_litter

Sink = Callable[[set[Path]], None]


class Watcher(ABC):
    name = "watcher"

    def __init__(self, roots: list[WatchRoot], excluded: list[Path] | None = None):
        self.roots = roots
        self.excluded = [Path(p).absolute() for p in (excluded or [])]

    @abstractmethod
    def start(self, sink: Sink) -> None:
        """Begin watching; `sink` receives batches of changed paths from a thread."""

    @abstractmethod
    def sync(self) -> None:
        """Deliver every change made before this call (synchronously, to the sink)."""

    @abstractmethod
    def stop(self) -> None:
        ...

    def is_excluded(self, path: Path) -> bool:
        absolute = Path(path).absolute()
        return any(absolute == e or absolute.is_relative_to(e) for e in self.excluded)


def accepts_file(root: WatchRoot, name: str) -> bool:
    if is_litter(name):
        return False
    if root.suffixes is None:
        return True
    return os.path.splitext(name)[1].lower() in root.suffixes


def walk_files(root: WatchRoot, excluded: list[Path] | None = None) -> Iterator[os.DirEntry]:
    """Every input file under a root (litter and excluded folders skipped)."""
    excluded_set = {str(p) for p in (excluded or [])}
    stack = [str(root.path)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if is_litter(entry.name):
                        continue
                    try:
                        if entry.is_dir():
                            if os.path.abspath(entry.path) not in excluded_set:
                                stack.append(entry.path)
                        elif accepts_file(root, entry.name):
                            yield entry
                    except OSError:
                        continue
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue


def files_under(root: WatchRoot, excluded: list[Path] | None = None) -> list[Path]:
    if root.path.is_file():
        return [root.path]
    return [Path(entry.path) for entry in walk_files(root, excluded)]


def make_watcher(
    roots: list[WatchRoot],
    *,
    kind: str = "auto",
    excluded: list[Path] | None = None,
    poll_interval: float | None = None,
) -> Watcher:
    """`kind`: "auto" (inotify where the kernel has it, else polling), "inotify", "poll"."""
    from briefing.serve.inotify import InotifyWatcher, inotify_available
    from briefing.serve.polling import PollingWatcher

    if kind not in ("auto", "inotify", "poll"):
        raise ValueError(f"unknown watcher {kind!r}")
    if kind == "inotify" or (kind == "auto" and sys.platform.startswith("linux")):
        if inotify_available():
            return InotifyWatcher(roots, excluded)
        if kind == "inotify":
            raise OSError("inotify is not available on this system")
    return PollingWatcher(roots, excluded, interval=poll_interval)
