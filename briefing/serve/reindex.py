"""`python -m briefing.serve.reindex SITE_DIR`: rebuild a built site's search index.

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


def reindex(out_dir: Path) -> None:
    """Index `out_dir` in this process (the site package's public entry point if any)."""
    from briefing.site import builder

    public = getattr(builder, "index_search", None)
    if public is not None:
        public(out_dir)
        return
    from briefing.site.search import build_search_index

    build_search_index(out_dir, {}, {})


def reindex_in_child(out_dir: Path) -> None:
    """Run `reindex` in a child process; raise RuntimeError with its last error line."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_PARENT),
                                                       env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, "-m", "briefing.serve.reindex", str(out_dir)],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise RuntimeError(lines[-1] if lines else f"exit status {proc.returncode}")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m briefing.serve.reindex SITE_DIR", file=sys.stderr)
        return 2
    reindex(Path(args[0]).resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
