"""A Linux watcher that talks to the kernel's inotify through `ctypes` (no extra package).

Every watched folder gets a watch for "a file was closed after writing, created, deleted,
moved in or out, or had its attributes changed". The kernel queues those events as part
of the file operation itself, so `sync()` (read whatever is queued) sees every change
made before it was called. New folders are watched as they appear (and their files
reported); a queue overflow reports the roots, which the rebuild loop treats as "anything
under here may have changed".
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import select
import struct
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from briefing.serve.sources import WatchRoot, is_litter
from briefing.serve.watch import Sink, Watcher, accepts_file, files_under

IN_ATTRIB = 0x00000004
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_DELETE_SELF = 0x00000400
IN_MOVE_SELF = 0x00000800
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_ONLYDIR = 0x01000000
IN_ISDIR = 0x40000000

WATCH_MASK = (
    IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
    | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR
)
_EVENT = struct.Struct("iIII")


@lru_cache(maxsize=1)
def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        init, add, rm = libc.inotify_init1, libc.inotify_add_watch, libc.inotify_rm_watch
    except (OSError, AttributeError):
        return None
    init.argtypes, init.restype = [ctypes.c_int], ctypes.c_int
    add.argtypes, add.restype = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32], ctypes.c_int
    rm.argtypes, rm.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return libc


def inotify_available() -> bool:
    libc = _libc()
    if libc is None:
        return False
    fd = libc.inotify_init1(os.O_CLOEXEC)
    if fd < 0:
        return False
    os.close(fd)
    return True


@dataclass
class _Watched:
    folder: Path
    root: WatchRoot
    names: set[str] | None  # None: every file in the folder; else only these names


class InotifyWatcher(Watcher):
    name = "inotify"

    def __init__(self, roots: list[WatchRoot], excluded: list[Path] | None = None):
        super().__init__(roots, excluded)
        self._libc = _libc()
        self._fd = -1
        self._wds: dict[int, _Watched] = {}
        self._sink: Sink | None = None
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = -1, -1
        self._thread: threading.Thread | None = None
        self._stopping = False

    # --- set-up ----------------------------------------------------------------------

    def start(self, sink: Sink) -> None:
        if self._libc is None:
            raise OSError("inotify is not available")
        self._sink = sink
        self._fd = self._libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self._fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        for root in self.roots:
            if root.path.is_file():
                self._add(root.path.parent, root, names={root.path.name})
            else:
                self._add_tree(root.path, root)
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._loop, name="briefing-inotify", daemon=True)
        self._thread.start()

    def _add(self, folder: Path, root: WatchRoot, names: set[str] | None = None) -> bool:
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(folder), WATCH_MASK)
        if wd < 0:
            err = ctypes.get_errno()
            if err in (errno.ENOENT, errno.ENOTDIR, errno.EACCES):
                return False
            raise OSError(err, f"cannot watch {folder}: {os.strerror(err)}")
        known = self._wds.get(wd)
        if known is not None and known.folder == folder:
            if known.names is not None:
                known.names = None if names is None else known.names | names
            return True
        self._wds[wd] = _Watched(folder, root, names)
        return True

    def _add_tree(self, folder: Path, root: WatchRoot) -> None:
        stack = [folder]
        while stack:
            current = stack.pop()
            if self.is_excluded(current) or not self._add(current, root):
                continue
            try:
                with os.scandir(current) as entries:
                    for entry in entries:
                        if not is_litter(entry.name) and entry.is_dir(follow_symlinks=False):
                            stack.append(Path(entry.path))
            except OSError:
                continue

    # --- reading -----------------------------------------------------------------------

    def _loop(self) -> None:
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        poller.register(self._wake_r, select.POLLIN)
        while not self._stopping:
            try:
                ready = poller.poll()
            except InterruptedError:
                continue
            if any(fd == self._wake_r for fd, _ in ready):
                return
            self.sync()

    def sync(self) -> None:
        with self._lock:
            if self._fd < 0:
                return
            changed: set[Path] = set()
            while True:
                try:
                    data = os.read(self._fd, 256 * 1024)
                except BlockingIOError:
                    break
                except OSError:
                    break
                if not data:
                    break
                self._parse(data, changed)
            if changed and self._sink is not None:
                self._sink(changed)

    def _parse(self, data: bytes, changed: set[Path]) -> None:
        offset = 0
        while offset + _EVENT.size <= len(data):
            wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
            raw = data[offset + _EVENT.size: offset + _EVENT.size + length]
            offset += _EVENT.size + length
            name = os.fsdecode(raw.rstrip(b"\0"))
            if mask & IN_Q_OVERFLOW:
                changed |= {root.path for root in self.roots}
                continue
            watched = self._wds.get(wd)
            if watched is None:
                continue
            if mask & IN_IGNORED:
                self._wds.pop(wd, None)
                continue
            if mask & (IN_DELETE_SELF | IN_MOVE_SELF):
                if watched.names is None and watched.folder != watched.root.path:
                    changed.add(watched.folder)
                continue
            if not name or is_litter(name):
                continue
            if watched.names is not None and name not in watched.names:
                continue
            path = watched.folder / name
            if self.is_excluded(path):
                continue
            if mask & IN_ISDIR:
                if mask & (IN_CREATE | IN_MOVED_TO):
                    self._add_tree(path, watched.root)
                    changed |= set(files_under(WatchRoot(path, watched.root.kind,
                                                         watched.root.suffixes), self.excluded))
                elif mask & (IN_DELETE | IN_MOVED_FROM):
                    changed.add(path)
                continue
            if accepts_file(watched.root, name):
                changed.add(path)

    def stop(self) -> None:
        self._stopping = True
        if self._wake_w >= 0:
            os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            for fd in (self._fd, self._wake_r, self._wake_w):
                if fd >= 0:
                    os.close(fd)
            self._fd = self._wake_r = self._wake_w = -1
