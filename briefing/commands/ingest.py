"""Normalise every seed in seeds/ into content/articles/<slug>.md (Markdown + YAML front matter).

Re-ingesting unchanged seeds rewrites nothing. Values an editor changed in content/ are kept
(use --force to regenerate them). Rejected seeds are named with the reason; exit code 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from typing import TYPE_CHECKING

from briefing.errors import BriefingError
from briefing.progress import Progress

if TYPE_CHECKING:
    from briefing.ingest.pipeline import IngestReport


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", type=Path, default=Path("seeds"), help="folder of raw articles (default: seeds)")
    parser.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    parser.add_argument("--force", action="store_true", help="regenerate articles even where an editor changed them")
    parser.add_argument("--cache", type=Path, default=Path(".cache"),
                        help="cache folder for extraction results (default: .cache; git-ignored)")
    parser.add_argument("--quiet", action="store_true", help="print only rejections and the summary line")


def run(args: argparse.Namespace) -> int:
    from briefing import heap
    from briefing.ingest.pipeline import ingest  # imported here: `build` and `--help` stay fast

    heap.tune_for_batch()

    started = time.monotonic()
    progress = Progress("ingest", enabled=not args.quiet)
    try:
        report = ingest(args.seeds, args.content, force=args.force, quiet=args.quiet, progress=progress,
                        cache_dir=args.cache)
    except BriefingError as exc:
        progress.close()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    progress.close()
    print_report(report, time.monotonic() - started, quiet=args.quiet)
    return 0 if report.ok else 1


def print_report(report: IngestReport, seconds: float, *, quiet: bool = False, out=sys.stdout) -> None:
    for location, reason in report.rejected:
        print(f"rejected: {location}: {reason}", file=sys.stderr)
    if not quiet:
        for slug, keys in report.kept_edited:
            print(f"kept editor's changes: {slug} ({', '.join(keys)}); --force regenerates", file=out)
        for slug in report.kept_deleted:
            print(f"kept deleted: {slug} was removed by an editor; --force regenerates", file=out)
        for seed, into in report.merged:
            print(f"merged: {seed} is the same story as {into} (listed under also_reported_by)", file=out)
        for path in report.orphaned:
            print(f"kept: {path} (its seed is gone; delete the file to drop the article)", file=out)
    rows = [("ingested", len(report.ingested)), ("unchanged", len(report.unchanged)),
            ("kept-edited", len(report.kept_edited) + len(report.kept_deleted)), ("merged", len(report.merged)),
            ("rejected", len(report.rejected))]
    if quiet:
        print("ingest: " + ", ".join(f"{n} {label}" for label, n in rows) + f" in {seconds:.2f}s", file=out)
        return
    print(f"\n{'ingest':<12}{'articles':>9}", file=out)
    for label, n in rows:
        print(f"{label:<12}{n:>9}", file=out)
    total = sum(n for _label, n in rows)
    print(f"{'total':<12}{total:>9}   {seconds:.2f}s", file=out)
