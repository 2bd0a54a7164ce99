"""Read and validate ``content/articles/*.md``: YAML front matter + Markdown body.

Every bad file is reported (file:line) and the whole set of problems is raised at once as
``BriefingErrors``. Parsed articles are cached by the hash of the file's bytes in a cache
folder; the cache is invalidated when the code of this stage changes.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import os
import pickle
import re
from collections import Counter
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Iterable

import yaml

from briefing.workers import fork_executor
from briefing.errors import BriefingError, BriefingErrors
from briefing.frontmatter import FrontMatterLoader, load_yaml
from briefing.site import body as body_mod
from briefing.site.body import Block, paragraph_count
from briefing.text.script import to_simplified

SCRIPTS = ("zh-Hans", "zh-Hant")
DATE_PRECISIONS = ("day", "month", "year")
EVENT_PRECISIONS = ("day", "month", "year", "part-of-month", "season")
EVENT_KINDS = ("point", "range", "start", "cutoff")
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_TIME = re.compile(r"^\d{2}:\d{2}(?::\d{2})?$")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
KEYWORDS_PER_ARTICLE = 40


# --- records -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RegionRef:
    id: str
    mentions: int
    main: bool


@dataclass(frozen=True, slots=True)
class ScoredRef:
    id: str
    score: float


@dataclass(frozen=True, slots=True)
class PersonRef:
    id: str
    name: str
    role: str | None


@dataclass(frozen=True, slots=True)
class OrganisationRef:
    id: str
    name: str
    kind: str | None


@dataclass(frozen=True, slots=True)
class FigureRec:
    text: str
    value: float | None
    unit: str | None
    paragraph: int | None
    sentence: str | None
    regions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AlsoReported:
    """A near-duplicate of this article (the same story elsewhere), merged into it by ingest."""

    title: str | None
    date: str | None
    outlet: str | None
    via: str | None
    seed: str | None
    seed_sha256: str | None


@dataclass(frozen=True, slots=True)
class EventRec:
    index: int                    # position in the article's events list
    date: str
    end: str | None
    precision: str
    kind: str
    planned: bool
    paragraph: int | None
    sentence: str | None
    regions: tuple[str, ...]
    initiatives: tuple[str, ...]
    organisations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ArticleSource:
    """One validated content file (all values as written, in the article's own script)."""

    __packed__ = ("figures", "events")   # pickled apart, read when first needed (see records)

    path: str                     # as given to the loader (for messages)
    content_hash: str             # of the file's bytes
    front_hash: str               # of its front matter: equal when only the body changed
    slug: str
    title: str
    date: str
    date_precision: str
    date_source: str | None
    time: str | None
    timezone: str | None
    outlet: str | None
    via: str | None
    author: str | None
    editor: str | None
    script: str
    seed: str | None
    seed_sha256: str | None
    summary: str | None
    warnings: tuple[str, ...]
    categories: tuple[str, ...]
    also_reported_by: tuple[AlsoReported, ...]
    regions: tuple[RegionRef, ...]
    initiatives: tuple[ScoredRef, ...]
    topics: tuple[ScoredRef, ...]
    people: tuple[PersonRef, ...]
    organisations: tuple[OrganisationRef, ...]
    figures: tuple[FigureRec, ...]
    events: tuple[EventRec, ...]
    blocks: body_mod.PackedBlocks   # read only by the article's own page
    keywords: str                 # most frequent Han bigrams of the Simplified folding, run together
    keyword_counts: bytes         # how often each occurs (capped at 255): see ``keyword_pairs``
    body_line: int                # line of the file where the body starts


# --- the code version that invalidates the cache ---------------------------------------------

def code_version() -> str:
    h = hashlib.blake2b(digest_size=8)
    for module in (body_mod.__file__, __file__):
        h.update(Path(module).read_bytes())
    return h.hexdigest()


# --- parsing -------------------------------------------------------------------------------

class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[tuple, str]] = []

    def add(self, keypath: tuple, message: str) -> None:
        self.items.append((keypath, message))


def split_front_matter(text: str) -> tuple[str, str, int]:
    """(front matter, body, 1-based file line where the body starts); ValueError(line, msg)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ValueError(1, "the file must start with a '---' front matter line")
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    raise ValueError(len(lines), "the front matter is not closed by a '---' line")


def _iso_ok(value: str, precision: str) -> bool:
    m = _ISO.match(value)
    if not m:
        return False
    year, month, day = m.groups()
    try:
        _dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return False
    need = {"day": 3, "part-of-month": 2, "month": 2, "season": 2, "year": 1}.get(precision, 1)
    have = 1 + (month is not None) + (day is not None)
    return have >= need


def _as_date_string(value) -> str | None:
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return None


def _opt_str(data: dict, key: str, problems: _Problems) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        problems.add((key,), f"'{key}' must be text")
        return None
    return value.strip() or None


def _str_list(data: dict, key: str, problems: _Problems) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        problems.add((key,), f"'{key}' must be a list of text values")
        return ()
    return tuple(str(v) for v in value)


def _id_list(value, keypath: tuple, problems: _Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.add(keypath, f"'{keypath[-1]}' must be a list of ids")
        return ()
    return tuple(v.strip() for v in value)


def _entries(data: dict, key: str, problems: _Problems) -> list[tuple[int, dict]]:
    """The entries of a list of mappings; a bare string stands for ``{id: <string>}``."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add((key,), f"'{key}' must be a list")
        return []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            item = {"id": item.strip()}
        if not isinstance(item, dict):
            problems.add((key, i), f"'{key}' entry {i + 1} must be a mapping")
            continue
        if key not in ("figures", "events"):
            ident = item.get("id")
            if not isinstance(ident, str) or not ident.strip():
                problems.add((key, i), f"'{key}' entry {i + 1} has no 'id'")
                continue
        out.append((i, item))
    return out


def _stripped(value) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _named_refs(data: dict, key: str, what: str, problems: _Problems, make) -> list:
    """The entries of a list of named entities (people, organisations): each needs a name;
    ``make(id, name, entry)`` builds the record."""
    out = []
    for i, item in _entries(data, key, problems):
        name = _stripped(item.get("name"))
        if name is None:
            problems.add((key, i), f"{what} needs a 'name'")
            continue
        out.append(make(item["id"].strip(), name, item))
    return out


def _number(value, keypath, problems, *, integer=False, default=None):
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.add(keypath, f"'{keypath[-1]}' must be a number")
        return default
    if integer and int(value) != value:
        problems.add(keypath, f"'{keypath[-1]}' must be a whole number")
        return default
    return int(value) if integer else float(value)


def _also_reported(data: dict, problems: _Problems) -> tuple[AlsoReported, ...]:
    value = data.get("also_reported_by")
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.add(("also_reported_by",), "'also_reported_by' must be a list")
        return ()
    out = []
    for i, item in enumerate(value):
        if isinstance(item, str):  # a bare name or slug
            out.append(AlsoReported(item.strip(), None, None, None, None, None))
            continue
        if not isinstance(item, dict):
            problems.add(("also_reported_by", i), "an 'also_reported_by' entry must be a mapping")
            continue
        fields = {}
        for key in ("title", "date", "outlet", "via", "seed", "seed_sha256"):
            v = item.get(key)
            v = _as_date_string(v) if key == "date" and v is not None else v
            if v is not None and not isinstance(v, (str, int, float)):
                problems.add(("also_reported_by", i, key), f"'{key}' must be text")
                v = None
            fields[key] = str(v).strip() if v is not None and str(v).strip() else None
        out.append(AlsoReported(**fields))
    return tuple(out)


def _keywords(title: str, blocks: tuple[Block, ...]) -> tuple[tuple[str, int], ...]:
    """The KEYWORDS_PER_ARTICLE most frequent Han bigrams, most frequent first, with counts."""
    text = to_simplified(title + "\n" + "\n".join(b.text for b in blocks))
    # one count over every run's bigrams (a Counter.update a run cost ~10% more)
    counts = Counter(chain.from_iterable(map(str.__add__, run[:-1], run[1:]) for run in _HAN_RUN.findall(text)))
    items = counts.items()
    if len(counts) > KEYWORDS_PER_ARTICLE:  # only the counts that can make the cut are sorted
        least = sorted(counts.values(), reverse=True)[KEYWORDS_PER_ARTICLE - 1]
        items = [kv for kv in items if kv[1] >= least]
    top = sorted(items, key=lambda kv: (-kv[1], kv[0]))[:KEYWORDS_PER_ARTICLE]
    return tuple(top)


def pack_keywords(pairs) -> tuple[str, bytes]:
    """(bigrams run together, counts): two objects an article instead of eighty, so 10,000
    articles keep ~3 MB of keywords in memory instead of ~60 MB."""
    return "".join(word for word, _ in pairs), bytes(min(count, 255) for _, count in pairs)


def keyword_pairs(src: ArticleSource) -> list[tuple[str, int]]:
    """An article's keywords as (bigram, count), most frequent first."""
    words = src.keywords
    return [(words[2 * i: 2 * i + 2], count) for i, count in enumerate(src.keyword_counts)]


def _without_text(block: Block) -> Block:
    """A block as kept after loading: its plain text served the keywords and is not needed again."""
    return Block(block.kind, block.html, "", block.number, block.section, block.level, block.line)


def parse_article(path: str, raw: bytes, content_hash: str) -> tuple[ArticleSource | None, list[tuple[str, str, int | None]]]:
    """Parse one file. Returns (article or None, problems as (path, message, line))."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [(path, "not valid UTF-8", line)]
    text = text.replace("\r\n", "\n")
    try:
        front, body_text, body_line = split_front_matter(text)
    except ValueError as exc:
        line, message = exc.args
        return None, [(path, message, line)]
    try:
        data = load_yaml(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark is not None else 2
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [(path, f"bad YAML front matter: {reason}", line)]
    if not isinstance(data, dict):
        return None, [(path, "the front matter must be a mapping of keys to values", 2)]

    problems = _Problems()
    blocks, body_problems = body_mod.parse_body(body_text)
    n_paragraphs = paragraph_count(blocks)

    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.add(("title",), "'title' is missing or empty")
        title = ""
    slug = data.get("slug")
    if isinstance(slug, int) and not isinstance(slug, bool):
        slug = str(slug)
    if not isinstance(slug, str) or not slug.strip():
        problems.add(("slug",), "'slug' is missing or empty")
        slug = ""
    precision = data.get("date_precision", "day")
    if precision not in DATE_PRECISIONS:
        problems.add(("date_precision",), f"'date_precision' must be one of {', '.join(DATE_PRECISIONS)}")
        precision = "day"
    date = _as_date_string(data.get("date"))
    if not date or not _iso_ok(date, precision):
        problems.add(("date",), f"'date' must be an ISO date (YYYY-MM-DD, YYYY-MM or YYYY) with {precision} precision")
        date = "0001"
    script = data.get("script")
    if script not in SCRIPTS:
        problems.add(("script",), "'script' must be zh-Hans or zh-Hant")
        script = "zh-Hans"
    time = data.get("time")
    if time is not None and (not isinstance(time, str) or not _TIME.match(time.strip())):
        problems.add(("time",), "'time' must be a quoted 'HH:MM' or 'HH:MM:SS'")
        time = None

    regions = []
    for i, item in _entries(data, "regions", problems):
        mentions = _number(item.get("mentions"), ("regions", i, "mentions"), problems, integer=True, default=1)
        main = item.get("main", False)
        if not isinstance(main, bool):
            problems.add(("regions", i, "main"), "'main' must be true or false")
            main = False
        regions.append(RegionRef(item["id"].strip(), mentions, main))
    scored = {}
    for key in ("initiatives", "topics"):
        out = []
        for i, item in _entries(data, key, problems):
            score = _number(item.get("score"), (key, i, "score"), problems, default=0.0)
            out.append(ScoredRef(item["id"].strip(), score))
        scored[key] = tuple(out)
    people = _named_refs(data, "people", "a person", problems,
                         lambda ident, name, item: PersonRef(ident, name, _stripped(item.get("role"))))
    organisations = _named_refs(data, "organisations", "an organisation", problems,
                                lambda ident, name, item: OrganisationRef(
                                    ident, name, item["kind"] if isinstance(item.get("kind"), str) else None))
    figures = []
    for i, item in _entries(data, "figures", problems):
        text_value = item.get("text")
        if not isinstance(text_value, (str, int, float)) or isinstance(text_value, bool) or str(text_value).strip() == "":
            problems.add(("figures", i), "a figure needs a 'text'")
            continue
        paragraph = _number(item.get("paragraph"), ("figures", i, "paragraph"), problems, integer=True)
        if paragraph is not None and not 1 <= paragraph <= n_paragraphs:
            problems.add(("figures", i, "paragraph"), f"paragraph {paragraph} does not exist (the body has {n_paragraphs})")
            paragraph = None
        sentence = item.get("sentence")
        figures.append(FigureRec(
            str(text_value).strip(),
            _number(item.get("value"), ("figures", i, "value"), problems),
            item.get("unit") if isinstance(item.get("unit"), str) else None,
            paragraph,
            sentence.strip() if isinstance(sentence, str) and sentence.strip() else None,
            _id_list(item.get("regions"), ("figures", i, "regions"), problems),
        ))
    events = []
    for i, item in _entries(data, "events", problems):
        ev_precision = item.get("precision", "day")
        if ev_precision not in EVENT_PRECISIONS:
            problems.add(("events", i, "precision"), f"'precision' must be one of {', '.join(EVENT_PRECISIONS)}")
            continue
        ev_date = _as_date_string(item.get("date"))
        if not ev_date or not _iso_ok(ev_date, ev_precision):
            problems.add(("events", i, "date"), f"event date must be ISO with {ev_precision} precision")
            continue
        end = item.get("end")
        end = _as_date_string(end) if end is not None else None
        if end is not None and (not _iso_ok(end, "year") or end < ev_date):
            problems.add(("events", i, "end"), "event end must be an ISO date not before its start")
            end = None
        kind = item.get("kind", "range" if end else "point")
        if kind not in EVENT_KINDS:
            problems.add(("events", i, "kind"), f"'kind' must be one of {', '.join(EVENT_KINDS)}")
            kind = "point"
        planned = item.get("planned", False)
        if not isinstance(planned, bool):
            problems.add(("events", i, "planned"), "'planned' must be true or false")
            planned = False
        paragraph = _number(item.get("paragraph"), ("events", i, "paragraph"), problems, integer=True)
        if paragraph is not None and not 1 <= paragraph <= n_paragraphs:
            problems.add(("events", i, "paragraph"), f"paragraph {paragraph} does not exist (the body has {n_paragraphs})")
            paragraph = None
        sentence = item.get("sentence")
        events.append(EventRec(
            i, ev_date, end, ev_precision, kind, planned, paragraph,
            sentence.strip() if isinstance(sentence, str) and sentence.strip() else None,
            _id_list(item.get("regions"), ("events", i, "regions"), problems),
            _id_list(item.get("initiatives"), ("events", i, "initiatives"), problems),
            _id_list(item.get("organisations"), ("events", i, "organisations"), problems),
        ))

    found: list[tuple[str, str, int | None]] = []
    if problems.items:
        for keypath, message in problems.items:
            found.append((path, message, locate_line(front, keypath)))
    for problem in body_problems:
        found.append((path, f"body: {problem.message}", body_line + problem.line - 1))
    if found:
        return None, found

    words, counts = pack_keywords(_keywords(title, blocks))
    article = ArticleSource(
        path=path, content_hash=content_hash,
        front_hash=hashlib.blake2b(front.encode("utf-8"), digest_size=12).hexdigest(), slug=slug.strip(), title=title.strip(), date=date,
        date_precision=precision, date_source=_opt_str(data, "date_source", problems),
        time=time.strip() if isinstance(time, str) else None,
        timezone=_opt_str(data, "timezone", problems), outlet=_opt_str(data, "outlet", problems),
        via=_opt_str(data, "via", problems), author=_opt_str(data, "author", problems),
        editor=_opt_str(data, "editor", problems), script=script, seed=_opt_str(data, "seed", problems),
        seed_sha256=_opt_str(data, "seed_sha256", problems), summary=_opt_str(data, "summary", problems),
        warnings=_str_list(data, "warnings", problems), categories=_str_list(data, "categories", problems),
        also_reported_by=_also_reported(data, problems), regions=tuple(regions),
        initiatives=scored["initiatives"], topics=scored["topics"], people=tuple(people),
        organisations=tuple(organisations), figures=tuple(figures), events=tuple(events),
        blocks=body_mod.PackedBlocks.of(_without_text(b) for b in blocks), keywords=words, keyword_counts=counts, body_line=body_line,
    )
    if problems.items:  # a late type problem in an optional text field
        return None, [(path, m, locate_line(front, k)) for k, m in problems.items]
    return article, []


def locate_line(front: str, keypath: tuple) -> int | None:
    """The 1-based file line of a key path in the front matter (the opening '---' is line 1)."""
    try:
        node = yaml.compose(front, Loader=FrontMatterLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line if node is not None else 0
    for step in keypath:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            for key_node, value_node in node.value:
                if key_node.value == step:
                    line = key_node.start_mark.line
                    node = value_node
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line
        else:
            break
    return line + 2


def locate(path: str | Path, keypath: tuple) -> int | None:
    """The line of a key path in a content file (used for problems found after loading)."""
    try:
        front, _, _ = split_front_matter(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return locate_line(front, keypath)


# --- loading a folder, with the cache ------------------------------------------------------

def _parse_one(job: tuple[str, bytes, str]):
    return parse_article(*job)


def _parse_plain(job: tuple[str, bytes, str]):
    """In a worker: the article as plain tuples, which cross the process boundary cheaply."""
    article, problems = parse_article(*job)
    return (to_plain(article) if article is not None else None), problems


_RECORDS = (("regions", RegionRef), ("initiatives", ScoredRef), ("topics", ScoredRef), ("people", PersonRef),
            ("organisations", OrganisationRef), ("figures", FigureRec), ("events", EventRec),
            ("also_reported_by", AlsoReported))
_FIELDS = tuple(f for f in ArticleSource.__dataclass_fields__)
_RECORD_AT = tuple((_FIELDS.index(name), cls) for name, cls in _RECORDS)
_FIELDS_OF = {cls: tuple(cls.__dataclass_fields__) for _, cls in _RECORDS}


def to_plain(src: ArticleSource) -> tuple:
    """An article as nested plain tuples: pickles and unpickles many times faster than objects."""
    values = [getattr(src, f) for f in _FIELDS]
    for at, cls in _RECORD_AT:
        names = _FIELDS_OF[cls]
        values[at] = tuple(tuple(getattr(r, n) for n in names) for r in values[at])
    return tuple(values)


# Records that recur across articles (the same region, topic, person, organisation with the
# same attributes) and the values of events and figures that recur (id lists, units, kinds,
# dates, a sentence holding several figures) are kept once per process: they are immutable,
# and 10,000 articles name the same few thousand of them over and over. At 10,000 articles
# of the benchmark corpus, 70,000 figures hold 5,800 distinct texts and 14 units, and
# 38,000 events 95 dates.
_SHARED_KINDS = frozenset({RegionRef, ScoredRef, PersonRef, OrganisationRef})


def _fields_at(cls, names: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(i for i, f in enumerate(cls.__dataclass_fields__) if f in names)


_SHARED_VALUES = {EventRec: _fields_at(EventRec, ("date", "end", "precision", "kind", "sentence", "regions",
                                                  "initiatives", "organisations")),
                  FigureRec: _fields_at(FigureRec, ("text", "unit", "sentence", "regions"))}
_SHARED: dict = {}
_SHARED_LIMIT = 1_000_000


def _kept_once(key, value):
    """The value kept for ``key`` (``value`` itself the first time)."""
    found = _SHARED.get(key)
    if found is None:
        if len(_SHARED) > _SHARED_LIMIT:
            _SHARED.clear()
        found = _SHARED[key] = value
    return found


def from_plain(values: tuple) -> ArticleSource:
    values = list(values)
    shared = _SHARED
    for at, cls in _RECORD_AT:
        if cls in _SHARED_KINDS:
            values[at] = tuple([shared.get((cls, r)) or _kept_once((cls, r), cls(*r)) for r in values[at]])
        elif cls in _SHARED_VALUES:
            records = []
            for r in values[at]:
                r = list(r)
                for i in _SHARED_VALUES[cls]:
                    if r[i] is not None:
                        r[i] = _kept_once(r[i], r[i])
                records.append(cls(*r))
            values[at] = tuple(records)
        else:
            values[at] = tuple([cls(*r) for r in values[at]])
    return ArticleSource(*values)


class LoadCache:
    """Parsed articles by content hash (git-ignored folder), invalidated by the code version.

    ``index-<version>.pickle`` maps each content file to (size, mtime, hash), and each hash
    parsed to the offset of its frame in ``articles-<version>.pack``: a sequence of pickled
    frames of plain tuples. A build that parsed a few files appends one small frame instead
    of rewriting the whole pack, which is compacted when it holds too many stale entries.
    Frames are read when an article in them is first asked for: a build that starts from
    the builder's saved state (``snapshot``) reads only the frames of the files edited since.
    """

    COMPACT_RATIO = 0.5

    def __init__(self, cache_dir: str | Path | None):
        version = code_version()
        self.folder = Path(cache_dir) if cache_dir else None
        self.index_path = self.folder / f"index-{version}.pickle" if self.folder else None
        self.pack_path = self.folder / f"articles-{version}.pack" if self.folder else None
        self.plain: dict[str, tuple] = {}         # hash → plain article, from the frames read so far
        self.by_hash: dict[str, ArticleSource] = {}
        self.stats: dict[str, tuple[int, int, str]] = {}
        self.packed: dict[str, int] = {}          # hash → offset of the frame holding it
        self.read_frames: set[int] = set()
        self.new: dict[str, tuple] = {}
        self.dirty = False
        if self.index_path and self.index_path.exists() and self.pack_path.exists():
            try:
                with open(self.index_path, "rb") as fh:
                    index = pickle.load(fh)
                if not (isinstance(index, tuple) and len(index) == 2):
                    raise ValueError("not an index")
                self.stats, self.packed = index
            except Exception:  # a damaged cache is rebuilt, never trusted
                self._forget()

    @property
    def frames(self) -> int:
        return len(set(self.packed.values()))

    def _forget(self) -> None:
        self.plain, self.stats, self.packed, self.read_frames = {}, {}, {}, set()
        if self.pack_path is not None:
            self.pack_path.unlink(missing_ok=True)

    def _read_frames(self, offsets: Iterable[int]) -> None:
        todo = sorted(set(offsets) - self.read_frames)
        if not todo:
            return
        try:
            with open(self.pack_path, "rb") as fh:
                for offset in todo:
                    fh.seek(offset)
                    frame = pickle.load(fh)
                    self.read_frames.add(offset)
                    for digest, plain in frame.items():
                        if self.packed.get(digest) == offset and digest not in self.by_hash:
                            self.plain[digest] = plain
        except Exception:  # a damaged cache is rebuilt, never trusted
            self._forget()

    def __contains__(self, digest: str) -> bool:
        return digest in self.by_hash or digest in self.packed

    def get(self, digest: str) -> ArticleSource | None:
        art = self.by_hash.get(digest)
        if art is None and digest in self.packed:
            if digest not in self.plain:
                self._read_frames([self.packed[digest]])
            if digest in self.plain:
                art = self.by_hash[digest] = from_plain(self.plain.pop(digest))  # kept once, as objects
        return art

    def article(self, digest: str, path: str) -> ArticleSource | None:
        """The article parsed from these bytes, as read from ``path``: the same bytes may have
        been read under another name (an absolute path, another working folder) and are not
        parsed again for that."""
        art = self.get(digest)
        if art is not None and art.path != path:
            art = dataclasses.replace(art, path=path)
            self.put(digest, art)
        return art

    def put(self, digest: str, article: ArticleSource) -> None:
        if self.by_hash.get(digest) is not article:
            self.new[digest] = article
        self.by_hash[digest] = article
        self.dirty = True

    def keep(self, articles: Iterable[ArticleSource]) -> None:
        """Articles known already parsed (the builder's saved state), served without reading
        the pack."""
        for art in articles:
            self.by_hash.setdefault(art.content_hash, art)

    def save(self, live_hashes: set[str], live_paths: set[str]) -> None:
        if not self.folder:
            return
        stale_paths = set(self.stats) - live_paths
        for p in stale_paths:
            del self.stats[p]
        known = set(self.packed) | set(self.by_hash)
        stale = len(known - live_hashes)
        if not (self.dirty or stale_paths):
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in list(self.folder.glob("articles-*")) + list(self.folder.glob("index-*")):
            if old not in (self.pack_path, self.index_path):
                old.unlink(missing_ok=True)
        if stale > self.COMPACT_RATIO * max(1, len(live_hashes)) or self.frames > 64 or not self.pack_path.exists():
            self._read_frames(self.packed[h] for h in known & live_hashes if h not in self.by_hash)
            live = {h: (self.plain[h] if h in self.plain else to_plain(self.by_hash[h]))
                    for h in sorted(known & live_hashes) if h in self.plain or h in self.by_hash}
            tmp = self.pack_path.with_suffix(f".tmp{os.getpid()}")
            with open(tmp, "wb") as fh:
                pickle.dump(live, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.pack_path)
            self.plain = {h: v for h, v in self.plain.items() if h in live_hashes}
            self.by_hash = {h: v for h, v in self.by_hash.items() if h in live_hashes}
            self.packed = dict.fromkeys(live, 0)
            self.read_frames = {0}
        elif self.new:
            with open(self.pack_path, "ab") as fh:  # a torn frame at the end is never in the index
                offset = fh.tell()
                pickle.dump({h: to_plain(a) for h, a in self.new.items()}, fh, protocol=pickle.HIGHEST_PROTOCOL)
            self.packed.update(dict.fromkeys(self.new, offset))
            self.read_frames.add(offset)
        self.new = {}
        tmp = self.index_path.with_suffix(f".tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            pickle.dump((self.stats, self.packed), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.index_path)
        self.dirty = False


def content_hash(raw: bytes) -> str:
    """What a content file's bytes are known by (in the cache, and as ``ArticleSource.content_hash``)."""
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def content_files(content_dir: str | Path) -> list[str]:
    """The paths of the article files, in name order (one directory read: no stat per file
    unless it is a link)."""
    folder = str(Path(content_dir) / "articles")   # spelt as the loader's other paths are
    try:
        with os.scandir(folder) as entries:
            return sorted(os.path.join(folder, e.name) for e in entries
                          if e.name.endswith(".md") and not e.name.startswith(".") and e.is_file())
    except (FileNotFoundError, NotADirectoryError):
        return []


def _parse_jobs(jobs: list[tuple[str, bytes, str]], workers: int | None):
    """(article or None, problems) per job; on two or more cores for a big batch."""
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n > 1 and len(jobs) >= 200:
        with fork_executor(n) as pool:
            return [(from_plain(plain) if plain is not None else None, problems)
                    for plain, problems in pool.map(_parse_plain, jobs, chunksize=32)]
    return [_parse_one(job) for job in jobs]


class ContentLoader:
    """The articles of a content folder, kept between builds.

    ``refresh()`` checks every file's size and mtime (or, given the paths a watcher saw
    change, only those) and parses only files whose bytes are new to the cache. It
    returns the articles in file-name order; BriefingErrors if any file is bad, in which
    case the previous state is kept.
    """

    def __init__(self, content_dir: str | Path, cache_dir: str | Path | None = None, *, workers: int | None = None):
        self.content_dir = Path(content_dir)
        self.folder = self.content_dir / "articles"
        self.cache = LoadCache(cache_dir)
        self.workers = workers
        self.current: dict[str, ArticleSource] = {}       # path → article
        self.stats: dict[str, tuple[int, int]] = {}        # path → (size, mtime_ns) when last read
        self.loaded = False

    def _candidates(self, changed: set[Path] | None) -> tuple[list[str], list[str], bool]:
        """(every content file now, the ones to look at, whether they are the files known)."""
        if changed is None or not self.loaded:
            files = content_files(self.content_dir)
            return files, files, False
        folder = self.folder.resolve()
        touched = set()
        for path in changed:
            path = Path(path)
            try:
                resolved = path.resolve()
            except OSError:
                continue
            if resolved.parent == folder and path.suffix == ".md":
                touched.add(str(self.folder / path.name))
        files = set(self.current)
        for key in touched:
            if os.path.isfile(key) and not os.path.basename(key).startswith("."):
                files.add(key)
            else:
                files.discard(key)
        if len(files) == len(self.current) and all(key in self.current for key in touched & files):
            return list(self.current), sorted(touched & files), True   # the same files: order known
        return sorted(files, key=os.path.basename), sorted(touched & files), False

    def refresh(self, changed: set[Path] | None = None, *, persist: bool = True) -> tuple[list[ArticleSource], set[str]]:
        """(articles in file-name order, paths whose article changed, appeared or went).
        ``persist=False`` leaves the cache on disk as it is (the next refresh saves it)."""
        files, look, same = self._candidates(changed)
        if same and not look:
            return list(self.current.values()), set()   # told of no content file: nothing to read
        cache = self.cache
        if same:   # the known files, some edited: start from what is known, visit only those
            results, stats, visit = dict(self.current), dict(self.stats), look
        else:
            results, stats, visit = {}, {}, files
        look_set = set(look)
        jobs: list[tuple[str, bytes, str]] = []
        for key in visit:
            if not same and key not in look_set and key in self.current:
                results[key] = self.current[key]
                stats[key] = self.stats[key]
                continue
            try:
                st = os.stat(key)
            except FileNotFoundError:
                results.pop(key, None)
                stats.pop(key, None)
                continue
            stats[key] = (st.st_size, st.st_mtime_ns)
            known = cache.stats.get(key)
            if known and known[0] == st.st_size and known[1] == st.st_mtime_ns:
                art = cache.article(known[2], key)
                if art is not None:
                    results[key] = art
                    continue
            with open(key, "rb") as fh:
                raw = fh.read()
            digest = content_hash(raw)
            cache.stats[key] = (st.st_size, st.st_mtime_ns, digest)
            cache.dirty = True
            art = cache.article(digest, key)
            if art is not None:
                results[key] = art
                continue
            jobs.append((key, raw, digest))

        errors: list[BriefingError] = []
        if jobs:
            for (key, _, digest), (article, problems) in zip(jobs, _parse_jobs(jobs, self.workers)):
                if article is not None:
                    results[key] = article
                    cache.put(digest, article)
                else:
                    cache.stats.pop(key, None)
                    errors.extend(BriefingError(p, m, line) for p, m, line in problems)
        if errors:
            raise BriefingErrors(sorted(errors, key=lambda e: (str(e.path), e.line or 0)))
        if same:   # results kept the known order
            changed_paths = {k for k in look if self.current.get(k) is not results.get(k)}
            self.current = results
        else:
            ordered = [k for k in files if k in results]
            changed_paths = {k for k in ordered if self.current.get(k) is not results[k]}
            changed_paths |= set(self.current) - set(results)
            self.current = {k: results[k] for k in ordered}
        self.stats = stats
        self.loaded = True
        if persist:
            cache.save({a.content_hash for a in self.current.values()}, set(self.current))
        return list(self.current.values()), changed_paths


def load_articles(content_dir: str | Path, cache_dir: str | Path | None = None, *, workers: int | None = None) -> list[ArticleSource]:
    """Every article of ``content_dir/articles``, in file-name order; BriefingErrors if any is bad."""
    articles, _ = ContentLoader(content_dir, cache_dir, workers=workers).refresh()
    return articles
