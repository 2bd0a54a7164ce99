"""The search index: Pagefind (the pip ``pagefind[extended]`` package, which segments Chinese).

Run after the pages are in place: the bundled binary indexes the output folder into a
temporary folder, which is then mirrored into ``<out>/pagefind/`` through the writer (atomic
writes, unchanged files untouched, stale fragments removed). Pagefind makes one index per
``<html lang>``, so the Simplified and Traditional sites each search their own pages.
Only elements marked ``data-pagefind-body`` (article bodies and entity pages) are indexed.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
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


def build_search_index(out_dir: Path, previous: dict[str, FileState], states: dict[str, FileState]
                       ) -> tuple[list[str], list[str], list[str]]:
    """Index ``out_dir`` and mirror the bundle into it: (written, unchanged, removed)."""
    exe = pagefind_executable()
    with tempfile.TemporaryDirectory(prefix="briefing-pagefind-") as tmp:
        bundle = Path(tmp) / "bundle"
        cmd = [str(exe), "--site", str(out_dir), "--output-path", str(bundle), "--silent"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise BriefingError(str(out_dir), "search index failed: " + (detail[-1] if detail else f"exit {proc.returncode}"))
        _normalise_entry(bundle / "pagefind-entry.json")
        return sync_folder(bundle, out_dir, urls.SEARCH_BUNDLE_DIR, previous, states)


def _normalise_entry(entry: Path) -> None:
    """Pagefind writes its language table in hash-map order; sort it so rebuilds are byte-identical."""
    if entry.exists():
        data = json.loads(entry.read_text(encoding="utf-8"))
        entry.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8")
