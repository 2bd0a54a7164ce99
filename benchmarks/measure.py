"""Run a command and measure it: wall time, peak memory of its whole process tree.

Peak memory is sampled over the process and all its descendants (worker pools count),
read from /proc, two ways: every 20 ms the sum of resident set sizes (counts a page shared
by forked workers once per worker: an upper bound), and every 100 ms the sum of
proportional set sizes (PSS: a shared page is split among the processes sharing it, so the
sum is the memory the tree really holds). The largest single process's max RSS from
wait4() is kept as well (exact, but blind to concurrent workers).

The sampler must not slow what it measures on a 2-core machine: the tree is found from
each process's children lists, not by reading every process of the machine, and PSS (the
kernel walks a process's page tables for it) is read at a fifth of the rate: a sample costs
~0.3 ms instead of ~4-10 ms, which was a fifth to a half of a core at 20 ms.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass
class Measured:
    command: list[str]
    seconds: float
    returncode: int
    peak_tree_mb: float  # sampled sum of RSS over the process tree
    peak_tree_pss_mb: float  # sampled sum of PSS over the process tree
    max_rss_mb: float  # the largest single process (wait4)
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def as_json(self) -> dict:
        data = asdict(self)
        data["stdout"] = self.stdout[-2000:]
        data["stderr"] = self.stderr[-2000:]
        return data


_TASK_CHILDREN = os.path.exists(f"/proc/self/task/{os.getpid()}/children")


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    if not _TASK_CHILDREN:   # a kernel without /proc/<pid>/task/<tid>/children
        children = _children_map()
        found, stack = [], [pid]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(children.get(current, ()))
        return found
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        try:
            threads = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for tid in threads:   # a child is listed under the thread that forked it
            try:
                with open(f"/proc/{current}/task/{tid}/children", "rb") as handle:
                    stack.extend(int(c) for c in handle.read().split())
            except (OSError, ValueError):
                pass
    return found


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # the command name is in parentheses and may contain spaces
        rest = stat[stat.rfind(b")") + 2:].split()
        children.setdefault(int(rest[1]), []).append(int(entry.name))
    return children


def _pss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
        for line in handle:
            if line.startswith(b"Pss:"):
                return int(line.split()[1]) * 1024
    return 0


def tree_memory_bytes(pid: int, *, pss: bool = True) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) over a process and its descendants; without ``pss``, the
    second is 0 (reading it costs ~100x more)."""
    rss = pss_sum = 0
    for current in _tree(pid):
        try:
            with open(f"/proc/{current}/statm", "rb") as handle:
                rss += int(handle.read().split()[1]) * PAGE
            if pss:
                pss_sum += _pss_bytes(current)
        except (OSError, IndexError, ValueError):
            pass
    return rss, pss_sum


class TreeSampler:
    def __init__(self, pid: int, interval: float = 0.02, pss_every: int = 5):
        self.pid = pid
        self.interval = interval
        self.pss_every = pss_every
        self.peak = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        tick = 0
        while True:
            rss, pss = tree_memory_bytes(self.pid, pss=tick % self.pss_every == 0)
            tick += 1
            self.peak = max(self.peak, rss)
            self.peak_pss = max(self.peak_pss, pss)
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> "TreeSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def user_environment() -> dict[str, str]:
    """The environment a user's shell gives a command: this one, except that Python caches
    the bytecode it compiles (a sandbox or CI may set PYTHONDONTWRITEBYTECODE, which makes
    every run of every tool compile our package again: ~0.1 s a command)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_measured(command: list[str], *, cwd: Path | None = None, env: dict | None = None,
                 timeout: float = 3600) -> Measured:
    if env is None:
        env = user_environment()
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    output: dict[str, str] = {}
    readers = [threading.Thread(target=lambda n=n, s=s: output.__setitem__(n, s.read()),
                                daemon=True)
               for n, s in (("stdout", proc.stdout), ("stderr", proc.stderr))]
    for reader in readers:
        reader.start()
    waited: dict = {}

    def wait() -> None:  # blocks in wait4: the end time is exact, not a polling tick
        waited["result"] = os.wait4(proc.pid, 0)
        waited["end"] = time.perf_counter()

    waiter = threading.Thread(target=wait, daemon=True)
    with TreeSampler(proc.pid) as sampler:
        waiter.start()
        waiter.join(timeout)
        if waiter.is_alive():
            proc.kill()
            waiter.join()
    _, status, usage = waited["result"]
    seconds = waited["end"] - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    return Measured(command=[str(c) for c in command], seconds=seconds,
                    returncode=proc.returncode, peak_tree_mb=sampler.peak / 2**20,
                    peak_tree_pss_mb=sampler.peak_pss / 2**20,
                    max_rss_mb=usage.ru_maxrss / 1024, stdout=output.get("stdout", ""),
                    stderr=output.get("stderr", ""))
