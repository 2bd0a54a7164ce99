"""Re-indexing the site for search in the background, debounced on its own.

Pages are written and the browser reloaded first; the search index (Pagefind over the
whole site, seconds at 10,000 articles) follows once the site has been quiet for
`delay` seconds, in its own thread, so it never holds up a reload.

An edit is indexed into a small delta bundle (see ``briefing.site.search``); once nothing
has asked for an index for `fold_after` seconds, the delta is folded into the parts it
belongs to, so the site served ends as a cold build makes it, byte for byte, when the
fold fits the memory budget beside serve (``fold_fits``): at 10,000 articles serve holds
~700 MB and a fold ~480 MB, so there the delta stays, as after a CLI edit.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from briefing.serve.debounce import ChangeQueue

_SITE = Path("<site>")
FOLD_AFTER_IDLE = 30.0   # seconds without an index asked for before the delta is folded


class SearchIndexer:
    def __init__(self, index: Callable[[Path], Any], out_dir: Path, *, delay: float = 1.0,
                 report: Callable[[str], None] | None = None, fold: Callable[[Path], Any] | None = None,
                 fold_after: float = FOLD_AFTER_IDLE, fold_fits: Callable[[], bool] = lambda: True):
        self.index = index
        self.fold = fold
        self.fold_fits = fold_fits
        self.fold_after = fold_after
        self.out_dir = out_dir
        self.report = report or (lambda line: None)
        self.queue = ChangeQueue(quiet=delay, max_wait=max(delay, 10.0))
        self.runs = 0
        self.folds = 0
        self.failures = 0
        self._fold_failed = False   # not tried again before the next index
        self._thread = threading.Thread(target=self._loop, name="briefing-search", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request(self) -> None:
        self.queue.put({_SITE})

    def delta_left(self) -> bool:
        """The index holds a delta bundle (the pages edited since their part was indexed)."""
        from briefing.site.search import DELTA_DIR, part_prefix

        return self.out_dir.joinpath(*part_prefix(DELTA_DIR).split("/")).is_dir()

    def _loop(self) -> None:
        while True:
            folding = self.fold is not None and not self._fold_failed and self.delta_left() and self.fold_fits()
            batch = self.queue.take(idle=self.fold_after if folding else None)
            if batch is None:
                return
            if not batch and not self.fold_fits():   # memory taken meanwhile (a rebuild): not now
                continue
            job, what = (self.index, "updated") if batch else (self.fold, "folded")
            try:
                job(self.out_dir)
                self._fold_failed = False
            except Exception as exc:  # noqa: BLE001 - search failing must not stop serving
                self.failures += 1
                self._fold_failed = not batch
                self.report(f"search index not {what}: {type(exc).__name__}: {exc}")
                self.report(traceback.format_exc().rstrip())
            finally:
                if batch:
                    self.runs += 1
                    self.queue.done()
                else:
                    self.folds += 1

    def wait_idle(self, timeout: float | None = None) -> bool:
        return self.queue.wait_idle(timeout)

    def stop(self) -> None:
        self.queue.close()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
