"""One rebuild: from a batch of changed paths to an ingest, a build and a result.

* changed seeds are re-ingested (``only=`` those seeds) and the content files the ingest
  wrote are handed to the build together with the other changed inputs;
* a vocabulary or rules change re-ingests every seed (extraction depends on them) and
  tells the build which vocabulary files changed;
* a config change asks for a full build (``changed=None``);
* a failed rebuild keeps its inputs and retries them with the next change, so an error
  cannot vanish just because an unrelated file was saved next; the previous site is left
  as it was (the build's contract), and the error is returned for the terminal and the
  browser overlay.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing.errors import BriefingError, BriefingErrors
from briefing.serve.ledger import ConsumedLedger
from briefing.serve.sources import Kind, ProjectSources, WatchRoot
from briefing.serve.stages import Stages
from briefing.serve.watch import files_under


@dataclass
class RebuildResult:
    trigger: list[Path]  # the inputs that changed (sorted)
    kinds: dict[Kind, int]  # how many of each kind
    full: bool = False  # a full build (startup, config change, rescan)
    ingested: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    report: Any | None = None  # the BuildReport
    errors: list[str] = field(default_factory=list)  # "file:line: message", one each
    details: str | None = None  # a traceback, for the terminal only
    seconds: float = 0.0
    previewed: list[str] = field(default_factory=list)  # pages the fast first pass wrote
    first_written: list[str] = field(default_factory=list)  # open pages the build wrote before the rest

    @property
    def ok(self) -> bool:
        return self.report is not None and not self.errors

    def _listed(self, name: str) -> list[str]:
        return list(getattr(self.report, name, None) or []) if self.report is not None else []

    @property
    def written(self) -> list[str]:
        return sorted(set(self.previewed) | set(self._listed("written")))

    @property
    def built_written(self) -> list[str]:
        """What the build wrote after the browser was reloaded for a first pass, if any."""
        early = set(self.first_written)
        return [p for p in self._listed("written") if p not in early]

    @property
    def unchanged(self) -> list[str]:
        return self._listed("unchanged")

    @property
    def removed(self) -> list[str]:
        return self._listed("removed")

    def overlay_text(self) -> str | None:
        """What the browser overlay shows (None: nothing is wrong)."""
        lines = list(self.errors)
        lines += [f"{name}: rejected: {reason}" for name, reason in self.rejected]
        return "\n".join(lines) if lines else None


class Rebuilder:
    def __init__(
        self,
        sources: ProjectSources,
        stages: Stages,
        *,
        ledger: ConsumedLedger | None = None,
        on_build_start: Callable[[], None] | None = None,
        on_build_end: Callable[[], None] | None = None,
        on_preview: Callable[[Any], None] | None = None,
        viewed: Callable[[], set[str]] | None = None,
        base_url: str | None = None,
    ):
        self.sources = sources
        self.stages = stages
        self.ledger = ledger or ConsumedLedger()
        self._on_build_start = on_build_start or (lambda: None)
        self._on_build_end = on_build_end or (lambda: None)
        self._on_preview = on_preview or (lambda report: None)
        self._viewed = viewed   # the pages open in browsers: the build renders them first
        self.base_url = base_url
        self._carry: set[Path] = set()  # inputs of the last failed rebuild
        self._carry_full = False  # the last full build failed
        self._led: set[str] = set()  # pages shown by ``preview_lead`` since the last rebuild
        self._led_files: dict[Path, tuple[int, int]] = {}  # the content it showed them from: (size, mtime)

    # --- the two entry points ------------------------------------------------------------

    def initial(self, *, ingest: bool = True,
                before_build: Callable[[], None] | None = None) -> RebuildResult:
        """The start-up build: ingest what changed in seeds/, then build everything.

        `before_build` runs between the two (the session starts watching there, so the
        content the ingest just wrote is not seen as an edit, but edits made during the
        build are).
        """
        started = time.perf_counter()
        result = RebuildResult(trigger=[], kinds={}, full=True)
        if ingest and self._can_ingest():
            self._ingest(result, only=None)  # on failure: still build the content there is
        if before_build is not None:
            before_build()
        self._build(result, None)
        self._carry_full = not result.ok
        result.seconds = time.perf_counter() - started
        return result

    def rebuild(self, batch: Iterable[Path]) -> RebuildResult | None:
        """Rebuild for a batch of possibly-changed paths; None when nothing really changed."""
        started = time.perf_counter()
        paths, rescan = self._expand(batch)
        inputs = {p for p in paths if self.sources.classify(p) is not None}
        changed = self.ledger.changed(inputs)
        if not changed and not rescan:
            return None
        changed |= {p for p in self._carry if self.sources.classify(p) is not None}
        kinds = {kind: 0 for kind in Kind}
        by_kind: dict[Kind, set[Path]] = {kind: set() for kind in Kind}
        for path in changed:
            kind = self.sources.classify(path)
            by_kind[kind].add(path)
            kinds[kind] += 1
        full = self._carry_full or rescan or bool(by_kind[Kind.CONFIG])
        result = RebuildResult(
            trigger=sorted(changed),
            kinds={k: n for k, n in kinds.items() if n},
            full=full,
        )

        seeds_touched = by_kind[Kind.SEED]
        reextract = bool(by_kind[Kind.VOCABULARY] or by_kind[Kind.RULES])
        produced: set[Path] = set()
        if self._can_ingest() and (reextract or seeds_touched):
            only = None if reextract else {p for p in seeds_touched if p.exists()}
            if only is None or only:
                ok = self._ingest(result, only=only)
                if not ok:
                    self._remember_failure(changed, full)
                    result.seconds = time.perf_counter() - started
                    return result
                produced = self._produced_content(result.ingested)

        build_inputs = (changed - seeds_touched) | produced
        self.ledger.consume(changed | produced)
        if build_inputs or full:
            self._build(result, None if full else build_inputs)
        else:
            result.report = _NothingBuilt()
        if self._led:   # what the burst's lead showed was written by this rebuild, earlier
            result.previewed = sorted(self._led | set(result.previewed))
        self._led, self._led_files = set(), {}
        if result.ok:
            self._carry, self._carry_full = set(), False
        else:
            self._remember_failure(build_inputs, full)
        result.seconds = time.perf_counter() - started
        return result

    # --- stages ------------------------------------------------------------------------

    def _can_ingest(self) -> bool:
        seeds = self.sources.seeds
        return self.stages.ingest is not None and seeds is not None and seeds.is_dir()

    def _ingest(self, result: RebuildResult, only: set[Path] | None) -> bool:
        try:
            report = self.stages.ingest(self.sources.seeds, self.sources.content, only=only, quiet=True,
                                        cache_dir=self.sources.cache)
        except Exception as exc:  # noqa: BLE001 - every failure is shown, serving goes on
            self._record_error(result, exc)
            return False
        result.ingested = [str(x) for x in (getattr(report, "ingested", None) or [])]
        result.rejected = [tuple(map(str, r)) for r in (getattr(report, "rejected", None) or [])]
        return True

    def preview_lead(self, paths: Iterable[Path]) -> None:
        """The first saves of a burst, before it is over: edited articles are shown at once,
        and after a template edit the pages open in browsers (``rebuild`` of the whole burst
        follows and brings everything else in line)."""
        paths = set(paths)
        kinds = {self.sources.classify(p) for p in paths}
        if not paths or not all(p.is_file() for p in paths) or len(kinds) != 1:
            return
        first: list[str] = []
        if kinds == {Kind.TEMPLATE}:
            first = sorted(self._viewed() or ()) if self._viewed is not None else []
            if not first:
                return
        elif kinds != {Kind.CONTENT}:
            return
        shown = RebuildResult(trigger=sorted(paths), kinds={next(iter(kinds)): len(paths)})
        self._preview(shown, paths, self._build_options(paths), first=first)
        self._led.update(shown.previewed)
        if kinds == {Kind.CONTENT}:
            self._led_files.update((p, _stat(p)) for p in paths)

    def _build_options(self, changed: set[Path] | None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"changed": changed, "quiet": True}
        if self.base_url is not None:
            kwargs["base_url"] = self.base_url
        if self.sources.templates is not None:  # as `build` passes it, so they share a cache
            kwargs["templates_dir"] = self.sources.templates
        if self.sources.cache is not None:
            kwargs["cache_dir"] = self.sources.cache
        if self.stages.defers_search:
            kwargs["search"] = False
        return kwargs

    def _build(self, result: RebuildResult, changed: set[Path] | None) -> None:
        kwargs = self._build_options(changed)
        if not (changed and all(self._led_files.get(p) == _stat(p) for p in changed)):
            # (articles the burst's lead already showed, as they still are, are not previewed twice)
            self._preview(result, changed, kwargs)  # before the gate: its writes are atomic renames
        if self._viewed is not None and self.stages.build_accepts("first"):
            open_pages = self._viewed()
            if open_pages:
                def first_written(report) -> None:
                    result.first_written = list(report.written)
                    if report.written:
                        self._on_preview(report)
                kwargs.update(first=sorted(open_pages), on_first=first_written)
        self._on_build_start()
        try:
            result.report = self.stages.build_site(self.sources.content, self.sources.out,
                                                   **kwargs)
        except Exception as exc:  # noqa: BLE001
            self._record_error(result, exc)
        finally:
            self._on_build_end()

    def _preview(self, result: RebuildResult, changed: set[Path] | None, kwargs: dict[str, Any],
                 first: list[str] | None = None) -> None:
        """Edited articles (or, given ``first``, the open pages after a template edit): write
        their pages from the last model and reload at once; the full build that follows
        brings listings, timeline and feeds up to date."""
        if not changed or self.stages.preview_site is None \
                or (not first and any(self.sources.classify(p) is not Kind.CONTENT for p in changed)):
            return
        options = {k: v for k, v in kwargs.items() if k != "changed"}
        if first:
            options["first"] = first
        try:
            report = self.stages.preview_site(self.sources.content, self.sources.out, changed=changed, **options)
        except Exception:  # noqa: BLE001 - the full build reports every problem
            return
        if report is not None and (report.written or report.removed):
            result.previewed = list(report.written)
            self._on_preview(report)

    # --- helpers -----------------------------------------------------------------------

    def _record_error(self, result: RebuildResult, exc: BaseException) -> None:
        if isinstance(exc, BriefingErrors):
            result.errors += [str(e) for e in exc.errors] or [str(exc)]
        elif isinstance(exc, BriefingError):
            result.errors.append(str(exc))
        else:
            result.errors.append(f"internal error: {type(exc).__name__}: {exc}")
            result.details = "".join(traceback.format_exception(exc))

    def _remember_failure(self, inputs: set[Path], full: bool) -> None:
        self._carry |= inputs
        self._carry_full = self._carry_full or full

    def _expand(self, batch: Iterable[Path]) -> tuple[set[Path], bool]:
        """Folders in a batch stand for the files under them (or that were under them)."""
        paths: set[Path] = set()
        rescan = False
        for path in batch:
            path = Path(path)
            if path.is_dir():
                rescan = rescan or any(path == root.path for root in self.sources.roots())
                kind_root = self._root_of(path)
                if kind_root is not None:
                    sub = WatchRoot(path, kind_root.kind, kind_root.suffixes)
                    paths |= set(files_under(sub))
                continue
            if not path.exists() and not self.ledger.knows(path):
                gone = self.ledger.known_under(path)  # a folder that went away
                if gone:
                    paths |= gone
                    continue
            paths.add(path)
        return paths, rescan

    def _root_of(self, path: Path) -> WatchRoot | None:
        absolute = path.absolute()
        for root in self.sources.roots():
            base = root.path.absolute()
            if absolute == base or absolute.is_relative_to(base):
                return root
        return None

    def _produced_content(self, names: list[str]) -> set[Path]:
        """The content files an ingest report names (slugs, file names or paths)."""
        content = self.sources.content
        produced: set[Path] = set()
        for name in names:
            raw = Path(name)
            for candidate in (
                raw,
                content / raw,
                content / "articles" / raw,
                content / "articles" / f"{name}.md",
                content / "articles" / raw.name,
            ):
                if candidate.is_file() and self.sources.classify(candidate) is Kind.CONTENT:
                    produced.add(candidate)
                    break
        return produced


class _NothingBuilt:
    """The report of a rebuild that had nothing for the build (e.g. a deleted seed)."""

    written: list[str] = []
    unchanged: list[str] = []
    removed: list[str] = []
    seconds = 0.0
    pages = 0


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns
