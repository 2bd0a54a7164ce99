"""A preview session: build, serve, watch, rebuild on change, reload the browser.

Threads: the watcher's (reports changed paths into a `ChangeQueue`), the rebuild loop's
(takes one debounced batch at a time, rebuilds, publishes), the HTTP server's (Tornado IO
loop: pages, livereload websocket, error events) and, when the build defers it, the
search indexer's. The caller's thread only starts and stops them.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from briefing.heap import LongLivedHeap, resident_mb
from briefing.serve.debounce import ChangeQueue, Lead
from briefing.serve.ledger import ConsumedLedger
from briefing.serve.rebuild import Rebuilder, RebuildResult
from briefing.serve.search import SearchIndexer
from briefing.serve.server import PreviewHTTPServer
from briefing.serve.sources import ProjectSources
from briefing.serve.stages import Stages
from briefing.serve.state import PreviewState
from briefing.serve.terminal import display_path, problem_lines, rebuild_line
from briefing.serve.watch import files_under, make_watcher


@dataclass
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    debounce: float = 0.05  # seconds of quiet that end a burst of saves
    max_wait: float = 2.0  # a batch is built at the latest this long after its first change
    watcher: str = "auto"  # auto | inotify | poll
    poll_interval: float | None = None
    ingest_on_start: bool = True
    search_delay: float = 1.0
    gate_seconds: float = 1.0  # how long a request may wait for a rebuild to finish writing


class PreviewSession:
    def __init__(self, sources: ProjectSources, stages: Stages,
                 options: ServeOptions | None = None, *, out: TextIO | None = None):
        self.sources = sources
        self.stages = stages
        self.options = options or ServeOptions()
        self.out = out if out is not None else sys.stdout
        self._print_lock = threading.Lock()
        self.state = PreviewState()
        self.ledger = ConsumedLedger()
        self.rebuilder = Rebuilder(sources, stages, ledger=self.ledger,
                                   on_build_start=self.state.begin_build,
                                   on_build_end=self.state.end_build,
                                   on_preview=self._previewed,
                                   viewed=lambda: self.http.viewed_pages())
        self.queue = ChangeQueue(self.options.debounce, max(self.options.max_wait,
                                                            self.options.debounce))
        excluded = [sources.out] + ([sources.cache] if sources.cache is not None else [])
        self.roots = sources.roots()
        self.watcher = make_watcher(self.roots, kind=self.options.watcher, excluded=excluded,
                                    poll_interval=self.options.poll_interval)
        self.http = PreviewHTTPServer(sources.out, self.state, host=self.options.host,
                                      port=self.options.port,
                                      gate_seconds=self.options.gate_seconds)
        self.search: SearchIndexer | None = None
        if stages.defers_search:
            self.search = SearchIndexer(stages.search_index_with(sources.cache), sources.out,
                                        delay=self.options.search_delay, report=self.say,
                                        fold=stages.search_index_with(sources.cache, fold=True),
                                        fold_fits=fold_fits_memory)
        self.heap = LongLivedHeap()
        self.history: deque[RebuildResult] = deque(maxlen=200)
        self.rebuilds = 0
        self._loop_thread = threading.Thread(target=self._rebuild_loop,
                                             name="briefing-rebuild", daemon=True)
        self._started = False

    # --- output --------------------------------------------------------------------------

    def say(self, line: str) -> None:
        with self._print_lock:
            self.out.write(line + "\n")
            self.out.flush()

    def _publish(self, result: RebuildResult) -> None:
        self.history.append(result)
        line = rebuild_line(result)
        self.say(line)
        for problem in problem_lines(result):
            self.say(problem)
        self.state.finish(error=result.overlay_text(), line=line,
                          written=len(result.written) if result.ok else 0)
        if result.ok and (result.written or result.removed):
            # after a first pass the browser has reloaded: again only if the build changed more
            if not (result.previewed or result.first_written) or result.built_written or result.removed:
                self._reload(result.written, result.removed)
            if self.search is not None:
                self.search.request()
        self.heap.settle()

    def _previewed(self, report) -> None:
        """A first pass wrote pages (the edited article, or the pages open in browsers):
        reload now, before the full build ends, and let the server hand them out meanwhile."""
        self.state.mark_ready(report.written)
        self._reload(list(report.written), list(report.removed))

    def _reload(self, written: list[str], removed: list[str]) -> None:
        """Reload the browsers whose page changed; every browser if an asset changed."""
        changed = [str(p) for p in list(written) + list(removed)]
        pages = set(changed) if changed and all(p.lower().endswith(PAGE_SUFFIXES) for p in changed) else None
        self.http.reload(_reload_path(written, removed), pages=pages)

    # --- life cycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Ingest and build, then start watching and serving (returns once serving)."""

        watching = False

        def watch() -> None:
            nonlocal watching
            watching = True
            # roots that the start-up ingest may just have created (content/) are watched too
            self.roots = self.sources.roots()
            self.watcher.roots = self.roots
            self.watcher.start(self.queue.put)
            for root in self.roots:
                self.ledger.know(files_under(root, self.watcher.excluded))

        self.http.bind()
        self.sources.out.mkdir(parents=True, exist_ok=True)
        (self.sources.content / "articles").mkdir(parents=True, exist_ok=True)
        result = self.rebuilder.initial(ingest=self.options.ingest_on_start,
                                        before_build=watch)
        if not watching:  # the ingest failed before the build
            watch()
        self._publish(result)
        self.http.start()
        self._loop_thread.start()
        if self.search is not None:
            self.search.start()
            self.search.request()
        self._started = True
        self.say(f"Serving {display_path(self.sources.out)}/ at {self.http.url} · watching "
                 f"{len(self.roots)} folders ({self.watcher.name}) · Ctrl-C to stop")

    def _rebuild_loop(self) -> None:
        while (batch := self.queue.take(idle=TIDY_AFTER_IDLE if self.heap.untidy else None,
                                         lead=True)) is not None:
            if isinstance(batch, Lead):   # a save, before its burst is over: show it at once
                try:
                    self.rebuilder.preview_lead(batch.paths)
                except Exception:  # noqa: BLE001 - the rebuild of the burst reports it
                    pass
                continue
            if not batch:   # a quiet moment: free what earlier models left, off the edit path
                self.heap.tidy()
                continue
            try:
                result = self.rebuilder.rebuild(batch)
                if result is not None:
                    self.rebuilds += 1
                    self._publish(result)
            except Exception:  # noqa: BLE001 - the loop must survive anything
                self.say("internal error in the rebuild loop:\n" + traceback.format_exc())
            finally:
                self.queue.done()

    def settle(self, timeout: float = 30.0) -> bool:
        """Deliver every change made so far and wait until it has been rebuilt."""
        self.watcher.sync()
        return self.queue.wait_idle(timeout)

    def stop(self) -> None:
        self.watcher.stop()
        self.queue.close()
        if self._loop_thread.is_alive():
            self._loop_thread.join(timeout=60)
        if self.search is not None:
            self.search.stop()
        if self._started:
            self.http.stop()

    def serve_forever(self) -> None:
        try:
            self.start()    # inside: a stop asked for while starting (the URL is out) is a stop
            threading.Event().wait()
        except KeyboardInterrupt:
            self.say("Stopping.")
        finally:
            self.stop()

    @property
    def url(self) -> str:
        return self.http.url


# seconds without a change before the collector looks at everything again (0.5 s holding
# the interpreter at 10,000 articles: late enough that an editor is unlikely to save meanwhile)
TIDY_AFTER_IDLE = 30.0
MEMORY_BUDGET_MB = 1000   # serve and the search fold it starts, together


def fold_fits_memory() -> bool:
    """Whether folding the search delta now keeps serve and the fold within the budget,
    with room for a rebuild that starts meanwhile: its render worker, forked from serve,
    can come to hold about as much as serve does (a template edit at 10,000 articles beside
    a fold started by a fresh serve peaked at 1,015 MB: serve 330, worker 325, fold 360)."""
    from briefing.site.search import fold_memory_mb

    held = resident_mb()
    return held is not None and 2 * held + fold_memory_mb() <= MEMORY_BUDGET_MB


PAGE_SUFFIXES = (".html", ".htm", ".xml", ".json", ".csv", ".txt")   # files no other page loads


def _reload_path(written: list[str], removed: list[str]) -> str:
    """livereload swaps stylesheets in place when only CSS changed; anything else reloads."""
    changed = list(written) + list(removed)
    if changed and all(str(p).lower().endswith(".css") for p in changed):
        return str(changed[0])
    return "*"


def default_sources(*, content: Path, out: Path, seeds: Path | None,
                    root: Path | None = None) -> ProjectSources:
    return ProjectSources.for_project(root or Path.cwd(), content=content, out=out, seeds=seeds)
