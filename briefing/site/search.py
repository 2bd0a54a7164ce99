"""The search index: Pagefind (the pip ``pagefind[extended]`` package, which segments Chinese).

Run after the pages are in place: the bundled binary indexes the output folder into a
temporary folder, which is then mirrored into ``<out>/pagefind/`` through the writer (atomic
writes, unchanged files untouched, stale fragments removed). Pagefind makes one index per
``<html lang>``, so the Simplified and Traditional sites each search their own pages.
Only elements marked ``data-pagefind-body`` (article bodies and entity pages) are indexed.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from briefing.errors import BriefingError
from briefing.site import urls
from briefing.site.writer import FileState, sync_folder
from briefing.text.script import to_simplified


TRADITIONAL_CHARS_JS = "search-hant.js"


@lru_cache(maxsize=1)
def traditional_only_characters() -> str:
    """Every CJK character that exists only in Traditional writing (folding changes it).

    Pagefind's Chinese segmenter knows Simplified words: in Traditional text it leaves each
    such character as a one-character word. The search page splits a Traditional query the
    same way before searching, so 無錫 finds 無錫 (indexed as 無 錫)."""
    chars = "".join(chr(c) for c in range(0x3400, 0xA000))
    folded = to_simplified(chars)
    if len(folded) != len(chars):  # a multi-character mapping: fall back to one at a time
        return "".join(c for c in chars if to_simplified(c) != c)
    return "".join(a for a, b in zip(chars, folded) if a != b)


def traditional_chars_script() -> bytes:
    data = json.dumps(traditional_only_characters(), ensure_ascii=False)
    return (f"/* Characters only found in Traditional writing (for the search page). */\n"
            f"window.BRIEFING_TRADITIONAL_CHARS = {data};\n").encode("utf-8")


def pagefind_executable() -> Path:
    try:
        import pagefind_bin_extended

        return Path(pagefind_bin_extended.get_executable())
    except (ImportError, FileNotFoundError):
        pass
    try:
        from pagefind.service import _must_get_executable

        return Path(_must_get_executable())
    except (ImportError, FileNotFoundError) as exc:
        raise BriefingError(None, "Pagefind is not installed: pip install 'pagefind[extended]'") from exc


SEARCH_MARK = b"data-pagefind-body"
PART_PAGES = 1200          # searchable pages per Pagefind run (its memory grows ~0.4 MB a page)
PARTS_DIR = "parts"        # bundles after the first: pagefind/parts/<n>/
PARTS_FILE = "parts.json"  # in the first bundle: where the others are, for the search page


_TAG_NAME = re.compile(rb"<([a-zA-Z][a-zA-Z0-9-]*)[^>]*$")


def indexed_digest(html: bytes) -> str | None:
    """A digest of what Pagefind reads from a page: its language and the element marked
    ``data-pagefind-body`` (None when the page has none). A page rewritten for something
    outside it (a side panel, the base template) needs no new index."""
    at = html.find(SEARCH_MARK)
    if at < 0:
        return None
    start = html.rfind(b"<", 0, at)
    match = _TAG_NAME.match(html, start, at)
    if start < 0 or not match:
        return hashlib.blake2b(html, digest_size=16).hexdigest()
    name = match.group(1).lower()
    opening, closing = b"<" + name, b"</" + name + b">"
    depth, pos = 0, start
    end = len(html)
    while True:
        nxt_open = html.find(opening, pos + 1)
        nxt_close = html.find(closing, pos + 1)
        if nxt_close < 0:
            break
        if 0 <= nxt_open < nxt_close and html[nxt_open + len(opening): nxt_open + len(opening) + 1] in b" >\t\n/":
            depth += 1
            pos = nxt_open
            continue
        if depth == 0:
            end = nxt_close + len(closing)
            break
        depth -= 1
        pos = nxt_close
    lang = re.search(rb"<html[^>]*\blang=\"([^\"]*)\"", html[:start])
    h = hashlib.blake2b(digest_size=16)
    h.update(lang.group(1) if lang else b"")
    h.update(b"\0")
    h.update(html[start:end])
    return h.hexdigest()


def part_count(pages: int) -> int:
    return max(1, -(-pages // PART_PAGES))


def part_prefix(number: int) -> str:
    return urls.SEARCH_BUNDLE_DIR if number == 0 else f"{urls.SEARCH_BUNDLE_DIR}/{PARTS_DIR}/{number}"


def part_of(page: str, parts: int) -> int:
    """The bundle a page is indexed in: stable (a hash), both scripts of a page together."""
    key = page if urls.variant_of(page) == urls.HANS else urls.counterpart(page)
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=4).digest(), "big") % parts


def _marked_pages(out_dir: Path) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(out_dir):
        rel_dir = os.path.relpath(dirpath, out_dir)
        dirnames[:] = sorted(d for d in dirnames if not (rel_dir == "." and d == urls.SEARCH_BUNDLE_DIR))
        for name in filenames:
            if name.endswith(".html"):
                full = os.path.join(dirpath, name)
                with open(full, "rb") as fh:
                    if SEARCH_MARK in fh.read():
                        found.append(os.path.relpath(full, out_dir).replace(os.sep, "/"))
    return sorted(found)


def _link_tree(out_dir: Path, pages: list[str], target: Path) -> None:
    """The pages of one part, at their own relative paths (hard links; copies across devices)."""
    for page in pages:
        dest = target.joinpath(*page.split("/"))
        dest.parent.mkdir(parents=True, exist_ok=True)
        source = out_dir.joinpath(*page.split("/"))
        try:
            os.link(source, dest)
        except OSError:
            shutil.copyfile(source, dest)


def build_search_index(out_dir: Path, previous: dict[str, FileState], states: dict[str, FileState],
                       pages: list[str] | None = None, changed: set[str] | None = None
                       ) -> tuple[list[str], list[str], list[str]]:
    """Index the marked pages of ``out_dir`` and mirror the bundles into it.

    The pages are split into parts of at most about PART_PAGES pages, each indexed by its
    own Pagefind run (one after the other: memory stays bounded at any corpus size) into
    its own bundle; the search page merges them. With ``changed`` (pages written or
    removed since the last index), only the parts holding one of them are indexed again.
    ``pages``: the pages carrying ``data-pagefind-body`` (found by reading the folder when
    not given). Returns (written, unchanged, removed); ``states`` receives the state of
    every search file.
    """
    exe = pagefind_executable()
    if pages is None:
        pages = _marked_pages(out_dir)
    parts = part_count(len(pages))
    groups: dict[int, list[str]] = {n: [] for n in range(parts)}
    for page in sorted(pages):
        groups[part_of(page, parts)].append(page)
    prefixes = {n: part_prefix(n) + "/" for n in range(parts)}

    def in_part(path: str, n: int) -> bool:
        if not path.startswith(prefixes[n]):
            return False
        return n != 0 or not path.startswith(prefixes[0] + PARTS_DIR + "/")

    parts_file = prefixes[0] + PARTS_FILE
    same_layout = previous.get(parts_file) is not None and \
        _parts_listed(out_dir / parts_file) == [part_prefix(n) + "/" for n in range(parts)]
    redo = []
    for n in range(parts):
        has_bundle = any(in_part(k, n) and k.endswith("pagefind-entry.json") for k in previous)
        if not (same_layout and has_bundle) or changed is None or any(part_of(c, parts) == n for c in changed
                                                                     if c.endswith(".html")):
            redo.append(n)

    written: list[str] = []
    unchanged: list[str] = []
    removed: list[str] = []
    work = out_dir.parent / f".{out_dir.name}.staging-search-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    try:
        for n in range(parts):
            if n not in redo:
                for k, v in previous.items():
                    if in_part(k, n):
                        states[k] = v
                        unchanged.append(k)
                continue
            if not groups[n]:
                continue
            site_dir = work / f"site{n}"
            bundle = work / f"bundle{n}"
            _link_tree(out_dir, groups[n], site_dir)
            cmd = [str(exe), "--site", str(site_dir), "--output-path", str(bundle), "--silent"]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                detail = (proc.stderr or proc.stdout).strip().splitlines()
                raise BriefingError(str(out_dir), "search index failed: " + (detail[-1] if detail else f"exit {proc.returncode}"))
            _normalise_entry(bundle / "pagefind-entry.json")
            if n == 0:
                listed = [urls.href(prefixes[0] + PARTS_FILE, part_prefix(m) + "/") for m in range(parts)]
                (bundle / PARTS_FILE).write_text(json.dumps({"bundles": listed}, separators=(",", ":")),
                                                 encoding="utf-8")
            shutil.rmtree(site_dir, ignore_errors=True)
            w, u, r = sync_folder(bundle, out_dir, part_prefix(n), {k: v for k, v in previous.items() if in_part(k, n)},
                                  states, exclude=PARTS_DIR if n == 0 else None)
            written += w
            unchanged += u
            removed += r
            shutil.rmtree(bundle, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # parts that no longer exist (the corpus shrank below a part boundary)
    parts_root = out_dir / urls.SEARCH_BUNDLE_DIR / PARTS_DIR
    if parts_root.is_dir():
        for child in sorted(parts_root.iterdir()):
            if not (child.name.isdigit() and 0 < int(child.name) < parts):
                for dirpath, _, filenames in os.walk(child):
                    for name in filenames:
                        removed.append((Path(dirpath) / name).relative_to(out_dir).as_posix())
                shutil.rmtree(child, ignore_errors=True)
        if not any(parts_root.iterdir()):
            parts_root.rmdir()
    for k in removed:
        states.pop(k, None)
    return sorted(written), sorted(unchanged), sorted(set(removed))


def _parts_listed(path: Path) -> list[str] | None:
    """The bundle prefixes a parts file lists, relative to the output folder."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return [posixpath.normpath(posixpath.join(urls.SEARCH_BUNDLE_DIR, r)) + "/" for r in data.get("bundles", [])]


def _normalise_entry(entry: Path) -> None:
    """Pagefind writes its language table in hash-map order; sort it so rebuilds are byte-identical."""
    if entry.exists():
        data = json.loads(entry.read_text(encoding="utf-8"))
        entry.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8")
