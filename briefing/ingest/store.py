"""Stage 8: write articles into content/, never losing an editor's work.

Beside every article ingest keeps the document it last generated
(``content/.generated/<slug>.md``). On re-ingest each front-matter key, and the body, is
merged three ways: a value in the live file that differs from the last generated one was
changed by an editor and is kept; every other value takes the new extraction. A file whose
merged text equals what is on disk is not touched (byte-identical, mtime kept). ``force``
regenerates everything. Articles whose seed has gone are kept, and reported.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefing.errors import BriefingError
from briefing.frontmatter import parse_document, read_key, render_document

ARTICLES = "articles"
GENERATED = ".generated"
BODY = "\0body"  # the body's key in a merge (cannot clash with a YAML key written by ingest)


@dataclass(frozen=True)
class StoreResult:
    status: str         # ingested | unchanged | kept-edited | kept-deleted
    path: Path
    kept: tuple[str, ...] = ()   # the keys (and/or "body") an editor's values were kept for


def write_atomic(path: Path, text: str) -> bool:
    """Write text to path via a temp file and rename; return False when the bytes are the same."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


class ContentStore:
    def __init__(self, content_dir: Path):
        self.root = content_dir
        self.articles = content_dir / ARTICLES
        self.generated = content_dir / GENERATED / ARTICLES

    def article_path(self, slug: str) -> Path:
        if not slug or "/" in slug or "\\" in slug or slug.startswith("."):
            raise BriefingError(None, f"unsafe article slug {slug!r}")
        return self.articles / f"{slug}.md"

    def slugs_by_seed(self) -> dict[str, str]:
        """seed file name → slug, from the documents ingest generated before (slugs stay stable)."""
        found: dict[str, str] = {}
        for folder in (self.generated, self.articles):
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.md")):
                try:
                    seed = read_key(path.read_text(encoding="utf-8"), "seed")
                except (OSError, UnicodeDecodeError):
                    continue
                if seed:
                    found.setdefault(seed, path.stem)
        return found

    def store(self, slug: str, front: dict[str, Any], body: str, document: str | None = None, *,
              force: bool = False) -> StoreResult:
        """`document` is render_document(front, body) when the caller made it already."""
        live_path = self.article_path(slug)
        base_path = self.generated / f"{slug}.md"
        generated_text = document or render_document(front, body)
        base_exists = base_path.exists()
        live_exists = live_path.exists()

        if force or not base_exists:
            if live_exists and not base_exists and not force:
                # A hand-written article (or one from an older tool) with this slug: never clobber it.
                return StoreResult("kept-edited", live_path, ("whole file",))
            changed = write_atomic(live_path, generated_text)
            write_atomic(base_path, generated_text)
            return StoreResult("ingested" if changed else "unchanged", live_path)

        if not live_exists:
            write_atomic(base_path, generated_text)
            return StoreResult("kept-deleted", live_path)

        live_text = live_path.read_text(encoding="utf-8")
        base_text = base_path.read_text(encoding="utf-8")
        if live_text == base_text:
            changed = write_atomic(live_path, generated_text)
            write_atomic(base_path, generated_text)
            return StoreResult("ingested" if changed else "unchanged", live_path)

        live_front, live_body, _ = parse_document(live_text, str(live_path))  # an editor's bad YAML is an error
        base_front, base_body, _ = parse_document(base_text, str(base_path))
        merged, kept = merge_edits(
            {**base_front, BODY: base_body.strip()},
            {**live_front, BODY: live_body.strip()},
            {**front, BODY: body.strip()},
        )
        merged_body = merged.pop(BODY)
        write_atomic(live_path, render_document(merged, merged_body))
        write_atomic(base_path, generated_text)
        return StoreResult("kept-edited", live_path, tuple("body" if k == BODY else k for k in kept))

    def orphans(self, seeds: set[str], slugs_by_seed: dict[str, str]) -> list[Path]:
        """Articles whose seed is no longer in seeds/ (kept, never deleted silently)."""
        out = []
        for seed, slug in sorted(slugs_by_seed.items()):
            if seed not in seeds and self.article_path(slug).exists():
                out.append(self.article_path(slug))
        return out


def merge_edits(base: dict[str, Any], live: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Three-way merge by key: the editor's value wins wherever it differs from the base."""
    merged: dict[str, Any] = {}
    kept: list[str] = []
    for key in list(new) + [k for k in live if k not in new]:
        if key in live and (key not in base or live[key] != base[key]):
            merged[key] = live[key]
            kept.append(key)
        elif key not in live and key in base:
            kept.append(key)  # the editor deleted this key: keep it deleted
        elif key in new:
            merged[key] = new[key]
    return merged, kept
