"""Worker processes for the stages that use both cores (ingest, load, model, render).

Workers are forked, so they share what the parent built (vocabularies, the site model)
copy-on-write. They ignore Ctrl-C and die quietly on SIGTERM: the parent owns shutdown, and
a signal handler inherited from `serve` must not print a traceback in every worker."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
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


def run_in_child(fn: Callable[[], Any]) -> Any:
    """``fn()`` run in a forked child process; its result, or the exception it raised, comes
    back pickled. When this returns, all the memory the child used is the system's again
    (a process that ends gives back what pymalloc would keep: an arena stays while one
    object in it lives). Without fork, ``fn()`` runs here."""
    if not CAN_FORK:
        return fn()
    sys.stdout.flush()
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.close(read_fd)
            try:
                payload = (True, fn())
            except BaseException as exc:  # noqa: BLE001 - handed to the parent
                payload = (False, exc)
            try:
                data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # noqa: BLE001 - an unpicklable result or error
                data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
            with os.fdopen(write_fd, "wb") as out:
                out.write(data)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb") as src:
            data = src.read()
    finally:
        _, status = os.waitpid(pid, 0)
    if not data:
        how = (f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit status {os.WEXITSTATUS(status)}")
        raise RuntimeError(f"the child process ended without a result ({how})")
    ok, value = pickle.loads(data)
    if ok:
        return value
    raise value
