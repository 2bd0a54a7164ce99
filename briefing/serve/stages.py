"""The build stages `serve` drives, looked up once (and injectable in tests).

Contracts (owned by the ingest and site packages):

* ``ingest(seeds_dir, content_dir, *, only=None, force=False, quiet=False, cache_dir=None) -> IngestReport``
  with ``ingested``, ``unchanged``, ``kept_edited`` (lists of str) and ``rejected``
  (list of (file, reason));
* ``build_site(content_dir, out_dir, *, base_url=None, templates_dir=None, changed=None,
  cache_dir=None, quiet=False) -> BuildReport`` with ``written``, ``unchanged``,
  ``removed`` (lists of str), ``seconds`` and ``pages``; raises ``BriefingErrors`` and
  leaves the previous site untouched.

Search indexing: when `build_site` accepts a ``search`` keyword, `serve` builds pages with
``search=False`` (so a reload never waits for the index) and re-indexes in the background,
in a child process (`briefing.serve.reindex`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Stages:
    build_site: Callable[..., Any]
    ingest: Callable[..., Any] | None = None
    search_index: Callable[[Path], Any] | None = None
    preview_site: Callable[..., Any] | None = None   # a fast first pass before build_site

    def build_accepts(self, keyword: str) -> bool:
        try:
            parameters = inspect.signature(self.build_site).parameters
        except (TypeError, ValueError):
            return False
        return keyword in parameters or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
        )

    def search_index_with(self, cache_dir: Path | None, *, fold: bool = False) -> Callable[[Path], Any] | None:
        """The search indexer, told where the builds keep their cache when it takes one; with
        ``fold``, the one that folds the delta bundle into its parts (None if it cannot)."""
        index = self.search_index
        if index is None:
            return None
        parameters = inspect.signature(index).parameters
        options: dict[str, Any] = {}
        if cache_dir is not None and "cache_dir" in parameters:
            options["cache_dir"] = cache_dir
        if fold:
            if "fold" not in parameters:
                return None
            options["fold"] = True
        return (lambda out_dir: index(out_dir, **options)) if options else index

    @property
    def defers_search(self) -> bool:
        """Pages can be built without the search index, which is then built separately."""
        return self.search_index is not None and self.build_accepts("search")


def project_stages() -> Stages:
    """The real stages of this project (imported on first use: `serve --help` stays fast)."""
    from briefing.ingest.pipeline import ingest
    from briefing.serve.reindex import reindex_in_child
    from briefing.site import builder

    return Stages(build_site=builder.build_site, ingest=ingest, search_index=reindex_in_child,
                  preview_site=builder.preview_site)
