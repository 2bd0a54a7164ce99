"""What the last rebuilds consumed, so that echoes and no-op saves do not rebuild.

A watcher reports paths that *may* have changed. Some of them did not, for us: the
content files ingest just wrote (already handed to the build), a save that rewrote the
same bytes, a temp file that came and went. The ledger remembers, for every input path
it has seen, the digest of the bytes last handed to a build (or that it existed, before
any build looked at it), and filters a batch down to the paths whose bytes differ.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from pathlib import Path

_UNKNOWN = b""  # the file exists, its bytes were never consumed


def digest(path: Path) -> bytes | None:
    """The file's content digest, or None when it does not exist (or is not a file)."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "blake2b").digest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return None


class ConsumedLedger:
    def __init__(self) -> None:
        self._seen: dict[Path, bytes] = {}
        self._lock = threading.Lock()

    def know(self, paths: Iterable[Path]) -> None:
        """Existing files, bytes not yet consumed (the state when watching began)."""
        with self._lock:
            for path in paths:
                self._seen.setdefault(Path(path), _UNKNOWN)

    def knows(self, path: Path) -> bool:
        with self._lock:
            return Path(path) in self._seen

    def known_under(self, folder: Path) -> set[Path]:
        with self._lock:
            return {p for p in self._seen if p.is_relative_to(folder)}

    def changed(self, paths: Iterable[Path]) -> set[Path]:
        """The subset of `paths` whose bytes differ from what was last consumed.

        A missing path counts as changed (a deletion) only when it was known to exist.
        """
        out: set[Path] = set()
        with self._lock:
            for path in paths:
                path = Path(path)
                now = digest(path)
                before = self._seen.get(path)
                if now is None:
                    if before is not None:
                        out.add(path)
                elif before is None or before == _UNKNOWN or before != now:
                    out.add(path)
        return out

    def consume(self, paths: Iterable[Path]) -> None:
        """Record the current bytes of `paths` as handed to a build."""
        with self._lock:
            for path in paths:
                path = Path(path)
                now = digest(path)
                if now is None:
                    self._seen.pop(path, None)
                else:
                    self._seen[path] = now
