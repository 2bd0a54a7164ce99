"""Build the site: load → model → plan → render what changed → write atomically → search.

A page is a pure function of its templates and the part of the model it reads. Each
render records the dependency keys it read; the build stores, per page, those keys and a
fingerprint over their values (plus its templates, the code and the configuration). The
next build re-renders a page only when that fingerprint changed — which is what makes an
edit cheap — and writes a file only when its bytes changed.

Whole-build atomicity: nothing is moved into the output folder until every output rendered.
Bad content or a template error leaves the previous site exactly as it was.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from briefing.errors import BriefingError, BriefingErrors
from briefing.site import export, feeds, load, model, pages, render, urls, writer
from briefing.site.writer import FileState

MANIFEST_VERSION = 1
DEFAULT_TITLE = "长三角科技合作简报"
PARALLEL_THRESHOLD = 400          # below this many renders, forking costs more than it saves
_MISSING = "-"


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

    def summary(self) -> str:
        return (f"{self.pages} pages: {len(self.written)} written, {len(self.unchanged)} unchanged, "
                f"{len(self.removed)} removed, {self.rendered} rendered in {self.seconds * 1000:.0f} ms")


@dataclass
class _Manifest:
    global_fp: str = ""
    pages: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)   # path → (fp, deps)
    files: dict[str, FileState] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None) -> "_Manifest":
        if path is None or not path.exists():
            return cls()
        try:
            with open(path, "rb") as fh:
                version, data = pickle.load(fh)
            if version != MANIFEST_VERSION:
                return cls()
            return cls(**data)
        except Exception:  # a damaged manifest only costs a full render
            return cls()

    def save(self, path: Path | None) -> None:
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            pickle.dump((MANIFEST_VERSION, {"global_fp": self.global_fp, "pages": self.pages, "files": self.files}),
                        fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)


def _code_fingerprint() -> str:
    h = hashlib.blake2b(digest_size=8)
    here = Path(__file__).resolve().parent
    for file in sorted(here.glob("*.py")):
        h.update(file.name.encode())
        h.update(file.read_bytes())
    for file in sorted((render.THEME_STATIC).rglob("*")):
        if file.is_file():
            h.update(file.relative_to(render.THEME_STATIC).as_posix().encode())
            h.update(file.read_bytes())
    return h.hexdigest()


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


# --- rendering (shared with forked workers through module state) ----------------------------

_STATE: dict[str, Any] = {}


def _page_fp(template_fp: str, global_fp: str, deps: Iterable[str], fps: dict[str, str]) -> str:
    h = hashlib.blake2b(digest_size=12)
    h.update(template_fp.encode())
    h.update(global_fp.encode())
    for key in sorted(deps):
        h.update(key.encode())
        h.update(fps.get(key, _MISSING).encode())
    return h.hexdigest()


def _produce(out: pages.Output) -> tuple[bytes, frozenset[str], str]:
    """(bytes, dependency keys, template fingerprint) of one output."""
    st = _STATE
    site, config = st["site"], st["config"]
    if out.kind == "page":
        text, deps = render.render_page(st["env"], out.template, site, out.variant, out.path, config, out.args)
        return text.encode("utf-8"), deps, st["tfp"].fingerprint(out.template)
    if out.kind == "feed":
        data, deps = feeds.atom_feed(site, out.variant, config)
        return data, deps, "feed"
    if out.kind == "export":
        return export.export(site, out.args["name"]), frozenset({"corpus"}), "export"
    if out.kind == "sitemap":
        listed = [(o.path, o.lastmod) for o in st["outputs"] if o.is_html and not o.path.endswith("404.html")]
        return feeds.sitemap(site, listed, config), frozenset({"corpus"}), "sitemap"
    if out.kind == "robots":
        return feeds.robots(config), frozenset(), "robots"
    if out.kind == "searchdata":
        from briefing.site.search import traditional_chars_script

        return traditional_chars_script(), frozenset(), "searchdata"
    if out.kind == "static":
        return Path(out.source).read_bytes(), frozenset({"static:" + out.path}), "static"
    raise ValueError(out.kind)


def _render_indices(indices: list[int]) -> list[tuple]:
    """Render the given outputs; stage changed bytes. Returns one result tuple per output."""
    st = _STATE
    results = []
    for i in indices:
        out: pages.Output = st["outputs"][i]
        try:
            data, deps, tfp = _produce(out)
            deps = tuple(sorted(sys.intern(k) for k in deps))
            page_fp = _page_fp(tfp, st["global_fp"], deps, st["fps"])
            status, state = writer.prepare(st["out_dir"], st["staging"], out.path, data, st["files"].get(out.path))
            results.append((i, status, state, page_fp, deps, None))
        except BriefingError as exc:
            results.append((i, "error", None, None, None, (str(exc.path) if exc.path else None, exc.message, exc.line)))
        except Exception as exc:  # noqa: BLE001 - reported with the output it broke
            results.append((i, "error", None, None, None, (None, f"{type(exc).__name__} while producing {out.path}: {exc}", None)))
    return results


def _chunks(items: list[int], n: int) -> list[list[int]]:
    size = max(1, min(256, len(items) // (n * 4) or 1))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _render_all(todo: list[int], workers: int) -> list[tuple]:
    if workers > 1 and len(todo) >= PARALLEL_THRESHOLD and "fork" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers) as pool:
            results: list[tuple] = []
            for part in pool.imap_unordered(_render_indices, _chunks(todo, workers)):
                results.extend(part)
        return sorted(results, key=lambda r: r[0])
    return _render_indices(todo)


# --- the build -----------------------------------------------------------------------------

def build_site(content_dir: str | Path, out_dir: str | Path, *, base_url: str | None = None,
               templates_dir: str | Path | None = None, changed: Iterable[str] | None = None,
               cache_dir: str | Path | None = None, quiet: bool = False, vocab=None,
               search: bool = True, workers: int | None = None, title: str = DEFAULT_TITLE) -> BuildReport:
    """Render ``content_dir`` into ``out_dir``; only what changed is rendered and written.

    ``changed`` (paths of files that changed since the last build) is a hint that a caller
    watching files may pass; correctness never depends on it: every content file is checked
    by size/mtime and hash against the cache. Raises BriefingError/BriefingErrors (and
    leaves ``out_dir`` untouched) on bad content or a template error.
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    mark = started

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timings[name] = now - mark
        mark = now

    out_path = Path(out_dir).resolve()
    cache_path = Path(cache_dir).resolve() / "site" if cache_dir else None
    writer.check_output_folder(out_path)
    writer.clean_abandoned_staging(out_path)
    sources = load.load_articles(content_dir, cache_path / "content" if cache_path else None, workers=workers)
    if vocab is None:
        vocab = _default_vocab()
    lap("load")
    site = model.build_site(sources, vocab)
    lap("model")

    env = render.make_environment(templates_dir)
    tfp = render.TemplateFingerprints(env)
    config = {"base_url": base_url.rstrip("/") if base_url else None, "title": title}
    static_files = _static_files()
    outputs = pages.plan(site, static_files)
    global_fp = hashlib.blake2b(repr((_code_fingerprint(), site.vocab_version, sorted(config.items()),
                                      str(templates_dir))).encode(), digest_size=8).hexdigest()
    fps = dict(site.fingerprints)
    for name, source in static_files.items():
        fps["static:" + urls.static(name)] = writer.digest(Path(source).read_bytes())
    fps["corpus"] = hashlib.blake2b(repr(sorted(site.fingerprints.items())).encode(), digest_size=8).hexdigest()
    fps["corpus"] += ":" + hashlib.blake2b(repr([o.path for o in outputs]).encode(), digest_size=4).hexdigest()

    manifest_path = cache_path / "manifest.pickle" if cache_path else None
    manifest = _Manifest.load(manifest_path)
    if manifest.global_fp != global_fp:
        manifest.pages = {}
    lap("plan")

    # which outputs can be skipped: same fingerprint over the keys they read last time,
    # and the file on disk is the one this build wrote
    todo: list[int] = []
    unchanged: list[str] = []
    for i, out in enumerate(outputs):
        known = manifest.pages.get(out.path)
        state = manifest.files.get(out.path)
        if known is not None and state is not None:
            tfp_now = tfp.fingerprint(out.template) if out.kind == "page" else out.kind
            if _page_fp(tfp_now, global_fp, known[1], fps) == known[0]:
                try:
                    st = os.stat(writer.sanitised_join(out_path, out.path))
                    if st.st_size == state.size and st.st_mtime_ns == state.mtime_ns:
                        unchanged.append(out.path)
                        continue
                except FileNotFoundError:
                    pass
        todo.append(i)
    lap("check")

    staging = writer.staging_dir_for(out_path)
    _STATE.clear()
    _STATE.update(site=site, config=config, env=env, tfp=tfp, outputs=outputs, global_fp=global_fp, fps=fps,
                  out_dir=out_path, staging=staging, files=manifest.files)
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    try:
        results = _render_all(todo, n_workers)
        errors = [BriefingError(*r[5]) for r in results if r[1] == "error"]
        if errors:
            raise BriefingErrors(errors)
        lap("render")
        staged = [outputs[r[0]].path for r in results if r[1] == "staged"]
        new_files = dict(manifest.files)
        for r in results:
            new_files[outputs[r[0]].path] = r[2]
            manifest.pages[outputs[r[0]].path] = (r[3], r[4])
        writer.commit(out_path, staging, staged, new_files)
        writer.write_marker(out_path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        _STATE.clear()
    unchanged.extend(outputs[r[0]].path for r in results if r[1] == "unchanged")

    produced = {o.path for o in outputs}
    removed = writer.remove_stale(out_path, produced, keep_prefixes=(urls.SEARCH_BUNDLE_DIR + "/",))
    for path in removed:
        new_files.pop(path, None)
    for path in list(manifest.pages):
        if path not in produced:
            del manifest.pages[path]
    lap("write")

    written = sorted(staged)
    search_indexed = False
    html_changed = any(p.endswith(".html") for p in written) or any(p.endswith(".html") for p in removed)
    if search and (html_changed or not (out_path / urls.SEARCH_BUNDLE_DIR).is_dir()):
        search_files = {k: v for k, v in new_files.items() if k.startswith(urls.SEARCH_BUNDLE_DIR + "/")}
        states: dict[str, FileState] = {}
        from briefing.site.search import build_search_index

        s_written, s_unchanged, s_removed = build_search_index(out_path, search_files, states)
        for k in search_files:
            new_files.pop(k, None)
        new_files.update(states)
        written += s_written
        unchanged += s_unchanged
        removed += s_removed
        search_indexed = True
        lap("search")

    manifest.global_fp = global_fp
    manifest.files = {k: v for k, v in new_files.items() if v is not None}
    manifest.save(manifest_path)
    seconds = time.perf_counter() - started
    report = BuildReport(written=sorted(written), unchanged=sorted(unchanged), removed=sorted(removed),
                         seconds=seconds, pages=sum(1 for o in outputs if o.is_html), rendered=len(todo),
                         timings=timings, search_indexed=search_indexed)
    if not quiet:
        print(report.summary(), file=sys.stderr)
    return report


def index_search(out_dir: str | Path) -> BuildReport:
    """(Re)build only the search index of an already built site (``serve`` runs this apart)."""
    from briefing.site.search import build_search_index

    started = time.perf_counter()
    out_path = Path(out_dir).resolve()
    written, unchanged, removed = build_search_index(out_path, {}, {})
    return BuildReport(written=written, unchanged=unchanged, removed=removed,
                       seconds=time.perf_counter() - started, pages=0, search_indexed=True)
