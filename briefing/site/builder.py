"""Build the site: load → model → plan → render what changed → write atomically → search.

A page is a pure function of its templates and the part of the model it reads. Each
render records the dependency keys it read (``article:<slug>``, ``region:<id>`` …); the
manifest keeps, per page, those keys and its template fingerprint, and, per key, the
fingerprint of its value. The next build compares the new key fingerprints with the
stored ones and re-renders only the pages that read a changed key (or whose template
changed, or whose file is not the one the last build wrote); a file is written only when
its bytes changed, so unchanged files keep their mtime.

Whole-build atomicity: every page is rendered (by two forked workers on a big build)
into a staging folder beside the output folder; nothing is moved into the output folder
until every output rendered, so bad content or a template error leaves the previous site
exactly as it was. Files are then moved in one by one with ``os.replace`` (a server never
sees a half-written file). A build killed while moving files leaves a site of whole files
and no stamp; the next build sees which files are not the ones the manifest describes
and renders them again.

``SiteBuilder`` keeps the loaded articles, the model, the template environment and the
manifest in memory between builds (``serve`` uses one); ``build_site`` is the one-shot
wrapper, which reuses a kept builder when called again with the same settings.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
import pickle
import shutil
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Iterable

from briefing import heap
from briefing.workers import CAN_FORK, ChildCall, fork_pool
from briefing.errors import BriefingError, BriefingErrors
from briefing.site import ahead, export, feeds, load, model, pages, related, remodel, render, snapshot, stamp, urls, views, writer
from briefing.site.search import indexed_digest
from briefing.site.writer import FileState

MANIFEST_VERSION = 5
DEFAULT_TITLE = "长三角科技合作简报"
PARALLEL_THRESHOLD = 300          # below this many pages to render, forking costs more than it saves
KEPT_BUILDERS = 2                 # builders ``build_site`` keeps for repeated calls
SEARCH_STATE_NAME = "search.marshal"  # in the cache folder: what each part of the search index holds
RANK_APART_MIN = 1000            # articles: fewer are ranked faster than a process is forked for it
STATE_DRIFT = 20                  # articles changed since the saved state before it is saved again


@dataclass
class BuildReport:
    written: list[str]
    unchanged: list[str]
    removed: list[str]
    seconds: float
    pages: int                                  # HTML pages in the site (both scripts)
    rendered: int = 0                           # outputs rendered this time (others were skipped)
    timings: dict[str, float] = field(default_factory=dict)
    search_indexed: bool = False
    search_job: "SearchJob | None" = None         # the search step, when left to the caller
    search_record: "SearchRecord | None" = None   # what is recorded once it is done

    def summary(self) -> str:
        return (f"{self.pages} pages: {len(self.written)} written, {len(self.unchanged)} unchanged, "
                f"{len(self.removed)} removed, {self.rendered} rendered in {self.seconds * 1000:.0f} ms")


@dataclass
class SearchJob:
    """The search step of a build that left it to its caller (``defer_search``): what
    indexing needs. The caller of a one-shot build runs it after the process that rendered
    the pages has ended, so Pagefind's memory does not add to theirs, or beside it when it
    is a delta (``run_search``); ``finish_search`` completes it."""

    out_path: Path
    search_files: dict[str, FileState]            # the search files as the build found them
    pages: dict[str, str]                         # page → digest of what Pagefind reads of it
    state_path: Path | None                       # what the index parts hold, between builds


@dataclass
class SearchRecord:
    """What ``finish_search`` records once the search step of a build is done (it is in the
    build's report even when the step itself was handed over early)."""

    manifest_path: Path | None                    # the manifest saved by the build
    other_files: dict[str, tuple[int, int]]       # every other file of the site: (size, mtime)
    stamp: tuple | None                           # stamp.write's other arguments (None: no cache)


_MISSING = object()
JOURNAL_RECORDS = 16       # edits journalled before the manifest is written whole again


@dataclass
class _Manifest:
    """What the last build left: fingerprints, each page's dependencies, each file's state.

    Saved whole, then, build after build, only what changed is appended to a journal beside
    it (a serve session at 10,000 articles would otherwise spend 0.7 s a rebuild pickling 40 MB
    it had just read); every JOURNAL_RECORDS records, when the journal would grow past
    half the manifest's size, or when a record would hold most of the pages (a template edit
    records every page: replaying that costs each later build more than loading it whole),
    it is written whole again. A record cut
    short by a killed build ends the replay: the manifest is then older than the folder,
    which the next build detects file by file (sizes and mtimes) and repairs.
    """

    global_fp: str = ""
    fps: dict[str, str] = field(default_factory=dict)                          # key → fingerprint
    # path → (template fp, deps, digest of what the search index reads of it or None)
    pages: dict[str, tuple[str, tuple[str, ...], str | None]] = field(default_factory=dict)
    files: dict[str, FileState] = field(default_factory=dict)
    related: tuple[str, dict] | None = None                                    # (inputs digest, related)
    saved: tuple | None = field(default=None, repr=False, compare=False)        # (path, records, fps, pages, files)

    @staticmethod
    def _journal(path: Path) -> Path:
        return path.with_name(path.name + ".journal")

    @classmethod
    def load(cls, path: Path | None) -> "_Manifest":
        if path is None or not path.exists():
            return cls()
        try:
            with open(path, "rb") as fh:
                version, data = pickle.load(fh)
            if version != MANIFEST_VERSION:
                return cls()
            data["files"] = {k: FileState(*v) for k, v in data["files"].items()}
            manifest = cls(**data)
        except Exception:  # a damaged manifest only costs a full render
            return cls()
        records = manifest._replay(cls._journal(path))
        manifest.saved = (path, records, manifest.fps, manifest.pages, manifest.files)
        return manifest

    def _replay(self, journal: Path) -> int:
        try:
            data = journal.read_bytes()
        except OSError:
            return 0
        records, at = 0, 0
        while at + 8 <= len(data):
            size = int.from_bytes(data[at:at + 8], "little")
            if at + 8 + size > len(data):
                break  # cut short: the build that wrote it was killed
            try:
                version, record = pickle.loads(data[at + 8:at + 8 + size])
            except Exception:
                break
            if version != MANIFEST_VERSION:
                break
            at += 8 + size
            records += 1
            self.global_fp = record.get("global_fp", self.global_fp)
            self.related = record.get("related", self.related)
            for name in ("fps", "pages", "files"):
                if name not in record:   # a record of the search step run apart holds files only
                    continue
                table = getattr(self, name)   # the loaded manifest's own dict: updated in place
                changed, gone = record[name]
                table.update(changed if name != "files" else {k: FileState(*v) for k, v in changed.items()})
                for k in gone:
                    table.pop(k, None)
        return records

    @staticmethod
    def _record(record: dict) -> bytes:
        """A journal record as appended: its length, then the pickled record."""
        blob = pickle.dumps((MANIFEST_VERSION, record), protocol=pickle.HIGHEST_PROTOCOL)
        return len(blob).to_bytes(8, "little") + blob

    @classmethod
    def record_files(cls, path: Path | None, changed: dict[str, FileState], gone: list[str]) -> None:
        """Append to a saved manifest: these files are now so, those are gone."""
        if path is None:
            return
        record = {"files": ({k: (v.digest, v.size, v.mtime_ns) for k, v in changed.items()}, list(gone))}
        with open(cls._journal(path), "ab") as fh:
            fh.write(cls._record(record))

    def save(self, path: Path | None) -> None:
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        journal = self._journal(path)
        if self.saved is not None and self.saved[0] == path and self.saved[1] < JOURNAL_RECORDS and path.exists():
            _, records, fps, pages, files = self.saved
            record = {"global_fp": self.global_fp, "related": self.related}
            for name, old in (("fps", fps), ("pages", pages), ("files", files)):
                new = getattr(self, name)
                changed = {k: v for k, v in new.items() if old.get(k, _MISSING) is not v and old.get(k, _MISSING) != v}
                if name == "files":
                    changed = {k: (v.digest, v.size, v.mtime_ns) for k, v in changed.items()}
                record[name] = (changed, [k for k in old if k not in new])
            appended = self._record(record)
            try:
                journal_size = journal.stat().st_size
            except OSError:
                journal_size = 0
            most_pages = len(record["pages"][0]) > len(self.pages) // 2
            if not most_pages and journal_size + len(appended) <= path.stat().st_size // 2:
                with open(journal, "ab") as fh:
                    fh.write(appended)
                self.saved = (path, records + 1, self.fps, self.pages, self.files)
                return
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        data = {"global_fp": self.global_fp, "fps": self.fps, "pages": self.pages,
                "files": {k: (v.digest, v.size, v.mtime_ns) for k, v in self.files.items()}, "related": self.related}
        with open(tmp, "wb") as fh:
            pickle.dump((MANIFEST_VERSION, data), fh, protocol=pickle.HIGHEST_PROTOCOL)
        journal.unlink(missing_ok=True)   # before the new whole manifest: never replayed over it
        os.replace(tmp, path)
        self.saved = (path, 0, self.fps, self.pages, self.files)


def _static_files() -> dict[str, str]:
    out = {}
    for file in sorted(render.THEME_STATIC.rglob("*")):
        if file.is_file() and not file.name.startswith("."):
            out[file.relative_to(render.THEME_STATIC).as_posix()] = str(file)
    return out


def _default_vocab():
    try:
        from briefing.knowledge.vocab import load_vocabularies
    except ImportError as exc:
        raise BriefingError(None, f"the knowledge vocabularies are not available ({exc})") from None
    return load_vocabularies()


def default_vocab_dir() -> Path | None:
    try:
        from briefing.knowledge.vocab import DATA_DIR
    except ImportError:
        return None
    return Path(DATA_DIR)


def _digest(value: Any) -> str:
    return hashlib.blake2b(repr(value).encode("utf-8"), digest_size=8).hexdigest()


# --- rendering (shared with forked workers through module state) ----------------------------

_STATE: dict[str, Any] = {}


def _set_render_state(site, config: dict, env, outputs: list[pages.Output], out_dir: Path, staging: Path,
                      files: dict[str, FileState], direct: bool, changed_keys: set[str] | None = None) -> None:
    """What ``_render_indices`` reads (module state, so forked workers inherit it).
    ``changed_keys``: the model keys changed since the build that wrote ``files`` (None:
    not known, nothing of the files written then is used again)."""
    _STATE.clear()
    views.forget_fragments()
    writer.forget_folders()
    _STATE.update(site=site, config=config, env=env, outputs=outputs, out_dir=out_dir, staging=staging,
                  files=files, direct=direct, changed_keys=changed_keys)


def _last_export(out: pages.Output) -> export.LastFile | None:
    """An export as the last build wrote it, if it is still as that build left it, with the
    model keys changed since (what of it still holds is used again)."""
    st = _STATE
    known = st["files"].get(out.path)
    if st["changed_keys"] is None or known is None or out.args["name"] not in export.USES_LAST_FILE:
        return None
    path = st["out_dir"].joinpath(*out.path.split("/"))
    try:
        with open(path, "rb") as fh:
            stat_now = os.fstat(fh.fileno())
            if (stat_now.st_size, stat_now.st_mtime_ns) != (known.size, known.mtime_ns):
                return None
            data = fh.read()
    except OSError:
        return None
    return export.LastFile(data, st["changed_keys"])


def _produce(out: pages.Output) -> tuple[bytes, frozenset[str]]:
    """(bytes, dependency keys) of one output."""
    st = _STATE
    site, config = st["site"], st["config"]
    if out.kind == "page":
        text, deps = render.render_page(st["env"], out.template, site, out.variant, out.path, config, out.args)
        return text.encode("utf-8"), deps
    if out.kind == "feed":
        return feeds.atom_feed(site, out.variant, config)
    if out.kind == "export":
        name = out.args["name"]
        return export.export(site, name, _last_export(out)), export.dependencies(site, name)
    if out.kind == "sitemap":
        return feeds.sitemap(site, sitemap_listing(st["outputs"]), config), frozenset({"sitemap"})
    if out.kind == "robots":
        return feeds.robots(config), frozenset()
    if out.kind == "searchdata":
        from briefing.site.search import traditional_search_script

        return traditional_search_script(), frozenset()
    if out.kind == "static":
        return Path(out.source).read_bytes(), frozenset({"static:" + out.path})
    raise ValueError(out.kind)


def sitemap_listing(outputs: list[pages.Output]) -> list[tuple[str, str | None]]:
    """The pages the sitemap lists, with their last modification dates."""
    return [(o.path, o.lastmod) for o in outputs if o.is_html and not o.path.endswith("404.html")]


# The dependency keys of the pages rendered by this build, each list kept once: at 10,000
# articles 44,000 pages hold 2.1 million keys, 51,000 of them distinct, in 22,000 distinct
# lists (a page and its other-script twin have the same); unshared, the manifest held
# 580,000 copies of the keys.
_DEPS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _kept_deps(deps: tuple[str, ...]) -> tuple[str, ...]:
    """``deps`` (sorted keys) as the one shared tuple of interned strings equal to it."""
    found = _DEPS.get(deps)
    if found is None:
        found = _DEPS[deps] = tuple(map(sys.intern, deps))
    return found


def _render_indices(indices: list[int]) -> list[tuple]:
    """Render the given outputs; stage changed bytes. One result tuple per output."""
    st = _STATE
    results = []
    for i in indices:
        out: pages.Output = st["outputs"][i]
        try:
            data, deps = _produce(out)
            deps = _kept_deps(tuple(sorted(deps)))
            status, state = writer.prepare(st["out_dir"], st["staging"], out.path, data, st["files"].get(out.path),
                                           direct=st["direct"])
            searchable = indexed_digest(data) if out.kind == "page" else None
            results.append((i, status, state, deps, searchable, None))
        except BriefingError as exc:
            results.append((i, "error", None, None, None, (str(exc.path) if exc.path else None, exc.message, exc.line)))
        except Exception as exc:  # noqa: BLE001 - reported with the output it broke
            results.append((i, "error", None, None, None,
                            (None, f"{type(exc).__name__} while producing {out.path}: {exc}", None)))
    return results


WHOLE_CORPUS_KINDS = frozenset({"export", "sitemap", "feed"})   # outputs that read every article


BACKGROUND_NICENESS = 5   # render workers after a first pass: the browser and the HTTP server come first


# pages rendered (by the parent and its workers together) before the workers are replaced by
# fresh forks. A forked worker shares the parent's memory until either of them writes to a
# page of it, and reading an object writes its reference count: so over a whole render at
# 10,000 articles the worker came to hold a private copy of nearly all of the model and the
# articles (~440 MB), mostly of pages the parent had touched. A fresh fork starts again with
# nothing private.
ROUND_PAGES = 6000
# a round's end is rendered in batches this many times smaller: each renderer then has
# little left when the others run out (with whole batches, the parent waited 0.15-0.35 s at
# the end of each of the 8 rounds of a 10,000-article build, one core idle)
TAIL_SPLIT = 8


def _rounds(items: list[int], renderers: int, pages: int = ROUND_PAGES) -> list[list[list[int]]]:
    """The pages in rounds of about ``pages``, each in batches (small ones at its end)."""
    size = max(1, min(128, len(items) // (renderers * 8) or 1))
    small = max(1, size // TAIL_SPLIT)
    tail = (2 * renderers + 1) * size   # about what is in hand or queued when a round's pages run out
    rounds = []
    for start in range(0, len(items), pages):
        part = items[start : start + pages]
        cut = max(0, len(part) - tail)
        rounds.append([part[i : min(i + size, cut)] for i in range(0, cut, size)]
                      + [part[i : i + small] for i in range(cut, len(part), small)])
    return rounds


def _rank(newest: list[load.ArticleSource]) -> tuple[dict[str, tuple[str, ...]], bytes]:
    """(related articles, feature tables) of ``newest``: run in a process of its own."""
    return related.related_articles(newest), related.packed_feature_tables(newest)


def _either_ranking(given, ranking: tuple[str, ChildCall] | None):
    """A ``related_ahead`` for ``model.build_site``: what ``given()`` ranked when it is of the
    same corpus, else what the process of ``ranking`` (see ``_ranking_apart``) did, whose
    feature tables this process then adopts (the saved state needs them)."""
    if ranking is None:
        return given
    digest, call = ranking

    def ranked():
        found = given() if given is not None else None
        if found is not None and found[0] == digest:
            return found
        made = call.result()
        if made is None:   # the process failed: the model ranks here
            return None
        related.adopt_feature_tables(made[1])
        return digest, made[0]
    return ranked


def _few_of_a_kind_first(todo: list[int], outputs: list[pages.Output]) -> list[int]:
    """``todo`` with the outputs of templates that make few pages first: those list much (the
    home page, the yearly timelines: at 10,000 articles up to ~0.2 s each). Rendered last, a
    batch of them kept the other renderer idle for ~0.9 s; rendered first, the many small
    pages even out the renderers' shares."""
    count = Counter((outputs[i].kind, outputs[i].template) for i in todo)
    return sorted(todo, key=lambda i: count[(outputs[i].kind, outputs[i].template)])


def _render_all(todo: list[int], workers: int, *, background: bool = False) -> list[tuple]:
    outputs = _STATE["outputs"]
    # the outputs that read the whole corpus (exports, feeds, the sitemap) are made before
    # any worker is forked: made beside one, they would make it a copy of all it shares.
    # So whether to fork is a matter of the others alone (a regions edit at 2,000 articles:
    # two exports and 18 pages, 70-90 ms faster made here than beside a worker)
    whole = [i for i in todo if outputs[i].kind in WHOLE_CORPUS_KINDS]
    light = [i for i in todo if outputs[i].kind not in WHOLE_CORPUS_KINDS]
    if workers > 1 and len(light) >= PARALLEL_THRESHOLD and CAN_FORK:
        kept_frozen = heap.frozen()   # serve keeps its long-lived objects frozen: leave them so
        results = _render_indices(whole)
        # the templates are loaded here, once: the workers inherit them, and the next
        # preview in this process (serve's first pass) does not wait for them
        for variant, name in sorted({(outputs[i].variant, outputs[i].template) for i in todo
                                     if outputs[i].kind == "page"}):
            try:
                render.script_environment(_STATE["env"], variant).get_template(name)
            except Exception:  # noqa: BLE001 - rendering reports it, with the page, file and line
                pass
        try:
            for batches in _rounds(_few_of_a_kind_first(light, outputs), workers, ROUND_PAGES):
                gc.collect()
                gc.freeze()  # the model stays shared with the workers: their collector never touches it
                heap.return_free_memory()   # what loading left free is not counted twice after the fork
                results += _render_beside_workers(batches, workers - 1, BACKGROUND_NICENESS if background else 0)
        finally:
            if not kept_frozen:
                gc.unfreeze()
        return sorted(results, key=lambda r: r[0])
    return _render_indices(todo)


def _render_beside_workers(batches: list[list[int]], workers: int, niceness: int) -> list[tuple]:
    """Render the batches here and in ``workers`` forked workers alike, each taking the next
    batch when it is free. The parent is one of the renderers: a worker
    would hold a private copy of much of the model (reference counts are written to the
    objects it reads), the parent holds the original (at 10,000 articles ~500 MB saved)."""
    queue = iter(batches)
    lock = threading.Condition()
    pending = 0                 # batches handed to workers and not back yet
    theirs: list[tuple] = []
    failures: list[BaseException] = []
    with fork_pool(workers, niceness=niceness) as pool:

        def send() -> None:     # the next batch to a worker, if any is left
            nonlocal pending
            with lock:
                batch = next(queue, None)
                if batch is None:
                    return
                pending += 1
            pool.apply_async(_render_indices, (batch,), callback=received, error_callback=failed)

        def received(part: list[tuple]) -> None:    # in the pool's result thread
            nonlocal pending
            theirs.extend(r if r[3] is None else (*r[:3], _kept_deps(r[3]), *r[4:]) for r in part)
            send()              # before counting this one back: pending never drops to 0 early
            with lock:
                pending -= 1
                lock.notify_all()

        def failed(exc: BaseException) -> None:
            nonlocal pending
            failures.append(exc)
            with lock:
                pending -= 1
                lock.notify_all()

        for _ in range(2 * workers):   # one in hand and one waiting, per worker
            send()
        mine: list[tuple] = []
        while True:
            with lock:
                batch = next(queue, None)
            if batch is None:
                break
            mine.extend(_render_indices(batch))
        with lock:
            while pending:
                lock.wait()
    if failures:
        raise failures[0]
    return mine + theirs


# --- the builder ---------------------------------------------------------------------------

class SiteBuilder:
    """Builds one content folder into one output folder, keeping its state between builds.

    ``build(changed)`` re-loads only the content files that changed (all are checked by
    size and mtime when ``changed`` is None), rebuilds the model, and renders and writes
    only the pages whose inputs changed. On any error it raises BriefingError(s) and
    leaves both the output folder and its own state as they were.
    """

    def __init__(self, content_dir: str | Path, out_dir: str | Path, *, base_url: str | None = None,
                 templates_dir: str | Path | None = None, cache_dir: str | Path | None = None,
                 quiet: bool = False, vocab=None, search: bool = True, workers: int | None = None,
                 title: str = DEFAULT_TITLE, defer_search: bool = False, keep_state: bool = False):
        self.content_dir = Path(content_dir)
        self.out_path = Path(out_dir).resolve()
        self.templates_dir = Path(templates_dir) if templates_dir is not None else None
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.cache_path = self.cache_dir.resolve() / "site" if self.cache_dir else None
        self.quiet = quiet
        self.search = search
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.config = {"base_url": base_url.rstrip("/") if base_url else None, "title": title}
        self.options = {"base_url": self.config["base_url"], "title": title, "search": bool(search)}
        self.loader = load.ContentLoader(self.content_dir, self.cache_path / "content" if self.cache_path else None,
                                         workers=workers)
        self._vocab_given = vocab
        self._vocab = vocab
        self._vocab_dir = None if vocab is not None else default_vocab_dir()
        self._vocab_sig: str | None = None
        self._env = None
        self._tfp = None
        self._templates_sig: str | None = None
        self._site: model.Site | None = None
        self._site_inputs: tuple | None = None
        # (model layout and static files, the outputs planned for them, the sitemap's digest, index by path)
        self._plan: tuple | None = None
        self._manifest: _Manifest | None = None
        self._fingerprints: tuple | None = None   # (model's, assets', sitemap's, all: what the pages' keys map to)
        self._trusted = False          # this builder wrote the output folder and nothing else did since
        # True: the search step is left to the caller (report.search_job), to run apart
        self.defer_search = defer_search
        # keep_state: start from the state the last build saved, and save it (see snapshot)
        self._state_path = self.cache_path / snapshot.SNAPSHOT_NAME \
            if keep_state and self.cache_path and vocab is None else None
        self._state_sources: dict[str, load.ArticleSource] | None = None   # slug → article, as saved
        self._state_templates: tuple | None = None     # (templates signature, fingerprint tables)
        self._model_made = False                       # the last _model built the site from scratch
        self._head_keys: set[str] | None = None        # the head keys pages read (see _fingerprint_heads)

    # --- inputs that are not content --------------------------------------------------------
    def _vocab_signature(self) -> str:
        return _digest(stamp._tree_stats(self._vocab_dir, (".json", ".yaml"))) if self._vocab_dir else "default"

    def _vocabulary(self):
        if self._vocab_given is not None:
            return self._vocab_given
        sig = self._vocab_signature()
        if self._vocab is None or sig != self._vocab_sig:
            self._vocab = _default_vocab()
            self._vocab_sig = sig
        return self._vocab

    def _templates(self):
        sig = _digest(stamp._tree_stats(self.templates_dir.resolve())) if self.templates_dir else "theme"
        if self._env is None or sig != self._templates_sig:
            self._env = render.make_environment(self.templates_dir, self.cache_path)
            self._tfp = render.TemplateFingerprints(self._env)
            if self._state_templates is not None and self._state_templates[0] == sig:
                self._tfp.adopt(self._state_templates[1])
            self._templates_sig = sig
        return self._env, self._tfp

    # --- the state kept between processes (snapshot) ---------------------------------------
    def _restore_state(self) -> None:
        """Start from the state a build in another process saved, where it still holds."""
        state = snapshot.load(self._state_path)
        if state is None or state.get("content_dir") != str(self.content_dir) \
                or state.get("vocab_sig") != self._vocab_signature():
            return
        sources, ahead = state["articles"], state["ahead"]
        self._vocab, self._vocab_sig = state["vocab"], state["vocab_sig"]
        self.loader.current, self.loader.stats, self.loader.loaded = sources, ahead["stats"], True
        self.loader.cache.keep(sources.values())
        self._site = state["site"]
        self._site_inputs = (tuple(map(id, sources.values())), id(self._vocab))
        self._plan = state["plan"]
        self._state_templates = state["templates"]
        related.adopt_feature_tables(ahead["features"])
        self._state_sources = {src.slug: src for src in sources.values()}

    def _adopt_saved_features(self) -> None:
        """The related-article features the last saved state holds (a builder that starts
        without the state, as serve's does: when its model's related articles come from the
        manifest's cache, the first edit that moves keywords would otherwise work out the
        features of every article, ~0.75 s at 2,000). Features are known by what they derive
        from: however the content folder was named when they were saved, one that does not
        fit an article is never used for it."""
        saved = snapshot.load_ahead(self.cache_path / snapshot.SNAPSHOT_NAME)
        if saved is not None:
            related.adopt_feature_tables(saved["features"])

    def _state_is_stale(self, sources: list[load.ArticleSource]) -> bool:
        """Whether the saved state is worth writing again: none was saved, the model was made
        from scratch, or more than a few articles differ from it (each is looked up in the
        cache and patched into the model by every later process)."""
        if self._state_sources is None or self._model_made:
            return True
        saved = self._state_sources
        differ = sum(1 for src in sources if saved.get(src.slug) is not src)
        differ += len(saved.keys() - {src.slug for src in sources})   # deleted since
        return differ > max(STATE_DRIFT, len(sources) // 100)

    def _save_state(self, sources: list[load.ArticleSource]) -> None:
        state = {
            "content_dir": str(self.content_dir), "vocab_sig": self._vocab_sig, "vocab": self._vocab,
            "articles": self.loader.current, "site": self._site,
            "plan": self._plan, "templates": (self._templates_sig, self._tfp.tables()),
        }
        ahead_part = {   # what the CLI's parent process reads to rank related articles (see ahead)
            "content_dir": str(self.content_dir), "stats": self.loader.stats,
            "articles": ahead.saved_articles(self.loader.current.values()),
            "features": related.packed_feature_tables(sources),
            "related": dict(self._site.related),   # the ranking of these very articles
        }
        snapshot.save(self._state_path, state, ahead_part)
        self._state_sources = {src.slug: src for src in sources}
        self._model_made = False

    def _model(self, sources: list[load.ArticleSource], vocab, manifest: _Manifest,
               related_ahead=None) -> model.Site:
        inputs = (tuple(map(id, sources)), id(vocab))
        if self._site is not None and self._site_inputs == inputs:
            return self._site
        site = None
        last = self._site
        if last is not None and self._site_inputs[1] == id(vocab):
            if len(sources) == len(last.articles) and len({s.slug for s in sources}) == len(sources):
                by_slug = last.by_slug   # the same slugs as before, each once: only edits are possible
                edited = [s for s in sources if s.slug not in by_slug or by_slug[s.slug].src is not s]
                site = model.patch_site(last, edited, related_ahead=related_ahead)   # None unless only bodies changed
            if site is None:   # front matter edited, articles added or deleted
                site = remodel.remodel(last, sources, vocab, related_ahead=related_ahead)
        if site is None:
            ranking = self._ranking_apart(sources, manifest.related)
            try:
                site = model.build_site(sources, vocab, related_cache=manifest.related,
                                        related_ahead=_either_ranking(related_ahead, ranking))
            finally:
                if ranking is not None:
                    ranking[1].stop()   # (when it was not needed after all)
            self._model_made = True
        manifest.related = site.related_cache
        self._site, self._site_inputs = site, inputs
        return site

    def _ranking_apart(self, sources: list[load.ArticleSource], cached) -> tuple[str, ChildCall] | None:
        """For a model made from scratch: the related articles ranked in a forked process
        while this one makes the rest of the model (at 10,000 articles ~2.3 s of its ~6.5 s,
        on the other core): (digest of the ranking's inputs, the call). None when a process
        is not worth it, or the ranking is known (``cached``, the last build's)."""
        if self.workers < 2 or not CAN_FORK or len(sources) < RANK_APART_MIN:
            return None
        newest = sorted(sources, key=model.article_sort_key, reverse=True)   # the model's order
        digest = related.inputs_digest(newest)
        if cached is not None and cached[0] == digest:
            return None
        return digest, ChildCall(partial(_rank, newest))

    # --- a build ----------------------------------------------------------------------------
    def _fingerprint_heads(self, site: model.Site, fps: dict[str, str], last_fps: dict[str, str] | None,
                           results: list[tuple] = ()) -> None:
        """Put into ``fps`` the head keys pages read (``h.head``, ``model.head_key``): those
        the last build's pages read (``last_fps``, looked at once per builder), or those
        first read by the pages of ``results``. The model does not make them: which heads
        there are is up to the templates."""
        if self._head_keys is None:
            # ("]" in k first: a method call per key cost ~24 ms over 150,000 keys at 10k, this ~7 ms)
            self._head_keys = {k for k in (last_fps or ()) if "]" in k and model.is_head_key(k)}
        seen: set[int] = set()
        for r in results:
            deps = r[3]
            if deps and id(deps) not in seen:
                seen.add(id(deps))
                self._head_keys.update(k for k in deps if model.is_head_key(k))
        for key in list(self._head_keys):
            value = model.head_fingerprint(site, key)
            if value is None:
                self._head_keys.discard(key)
                fps.pop(key, None)
            elif fps.get(key) != value:
                fps[key] = value

    def _render_first(self, first: list[int], outputs: list[pages.Output], staging: Path,
                      on_first) -> tuple[list[tuple], set[str]]:
        """Render and move into place, before anything else, the outputs ``first`` (the pages
        open in a browser): their results, and the paths now in place."""
        results = _render_indices(first)
        if any(r[1] == "error" for r in results):
            return [], set()   # the build renders them again and reports the error
        staged = [outputs[r[0]].path for r in results if r[1] == "staged"]
        if staged:
            stamp.clear(self.cache_dir)
            self._trusted = False
            writer.commit(self.out_path, staging, staged, {outputs[r[0]].path: r[2] for r in results})
        on_first(BuildReport(written=sorted(staged), unchanged=[], removed=[], seconds=0.0, pages=0,
                             rendered=len(first)))
        return results, {outputs[r[0]].path for r in results}

    def build(self, changed: Iterable[str | Path] | None = None, *, first: Iterable[str] = (),
              on_first=None, outputs_changed=None, related_ahead=None, on_search_job=None) -> BuildReport:
        """Build; with ``first`` (site paths) and ``on_first``, the pages of ``first`` that need
        rendering are rendered and moved into place before all others, then ``on_first(report)``
        is called (``serve`` reloads the browser there: a template edit at 10,000 articles
        shows on the open page at once, not after every page). Those pages are then in place
        even if a later page fails, which ``build`` otherwise never allows.

        ``outputs_changed``: a callable giving what ``stamp.outputs_changed`` found (run in
        another process meanwhile); when it is about the stamp this build reads, the files
        of the output folder are not looked at one by one. ``related_ahead``: a callable
        giving the related articles ranked in another process meanwhile (see ``ahead``).
        ``on_search_job``: with ``defer_search``, called with the search step as soon as the
        pages are in place (before the manifest and the saved state are written), which the
        report then leaves out."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        mark = started

        def lap(name: str) -> None:
            nonlocal mark
            now = time.perf_counter()
            timings[name] = now - mark
            mark = now

        out_path = self.out_path
        hint = {Path(p) for p in changed} if changed is not None else None
        verify = hint is None or not self._trusted
        # what the stamp will record: taken before anything is read, so a change made
        # while this build runs is seen by the next one
        inputs_fp = stamp.inputs_fingerprint(self.options, self.templates_dir, self._vocab_dir) \
            if self.cache_path else ""
        # after a complete build the manifest knows every file in the folder; otherwise (first
        # build, killed build, no cache) the folder is walked for files no build should leave
        walk = not self._trusted and not stamp.completed(self.cache_dir, out_path)
        # what the stamp records of the content: the loader's own stats when a watcher tells
        # this builder what changed (each taken before its file was read), else a fresh look
        told = hint is not None and self._trusted and self.loader.loaded
        content_stats = stamp.content_stats(self.content_dir) if self.cache_path and not told else {}

        _DEPS.clear()
        writer.check_output_folder(out_path)
        writer.clean_abandoned_staging(out_path)
        if self._state_path is not None and self._site is None and not self.loader.loaded:
            self._restore_state()
        elif self._site is None and self.cache_path is not None:
            self._adopt_saved_features()
        sources, _ = self.loader.refresh(hint)
        if self.cache_path and told:
            content_stats = {os.path.basename(k): v for k, v in self.loader.stats.items()}
        vocab = self._vocabulary()
        lap("load")

        manifest_path = self.cache_path / "manifest.pickle" if self.cache_path else None
        manifest = self._manifest if self._manifest is not None else _Manifest.load(manifest_path)
        site = self._model(sources, vocab, manifest, related_ahead)
        lap("model")

        env, tfp = self._templates()
        static_files = _static_files()
        plan_key = (site.layout, tuple(static_files.items()))
        if self._plan is None or self._plan[0] != plan_key:   # a body edit keeps the outputs
            planned = pages.plan(site, static_files, self._plan[1] if self._plan is not None else None)
            self._plan = (plan_key, planned, _digest(sitemap_listing(planned)),
                          {o.path: i for i, o in enumerate(planned)})
        _, outputs, sitemap_fp, index_of = self._plan
        global_fp = _digest((stamp.code_fingerprint(), site.vocab_version, sorted(self.config.items()),
                             str(self.templates_dir.resolve()) if self.templates_dir else None))
        static_fps = tuple(("static:" + urls.static(name), writer.digest(Path(source).read_bytes()))
                           for name, source in static_files.items())
        made = self._fingerprints
        if made is not None and made[0] is site.fingerprints and made[1:3] == (static_fps, sitemap_fp):
            fps = made[3]   # the same model and assets as the last build (a template edit)
        else:
            fps = dict(site.fingerprints)
            fps.update(static_fps)
            fps["sitemap"] = sitemap_fp
            self._fingerprints = (site.fingerprints, static_fps, sitemap_fp, fps)

        if manifest.global_fp != global_fp:
            manifest = _Manifest(related=manifest.related, files=manifest.files)
        self._fingerprint_heads(site, fps, manifest.fps)
        old_fps = manifest.fps
        if old_fps is fps:   # what the last complete build recorded: nothing changed
            changed_keys: set[str] = set()
        else:
            changed_keys = {k for k, v in fps.items() if old_fps.get(k) != v}
            changed_keys.update(k for k in old_fps if k not in fps)
        lap("plan")

        template_fp: dict[str | None, str] = {}
        stat = os.stat
        base = str(out_path) + os.sep
        known_pages, known_files = manifest.pages, manifest.files
        differing: set[str] | None = None   # files not as the last complete build left them
        if verify and not walk and outputs_changed is not None:
            found = outputs_changed()
            if found is not None and found[0] == stamp.last_read():
                differing = found[1]

        def needs_render(out: pages.Output) -> bool:
            known = known_pages.get(out.path)
            if known is None:
                return True
            tkey = out.template if out.kind == "page" else out.kind
            if tkey not in template_fp:
                template_fp[tkey] = tfp.fingerprint(out.template) if out.kind == "page" else out.kind
            if known[0] != template_fp[tkey] or not changed_keys.isdisjoint(known[1]):
                return True
            state = known_files.get(out.path)
            if state is None:
                return True
            if verify:
                if differing is not None:
                    return out.path in differing
                try:
                    st = stat(base + out.path)
                except OSError:
                    return True
                return st.st_size != state.size or st.st_mtime_ns != state.mtime_ns
            return False

        staging = writer.staging_dir_for(out_path)
        results: list[tuple] = []
        early: set[str] = set()
        if first and on_first is not None and known_files:
            # the pages open in browsers, before even looking at the others: a template
            # edit at 10,000 articles shows on the open page in a fraction of a second
            wanted = sorted({index_of[p] for p in first if p in index_of})
            first_todo = [i for i in wanted if needs_render(outputs[i])]
            if first_todo:
                _set_render_state(site, self.config, env, outputs, out_path, staging, known_files, False)
                try:
                    results, early = self._render_first(first_todo, outputs, staging, on_first)
                finally:
                    _STATE.clear()
                lap("first")

        todo: list[int] = []
        unchanged: list[str] = []
        for i, out in enumerate(outputs):
            if out.path in early:
                continue
            if needs_render(out):
                todo.append(i)
            else:
                unchanged.append(out.path)
        lap("check")

        # nothing to protect (no previous site): workers write straight into place, the
        # marker first, so that a build killed half-way is recognised as ours and repaired
        existed = out_path.is_dir()
        direct = not manifest.files and not (existed and any(out_path.iterdir())) and len(todo) >= PARALLEL_THRESHOLD
        if direct:
            writer.write_marker(out_path)
        _set_render_state(site, self.config, env, outputs, out_path, staging, manifest.files, direct, changed_keys)
        written_now: list[str] = []
        try:
            # once the open pages are in place the rest is background work: the browser
            # reloading them, and the server answering it, must not wait for CPU
            results += _render_all(todo, self.workers, background=bool(early))
            errors = [BriefingError(*r[5]) for r in results if r[1] == "error"]
            if errors:
                if direct:  # back to the empty (or absent) folder it was
                    writer.empty_folder(out_path, remove=not existed)
                raise BriefingErrors(errors)
            lap("render")
            self._fingerprint_heads(site, fps, None, results)
            stamp.clear(self.cache_dir)
            self._trusted = False
            staged = [outputs[r[0]].path for r in results if r[1] == "staged"]
            new_files = dict(manifest.files)
            new_pages = dict(manifest.pages)
            for r in results:
                out = outputs[r[0]]
                new_files[out.path] = r[2]
                tkey = out.template if out.kind == "page" else out.kind
                if tkey not in template_fp:
                    template_fp[tkey] = tfp.fingerprint(out.template) if out.kind == "page" else out.kind
                new_pages[out.path] = (template_fp[tkey], r[3], r[4])
            if not direct:   # (written straight into place, each file's state is known already)
                writer.commit(out_path, staging, [p for p in staged if p not in early], new_files)
            writer.write_marker(out_path)
            written_now = staged
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            _STATE.clear()
        unchanged.extend(outputs[r[0]].path for r in results if r[1] == "unchanged")

        old_search = {p: v[2] for p, v in manifest.pages.items()}
        produced = {o.path for o in outputs}
        search_prefix = urls.SEARCH_BUNDLE_DIR + "/"
        if direct:   # the folder was empty when the build began: all in it is this build's
            removed = []
        elif walk or not manifest.files:  # look at the whole folder: also removes files no build wrote (a killed build's leftovers)
            removed = writer.remove_stale(out_path, produced, keep_prefixes=(search_prefix,))
        else:
            removed = writer.remove_files(out_path, sorted(p for p in new_files
                                                           if p not in produced and not p.startswith(search_prefix)))
        for path in removed:
            new_files.pop(path, None)
        for path in list(new_pages):
            if path not in produced:
                del new_pages[path]
        page_count = sum(1 for o in outputs if o.is_html)
        lap("write")

        written = sorted(written_now)
        search_indexed = False
        search_files = {k: v for k, v in new_files.items() if k.startswith(search_prefix)}
        search_pages: dict[str, str] | None = None   # what to index, when the index needs work
        search_state = self.cache_path / SEARCH_STATE_NAME if self.cache_path else None
        if self.search:
            # pages whose indexed part changed (a page rewritten for its side panel needs no new index)
            changed_html = {p for p, v in new_pages.items() if v[2] != old_search.get(p)}
            changed_html |= {p for p, d in old_search.items() if d is not None and p not in new_pages}
            # (and whenever the last build did not complete: its search step may not have run)
            if changed_html or walk or not search_files or not (out_path / urls.SEARCH_BUNDLE_DIR).is_dir():
                search_pages = {k: v[2] for k, v in new_pages.items() if v[2] is not None}
            if search_pages is not None and not self.defer_search:
                from briefing.site.search import build_search_index

                states: dict[str, FileState] = {}
                s_written, s_unchanged, s_removed = build_search_index(
                    out_path, search_files, states, pages=search_pages, state_path=search_state)
                for k in search_files:
                    new_files.pop(k, None)
                new_files.update(states)
                written += s_written
                unchanged += s_unchanged
                removed += s_removed
                search_indexed = True
                lap("search")
        else:  # the search files are someone else's now (serve indexes apart): stop tracking them
            for k in search_files:
                new_files.pop(k, None)

        search_left = search_pages is not None and self.defer_search   # the stamp is written once it is done
        job = SearchJob(out_path, search_files, search_pages, search_state) if search_left else None
        if job is not None and on_search_job is not None:   # the pages are in place: the caller may start on it
            on_search_job(job)
            job = None
        manifest.global_fp = global_fp
        manifest.fps = fps
        manifest.pages = new_pages
        manifest.files = {k: v for k, v in new_files.items() if v is not None}
        record = None
        if search_left:
            record = SearchRecord(manifest_path,
                                  {k: (v.size, v.mtime_ns) for k, v in manifest.files.items() if k not in search_files},
                                  (self.cache_dir, inputs_fp, self.content_dir, content_stats, self._vocab_dir)
                                  if self.cache_path else None)
        manifest.save(manifest_path)
        self._manifest = manifest
        self._trusted = True
        if self._state_path is not None and self._state_is_stale(sources):
            self._save_state(sources)
            lap("state")
        if self.cache_path and not search_left:
            stamp.write(self.cache_dir, out_path, inputs_fp, self.content_dir,
                        {k: (v.size, v.mtime_ns) for k, v in manifest.files.items()}, content_stats, self._vocab_dir)
        lap("finish")
        report = BuildReport(written=sorted(written), unchanged=sorted(unchanged), removed=sorted(removed),
                             seconds=time.perf_counter() - started, pages=page_count,
                             rendered=len(todo), timings=timings, search_indexed=search_indexed, search_job=job,
                             search_record=record)
        if not self.quiet:
            print(report.summary(), file=sys.stderr)
        return report


    # --- the fast first pass of a watcher --------------------------------------------------
    def preview(self, changed: Iterable[str | Path], *, first: Iterable[str] = ()) -> BuildReport | None:
        """Write the pages of the edited articles at once, before the full build; for an
        edit of templates, the pages of ``first`` (site paths: those open in browsers).

        The last model, with the edited articles replaced, renders just their own pages
        (both scripts), in milliseconds at any corpus size. ``build(changed)`` must follow:
        it brings every other page (listings, timeline, related panels, feeds, search) in
        line and makes these pages exactly what a full build makes. Returns None, writing
        nothing, when there is nothing it can preview: no previous build in this builder,
        a change that is neither an edit of a known article nor of templates (a new,
        deleted or re-slugged article, a vocabulary change), bad content or a render error.
        """
        manifest = self._manifest
        if self._site is None or manifest is None or not self._trusted or self._plan is None:
            return None
        hint = {Path(p) for p in changed}
        if hint and self.templates_dir is not None:
            templates = self.templates_dir.resolve()
            if all(templates in p.resolve().parents for p in hint):
                _, planned, _, index_of = self._plan
                return self._write_preview(self._site, [planned[index_of[p]] for p in sorted(set(first))
                                                        if p in index_of and planned[index_of[p]].kind == "page"])
        folder = self.loader.folder.resolve()
        if not hint or any(p.suffix != ".md" or p.resolve().parent != folder for p in hint):
            return None
        try:
            _, changed_paths = self.loader.refresh(hint, persist=False)   # build() saves the cache
        except (BriefingError, BriefingErrors):
            return None  # build() reports it
        current = self.loader.current
        if not changed_paths or any(p not in current for p in changed_paths):
            return None
        patched = model.preview_site(self._site, [current[p] for p in sorted(changed_paths)])
        if patched is None:
            return None
        site, slugs = patched
        return self._write_preview(site, [pages.Output(urls.article(v, slug), "page", "article.html", v, {"slug": slug})
                                          for slug in slugs for v in urls.VARIANTS])

    def _write_preview(self, site: model.Site, outputs: list[pages.Output]) -> BuildReport | None:
        """Render ``outputs`` from ``site`` with the templates as they are now and move them
        into place (``preview``); None, writing nothing, on any render error."""
        if not outputs:
            return None
        started = time.perf_counter()
        manifest = self._manifest
        try:
            env, _ = self._templates()
        except Exception:  # noqa: BLE001 - a broken template: build() reports it
            return None
        staging = writer.staging_dir_for(self.out_path)
        _set_render_state(site, self.config, env, outputs, self.out_path, staging, manifest.files, False)
        try:
            results = _render_indices(list(range(len(outputs))))
            if any(r[1] == "error" for r in results):
                return None
            staged = [outputs[r[0]].path for r in results if r[1] == "staged"]
            states = {outputs[r[0]].path: r[2] for r in results}
            if staged:
                stamp.clear(self.cache_dir)
                writer.commit(self.out_path, staging, staged, states)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            _STATE.clear()
        manifest.files = {**manifest.files, **states}  # build() compares its renders with these bytes
        return BuildReport(written=sorted(staged), unchanged=sorted(set(states) - set(staged)), removed=[],
                           seconds=time.perf_counter() - started, pages=0, rendered=len(outputs),
                           timings={"preview": time.perf_counter() - started})


# --- the one-shot API ----------------------------------------------------------------------

_KEPT: dict[tuple, SiteBuilder] = {}


def _kept_key(content_dir, out_dir, base_url, templates_dir, cache_dir, vocab, search, workers, title,
              keep_state=False) -> tuple:
    return (str(Path(content_dir).resolve()), str(Path(out_dir).resolve()), base_url,
            str(Path(templates_dir).resolve()) if templates_dir is not None else None,
            str(Path(cache_dir).resolve()) if cache_dir else None, id(vocab), search, workers, title, keep_state)


def preview_site(content_dir: str | Path, out_dir: str | Path, *, changed: Iterable[str | Path],
                 base_url: str | None = None, templates_dir: str | Path | None = None,
                 cache_dir: str | Path | None = None, quiet: bool = True, vocab=None, search: bool = True,
                 workers: int | None = None, title: str = DEFAULT_TITLE, first: Iterable[str] = ()
                 ) -> BuildReport | None:
    """A fast first pass for `serve`: the edited articles' own pages (for a template edit,
    the pages of ``first``), rendered from the model of the last build_site call with the
    same settings (SiteBuilder.preview). None when there is no such build in this process or
    the change needs the full build; build_site must follow either way."""
    builder = _KEPT.get(_kept_key(content_dir, out_dir, base_url, templates_dir, cache_dir, vocab, search,
                                  workers, title))
    return builder.preview(changed, first=first) if builder is not None else None


def build_site(content_dir: str | Path, out_dir: str | Path, *, base_url: str | None = None,
               templates_dir: str | Path | None = None, changed: Iterable[str] | None = None,
               cache_dir: str | Path | None = None, quiet: bool = False, vocab=None,
               search: bool = True, workers: int | None = None, title: str = DEFAULT_TITLE,
               first: Iterable[str] = (), on_first=None, defer_search: bool = False,
               keep_state: bool = False, outputs_changed=None, related_ahead=None,
               on_search_job=None) -> BuildReport:
    """Render ``content_dir`` into ``out_dir``; only what changed is rendered and written.

    ``changed`` (paths of files that changed since the last build) is a hint that a caller
    watching files may pass: with it, only those content files are looked at. Without it
    every content file is checked by size/mtime and hash against the cache. Called again
    with the same settings in the same process, the builder of the last call (articles,
    model, manifest in memory) is reused. With ``defer_search``, the search step is left to
    the caller (``report.search_job``, for ``finish_search``; or handed to ``on_search_job``
    as soon as the pages are in place). With ``keep_state``, the
    builder starts from the state a build in another process saved in the cache folder, and
    saves its own (``snapshot``): what a command-line build does. Raises BriefingError/
    BriefingErrors (and leaves ``out_dir`` untouched) on bad content or a template error.
    """
    key = _kept_key(content_dir, out_dir, base_url, templates_dir, cache_dir, vocab, search, workers, title,
                    keep_state)
    builder = _KEPT.pop(key, None)
    if builder is None:
        builder = SiteBuilder(content_dir, out_dir, base_url=base_url, templates_dir=templates_dir,
                              cache_dir=cache_dir, quiet=quiet, vocab=vocab, search=search, workers=workers,
                              title=title, keep_state=keep_state)
    builder.quiet, builder.defer_search = quiet, defer_search
    try:
        return builder.build(changed, first=first, on_first=on_first, outputs_changed=outputs_changed,
                             related_ahead=related_ahead, on_search_job=on_search_job)
    finally:
        _KEPT[key] = builder
        while len(_KEPT) > KEPT_BUILDERS:
            del _KEPT[next(iter(_KEPT))]


@dataclass
class SearchDone:
    """What the search step of a ``SearchJob`` did (``run_search``)."""

    written: list[str]
    unchanged: list[str]
    removed: list[str]
    states: dict[str, FileState]
    seconds: float


def run_search(job: SearchJob, *, only_delta: bool = False) -> SearchDone | None:
    """Index the pages of ``job``; with ``only_delta``, only when that is a delta (a few
    pages, a small Pagefind run: it may then run while the process that rendered them is
    still alive), else nothing is done and None returned."""
    from briefing.site.search import PAGEFIND_RUNS_APART, build_search_index

    started = time.perf_counter()
    states: dict[str, FileState] = {}
    done = build_search_index(job.out_path, job.search_files, states, pages=job.pages, state_path=job.state_path,
                              runs=PAGEFIND_RUNS_APART, only_delta=only_delta)
    if done is None:
        return None
    return SearchDone(*done, states, time.perf_counter() - started)


def finish_search(report: BuildReport, job: SearchJob | None = None, done: SearchDone | None = None) -> BuildReport:
    """Finish the search step a build left to its caller (``defer_search``): index the pages
    (unless ``done`` already), record the search files in the saved manifest, and stamp the
    build complete. The report of the whole build. ``job``: the step, when the build handed
    it over (``on_search_job``) rather than leaving it in the report. The caller holds no
    model: Pagefind runs two parts at once."""
    job = job or report.search_job
    record = report.search_record
    if job is None or record is None:
        return report
    started = time.perf_counter()
    if done is None:
        done = run_search(job)
    written, unchanged, removed, states = done.written, done.unchanged, done.removed, done.states
    _Manifest.record_files(record.manifest_path, states, [k for k in job.search_files if k not in states])
    if record.stamp is not None:
        cache_dir, inputs_fp, content_dir, content_stats, vocab_dir = record.stamp
        files = dict(record.other_files)
        files.update((k, (v.size, v.mtime_ns)) for k, v in states.items())
        stamp.write(cache_dir, job.out_path, inputs_fp, content_dir, files, content_stats, vocab_dir)
    waited = time.perf_counter() - started   # the step's own time, less what ran beside the child
    return dataclasses.replace(
        report, written=sorted(report.written + written), unchanged=sorted(report.unchanged + unchanged),
        removed=sorted(report.removed + removed), seconds=report.seconds + waited,
        timings={**report.timings, "search": done.seconds}, search_indexed=True, search_job=None,
        search_record=None)


def index_search(out_dir: str | Path, cache_dir: str | Path | None = None, *, fold: bool = False) -> BuildReport:
    """Bring only the search index of an already built site up to date (``serve`` runs this
    apart). With the ``cache_dir`` of the builds, only what changed is indexed; with
    ``fold``, into the parts it belongs to, leaving no delta (see ``search``)."""
    from briefing.site.search import build_search_index

    started = time.perf_counter()
    out_path = Path(out_dir).resolve()
    cache_path = Path(cache_dir).resolve() / "site" if cache_dir else None
    pages = None
    if cache_path is not None:  # the last build's manifest knows what each page gives the index
        known = _Manifest.load(cache_path / "manifest.pickle").pages
        pages = {p: v[2] for p, v in known.items() if v[2] is not None} or None
    written, unchanged, removed = build_search_index(out_path, None, {}, pages=pages,
                                                     state_path=cache_path / SEARCH_STATE_NAME if cache_path else None,
                                                     fold=fold)
    return BuildReport(written=written, unchanged=unchanged, removed=removed,
                       seconds=time.perf_counter() - started, pages=0, search_indexed=True)
