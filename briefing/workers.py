"""Worker processes for the stages that use both cores (ingest, load, model, render).

Workers are forked, so they share what the parent built (vocabularies, the site model)
copy-on-write. They ignore Ctrl-C and die quietly on SIGTERM: the parent owns shutdown, and
a signal handler inherited from `serve` must not print a traceback in every worker."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import select
import signal
import sys
import threading
from typing import Any, Callable, Sequence

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
                  initargs: tuple = ()) -> "ProcessPoolExecutor":
    """A ProcessPoolExecutor of forked, quiet workers."""
    from concurrent.futures import ProcessPoolExecutor   # here: most runs need no pool
    return ProcessPoolExecutor(max_workers=max_workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker, initargs=(initializer, initargs))


def run_in_child(fn: Callable[..., Any], beside: Callable[[], Any] | Sequence[Callable[[], Any]] | None = None,
                 early: Callable[[Any], None] | None = None) -> Any:
    """``fn()`` run in a forked child process; its result, or the exception it raised, comes
    back pickled. When this returns, all the memory the child used is the system's again
    (a process that ends gives back what pymalloc would keep: an arena stays while one
    object in it lives). Without fork, ``fn()`` runs here.

    With ``beside``, this process runs ``beside()`` while the child works, and the child is
    called as ``fn(received)``: ``received()`` waits for what ``beside()`` returned (None if
    it raised), so work the child would need later is done on the other core meanwhile.
    ``beside`` may be several callables, run in turn: ``received(i)`` waits only for the
    i-th, sent as soon as it is done.

    With ``early``, the child may hand work over before it ends: ``received.tell(value)``
    sends ``value``, and ``early(value)`` runs here, on a thread, while the child goes on.
    This returns once those calls have ended too; one that raised raises here, after the
    child's own error if it had one."""
    helpers = [] if beside is None else [beside] if callable(beside) else list(beside)
    talks = beside is not None or early is not None
    if not CAN_FORK:
        if not talks:
            return fn()
        return fn(_Given([_safely(helper)() for helper in helpers], early))
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
            out = os.fdopen(write_fd, "wb")
            received = _Receiver(aside_read, out if early is not None else None) if talks else None
            try:
                payload = (True, fn() if received is None else fn(received))
            except BaseException as exc:  # noqa: BLE001 - handed to the parent
                payload = (False, exc)
            if received is not None:
                received.drain()   # read in any case: the parent must not wait to send it
            try:
                data = records.dumps(payload)
            except Exception as exc:  # noqa: BLE001 - an unpicklable result or error
                data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
            with out:
                out.write(data)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
    os.close(write_fd)
    handlers: list[threading.Thread] = []
    failed: list[BaseException] = []
    try:
        if beside is not None:
            os.close(aside_read)
            # each result is written by a thread: a result bigger than the pipe holds waits
            # there for the child to read it, while this one goes on to the next helper
            sending: queue.Queue = queue.Queue()
            sender = threading.Thread(target=_send_all, args=(aside_write, sending), daemon=True)
            sender.start()
            try:
                for helper in helpers:
                    sending.put(pickle.dumps(_safely(helper)(), protocol=pickle.HIGHEST_PROTOCOL))
            finally:   # the end, even when a helper was interrupted: the child never waits for it
                sending.put(None)
        with os.fdopen(read_fd, "rb") as src:
            while True:
                try:
                    message = pickle.load(src)
                except Exception:  # noqa: BLE001 - nothing, or a message cut short: the child died
                    message = None
                if not (isinstance(message, tuple) and message and message[0] == _EARLY):
                    break
                handler = threading.Thread(target=_handle, args=(early, message[1], failed))
                handler.start()
                handlers.append(handler)
        if beside is not None:
            sender.join()
    finally:
        for handler in handlers:
            handler.join()
        _, status = os.waitpid(pid, 0)
    if not (isinstance(message, tuple) and len(message) == 2):   # (ok, value), or nothing usable
        how = (f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit status {os.WEXITSTATUS(status)}")
        raise RuntimeError(f"the child process ended without a result ({how})")
    ok, value = message
    if not ok:
        raise value
    if failed:
        raise failed[0]
    return value


_EARLY = "early"   # the tag of what a child hands over before its result (``received.tell``)


def _handle(early: Callable[[Any], None], value: Any, failed: list[BaseException]) -> None:
    try:
        early(value)
    except BaseException as exc:  # noqa: BLE001 - raised by run_in_child once the child has ended
        failed.append(exc)


class ChildCall:
    """A call of ``fn()`` running in a forked child process from now on, beside whatever
    this process does next (without fork, it runs now, here). ``result()`` waits for what it returned
    (None if it raised or its process died); ``stop()`` ends it if it is still running."""

    def __init__(self, fn: Callable[[], Any]):
        self._value: Any = None
        self._pid = 0
        self._source = None
        if not CAN_FORK:
            self._value = _safely(fn)()
            return
        sys.stdout.flush()
        sys.stderr.flush()
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:   # no process to spare: the call gives nothing, as if it had failed
            os.close(read_fd)
            os.close(write_fd)
            return
        if pid == 0:  # the child: never returns
            try:
                os.close(read_fd)
                _start_worker(None, ())
                data = pickle.dumps(_safely(fn)(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_fd, "wb") as out:
                    out.write(data)
            finally:
                os._exit(0)
        os.close(write_fd)
        self._pid = pid
        self._source = os.fdopen(read_fd, "rb")

    def result(self) -> Any:
        if self._source is not None:
            try:
                data = self._source.read()
                self._value = pickle.loads(data) if data else None
            except Exception:  # noqa: BLE001 - nothing usable came: as if it had found nothing
                self._value = None
            self._end()
        return self._value

    def stop(self) -> None:
        if self._source is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._end()

    def _end(self) -> None:
        self._source.close()
        self._source = None
        os.waitpid(self._pid, 0)


def _send_all(fd: int, sending: queue.Queue) -> None:
    """Write what comes on ``sending`` to ``fd`` until None comes."""
    try:
        with os.fdopen(fd, "wb") as out:
            while (data := sending.get()) is not None:
                out.write(data)
                out.flush()
    except BrokenPipeError:   # the child ended without asking
        pass


def _safely(fn: Callable[[], Any]) -> Callable[[], Any]:
    def call() -> Any:
        try:
            return fn()
        except Exception:  # noqa: BLE001 - a helper's failure only loses its help
            return None
    return call


class _Given:
    """The helpers' results, made before ``fn`` (without fork): ``_Receiver``'s interface."""

    def __init__(self, results: list, early: Callable[[Any], None] | None):
        self.results = results
        self.early = early

    def __call__(self, i: int = 0) -> Any:
        return self.results[i]

    def arrived(self, i: int = 0) -> bool:
        return True

    def tell(self, value: Any) -> None:
        if self.early is not None:
            self.early(value)


class _Receiver:
    """What the parent sends on ``fd``: one pickle per helper, each read when first asked for."""

    def __init__(self, fd: int, out=None):
        self.source = os.fdopen(fd, "rb") if fd >= 0 else None
        self.got: list = []
        self.out = out   # to the parent, for ``tell``

    def tell(self, value: Any) -> None:
        """Hand ``value`` to the parent's ``early`` now (nothing without one)."""
        if self.out is not None:
            records.dump((_EARLY, value), self.out)   # records as the result is (4,000 file states: 20 -> 4 ms)
            self.out.flush()

    def __call__(self, i: int = 0) -> Any:
        while len(self.got) <= i and self.source is not None:
            try:
                self.got.append(pickle.load(self.source))
            except Exception:  # noqa: BLE001 - the end, or nothing usable came
                self.source.close()
                self.source = None
        return self.got[i] if i < len(self.got) else None

    def arrived(self, i: int = 0) -> bool:
        """Whether the ``i``-th result, or the start of what comes next, is here: asking for
        it would not wait long. Never waits itself."""
        if len(self.got) > i or self.source is None:
            return True
        return bool(select.select([self.source], [], [], 0)[0])

    def drain(self) -> None:
        """Read all the parent sends, whether asked for or not."""
        while self.source is not None:
            self(len(self.got))
