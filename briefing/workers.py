"""Worker processes for the stages that use both cores (ingest, load, model, render).

Workers are forked, so they share what the parent built (vocabularies, the site model)
copy-on-write. They ignore Ctrl-C and die quietly on SIGTERM: the parent owns shutdown, and
a signal handler inherited from `serve` must not print a traceback in every worker."""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable

CAN_FORK = "fork" in multiprocessing.get_all_start_methods()


def _start_worker(initializer: Callable[..., Any] | None, initargs: tuple, niceness: int = 0) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if niceness > 0:
        os.nice(niceness)
    if initializer is not None:
        initializer(*initargs)


def fork_pool(processes: int, initializer: Callable[..., Any] | None = None, initargs: tuple = (),
              *, niceness: int = 0):
    """A multiprocessing.Pool of forked, quiet workers; with ``niceness``, at lower CPU priority
    (work in the background: the parent and other programs come first)."""
    return multiprocessing.get_context("fork").Pool(processes, initializer=_start_worker,
                                                    initargs=(initializer, initargs, niceness))


def fork_executor(max_workers: int, initializer: Callable[..., Any] | None = None,
                  initargs: tuple = ()) -> ProcessPoolExecutor:
    """A ProcessPoolExecutor of forked, quiet workers."""
    return ProcessPoolExecutor(max_workers=max_workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker, initargs=(initializer, initargs))
