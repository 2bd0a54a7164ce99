"""`build`: render content/ into site/ (both scripts, search index, feeds, data exports).

Wired by the CLI as ``python build.py build [--content DIR] [--out DIR] [--base-url URL]``;
runnable on its own as ``python -m briefing.commands.build``.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from briefing.errors import BriefingError, BriefingErrors

HELP = "render content/ into a static site in site/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", default="content", metavar="DIR",
                        help="folder holding articles/*.md (default: content)")
    parser.add_argument("--out", default="site", metavar="DIR", help="output folder (default: site)")
    parser.add_argument("--base-url", default=None, metavar="URL",
                        help="public URL of the site, for canonical links, the sitemap and feeds "
                             "(links inside the site stay relative)")
    parser.add_argument("--templates", default="templates", metavar="DIR",
                        help="project templates overriding the theme's, file by file (default: templates)")
    parser.add_argument("--cache", default=".cache", metavar="DIR",
                        help="cache of parsed content and rendered-page fingerprints (default: .cache/site)")
    parser.add_argument("--no-search", action="store_true", help="skip the Pagefind search index")
    parser.add_argument("--quiet", action="store_true", help="print only errors")


DEFAULT_TITLE = "长三角科技合作简报"


def _ranked_ahead(cache: Path, content: Path):
    """``ahead.rank`` over the saved state in ``cache`` (run in a process of its own)."""
    from briefing.site import ahead, snapshot

    return ahead.rank(cache / "site" / snapshot.SNAPSHOT_NAME, content)


def run(args: argparse.Namespace) -> int:
    # the no-change path: a stamp check that imports neither the renderer nor the model
    from briefing.site import stamp

    templates = Path(args.templates) if args.templates else None
    cache = Path(args.cache) if args.cache else None
    options = {"base_url": args.base_url.rstrip("/") if args.base_url else None, "title": DEFAULT_TITLE,
               "search": not args.no_search}
    if stamp.is_current(cache, Path(args.out), Path(args.content), options, templates):
        if not args.quiet:
            print(f"built {args.out}/: up to date (nothing changed since the last build)")
        return 0

    from briefing.site import ahead  # noqa: F401 - imported once, for both processes below
    from briefing.workers import ChildCall

    # the related articles an edit's build needs, ranked from the saved state by a process
    # of their own, started first: beside this one's imports and the child's restore. It is
    # forked once what it shares with the build is imported (the loader and the model,
    # ~90 ms at start-up), not importing it a second time
    ranking = ChildCall(partial(_ranked_ahead, cache, Path(args.content))) if cache is not None else None

    from briefing import heap
    from briefing.site import search
    from briefing.site.builder import SEARCH_STATE_NAME, build_site, finish_search, run_search
    from briefing.text import script
    from briefing.workers import run_in_child

    heap.tune_for_batch()

    def pages(received):
        def ranked():
            if not received.arrived(0):
                # the ranking is still being made: meanwhile, the converter that any page
                # rendered for an edit needs (its Traditional page, its mentions' forms)
                script.warm_up()
            return received(0)

        return build_site(
            Path(args.content), Path(args.out), base_url=args.base_url,
            templates_dir=Path(args.templates) if args.templates else None,
            cache_dir=Path(args.cache) if args.cache else None, quiet=True,
            search=not args.no_search, defer_search=True, keep_state=True,
            related_ahead=ranked, outputs_changed=lambda: received(1), on_search_job=received.tell,
        )

    # what this process does for the child meanwhile, in the order the child needs it
    looking: list = []

    def related_ahead():   # the ranking, once done, and on a thread meanwhile, a look at the
        # site's files (stat calls: mostly waiting)
        pool = ThreadPoolExecutor(max_workers=1)
        looking.append(pool.submit(stamp.outputs_changed, cache, Path(args.out)))
        pool.shutdown(wait=False)
        return ranking.result() if ranking is not None else None

    def outputs_changed():
        return looking[0].result() if looking else stamp.outputs_changed(cache, Path(args.out))

    if not args.no_search and cache is not None and (cache / "site" / SEARCH_STATE_NAME).exists():
        # an index to bring up to date: Pagefind loads its dictionary beside the build
        search.warm_up()
    handed: dict = {}

    def search_early(job):   # here, on a thread, as soon as the child's pages are in place
        handed["job"] = job
        handed["done"] = run_search(job, only_delta=True)

    try:
        # the pages are made in a child process and the search index here. An edit's index
        # is a delta (a small Pagefind run), made while the child writes its manifest and
        # ends (an edit at 2,000 articles: ~150 ms of search beside ~50-100 ms of the
        # child's). More than that waits until the child has ended: all the memory of the
        # articles and the model is then the system's again (at 10,000 articles ~570 MB),
        # and Pagefind's runs do not add to it
        report = run_in_child(pages, beside=(related_ahead, outputs_changed), early=search_early)
        report = finish_search(report, handed.get("job"), handed.get("done"))
    except BriefingErrors as errs:
        for err in errs.errors:
            print(f"error: {err}", file=sys.stderr)
        print(f"build failed: {len(errs.errors)} problem(s); {args.out}/ was left unchanged", file=sys.stderr)
        return 1
    except BriefingError as err:
        print(f"error: {err}", file=sys.stderr)
        print(f"build failed; {args.out}/ was left unchanged", file=sys.stderr)
        return 1
    finally:
        search.cool_down()
        if ranking is not None:
            ranking.stop()
    if not args.quiet:
        stages = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in report.timings.items())
        print(f"built {args.out}/: {report.summary()} ({stages})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m briefing.commands.build", description=HELP)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
