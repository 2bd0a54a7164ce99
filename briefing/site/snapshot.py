"""The builder's warm state, kept between processes.

``serve`` keeps its ``SiteBuilder`` in memory, so an edit costs only what it changes. A
``build`` from the command line is a new process each time: without this module it would
read every parsed article back from the cache, load the vocabularies, build the whole
model and fingerprint the templates before it could tell that one article's body changed
(at 2,000 articles ~1.8 s of a 3.4 s edit).

A build that had to make its state from scratch saves it here: the vocabularies, the
articles by file (with the size and mtime each was read at), the model, the planned
outputs, the template fingerprints and the related-article features. The next process
starts from it: the loader checks each content file against the recorded stat, and the
model is patched for the articles that changed (``model.patch_site``) or built again when
that is not enough. The state is only a cache: every part of it is checked against what
it was made from (the code, the vocabulary and template files' stats, each content
file's stat) and a mismatch only costs the work it would have saved.

The file is a small pickled header (the code it was made by), then the part of the state
a parent process reads on its own (``ahead``: the content files' stats and what ranking
related articles needs), then the rest; a stale state is rejected without being read.
Written atomically: a killed writer leaves the previous state or none.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefing import records

SNAPSHOT_VERSION = 1
SNAPSHOT_NAME = "state.pickle"
PACKAGE_DIR = Path(__file__).resolve().parent.parent   # briefing/


@lru_cache(maxsize=1)
def code_key() -> str:
    """What the saved objects' classes and contents depend on: every module of the package,
    the theme, the Python version and this format's version."""
    from briefing.site.stamp import code_fingerprint

    h = hashlib.blake2b(digest_size=12)
    h.update(f"{SNAPSHOT_VERSION}\0{sys.version}\0{code_fingerprint()}\0".encode())
    for file in sorted(PACKAGE_DIR.rglob("*.py")):
        h.update(str(file.relative_to(PACKAGE_DIR)).encode())
        h.update(file.read_bytes())
    return h.hexdigest()


def save(path: Path, state: dict[str, Any], ahead: dict[str, Any]) -> None:
    """Write ``state`` and ``ahead`` (plain containers, model records, packed bytes) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            pickle.dump({"code": code_key()}, fh, protocol=pickle.HIGHEST_PROTOCOL)
            records.dump(ahead, fh)
            records.dump(state, fh)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _load(path: Path, whole: bool) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as fh:
            header = pickle.load(fh)
            if not isinstance(header, dict) or header.get("code") != code_key():
                return None
            enabled = gc.isenabled()
            gc.disable()   # a few hundred thousand objects, none of them garbage: ~2x faster
            try:
                ahead = pickle.load(fh)
                state = pickle.load(fh) if whole else {}
            finally:
                if enabled:
                    gc.enable()
            if whole:
                gc.freeze()    # and kept for the process's life: never scanned again
    except Exception:  # noqa: BLE001 - a damaged state is only a lost shortcut
        return None
    if not (isinstance(ahead, dict) and isinstance(state, dict)):
        return None
    return {**state, "ahead": ahead} if whole else ahead


def load(path: Path) -> dict[str, Any] | None:
    """The state saved at ``path`` by this very code, its ``ahead`` part under that key;
    None when there is none, or it is another code's, or it cannot be read. What it holds
    is moved out of the garbage collector's sight (``gc.freeze``), like everything the
    process held then: it lives as long as the process."""
    return _load(path, whole=True)


def load_ahead(path: Path) -> dict[str, Any] | None:
    """Only the ``ahead`` part of the state saved at ``path`` (see ``load``; not frozen)."""
    return _load(path, whole=False)
