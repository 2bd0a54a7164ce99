"""One-article edits from the CLI with two versions of the code, interleaved.

    python benchmarks/compare.py BASE_REV [--work benchmarks/out/work-2000] [--pairs 13]

This machine's speed drifts by a third within minutes, so two benchmark runs made apart
cannot tell a change worth 0.2 s from a busier machine. Here the two versions take turns:
BASE_REV is checked out in a git worktree, each version gets its own copy of a work
folder's content and templates (so its own cache and saved state), both are built once,
then each pair makes the same body edit (``edits.body_edit``; with ``--edit keywords``
one that changes the article's keywords, with ``--edit regions`` one that adds or removes
one of its regions) in both copies and times
``build.py build`` in each, the order alternating from pair to pair. Prints each pair, both
medians and how many pairs each won; writes ``benchmarks/out/compare-<time>.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import edits
from measure import user_environment

EDITS = {"body": edits.body_edit, "keywords": edits.keywords_edit, "regions": edits.regions_edit}
HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], check=True, capture_output=True, text=True).stdout.strip()


def _timed_build(tree: Path, work: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(tree / "build.py"), "build", "--quiet"], cwd=work, check=True,
                   env=user_environment())
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base", help="the git revision to compare the working tree with")
    parser.add_argument("--work", type=Path, default=OUT / "work-2000",
                        help="a work folder a run.py run left, whose content and templates are copied")
    parser.add_argument("--pairs", type=int, default=13)
    parser.add_argument("--edit", choices=tuple(EDITS), default="body",
                        help="the edit each pair makes: a body edit, one that changes the article's keywords, "
                             "or one that changes its regions")
    args = parser.parse_args(argv)

    base_rev = _git("rev-parse", "--short", args.base)
    place = OUT / "compare"
    base_tree = place / "base"
    if base_tree.exists():
        _git("worktree", "remove", "--force", str(base_tree))
    shutil.rmtree(place, ignore_errors=True)
    place.mkdir(parents=True)
    _git("worktree", "add", "--detach", str(base_tree), base_rev)
    try:
        versions = {"base": base_tree, "current": REPO}
        works = {}
        for name in versions:
            works[name] = place / f"work-{name}"
            for part in ("content", "templates"):
                if (args.work / part).is_dir():
                    shutil.copytree(args.work / part, works[name] / part)
            _timed_build(versions[name], works[name])   # the cold build: caches and saved state
        make_edit = EDITS[args.edit]
        pairs = []
        for i in range(args.pairs):
            order = ["base", "current"] if i % 2 == 0 else ["current", "base"]
            seconds = {}
            for name in order:
                make_edit(works[name] / "content", 1001 + i)
                seconds[name] = round(_timed_build(versions[name], works[name]), 3)
            pairs.append(seconds)
            print(f"pair {i + 1}: base {seconds['base']:.2f} s, current {seconds['current']:.2f} s", flush=True)
    finally:
        _git("worktree", "remove", "--force", str(base_tree))
    medians = {name: statistics.median(p[name] for p in pairs) for name in ("base", "current")}
    wins = sum(1 for p in pairs if p["current"] < p["base"])
    print(f"median: base ({base_rev}) {medians['base']:.2f} s, current {medians['current']:.2f} s; "
          f"current faster in {wins} of {len(pairs)} pairs")
    result = {"base": base_rev, "current": _git("rev-parse", "--short", "HEAD"),
              "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
              "work": str(args.work), "edit": args.edit, "pairs": pairs, "medians": medians, "current_wins": wins}
    (OUT / f"compare-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
