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

from briefing import records

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


def run_in_child(fn: Callable[..., Any], beside: Callable[[], Any] | None = None) -> Any:
    """``fn()`` run in a forked child process; its result, or the exception it raised, comes
    back pickled. When this returns, all the memory the child used is the system's again
    (a process that ends gives back what pymalloc would keep: an arena stays while one
    object in it lives). Without fork, ``fn()`` runs here.

    With ``beside``, this process runs ``beside()`` while the child works, and the child is
    called as ``fn(received)``: ``received()`` waits for what ``beside()`` returned (None if
    it raised), so work the child would need later is done on the other core meanwhile."""
    if not CAN_FORK:
        return fn() if beside is None else fn(_safely(beside))
    sys.stdout.flush()
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    aside_read, aside_write = os.pipe() if beside is not None else (-1, -1)
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.close(read_fd)
            if beside is not None:
                os.close(aside_write)
            received = _receiver(aside_read) if beside is not None else None
            try:
                payload = (True, fn() if received is None else fn(received))
            except BaseException as exc:  # noqa: BLE001 - handed to the parent
                payload = (False, exc)
            if received is not None:
                received()   # read in any case: the parent must not wait to send it
            try:
                data = records.dumps(payload)
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
        if beside is not None:
            os.close(aside_read)
            try:
                with os.fdopen(aside_write, "wb") as aside:
                    aside.write(pickle.dumps(_safely(beside)(), protocol=pickle.HIGHEST_PROTOCOL))
            except BrokenPipeError:   # the child ended without asking
                pass
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


def _safely(fn: Callable[[], Any]) -> Callable[[], Any]:
    def call() -> Any:
        try:
            return fn()
        except Exception:  # noqa: BLE001 - a helper's failure only loses its help
            return None
    return call


def _receiver(fd: int) -> Callable[[], Any]:
    """What the parent sends on ``fd``, read once, when first asked for."""
    box: list = []

    def received() -> Any:
        if not box:
            try:
                with os.fdopen(fd, "rb") as src:
                    data = src.read()
                box.append(pickle.loads(data) if data else None)
            except Exception:  # noqa: BLE001 - nothing usable came
                box.append(None)
        return box[0]
    return received
