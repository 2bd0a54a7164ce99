"""The ingest pipeline: every seed through decode → parse → locate → structure → enrich,
then the cross-article step (duplicates), then the store. Bad seeds are rejected one by one
with a reason; the others are still ingested."""

from __future__ import annotations

import hashlib
import os
import pickle
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from briefing.errors import BriefingError
from briefing.ingest.blocks import parse
from briefing.ingest.decode import decode
from briefing.ingest.enrich import enrich
from briefing.ingest.locate import locate
from briefing.ingest.rules import load_rules
from briefing.frontmatter import render_document
from briefing.ingest.store import ContentStore
from briefing.ingest.structure import paragraphs, structure, to_markdown
from briefing.knowledge.dates import PartialDate, infer_article_date
from briefing.knowledge.organisations import organisation_id
from briefing.knowledge.people import person_id
from briefing.knowledge.vocab import load_vocabularies
from briefing.text.script import detect_script, fold_many
from briefing.text.sentences import split_sentences
from briefing.workers import CAN_FORK, fork_executor

MIN_BODY_CHARS = 60          # less than this is not an article
NEAR_DUPLICATE = 0.6         # Jaccard similarity of the sets of sentences
PARALLEL_FROM = 64           # seeds; below this a worker pool costs more than it saves
SUMMARY_MAX_CHARS = 160
_SENTENCE_SPLIT = re.compile(r"[。！？；!?;]+")
SEED_SUFFIXES = {".txt", ".html", ".htm", ".md", ".markdown", ".shtml", ".xhtml", ".text"}


@dataclass
class Article:
    seed: str
    front: dict[str, Any]
    body: str
    fingerprint: frozenset[int]
    text_sha: str
    document: str = ""   # the rendered file (front matter + body), made in the worker

    def render(self) -> None:
        self.document = render_document(self.front, self.body)


@dataclass
class IngestReport:
    ingested: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_edited: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    kept_deleted: list[str] = field(default_factory=list)
    merged: list[tuple[str, str]] = field(default_factory=list)     # (seed, merged into slug)
    rejected: list[tuple[str, str]] = field(default_factory=list)   # (file[:line], reason)
    orphaned: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected


def seed_files(seeds_dir: Path) -> list[Path]:
    if not seeds_dir.is_dir():
        raise BriefingError(seeds_dir, "seeds folder not found")
    return sorted(p for p in seeds_dir.iterdir()
                  if p.is_file() and not p.name.startswith(".") and (p.suffix.lower() in SEED_SUFFIXES or not p.suffix))


def process_seed(path: Path, known_slugs: dict[str, str] | None = None) -> Article | BriefingError:
    """One seed → an Article (with its slug and rendered document), or the error that rejects
    it. Never raises for bad input. `known_slugs` (seed name → slug) keeps slugs stable."""
    name = str(path)
    try:
        raw = path.read_bytes()
        text, _encoding = decode(raw, name)
        rules = load_rules()
        parsed = parse(text, name)
        found = locate(parsed, rules)
        sections = structure(found.body, rules)
        paras = paragraphs(sections)
        if sum(len(p) for p in paras) < MIN_BODY_CHARS:
            raise BriefingError(name, "no article text found (no run of prose paragraphs)")
        folded = fold_many(paras)
        title = found.title or _first_sentence(paras[0])
        date, precision_source = found.date, found.date_source
        if date is None:
            date = infer_article_date(folded)
            precision_source = "inferred" if date else None
            if date is not None and found.dateline_day:
                # the dateline prints the month and day; only the year is inferred
                month, day = found.dateline_day
                date, precision_source = _dateline_date(date.year, month, day) or date, "dateline"
        if date is None:
            raise BriefingError(name, "no publication date: none is printed, and the text names no year "
                                      "to infer one from (add a date line or front matter to the seed)")
        body = to_markdown(sections)
        script = detect_script(title + "".join(paras))
        warnings = [note.describe(_paragraph_of(note, paras)) for block in found.body
                    for note in getattr(block, "notes", [])]
        front: dict[str, Any] = {
            "title": title,
            "slug": None,
            "date": date.iso() if date else None,
            "date_precision": date.precision if date else None,
            "date_source": precision_source,
            "time": found.time,
            "timezone": found.timezone,
            "outlet": found.outlet,
            "via": found.via,
            "author": found.author,
            "editor": found.editor,
            "script": script,
            "seed": path.name,
            "seed_sha256": hashlib.sha256(raw).hexdigest(),
            "summary": _summary(paras),
            "warnings": warnings,
            "categories": found.categories,
            "also_reported_by": [],
        }
        front.update(enrich(title, paras, folded, date, load_vocabularies()))
        folded_body = re.sub(r"\s+", "", "".join(folded))
        front["slug"] = (known_slugs or {}).get(path.name) or _new_slug(path.name, front.get("date"))
        article = Article(path.name, front, body, _fingerprint(folded_body),
                          hashlib.sha256(folded_body.encode()).hexdigest())
        article.render()
        return article
    except BriefingError as exc:
        return exc
    except (OSError, ValueError) as exc:  # unreadable file, unexpected structure: still one clear line
        return BriefingError(name, f"{type(exc).__name__}: {exc}")


def _dateline_date(year: int, month: int, day: int) -> PartialDate | None:
    try:
        return PartialDate(year, month, day)
    except ValueError:
        return None


def _paragraph_of(note, paras: list[str]) -> int | None:
    joined = note.before + note.after
    return next((i for i, p in enumerate(paras, 1) if joined in p), None)


def _first_sentence(paragraph: str) -> str:
    sentences = split_sentences(paragraph)
    return (sentences[0] if sentences else paragraph)[:60]


def _summary(paras: list[str]) -> str:
    lead = next((p for p in paras if len(p) >= 20), paras[0])
    out = ""
    for sentence in split_sentences(lead):
        if out and len(out) + len(sentence) > SUMMARY_MAX_CHARS:
            break
        out += sentence
    return out[:SUMMARY_MAX_CHARS * 2]


def _fingerprint(folded_body: str) -> frozenset[int]:
    """The set of the body's sentences (hashed). A syndicated copy repeats the sentences with
    other chrome around them, so sentence-set similarity finds it, at a few µs an article.
    Python's str hash is salted per process but stable within a run and its forked workers."""
    return frozenset(hash(s) for s in _SENTENCE_SPLIT.split(folded_body) if len(s) >= 8)


def _similar(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _warm_up() -> None:
    """Build rules, vocabularies and automata once, before workers fork, so they share them."""
    load_rules()
    vocab = load_vocabularies()
    lead = "2021年5月27日，长三角一体化发展高层论坛在无锡举行，浙江大学院长张三说。"
    enrich("无锡", [lead], [lead], PartialDate(2021, 6, 2), vocab)
    person_id("张三")            # pypinyin's dictionaries load lazily (~0.4 s): once, before the fork
    organisation_id("无锡科技研究院")


CODE_AND_DATA = ("ingest", "knowledge", "text", "rules", "frontmatter.py", "datafile.py", "errors.py")


@lru_cache(maxsize=1)
def ingest_version() -> str:
    """A hash of everything that decides an article's extraction: code, rules, vocabularies."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for name in CODE_AND_DATA:
        root = package / name
        for path in sorted(root.rglob("*") if root.is_dir() else [root]):
            if path.is_file() and path.suffix in (".py", ".yaml", ".json", ".txt"):
                digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


class ExtractionCache:
    """Extraction results by (seed name, seed bytes, ingest version), so an unchanged seed is a
    hash check, not a re-extraction. Entries are pickles written atomically; any unreadable
    entry is simply recomputed."""

    def __init__(self, folder: Path | None):
        self.folder = folder / "ingest" if folder else None

    def key(self, path: Path, raw: bytes) -> str:
        return hashlib.sha256(ingest_version().encode() + path.name.encode() + b"\0" + raw).hexdigest()

    def get(self, key: str) -> Article | BriefingError | None:
        if self.folder is None:
            return None
        try:
            return pickle.loads((self.folder / key[:2] / key).read_bytes())
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None

    def put(self, key: str, result: Article | BriefingError) -> None:
        if self.folder is None:
            return
        target = self.folder / key[:2] / key
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{key}.{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, target)


def process_seed_cached(path: Path, known_slugs: dict[str, str], cache: ExtractionCache) -> Article | BriefingError:
    try:
        raw = path.read_bytes()
    except OSError:
        return process_seed(path, known_slugs)
    key = cache.key(path, raw)
    result = cache.get(key)
    if result is None:
        result = process_seed(path, known_slugs)
        cache.put(key, result)
    elif isinstance(result, Article) and known_slugs.get(path.name, result.front["slug"]) != result.front["slug"]:
        result.front["slug"] = known_slugs[path.name]
        result.render()
    return result


_worker_known_slugs: dict[str, str] = {}
_worker_cache = ExtractionCache(None)


def _init_worker(known_slugs: dict[str, str], cache: ExtractionCache) -> None:
    global _worker_known_slugs, _worker_cache
    _worker_known_slugs, _worker_cache = known_slugs, cache


def _process_in_worker(path: Path) -> Article | BriefingError:
    return process_seed_cached(path, _worker_known_slugs, _worker_cache)


def _process_all(paths: list[Path], known_slugs: dict[str, str], cache: ExtractionCache,
                 progress: Callable[[int, int], None] | None) -> list[Article | BriefingError]:
    cached = [cache.get(cache.key(p, p.read_bytes())) if p.is_file() else None for p in paths]
    if all(r is not None for r in cached):  # nothing to extract: no warm-up, no workers
        results = []
        for i, (path, result) in enumerate(zip(paths, cached), 1):
            results.append(process_seed_cached(path, known_slugs, cache) if result is None else
                           _with_slug(result, known_slugs.get(path.name)))
            if progress:
                progress(i, len(paths))
        return results
    _warm_up()
    workers = min(os.cpu_count() or 1, 4)
    if len(paths) < PARALLEL_FROM or workers < 2 or not CAN_FORK:
        results = []
        for i, path in enumerate(paths, 1):
            results.append(process_seed_cached(path, known_slugs, cache))
            if progress:
                progress(i, len(paths))
        return results
    with fork_executor(workers, _init_worker, (known_slugs, cache)) as pool:
        results = []
        for i, result in enumerate(pool.map(_process_in_worker, paths, chunksize=16), 1):
            results.append(result)
            if progress:
                progress(i, len(paths))
        return results


def _with_slug(result: Article | BriefingError, slug: str | None) -> Article | BriefingError:
    if isinstance(result, Article) and slug and result.front["slug"] != slug:
        result.front["slug"] = slug
        result.render()
    return result


def ingest(seeds_dir: Path, content_dir: Path, *, only: set[Path] | None = None, force: bool = False,
           quiet: bool = False, progress: Callable[[int, int], None] | None = None,
           cache_dir: Path | None = None) -> IngestReport:
    """`cache_dir` (e.g. .cache) keeps extraction results by seed hash and code version."""
    report = IngestReport()
    all_paths = seed_files(seeds_dir)
    paths = [p for p in all_paths if only is None or p in only or p.resolve() in only]
    store = ContentStore(content_dir)
    slugs = store.slugs_by_seed()
    results = _process_all(paths, slugs, ExtractionCache(cache_dir), progress)

    articles: list[Article] = []
    seen: dict[tuple, Article] = {}
    for result in results:
        if isinstance(result, BriefingError):
            report.rejected.append((result.location(), result.message))
            continue
        # The same text from the same source is the same article twice; the same text from
        # another source is syndication, merged below.
        f = result.front
        key = (result.text_sha, f["title"], f["outlet"], f["via"], f["date"])
        twin = seen.get(key)
        if twin is not None:
            report.rejected.append((str(seeds_dir / result.seed), f"duplicate of {twin.seed} (the same article from the same source)"))
            continue
        seen[key] = result
        articles.append(result)

    for article in _merge_near_duplicates(articles, report):
        slug = article.front["slug"]
        try:
            outcome = store.store(slug, article.front, article.body, article.document, force=force)
        except BriefingError as exc:
            report.rejected.append((exc.location(), exc.message))
            continue
        if outcome.status == "ingested":
            report.ingested.append(slug)
        elif outcome.status == "unchanged":
            report.unchanged.append(slug)
        elif outcome.status == "kept-deleted":
            report.kept_deleted.append(slug)
        else:
            report.kept_edited.append((slug, outcome.kept))
    if only is None:
        report.orphaned = [str(p) for p in store.orphans({p.name for p in all_paths}, slugs)]
    return report


def _merge_near_duplicates(articles: list[Article], report: IngestReport) -> list[Article]:
    """The same story from two sites becomes one article listing every source (first seed wins).

    Candidates come from an inverted index of sentence hashes, so only articles that share a
    sentence are ever compared (linear in the corpus, not quadratic)."""
    kept: list[Article] = []
    by_sentence: dict[int, list[int]] = {}
    for article in articles:
        shared: dict[int, int] = {}
        for h in article.fingerprint:
            for i in by_sentence.get(h, ()):
                shared[i] = shared.get(i, 0) + 1
        # Jaccard ≥ t needs at least t·|A| shared sentences: count first, compare only those.
        enough = NEAR_DUPLICATE * len(article.fingerprint)
        twin = next((kept[i] for i in sorted(shared) if shared[i] >= enough
                     and _similar(kept[i].fingerprint, article.fingerprint) >= NEAR_DUPLICATE), None)
        if twin is None:
            for h in article.fingerprint:
                by_sentence.setdefault(h, []).append(len(kept))
            kept.append(article)
            continue
        f = article.front
        twin.front["also_reported_by"].append({
            "seed": f["seed"], "seed_sha256": f["seed_sha256"], "title": f["title"], "date": f["date"],
            "outlet": f["outlet"], "via": f["via"],
        })
        twin.render()
        report.merged.append((article.seed, twin.seed))
    return kept


def _new_slug(seed_name: str, date: str | None) -> str:
    """Date as digits (20210527, or 202105 for a month) + a short id from the seed's name."""
    return f"{(date or 'undated').replace('-', '')}-{hashlib.sha256(seed_name.encode()).hexdigest()[:8]}"
