"""Re-indexing the site for search in the background, debounced on its own.

Pages are written and the browser reloaded first; the search index (Pagefind over the
whole site, seconds at 10,000 articles) follows once the site has been quiet for
`delay` seconds, in its own thread, so it never holds up a reload.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from briefing.serve.debounce import ChangeQueue

_SITE = Path("<site>")


class SearchIndexer:
    def __init__(self, index: Callable[[Path], Any], out_dir: Path, *, delay: float = 1.0,
                 report: Callable[[str], None] | None = None):
        self.index = index
        self.out_dir = out_dir
        self.report = report or (lambda line: None)
        self.queue = ChangeQueue(quiet=delay, max_wait=max(delay, 10.0))
        self.runs = 0
        self.failures = 0
        self._thread = threading.Thread(target=self._loop, name="briefing-search", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request(self) -> None:
        self.queue.put({_SITE})

    def _loop(self) -> None:
        while self.queue.take() is not None:
            try:
                self.index(self.out_dir)
            except Exception as exc:  # noqa: BLE001 - search failing must not stop serving
                self.failures += 1
                self.report(f"search index not updated: {type(exc).__name__}: {exc}")
                self.report(traceback.format_exc().rstrip())
            finally:
                self.runs += 1
                self.queue.done()

    def wait_idle(self, timeout: float | None = None) -> bool:
        return self.queue.wait_idle(timeout)

    def stop(self) -> None:
        self.queue.close()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
