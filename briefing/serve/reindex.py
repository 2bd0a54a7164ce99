"""`python -m briefing.serve.reindex SITE_DIR [CACHE_DIR] [--fold]`: bring a built site's search index up to date.

`serve` writes pages with ``build_site(..., search=False)`` so that a reload never waits
for Pagefind, then runs this in a child process once the site has been quiet for a
moment. A child process, because the site writer stages files in a folder named after
the process id: a search index written from the serving process itself could collide
with the next rebuild's staging folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PACKAGE_PARENT = Path(__file__).resolve().parents[2]


def reindex(out_dir: Path, cache_dir: Path | None = None, *, fold: bool = False) -> None:
    """Index `out_dir` in this process; with the builds' `cache_dir`, only what changed; with
    `fold`, into the parts it belongs to, leaving no delta bundle."""
    from briefing.site.builder import index_search

    index_search(out_dir, cache_dir, fold=fold)


def reindex_in_child(out_dir: Path, cache_dir: Path | None = None, *, fold: bool = False) -> None:
    """Run `reindex` in a child process; raise RuntimeError with its last error line."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_PARENT),
                                                       env.get("PYTHONPATH")]))
    args = [str(out_dir)] + ([str(cache_dir)] if cache_dir is not None else []) + (["--fold"] if fold else [])
    # below the rebuilds' priority: indexing a big site takes minutes and must not slow a reload
    lower = (lambda: os.nice(10)) if hasattr(os, "nice") else None
    proc = subprocess.run([sys.executable, "-m", "briefing.serve.reindex", *args],
                          capture_output=True, text=True, env=env, preexec_fn=lower)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise RuntimeError(lines[-1] if lines else f"exit status {proc.returncode}")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    fold = "--fold" in args
    args = [a for a in args if a != "--fold"]
    if len(args) not in (1, 2):
        print("usage: python -m briefing.serve.reindex SITE_DIR [CACHE_DIR] [--fold]", file=sys.stderr)
        return 2
    reindex(Path(args[0]).resolve(), Path(args[1]).resolve() if len(args) == 2 else None, fold=fold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
