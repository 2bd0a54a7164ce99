"""Organisations: universities, institutes, labs, companies, parks, centres, hospitals.

A name is found from its end: a suffix of ``data/organisation_kinds.yaml`` (大学, 研究所,
实验室, 有限公司, 产业园, 中心, 医院 …, the longest wins), read leftwards to the first
hard stop (punctuation, digits, quotes), left stop word (的 与 在 由 共建 依托 …) or
the start of a government body (科技部), at most ``max_name_length`` characters. A short
bracketed place inside a name is kept (无锡高新区(大湾区)创新中心); 和/与/及 are crossed
only when the longer name starts like a proper name (国家集成电路特色工艺及封装测试创新中心).

Names made only of generic words (创新中心, 三级甲等综合医院) are dropped. Known
organisations and their short forms (``data/organisation_aliases.yaml``) are found on
their own (浙大, 中科院) and expanded at the start of longer names (浙大科技园 →
浙江大学科技园). A name nested at the start of a longer one is kept as its own
organisation when it is a university, an institute or a hospital (浙江大学无锡科技成果转化中心
→ 浙江大学 too); other nested names are dropped.

Ids are ASCII and stable: curated for known organisations, else the pinyin of the
specific part plus the English slug of the suffix (无锡先进技术研究院 →
wuxixianjinjishu-research-institute).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


from briefing.datafile import read_yaml_mapping
from briefing.errors import BriefingError
from briefing.knowledge.dates import first_char_guard, fold_digits
from briefing.knowledge.figures import remove_stock_quotes

DATA_DIR = Path(__file__).with_name("data")
KINDS_FILE = DATA_DIR / "organisation_kinds.yaml"
ALIASES_FILE = DATA_DIR / "organisation_aliases.yaml"

KINDS = ("university", "institute", "lab", "company", "park", "centre", "hospital", "alliance",
         "association", "government", "branch")
_HAN = re.compile(r"[\u4e00-\u9fff〇]")
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Suffix:
    kind: str
    slug: str
    min_specific: int | None = None


@dataclass(frozen=True)
class KnownOrganisation:
    name: str
    id: str
    kind: str
    aliases: tuple[str, ...]
    standalone: bool
    boundary: bool


@dataclass(frozen=True)
class OrganisationVocabulary:
    suffixes: dict[str, Suffix]
    branch_default_kind: str
    suffix_blockers: dict[str, tuple[str, ...]]
    suffix_aliases: dict[str, str]
    measure_words: tuple[str, ...]
    left_stops: tuple[str, ...]
    soft_stops: tuple[str, ...]
    proper_starts: tuple[str, ...]
    protected: tuple[str, ...]
    generic_words: tuple[str, ...]
    max_name_length: int
    min_specific_length: int
    parent_kinds: frozenset[str]
    readings: dict[str, str]
    known: tuple[KnownOrganisation, ...]




def _line_of(path: Path, needle: str) -> int | None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    return None


def _words(raw: dict, key: str, path: Path) -> tuple[str, ...]:
    value = raw.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise BriefingError(path, f"{key}: expected a non-empty list of strings", _line_of(path, f"{key}:"))
    dups = sorted({v for v in value if value.count(v) > 1})
    if dups:
        raise BriefingError(path, f"{key}: duplicate entries {dups}", _line_of(path, f"{key}:"))
    return tuple(sorted(value, key=lambda s: (-len(s), s)))


@lru_cache(maxsize=None)
def organisation_vocabulary(kinds: Path = KINDS_FILE, aliases: Path = ALIASES_FILE) -> OrganisationVocabulary:
    """Suffixes, boundaries and known organisations, validated (errors name file, entry, line)."""
    raw = read_yaml_mapping(kinds)
    suffixes: dict[str, Suffix] = {}
    table = raw.get("suffixes")
    if not isinstance(table, dict) or not table:
        raise BriefingError(kinds, "suffixes: expected a mapping of suffix: {kind, slug}")
    for suffix, entry in table.items():
        line = _line_of(kinds, f"{suffix}:")
        if not isinstance(entry, dict) or entry.get("kind") not in KINDS:
            raise BriefingError(kinds, f"suffixes: {suffix}: kind must be one of {', '.join(KINDS)}", line)
        if not isinstance(entry.get("slug"), str) or not _ID.fullmatch(entry["slug"]):
            raise BriefingError(kinds, f"suffixes: {suffix}: slug must be lowercase ASCII words joined by '-'", line)
        min_specific = entry.get("min_specific")
        if min_specific is not None and (not isinstance(min_specific, int) or min_specific < 1):
            raise BriefingError(kinds, f"suffixes: {suffix}: min_specific must be a positive integer", line)
        suffixes[suffix] = Suffix(entry["kind"], entry["slug"], min_specific)
    suffix_aliases = raw.get("suffix_aliases") or {}
    for short, full in suffix_aliases.items():
        if short not in suffixes or full not in suffixes:
            raise BriefingError(
                kinds, f"suffix_aliases: {short} → {full}: both must be suffixes", _line_of(kinds, f"{short}: {full}")
            )
    blockers = raw.get("suffix_blockers") or {}
    for suffix, words in blockers.items():
        if suffix not in suffixes:
            raise BriefingError(kinds, f"suffix_blockers: {suffix!r} is not a suffix", _line_of(kinds, f"{suffix}:"))
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise BriefingError(kinds, f"suffix_blockers: {suffix}: expected a list of strings")
    branch_default = raw.get("branch_default_kind")
    if branch_default not in KINDS or branch_default == "branch":
        raise BriefingError(kinds, "branch_default_kind: expected a kind other than branch")
    parent_kinds = _words(raw, "parent_kinds", kinds)
    for kind in parent_kinds:
        if kind not in KINDS:
            raise BriefingError(kinds, f"parent_kinds: unknown kind {kind!r}")
    max_len, min_spec = raw.get("max_name_length"), raw.get("min_specific_length")
    if not isinstance(max_len, int) or max_len < 4 or not isinstance(min_spec, int) or min_spec < 1:
        raise BriefingError(kinds, "max_name_length / min_specific_length: expected positive integers")
    readings = raw.get("readings") or {}
    for char, reading in readings.items():
        if not (isinstance(char, str) and len(char) == 1 and isinstance(reading, str) and reading.isascii()):
            raise BriefingError(kinds, f"readings: bad entry {char!r}: {reading!r}")

    known = []
    araw = read_yaml_mapping(aliases)
    entries = araw.get("organisations")
    if not isinstance(entries, list) or not entries:
        raise BriefingError(aliases, "organisations: expected a list of entries")
    seen_ids: dict[str, str] = {}
    seen_forms: dict[str, str] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise BriefingError(aliases, f"organisations: bad entry {entry!r}")
        name = entry["name"]
        line = _line_of(aliases, f"name: {name}")
        oid, kind = entry.get("id"), entry.get("kind")
        if not isinstance(oid, str) or not _ID.fullmatch(oid):
            raise BriefingError(aliases, f"{name}: id must be lowercase ASCII words joined by '-'", line)
        if kind not in KINDS:
            raise BriefingError(aliases, f"{name}: kind must be one of {', '.join(KINDS)}", line)
        if oid in seen_ids:
            raise BriefingError(aliases, f"{name}: duplicate id {oid!r} (also {seen_ids[oid]})", line)
        seen_ids[oid] = name
        forms = entry.get("aliases") or []
        if not isinstance(forms, list) or not all(isinstance(a, str) and a for a in forms):
            raise BriefingError(aliases, f"{name}: aliases must be a list of strings", line)
        for form in [name, *forms]:
            if form in seen_forms:
                raise BriefingError(aliases, f"{name}: {form!r} already stands for {seen_forms[form]}", line)
            seen_forms[form] = name
        known.append(
            KnownOrganisation(
                name=name,
                id=oid,
                kind=kind,
                aliases=tuple(forms),
                standalone=bool(entry.get("standalone", True)),
                boundary=bool(entry.get("boundary", False)),
            )
        )
    return OrganisationVocabulary(
        suffixes=suffixes,
        branch_default_kind=branch_default,
        suffix_blockers={k: tuple(v) for k, v in blockers.items()},
        suffix_aliases=dict(suffix_aliases),
        measure_words=_words(raw, "measure_words", kinds),
        left_stops=_words(raw, "left_stops", kinds),
        soft_stops=_words(raw, "soft_stops", kinds),
        proper_starts=_words(raw, "proper_starts", kinds),
        protected=_words(raw, "protected", kinds),
        generic_words=_words(raw, "generic_words", kinds),
        max_name_length=max_len,
        min_specific_length=min_spec,
        parent_kinds=frozenset(parent_kinds),
        readings=dict(readings),
        known=tuple(known),
    )


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=lambda s: (-len(s), s)))


def _guarded(words) -> re.Pattern:
    return first_char_guard(_alt(words), {w[0] for w in words})


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    name: str  # canonical
    kind: str
    id: str


class _OrganisationMatcher:
    def __init__(self, v: OrganisationVocabulary):
        self.v = v
        self.suffix = _guarded(v.suffixes)
        self.suffix_at_end = re.compile(rf"(?:{_alt(v.suffixes)})$")
        self.protected = _guarded(v.protected)
        self.generic = re.compile(_alt(v.generic_words))
        # Overlapping search: at each position the longest stop starting there.
        self.stops = first_char_guard(rf"(?=({_alt(v.left_stops)}))", {w[0] for w in v.left_stops})
        self.quantity = re.compile(rf"[\d一二三四五六七八九十两几数多]+(?:{_alt(v.measure_words)})")
        self.soft = set(v.soft_stops)
        self.by_form: dict[str, KnownOrganisation] = {}
        self.by_name: dict[str, KnownOrganisation] = {}
        for k in v.known:
            self.by_name[k.name] = k
            for form in (k.name, *k.aliases):
                self.by_form[form] = k
        standalone = [f for f, k in self.by_form.items() if k.standalone or f == k.name]
        self.standalone = _guarded(standalone)
        self.expansions = sorted(
            ((form, k.name) for form, k in self.by_form.items() if form != k.name), key=lambda p: -len(p[0])
        )
        boundary_forms = [f for f, k in self.by_form.items() if k.boundary]
        self.boundaries = _guarded(boundary_forms) if boundary_forms else None

    # -- boundaries --------------------------------------------------------------

    def _stop_ends(self, text: str, protected: set[int], windows: list[tuple[int, int]]) -> set[int]:
        """Positions where a left stop (not inside a protected word), a boundary body or a
        quantity ends, searched only in the windows a name can reach into."""
        ends = set()
        for lo, hi in windows:
            for m in self.stops.finditer(text, lo, hi):
                start, end = m.start(), m.start() + len(m.group(1))
                if not protected or not any(p in protected for p in range(start, end)):
                    ends.add(end)
            if self.boundaries is not None:
                ends.update(m.end() for m in self.boundaries.finditer(text, lo, hi))
            ends.update(m.end() for m in self.quantity.finditer(text, lo, hi))
        return ends

    def _walk(self, text: str, end: int, limit: int, protected: set[int], stop_ends: set[int]) -> int:
        """Leftmost start of a name ending at end (hard stops only)."""
        i = end
        while i > limit:
            ch = text[i - 1]
            if ch in ")）":
                opening = max(text.rfind("(", limit, i - 1), text.rfind("（", limit, i - 1))
                inner = text[opening + 1 : i - 1] if opening >= 0 else ""
                if opening > limit and 0 < len(inner) <= 8 and all(_HAN.match(c) for c in inner):
                    i = opening
                    continue
                break
            if not (_HAN.match(ch) or (ch.isascii() and ch.isalpha()) or ch == "·"):
                break
            if ch in "年月日号" and i >= 2 and text[i - 2].isdigit():
                break  # 今年2月江阴高新区…: a date is not part of a name
            if ch in self.soft and (i - 1) not in protected:
                break
            if i in stop_ends:
                break
            i -= 1
        return i

    def _start(self, text: str, suffix_start: int, end: int, protected: set[int], stop_ends: set[int]) -> int:
        limit = max(0, end - self.v.max_name_length)
        start = self._walk(text, suffix_start, limit, protected, stop_ends)
        # Cross 和/与/及 when the longer name starts like a proper name.
        while start > limit + 1 and text[start - 1] in self.soft and (start - 1) not in protected:
            left_end = start - 1
            left_start = self._walk(text, left_end, limit, protected, stop_ends)
            left = text[left_start:left_end]
            if (
                left
                and any(left.startswith(p) for p in self.v.proper_starts)
                and not self.suffix_at_end.search(left)
            ):
                start = left_start
            else:
                break
        return start

    # -- names ---------------------------------------------------------------------

    def canonical(self, name: str) -> str:
        if name in self.by_form:
            return self.by_form[name].name
        for short, full in self.v.suffix_aliases.items():
            if name.endswith(short):
                name = name[: len(name) - len(short)] + full
                break
        for form, full in self.expansions:
            if name.startswith(form) and len(name) > len(form):
                return full + name[len(form) :]
        return name

    def kind_of(self, name: str) -> tuple[str, str] | None:
        """(kind, suffix) of a canonical name."""
        known = self.by_name.get(name)
        if known is not None:
            return known.kind, ""
        m = self.suffix_at_end.search(name)
        if m is None:
            return None
        suffix = m.group(0)
        kind = self.v.suffixes[suffix].kind
        if kind == "branch":
            inner = name[: m.start()]
            found = [self.v.suffixes[s.group(0)].kind for s in self.suffix.finditer(inner)]
            found += [k.kind for form, k in self.by_form.items() if form in inner]
            found = [k for k in found if k != "branch"]
            if not found:
                return None  # "太仓分院的工作人员": whose branch is not said
            kind = found[-1]
        return kind, suffix

    def is_generic(self, specific: str) -> bool:
        """True when nothing is left once generic words are removed (离岸孵化, 三级甲等综合)."""
        rest = self.generic.sub("", specific)
        return not any(_HAN.match(c) or c.isalnum() for c in rest)

    def make(self, start: int, end: int, raw_name: str) -> _Candidate | None:
        name = self.canonical(raw_name)
        known = self.by_name.get(name)
        if known is not None:
            return _Candidate(start, end, name, known.kind, known.id)
        found = self.kind_of(name)
        if found is None:
            return None
        kind, suffix = found
        specific = name[: len(name) - len(suffix)]
        minimum = self.v.suffixes[suffix].min_specific or self.v.min_specific_length
        if len(specific) < minimum or self.is_generic(specific):
            return None
        if not _HAN.match(specific[0]) and not specific[0].isascii():
            return None
        return _Candidate(start, end, name, kind, organisation_id(name, suffix))

    # -- scanning ------------------------------------------------------------------

    def scan(self, text: str) -> list[_Candidate]:
        text = fold_digits(remove_stock_quotes(text))
        protected: set[int] = set()
        for m in self.protected.finditer(text):
            protected.update(range(m.start(), m.end()))
        matches = []
        for m in self.suffix.finditer(text):
            after = text[m.end() : m.end() + 4]
            if not any(after.startswith(b) for b in self.v.suffix_blockers.get(m.group(0), ())):
                matches.append(m)
        windows: list[tuple[int, int]] = []
        for m in matches:
            lo = max(0, m.end() - self.v.max_name_length - 8)
            if windows and lo <= windows[-1][1]:
                windows[-1] = (windows[-1][0], m.start())
            else:
                windows.append((lo, m.start()))
        stop_ends = self._stop_ends(text, protected, windows) if matches else set()
        found: list[_Candidate] = []
        for m in matches:
            start = self._start(text, m.start(), m.end(), protected, stop_ends)
            if start >= m.start():
                continue
            cand = self.make(start, m.end(), text[start : m.end()])
            if cand is not None:
                found.append(cand)
        for m in self.standalone.finditer(text):
            known = self.by_form[m.group(0)]
            found.append(_Candidate(m.start(), m.end(), known.name, known.kind, known.id))
        return _resolve_overlaps(found, self.v.parent_kinds)


def _resolve_overlaps(found: list[_Candidate], parent_kinds: frozenset[str]) -> list[_Candidate]:
    """Keep outermost names; a nested name at the same start survives as a parent."""
    found = sorted(found, key=lambda c: (c.start, -c.end))
    out = []
    for c in found:
        container = next((o for o in found if o is not c and o.start <= c.start and c.end <= o.end and (o.start, o.end) != (c.start, c.end)), None)
        if container is None:
            out.append(c)
        elif container.start == c.start and c.kind in parent_kinds and c.name != container.name:
            out.append(c)
    # The same span found twice (suffix and alias): keep one.
    unique, seen = [], set()
    for c in out:
        key = (c.start, c.end)
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return unique


@lru_cache(maxsize=None)
def _matcher() -> _OrganisationMatcher:
    return _OrganisationMatcher(organisation_vocabulary())


@lru_cache(maxsize=8192)
def organisation_id(name: str, suffix: str | None = None) -> str:
    """Stable ASCII id of a canonical name: pinyin of the specific part + suffix slug."""
    v = organisation_vocabulary()
    matcher = _matcher()
    known = matcher.by_name.get(name)
    if known is not None:
        return known.id
    if suffix is None:
        m = matcher.suffix_at_end.search(name)
        suffix = m.group(0) if m else ""
    specific = name[: len(name) - len(suffix)] if suffix else name
    slug = v.suffixes[suffix].slug if suffix in v.suffixes else ""
    head = _pinyin_slug(specific, v.readings)
    if len(head) > 48:
        digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:6]
        head = head[:48].rstrip("-") + "-" + digest
    return "-".join(part for part in (head, slug) if part) or hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]


def _pinyin_slug(text: str, readings: dict[str, str]) -> str:
    from pypinyin import lazy_pinyin  # ~0.2 s to import: only when an organisation is found

    parts: list[str] = []
    for chunk in re.split(r"[()（）·\s]+", text):
        if not chunk:
            continue
        syllables = lazy_pinyin(chunk, errors=lambda s: list(s))
        if len(syllables) == len(chunk):
            syllables = [readings.get(c, s) for c, s in zip(chunk, syllables)]
        word = "".join(syllables).lower().replace("ü", "v")
        word = re.sub(r"[^a-z0-9]+", "", word)
        if word:
            parts.append(word)
    return "-".join(parts)


@lru_cache(maxsize=4096)
def _scan(text: str) -> tuple[_Candidate, ...]:
    """The organisations of one text, in order (cached: annotate asks per sentence)."""
    return tuple(sorted(_matcher().scan(text), key=lambda c: (c.start, c.end)))


def extract_organisations(paragraphs: list[str]) -> list[dict]:
    """[{"id", "name", "kind"}] in order of first appearance, one per canonical name.

    ``paragraphs`` are Simplified. Names are canonical (浙大 → 浙江大学, 中科院 → 中国科学院).
    """
    out: list[dict] = []
    seen_names: set[str] = set()
    used_ids: dict[str, str] = {}
    for text in paragraphs:
        for cand in _scan(text):
            if cand.name in seen_names:
                continue
            seen_names.add(cand.name)
            oid, k = cand.id, 2
            while oid in used_ids and used_ids[oid] != cand.name:
                oid, k = f"{cand.id}-{k}", k + 1
            used_ids[oid] = cand.name
            out.append({"id": oid, "name": cand.name, "kind": cand.kind})
    return out


def organisations_in(sentence: str) -> list[str]:
    """Ids of the organisations named in one Simplified sentence, in order, once each."""
    ids: list[str] = []
    for cand in _scan(sentence):
        if cand.id not in ids:
            ids.append(cand.id)
    return ids
