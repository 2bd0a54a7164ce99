"""Build the site, serve it on localhost and rebuild on every change, with live reload.

Watches seeds/ (a changed seed is re-ingested), content/, templates/ (and the theme),
static files, the vocabularies and rules, and the config. A burst of saves gives one
rebuild; only what a change affects is re-rendered. A broken change is printed here and
shown over the last good page in the browser until the next good save.
"""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
import threading
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", type=Path, default=Path("seeds"),
                        help="folder of raw articles to re-ingest on change (default: seeds)")
    parser.add_argument("--content", type=Path, default=Path("content"),
                        help="content folder (default: content)")
    parser.add_argument("--out", type=Path, default=Path("site"),
                        help="output folder (default: site)")
    parser.add_argument("--templates", type=Path, default=Path("templates"),
                        help="project templates overriding the theme's (default: templates)")
    parser.add_argument("--cache", type=Path, default=Path(".cache"),
                        help="build cache folder, shared with `build` (default: .cache)")
    parser.add_argument("--port", type=int, default=8000,
                        help="port (default: 8000; 0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1, loopback only)")
    parser.add_argument("--debounce", type=float, default=50, metavar="MS",
                        help="quiet time that ends a burst of saves (default: 50 ms)")
    parser.add_argument("--watcher", choices=("auto", "inotify", "poll"), default="auto",
                        help="how changes are noticed (default: inotify on Linux, else polling)")
    parser.add_argument("--no-ingest", action="store_true",
                        help="do not ingest seeds at start-up (changed seeds still are)")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    from briefing import heap
    from briefing.serve.session import PreviewSession, ServeOptions
    from briefing.serve.sources import ProjectSources
    from briefing.serve.stages import project_stages

    if not 0 <= args.port <= 65535:
        print(f"error: --port {args.port} is not a port number", file=sys.stderr)
        return 2
    # the HTTP thread answers the browser while a rebuild computes in the main thread: hand
    # the interpreter over every millisecond (not every 5) so a reload is not kept waiting
    sys.setswitchinterval(0.001)
    heap.tune_for_batch()
    if args.debounce < 0:
        print("error: --debounce must be >= 0", file=sys.stderr)
        return 2
    if not args.content.is_dir() and not (args.seeds and args.seeds.is_dir()):
        print(f"error: {args.content} not found (and no seeds to ingest)", file=sys.stderr)
        return 1
    if not _is_loopback(args.host):
        print(f"warning: serving on {args.host}: anyone who can reach this machine can see "
              "the preview", file=sys.stderr)

    seeds = args.seeds if args.seeds is not None and args.seeds.is_dir() else None
    sources = ProjectSources.for_project(Path.cwd(), content=args.content, out=args.out,
                                         seeds=seeds, templates=args.templates,
                                         cache=args.cache)
    options = ServeOptions(host=args.host, port=args.port, debounce=args.debounce / 1000,
                           watcher=args.watcher, ingest_on_start=not args.no_ingest)
    try:
        session = PreviewSession(sources, project_stages(), options)
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        session.serve_forever()
    except OSError as exc:  # the port is taken, the out folder is not writable…
        print(f"error: {exc}", file=sys.stderr)
        session.stop()
        return 1
    return 0


def _interrupt(signum, frame):  # SIGTERM stops like Ctrl-C
    raise KeyboardInterrupt
