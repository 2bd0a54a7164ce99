"""The no-change fast path: is the site already what a build would make?

A complete build leaves a stamp in the cache folder: a digest of its inputs that are not
content (the code of the site package and theme, the project's templates, the vocabulary
files, the options), the size and mtime of every content file, and the size and mtime of
every file it wrote. When all of them are unchanged, a build has nothing to do, and the
CLI says so without importing the renderer, parsing YAML or building the model.

The stamp is removed before a build starts changing the output folder and written again
only when the build completed, so a killed build never leaves a stamp that lies.

This module imports nothing heavy on purpose: it is what a warm ``build`` runs.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from functools import lru_cache
from pathlib import Path

STAMP_VERSION = 4
STAMP_NAME = "stamp.marshal"
# The file: the record's length, the record, then the files (each marshalled; read from
# bytes: ``marshal.load`` on a file reads it in small pieces, ~7x slower for the files of
# a 2,000-article site, ~70 against ~10 ms)
_LENGTH_BYTES = 8
SITE_PACKAGE = Path(__file__).resolve().parent
THEME_DIR = SITE_PACKAGE.parent / "theme"


def _tree_stats(folder: Path, suffixes: tuple[str, ...] | None = None) -> list[tuple[str, int, int]]:
    out = []
    if not folder.is_dir():
        return out
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            if name.startswith(".") or (suffixes and not name.endswith(suffixes)):
                continue
            full = os.path.join(dirpath, name)
            try:
                st = os.stat(full)
            except FileNotFoundError:
                continue
            out.append((full, st.st_size, st.st_mtime_ns))
    return out


@lru_cache(maxsize=1)
def _package_digest() -> bytes:
    """The site package's code: read once per process (the code that runs is the code imported)."""
    h = hashlib.blake2b(digest_size=12)
    for file in sorted(SITE_PACKAGE.glob("*.py")):
        h.update(file.name.encode())
        h.update(file.read_bytes())
    return h.digest()


def code_fingerprint() -> str:
    """A digest of the site package's code and the theme (templates and static files)."""
    h = hashlib.blake2b(digest_size=12)
    h.update(_package_digest())
    for full, _, _ in _tree_stats(THEME_DIR):
        h.update(os.path.relpath(full, THEME_DIR).encode())
        with open(full, "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()


def inputs_fingerprint(options: dict, templates_dir: str | Path | None, vocab_dir: str | Path | None) -> str:
    """Everything but content that decides the output: code, options, templates, vocabularies."""
    h = hashlib.blake2b(digest_size=12)
    h.update(repr((STAMP_VERSION, code_fingerprint(), sorted(options.items()))).encode())
    if templates_dir is not None:
        h.update(repr(_tree_stats(Path(templates_dir).resolve())).encode())
    if vocab_dir is not None:
        h.update(repr(_tree_stats(Path(vocab_dir), (".json", ".yaml"))).encode())
    return h.hexdigest()


def content_stats(content_dir: str | Path) -> dict[str, tuple[int, int]]:
    folder = Path(content_dir) / "articles"
    out: dict[str, tuple[int, int]] = {}
    try:
        entries = os.scandir(folder)
    except FileNotFoundError:
        return out
    with entries:
        for entry in entries:
            if entry.name.endswith(".md") and not entry.name.startswith(".") and entry.is_file():
                st = entry.stat()
                out[entry.name] = (st.st_size, st.st_mtime_ns)
    return out


def _differing(out_dir: Path, files: dict[str, tuple[int, int]]):
    """The files (paths under ``out_dir``) whose size or mtime is not as recorded, or gone."""
    stat = os.stat
    base = str(out_dir) + os.sep
    for path, (size, mtime) in files.items():
        try:
            st = stat(base + path)
        except OSError:
            yield path
            continue
        if st.st_size != size or st.st_mtime_ns != mtime:
            yield path


def _outputs_unchanged(out_dir: Path, files: dict[str, tuple[int, int]]) -> bool:
    return next(_differing(out_dir, files), None) is None


def stamp_path(cache_dir: str | Path | None) -> Path | None:
    return Path(cache_dir) / "site" / STAMP_NAME if cache_dir else None


def clear(cache_dir: str | Path | None) -> None:
    path = stamp_path(cache_dir)
    if path is not None:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def write(cache_dir: str | Path | None, out_dir: Path, inputs: str, content_dir: str | Path,
          files: dict[str, tuple[int, int]], content: dict[str, tuple[int, int]], vocab_dir: Path | None) -> None:
    """Record a complete build; ``inputs`` and ``content`` as taken when the build started."""
    path = stamp_path(cache_dir)
    if path is None:
        return
    data = {"version": STAMP_VERSION, "out": str(Path(out_dir).resolve()), "inputs": inputs,
            "content_dir": str(Path(content_dir).resolve()), "content": content,
            "vocab_dir": str(vocab_dir) if vocab_dir else None}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    record = marshal.dumps(data)   # what tells an edit apart: read without the files after it
    with open(tmp, "wb") as fh:
        fh.write(len(record).to_bytes(_LENGTH_BYTES, "little"))
        fh.write(record)
        fh.write(marshal.dumps(files))
    os.replace(tmp, path)


_LAST_READ: list = [None, None, 0]   # (path, size, mtime_ns), what it held, where its files start


def _read_stamp(cache_dir: str | Path | None, *, files: bool = False) -> dict | None:
    """The stamp's record; with ``files``, and the files it lists (under "files"). A build
    reads it more than once: the record is read once, the files when first asked for."""
    path = stamp_path(cache_dir)
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
            if _LAST_READ[0] == key:
                data = _LAST_READ[1]
                fh.seek(_LAST_READ[2])
            else:
                length = int.from_bytes(fh.read(_LENGTH_BYTES), "little")
                data = marshal.loads(fh.read(length))
                if not isinstance(data, dict):
                    return None
                _LAST_READ[:] = [key, data, fh.tell()]
            if files and "files" not in data:
                data["files"] = marshal.loads(fh.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return data


def _stamp_for(cache_dir: str | Path | None, out_path: Path, *, files: bool = False) -> dict | None:
    """The stamp, if this code's and about ``out_path``."""
    data = _read_stamp(cache_dir, files=files)
    if data is None or data.get("version") != STAMP_VERSION or data.get("out") != str(out_path):
        return None
    return data


def outputs_changed(cache_dir: str | Path | None, out_dir: str | Path) -> tuple[tuple, set[str]] | None:
    """The files of ``out_dir`` that are no longer as the last complete build left them, with
    the stamp's identity (``last_read``); None without a stamp for ``out_dir``. What a
    build would otherwise stat file by file (``build`` runs this beside it)."""
    out_path = Path(out_dir).resolve()
    data = _stamp_for(cache_dir, out_path, files=True)
    return None if data is None else (_LAST_READ[0], set(_differing(out_path, data["files"])))


def last_read() -> tuple | None:
    """The identity (path, size, mtime) of the stamp this process read last."""
    return _LAST_READ[0]


def completed(cache_dir: str | Path | None, out_dir: str | Path) -> bool:
    """Whether the last build into ``out_dir`` completed (its stamp is there, whatever it says)."""
    data = _read_stamp(cache_dir)
    return data is not None and data.get("out") == str(Path(out_dir).resolve())


def is_current(cache_dir: str | Path | None, out_dir: str | Path, content_dir: str | Path, options: dict,
               templates_dir: str | Path | None) -> bool:
    """True when the last complete build used these very inputs and its files are all in place."""
    out_path = Path(out_dir).resolve()
    data = _stamp_for(cache_dir, out_path)
    if data is None:
        return False
    if data.get("content_dir") != str(Path(content_dir).resolve()) or data.get("content") != content_stats(content_dir):
        return False
    if data.get("inputs") != inputs_fingerprint(options, templates_dir, data.get("vocab_dir")):
        return False
    data = _stamp_for(cache_dir, out_path, files=True)
    return data is not None and _outputs_unchanged(out_path, data["files"])
