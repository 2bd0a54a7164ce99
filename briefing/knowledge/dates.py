"""Dates: printed publication dates, date expressions in prose, and the article date
inferred from the prose when nothing is printed.

Everything here works on Simplified text (the folding used for matching); full-width
digits and separators are folded to ASCII one character for one, so offsets into the
scanned text are offsets into the caller's text. The vocabulary (relative years, parts of
a month or a year, cues of ranges, starts, cut-offs and plans) is data:
``data/date_words.yaml``.

Three layers:

* :func:`parse_article_date` reads a printed date/time ("2021-06-02 16:50",
  "2024 10/31 16:35:15", "2021年7月28日 13:39", "2022-03-09 15:27:08 +0800", "2021/7/28").
* :func:`find_date_mentions` finds every date expression of a paragraph (X月X日, X月,
  X年X月, 今年/去年/前年/明年, 上旬/中旬/下旬, 年初/年底, ranges, 自…起, 截至…, 十四五末)
  with the cues around it, and :func:`resolve_mention` resolves one against the article
  date (a bare "12月29日" in a January article is last December).
* :func:`infer_article_date` infers the article's year (and month) from those mentions.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


from briefing.datafile import read_yaml_mapping
from briefing.errors import BriefingError
from briefing.text.sentences import sentence_spans

DATA_FILE = Path(__file__).with_name("data") / "date_words.yaml"

# Full-width digits and separators -> ASCII, one character for one (offsets survive).
_FULL_WIDTH = str.maketrans("０１２３４５６７８９％－～／．＋", "0123456789%-~/.+")


_HAS_FULL_WIDTH = re.compile("[０-９％－～／．＋]")


_CN_DIGIT = {"〇": "0", "○": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
             "六": "6", "七": "7", "八": "8", "九": "9"}
_CN = "〇○零一二三四五六七八九"
_CN_YEAR = re.compile(f"[{_CN}]{{4}}(?=年)")
_CN_MONTH = re.compile(f"(?:(?<=年)|(?<=[{_CN}]年))(十[一二]?|[一二三四五六七八九])(?=月)|(十[一二]?|[一二三四五六七八九])(?=月(?:[{_CN}十]+|\\d+)日)")
_CN_DAY = re.compile("(?:(?<=月)|(?<=[（(]))(三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])(?=日)")
_HAS_CN_DATE = re.compile(f"[{_CN}十][年月日]")


def _cn_number(numeral: str) -> str:
    """一 → 1, 十二 → 12, 二十 → 20, 二十一 → 21, 十 → 10."""
    if "十" not in numeral:
        return "".join(_CN_DIGIT[c] for c in numeral)
    tens, _, units = numeral.partition("十")
    return str(int(_CN_DIGIT.get(tens, "1")) * 10 + int(_CN_DIGIT.get(units, "0") if units else 0))


def chinese_numeral_dates(text: str, keep_length: bool = True) -> str:
    """Dates written in Chinese numerals (二○二四年三月二十一日) in Arabic digits.

    With keep_length, only conversions that keep every offset are made (years, 一–九月,
    十一/十二月, and days whose numeral has as many characters as its digits): callers that map
    positions back to the original text need that. Without it, every date is converted."""
    if not _HAS_CN_DATE.search(text):
        return text

    def convert(match: re.Match) -> str:
        numeral = match.group(0)
        digits = _cn_number(numeral) if "十" in numeral else "".join(_CN_DIGIT[c] for c in numeral)
        return digits if not keep_length or len(digits) == len(numeral) else numeral

    for pattern in (_CN_YEAR, _CN_MONTH, _CN_DAY):
        text = pattern.sub(convert, text)
    return text


def fold_digits(text: str) -> str:
    """Full-width digits and separators to ASCII, Chinese-numeral dates to digits where the
    length allows; the length never changes."""
    if _HAS_FULL_WIDTH.search(text):
        text = text.translate(_FULL_WIDTH)
    return chinese_numeral_dates(text)


def first_char_guard(alternation: str, starts) -> re.Pattern:
    """Compile ``alternation`` behind a lookahead on the characters a match can start with.

    Python's regex engine scans fast for a leading character set but not for a
    leading alternation with lookbehinds: the guard makes scanning ~10x faster.
    """
    chars = "".join(sorted({re.escape(c) for c in starts}))
    return re.compile(rf"(?=[{chars}])(?:{alternation})")


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"bad month {self.month}")
        if self.day is not None:
            _dt.date(self.year, self.month, self.day)  # raises on 2023-02-30

    @property
    def precision(self) -> str:
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        return "year"

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def earliest(self) -> _dt.date:
        return _dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> _dt.date:
        if self.month is None:
            return _dt.date(self.year, 12, 31)
        if self.day is None:
            return _last_day(self.year, self.month)
        return _dt.date(self.year, self.month, self.day)

    def __str__(self) -> str:
        return self.iso()


def _last_day(year: int, month: int) -> _dt.date:
    nxt = _dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - _dt.timedelta(days=1)


def _valid(year: int, month: int | None = None, day: int | None = None) -> PartialDate | None:
    try:
        return PartialDate(year, month, day)
    except ValueError:
        return None


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class DateWords:
    relative_years: dict[str, int]
    relative_year_blockers: frozenset[str]
    same_year_words: dict[str, bool]
    month_parts: dict[str, str]
    year_parts: dict[str, str]
    year_part_suffixes: dict[str, str]
    part_start_month: dict[str, int]
    bare_year_part_blockers: frozenset[str]
    range_separators: tuple[str, ...]
    start_before: tuple[str, ...]
    start_after: tuple[str, ...]
    start_after_blockers: tuple[str, ...]
    cutoff_before: tuple[str, ...]
    planning_cues: tuple[str, ...]
    planning_cue_blockers: tuple[str, ...]
    planning_before: tuple[str, ...]
    planning_after: tuple[str, ...]
    planning_after_blockers: tuple[str, ...]
    comparison_before: tuple[str, ...]
    comparison_after: tuple[str, ...]
    completed_year_markers: tuple[str, ...]
    completed_year_figure: re.Pattern
    five_year_plans: dict[str, tuple[int, int]]
    five_year_plan_parts: dict[str, str]


def _strings(raw: dict, key: str, path: Path) -> tuple[str, ...]:
    value = raw.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise BriefingError(path, f"{key}: expected a non-empty list of strings")
    if len(set(value)) != len(value):
        dup = sorted({v for v in value if value.count(v) > 1})
        raise BriefingError(path, f"{key}: duplicate entries {dup}")
    return tuple(sorted(value, key=lambda s: (-len(s), s)))


def _pattern(raw: dict, key: str, path: Path) -> re.Pattern:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise BriefingError(path, f"{key}: expected a regular expression")
    try:
        return re.compile(value)
    except re.error as exc:
        raise BriefingError(path, f"{key}: invalid regular expression: {exc}") from None


def _mapping(raw: dict, key: str, path: Path, kind: type) -> dict:
    value = raw.get(key)
    if not isinstance(value, dict) or not value:
        raise BriefingError(path, f"{key}: expected a non-empty mapping")
    for k, v in value.items():
        if not isinstance(k, str) or not k or not isinstance(v, kind) or (isinstance(v, bool) and kind is not bool):
            raise BriefingError(path, f"{key}: bad entry {k!r}: {v!r}")
    return dict(value)


@lru_cache(maxsize=None)
def date_words(path: Path = DATA_FILE) -> DateWords:
    """The date vocabulary, validated (errors name the file and the entry)."""
    raw = read_yaml_mapping(path)
    plans = _mapping(raw, "five_year_plans", path, list)
    for name, span in plans.items():
        if len(span) != 2 or not all(isinstance(y, int) for y in span) or span[0] > span[1]:
            raise BriefingError(path, f"five_year_plans: {name}: expected [first year, last year]")
    part_start = _mapping(raw, "part_start_month", path, int)
    month_parts = _mapping(raw, "month_parts", path, str)
    year_parts = _mapping(raw, "year_parts", path, str)
    suffixes = _mapping(raw, "year_part_suffixes", path, str)
    for table, name in ((month_parts, "month_parts"), (year_parts, "year_parts"), (suffixes, "year_part_suffixes")):
        for word, part in table.items():
            if part not in part_start:
                raise BriefingError(path, f"{name}: {word}: part {part!r} missing from part_start_month")
    return DateWords(
        relative_years=_mapping(raw, "relative_years", path, int),
        relative_year_blockers=frozenset(_strings(raw, "relative_year_blockers", path)),
        same_year_words=_mapping(raw, "same_year_words", path, bool),
        month_parts=month_parts,
        year_parts=year_parts,
        year_part_suffixes=suffixes,
        part_start_month=part_start,
        bare_year_part_blockers=frozenset(_strings(raw, "bare_year_part_blockers", path)),
        range_separators=_strings(raw, "range_separators", path),
        start_before=_strings(raw, "start_before", path),
        start_after=_strings(raw, "start_after", path),
        start_after_blockers=_strings(raw, "start_after_blockers", path),
        cutoff_before=_strings(raw, "cutoff_before", path),
        planning_cues=_strings(raw, "planning_cues", path),
        planning_cue_blockers=_strings(raw, "planning_cue_blockers", path),
        planning_before=_strings(raw, "planning_before", path),
        planning_after=_strings(raw, "planning_after", path),
        planning_after_blockers=_strings(raw, "planning_after_blockers", path),
        comparison_before=_strings(raw, "comparison_before", path),
        comparison_after=_strings(raw, "comparison_after", path),
        completed_year_markers=_strings(raw, "completed_year_markers", path),
        completed_year_figure=_pattern(raw, "completed_year_figure", path),
        five_year_plans={k: (v[0], v[1]) for k, v in plans.items()},
        five_year_plan_parts=_mapping(raw, "five_year_plan_parts", path, str),
    )


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=lambda s: (-len(s), s)))


# --------------------------------------------------------------------------- printed dates

_TIME = r"(?:[T\s]*(?P<hh>[01]?\d|2[0-3]):(?P<mi>[0-5]\d)(?::(?P<ss>[0-5]\d))?)?"
_ZONE = r"(?:\s*(?P<tz>(?:UTC|GMT)?[+-](?:0\d|1[0-4]):?[0-5]\d|Z\b))?"
_PRINTED = [
    # 2021-06-02, 2021/7/28, 2021.7.28, 2021年7月28日
    re.compile(
        r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>1[0-2]|0?[1-9])\s*(?:[-/.]|月)\s*"
        r"(?P<d>3[01]|[12]\d|0?[1-9])(?!\d)\s*[日号]?" + _TIME + _ZONE
    ),
    # 2024 10/31 16:35:15
    re.compile(
        r"(?<!\d)(?P<y>(?:19|20)\d{2})\s+(?P<m>1[0-2]|0?[1-9])/(?P<d>3[01]|[12]\d|0?[1-9])(?!\d)" + _TIME + _ZONE
    ),
]


@dataclass(frozen=True)
class PrintedDate:
    """A publication date as printed: the date, the time and the UTC offset if stated."""

    date: PartialDate
    time: str | None
    timezone: str | None


def find_printed_date(text: str) -> PrintedDate | None:
    """The first printed date (with time and offset) in a byline, footer or header line."""
    text = chinese_numeral_dates(fold_digits(text), keep_length=False)
    best = None
    for pattern in _PRINTED:
        for match in pattern.finditer(text):
            date = _valid(int(match["y"]), int(match["m"]), int(match["d"]))
            if date is None:
                continue
            if best is None or match.start() < best[0]:
                best = (match.start(), match, date)
            break
    if best is None:
        return None
    _, match, date = best
    time = None
    if match["hh"] is not None:
        time = f"{int(match['hh']):02d}:{match['mi']}"
        if match["ss"] is not None:
            time += f":{match['ss']}"
    zone = None
    if match["tz"]:
        raw = re.sub(r"^(?:UTC|GMT)", "", match["tz"])
        if raw == "Z":
            zone = "+00:00"
        else:
            digits = raw[1:].replace(":", "")
            zone = f"{raw[0]}{digits[:2]}:{digits[2:]}"
    return PrintedDate(date, time, zone)


def parse_article_date(text: str) -> tuple[PartialDate, str | None] | None:
    """A printed publication date and its 'HH:MM[:SS]' time, or None."""
    printed = find_printed_date(text)
    if printed is None:
        return None
    return printed.date, printed.time


# --------------------------------------------------------------------------- mentions


@dataclass(frozen=True)
class DateMention:
    """One date expression in a text, before resolution against the article date.

    Exactly one year source is set: ``year`` (explicit), ``relative`` (今年 = 0, 去年 = -1),
    ``same_year`` (同年) or none (a bare month/day: the article's year). ``end_*`` hold
    the tail of a range, inheriting what it does not state from the start.
    """

    start: int
    end: int
    text: str
    year: int | None = None
    relative: int | None = None
    same_year: bool = False
    month: int | None = None
    day: int | None = None
    part: str | None = None
    end_year: int | None = None
    end_month: int | None = None
    end_day: int | None = None
    kind: str = "point"  # point | range | start | cutoff
    planned_cue: bool = False  # 预计/将/计划/力争 in the clause
    planning_hint: bool = False  # 到…年 / …年前: planned unless already past
    bare_day: bool = False
    plan: bool = False  # a five-year-plan period (十四五末)
    clause_start: int = 0
    clause_end: int = 0

    @property
    def has_year(self) -> bool:
        return self.year is not None or self.relative is not None or self.same_year


@dataclass(frozen=True)
class ResolvedDate:
    start: PartialDate
    end: PartialDate | None
    part: str | None
    kind: str
    planned: bool


class _Scanner:
    """Compiled patterns for one vocabulary."""

    def __init__(self, words: DateWords):
        self.words = words
        sep = _alt(words.range_separators)
        rel = _alt(words.relative_years)
        same = _alt(words.same_year_words)
        ypart = _alt(words.year_parts)
        mpart = _alt(words.month_parts)
        plans = _alt(words.five_year_plans)
        plan_parts = _alt(words.five_year_plan_parts)
        year = r"(?:19|20)\d{2}"
        month = r"(?:1[0-2]|0?[1-9])"
        day = r"(?:3[01]|[12]\d|0?[1-9])"
        starts = set("0123456789“\"‘'")
        for table in (words.relative_years, words.same_year_words, words.year_parts, words.five_year_plans):
            starts.update(w[0] for w in table)
        self.token = first_char_guard(
            "|".join(
                [
                    rf"(?P<yrange>(?<![\d.])(?P<yr1>{year})\s*(?:{sep})\s*(?P<yr2>{year})\s*年(?!代))",
                    rf"(?P<mrange>(?<![\d.\-/])(?P<mr1>{month})\s*(?:{sep})\s*(?P<mr2>{month})\s*月(?!份?\d))",
                    rf"(?P<plan>[“\"‘']?(?P<plan_name>{plans})[”\"’']?(?P<plan_part>{plan_parts}))",
                    rf"(?P<yr>(?<![\d.])(?P<y>{year})\s*年(?!代))",
                    rf"(?P<rel>{rel})",
                    rf"(?P<same>{same})",
                    rf"(?P<md>(?<![\d.\-/])(?P<m>{month})\s*月份?(?:(?P<d>{day})\s*[日号](?!\d))?(?P<mp>{mpart})?)",
                    rf"(?P<ypart>{ypart})",
                    rf"(?P<bday>(?<![\d.\-/])(?P<bd>{day})日)",
                ]
            ),
            starts,
        )
        # The tail of a range, right after a separator.
        self.tail = re.compile(
            rf"\s*(?:{sep})\s*(?:(?P<y>{year})\s*年)?(?:(?P<m>{month})\s*月)?(?:(?P<d>{day})\s*[日号])?"
        )
        self.clause_punct = re.compile(r"[，,；;。！？!?：:]")
        self.cue = re.compile(_alt(words.planning_cues))
        self.cue_blocker = re.compile(_alt(words.planning_cue_blockers))
        self.title = re.compile(r"《[^《》]*》")

    # -- helpers ------------------------------------------------------------

    @staticmethod
    def _ends_with(text: str, end: int, words) -> str | None:
        before = text[max(0, end - 6) : end].rstrip()
        for w in words:
            if before.endswith(w):
                return w
        return None

    @staticmethod
    def _starts_with(text: str, start: int, words) -> str | None:
        after = text[start : start + 6].lstrip()
        for w in words:
            if after.startswith(w):
                return w
        return None

    def _clause(self, text: str, start: int, end: int) -> tuple[int, int]:
        left = 0
        for m in self.clause_punct.finditer(text, 0, start):
            left = m.end()
        nxt = self.clause_punct.search(text, end)
        right = nxt.start() if nxt else len(text)
        return left, right

    def _planning_hint(self, text: str, start: int, end: int) -> bool:
        """到2025年 / 2025年前: planned unless the date is already past."""
        w = self.words
        if self._ends_with(text, start, w.planning_before) and not self._ends_with(text, start, w.cutoff_before):
            return True
        return bool(
            self._starts_with(text, end, w.planning_after)
            and not self._starts_with(text, end, w.planning_after_blockers)
        )

    def _planned(self, text: str, start: int, end: int, clause: tuple[int, int]) -> bool:
        """A planning cue (预计, 将, 计划, 力争 …) in the date's clause."""
        left, right = clause
        rest = (text[left:start] + text[end:right]).strip(" \t“”\"‘’'")
        if len(rest) <= 2 and right < len(text) and text[right] in "，,：:":
            # The date stands alone in its clause ("2025年，将建成…"): read the next one.
            nxt = self.clause_punct.search(text, right + 1)
            right = nxt.start() if nxt else len(text)
        span = text[left:right]
        blocked = {m.start() for m in self.cue_blocker.finditer(span)}
        return any(m.start() not in blocked for m in self.cue.finditer(span))

    # -- scanning -----------------------------------------------------------

    def scan(self, text: str) -> list[DateMention]:
        w = self.words
        text = fold_digits(text)
        # Dates inside a title (《…规划(2020-2025年)》) are part of a name.
        masked = self.title.sub(lambda m: "\u25a1" * len(m.group(0)), text)
        tokens = list(self.token.finditer(masked))
        out: list[DateMention] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            i += 1
            start, end = tok.start(), tok.end()
            fields: dict = {}
            kind_hint = None
            if tok["yrange"]:
                y1, y2 = int(tok["yr1"]), int(tok["yr2"])
                if y2 < y1:
                    continue
                fields = dict(year=y1, end_year=y2)
                kind_hint = "range"
            elif tok["mrange"]:
                m1, m2 = int(tok["mr1"]), int(tok["mr2"])
                if m2 <= m1:
                    continue
                fields = dict(month=m1, end_month=m2)
                kind_hint = "range"
            elif tok["plan"]:
                first, last = w.five_year_plans[tok["plan_name"]]
                part = w.five_year_plan_parts[tok["plan_part"]]
                if part == "end":
                    fields = dict(year=last, part="end")
                elif part == "start":
                    fields = dict(year=first, part="start")
                elif part == "first-year":
                    fields = dict(year=first)
                else:
                    fields = dict(year=first, end_year=last)
                    kind_hint = "range"
                fields["plan"] = True
            elif tok["yr"] or tok["rel"] or tok["same"]:
                if tok["yr"]:
                    fields = dict(year=int(tok["y"]))
                elif tok["rel"]:
                    prev = masked[start - 1 : start]
                    if prev and prev in w.relative_year_blockers:
                        continue
                    fields = dict(relative=w.relative_years[tok["rel"]])
                else:
                    fields = dict(same_year=True)
                # A month/day or a year part right after the year belongs to it.
                if i < len(tokens) and tokens[i].start() == _skip_space(masked, end):
                    nxt = tokens[i]
                    if nxt["md"]:
                        fields.update(_md_fields(nxt, w))
                        end = nxt.end()
                        i += 1
                    elif nxt["mrange"] and int(nxt["mr2"]) > int(nxt["mr1"]):
                        fields.update(month=int(nxt["mr1"]), end_month=int(nxt["mr2"]))
                        kind_hint = "range"
                        end = nxt.end()
                        i += 1
                    elif nxt["ypart"]:
                        fields["part"] = w.year_parts[nxt["ypart"]]
                        end = nxt.end()
                        i += 1
                if tok["same"] and "month" not in fields and w.same_year_words[tok["same"]]:
                    continue  # 当年 alone: "back then"
                if "month" not in fields and "part" not in fields:
                    suffix = masked[end : end + 1]
                    if suffix in w.year_part_suffixes and masked[end + 1 : end + 2] not in ("期", "步", "级", "心", "始", "中"):
                        fields["part"] = w.year_part_suffixes[suffix]
                        end += 1
            elif tok["md"]:
                fields = _md_fields(tok, w)
            elif tok["ypart"]:
                prev = masked[start - 1 : start]
                if prev and (prev in w.bare_year_part_blockers or prev.isdigit() or prev == "年"):
                    continue
                fields = dict(part=w.year_parts[tok["ypart"]])
            elif tok["bday"]:
                prev = masked[start - 1 : start].strip()
                if prev and prev not in "，,。；;：:！？!?“\"（(":
                    continue  # a bare day only opens a clause ("28日，…")
                fields = dict(day=int(tok["bd"]), bare_day=True)
            else:  # pragma: no cover - every alternative is named
                continue

            # The tail of a range: 3月23日—24日, 2020年至2025年, 5月至7月.
            if kind_hint is None and not fields.get("bare_day") and "part" not in fields:
                tail = self.tail.match(masked, end)
                if tail and (tail["y"] or tail["m"] or tail["d"]):
                    ok = _tail_fits(fields, tail)
                    if ok:
                        if tail["y"]:
                            fields["end_year"] = int(tail["y"])
                        if tail["m"]:
                            fields["end_month"] = int(tail["m"])
                        if tail["d"]:
                            fields["end_day"] = int(tail["d"])
                        kind_hint = "range"
                        end = tail.end()
                        while i < len(tokens) and tokens[i].start() < end:
                            i += 1

            # Comparisons (同比去年, 去年同期) are not dated statements.
            if "relative" in fields and (
                self._ends_with(masked, start, w.comparison_before)
                or self._starts_with(masked, end, w.comparison_after)
            ):
                continue

            kind = kind_hint or "point"
            if kind == "point":
                if self._ends_with(masked, start, w.cutoff_before):
                    kind = "cutoff"
                elif (
                    self._starts_with(masked, end, w.start_after)
                    and not self._starts_with(masked, end, w.start_after_blockers)
                ) or self._ends_with(masked, start, w.start_before):
                    kind = "start"
            clause = self._clause(masked, start, end)
            planned = self._planned(masked, start, end, clause)
            hint = self._planning_hint(masked, start, end)
            out.append(
                DateMention(
                    start=start,
                    end=end,
                    text=text[start:end],
                    kind=kind,
                    planned_cue=planned,
                    planning_hint=hint,
                    clause_start=clause[0],
                    clause_end=clause[1],
                    **fields,
                )
            )
        return out


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _md_fields(tok: re.Match, words: DateWords) -> dict:
    fields: dict = {"month": int(tok["m"])}
    if tok["d"]:
        fields["day"] = int(tok["d"])
    if tok["mp"]:
        fields["part"] = words.month_parts[tok["mp"]]
    return fields


def _tail_fits(fields: dict, tail: re.Match) -> bool:
    """A range tail must be at least as fine as needed to continue the start."""
    has_day = "day" in fields
    has_month = "month" in fields
    if tail["y"]:
        # 2020年至2025年 / 2020年10月至2021年3月: same shape on both sides.
        return ("year" in fields) and (bool(tail["m"]) == has_month) and (bool(tail["d"]) == has_day)
    if tail["m"]:
        return has_month and (bool(tail["d"]) == has_day)
    return has_day  # 3月23日—24日


@lru_cache(maxsize=None)
def _scanner() -> _Scanner:
    return _Scanner(date_words())


def find_date_mentions(text: str) -> list[DateMention]:
    """Every date expression in a (Simplified) paragraph, in order, with its cues."""
    return _scanner().scan(text)


# --------------------------------------------------------------------------- resolution


def _part_earliest(date: PartialDate, part: str | None) -> _dt.date:
    """The first day a (date, part) can mean: 今年年底 starts in December."""
    if part is None:
        return date.earliest()
    start = date_words().part_start_month[part]
    if date.month is None:
        return _dt.date(date.year, start, 1)
    if date.day is None:
        return _dt.date(date.year, date.month, {"early": 1, "mid": 11, "late": 21}.get(part, 1))
    return date.earliest()


def is_future(date: PartialDate, part: str | None, article: PartialDate) -> bool:
    """True when every day the date can mean lies after every day the article can mean."""
    return _part_earliest(date, part) > article.latest()


def resolve_mention(
    mention: DateMention,
    article: PartialDate | None,
    previous_year: int | None = None,
    carried_year: int | None = None,
) -> ResolvedDate | None:
    """The date a mention means, given the article date.

    * An explicit year stands; 今年/去年/… count from the article's year; 同年 takes the
      previous date's year in the paragraph (``previous_year``).
    * A bare month/day takes ``carried_year`` (a year stated earlier in the same
      paragraph for an earlier month) or else the article's year; when that would put
      a statement without a planning cue after the article date, the previous year
      (a December event in a January article). A bare day takes the article's month
      (and rolls back a month the same way).
    * ``planned`` is the planning cue, or a date wholly after the article date.
    Returns None when the mention cannot be anchored (no article date for 今年…).
    """
    m = mention
    month, day = m.month, m.day
    rolled = False
    if m.year is not None:
        year = m.year
    elif m.relative is not None:
        if article is None:
            return None
        year = article.year + m.relative
    elif m.same_year:
        if previous_year is None:
            return None
        year = previous_year
    elif m.bare_day:
        if article is None or article.month is None:
            return None
        year, month = article.year, article.month
        probe = _valid(year, month, day)
        if probe is None or (not (m.planned_cue or m.planning_hint) and is_future(probe, None, article)):
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
            rolled = True
    elif carried_year is not None:
        year = carried_year
    else:
        if article is None:
            return None
        year = article.year
        probe = _valid(year, month, day if month else None)
        if probe is not None and not (m.planned_cue or m.planning_hint) and is_future(probe, m.part, article):
            year -= 1
            rolled = True
    start = _valid(year, month, day if month else None)
    if start is None:
        return None
    end = None
    if m.kind == "range":
        end_year = m.end_year if m.end_year is not None else year
        end_month = m.end_month if m.end_month is not None else (month if m.end_day is not None else None)
        end_day = m.end_day
        if m.end_year is None and end_month is not None and month is not None and end_month < month:
            end_year += 1  # 12月30日至1月2日
        end = _valid(end_year, end_month, end_day)
    kind = m.kind
    if kind == "range" and (end is None or end.earliest() < start.earliest()):
        end, kind = None, "point"  # an impossible tail: keep the start
    planned = m.planned_cue
    if not planned and article is not None and not rolled:
        past = (end or start).latest() < article.earliest()
        planned = is_future(start, m.part, article) or (m.planning_hint and not past)
    elif not planned and article is None:
        planned = m.planning_hint
    return ResolvedDate(start=start, end=end, part=m.part, kind=kind, planned=planned)


def carry_years(mentions: list[DateMention]) -> list[int | None]:
    """For each mention, the year a bare month inherits from earlier in the paragraph.

    Chinese reports state the year once ("2019年5月，…。6月，…"): a bare month takes the
    year of the latest earlier mention with an explicit year and a month no later than
    its own (a later bare month after "去年11月" is not last year's).
    """
    out: list[int | None] = []
    context: tuple[int, int] | None = None  # (year, month) of the last explicit year+month
    for m in mentions:
        carried = None
        if not m.has_year and m.month is not None and not m.bare_day and context is not None:
            if m.month >= context[1]:
                carried = context[0]
        out.append(carried)
        if m.year is not None and m.month is not None:
            context = (m.year, m.month)
        elif m.has_year:
            context = None
    return out


# --------------------------------------------------------------------------- inference


def infer_article_date(paragraphs: list[str]) -> PartialDate | None:
    """The article's year (and month) inferred from its prose; never day precision.

    The rule, on the date mentions of the text (ranges, titles and comparisons aside):

    1. Lower bound: every explicit year stated without a planning cue is not after the
       article (it is reported as happening or having happened): year >= Y. A year-only
       statement with a completed-year marker in its sentence (全年, 年度, 年底: "2022年，
       …全年对接客商40余个") or a 截至Y年底 is a past year: year >= Y + 1.
    2. Upper bound: an explicit year with a planning cue in its clause (预计2025年,
       力争到2025年, 力争到十四五末) is not before the article: year <= Y. (A bare
       到2025年 is no bound: "到2020年底，已建成…" reports a result.)
    3. Anchors: 今年/去年/前年 stated in the same sentence as exactly one explicit
       year-only statement, with no other relative year there, anchor it (a sentence
       with 去年6月 and "2020年…洽谈会" says the article is of 2021). The most anchored
       year within the bounds wins; without anchors, the lower bound.
    4. Month: the latest month of a past statement in the inferred year (今年X月, a bare
       X月, Y年X月 with Y the inferred year). Without one: year precision.
    Returns None when no explicit year is stated.
    """
    words = date_words()
    scanner = _scanner()
    lower: int | None = None
    upper: int | None = None
    anchors: dict[int, int] = {}
    per_paragraph: list[tuple[str, list[DateMention]]] = []
    for paragraph in paragraphs:
        text = fold_digits(paragraph)
        mentions = scanner.scan(text)
        per_paragraph.append((text, mentions))
        for (s0, s1), group in _by_sentence(text, mentions):
            explicit_year_only = []
            relatives = set()
            for m in group:
                if m.relative is not None:
                    relatives.add(m.relative)
                if m.year is None:
                    continue
                if m.planned_cue:
                    upper = m.year if upper is None else min(upper, m.year)
                    continue
                if m.kind == "range" or m.plan:
                    continue
                bound = m.year
                if m.month is None:
                    rest = text[s0 : m.start] + text[m.end : s1]
                    completed = (
                        m.part == "end"
                        or text[m.end : m.end + 1] == "度"
                        or any(k in rest for k in words.completed_year_markers)
                        or (text[m.end:m.end + 1] in "，," and words.completed_year_figure.search(rest))
                    )
                    if completed:
                        bound = m.year + 1
                    if m.part is None:
                        explicit_year_only.append(m.year)
                lower = bound if lower is None else max(lower, bound)
            if len(set(explicit_year_only)) == 1 and len(relatives) == 1:
                (rel,) = relatives
                if rel < 0:
                    anchored = explicit_year_only[0] - rel
                    anchors[anchored] = anchors.get(anchored, 0) + 1
    if lower is None:
        return None
    year = lower
    fitting = {y: n for y, n in anchors.items() if y >= lower and (upper is None or y <= upper)}
    if fitting:
        year = min(fitting, key=lambda y: (-fitting[y], y))
    month = None
    for text, mentions in per_paragraph:
        carried = carry_years(mentions)
        for m, carry in zip(mentions, carried):
            if m.planned_cue or m.month is None or m.plan:
                continue
            in_year = (
                m.year == year
                or m.relative == 0
                or (not m.has_year and not m.bare_day and (carry is None or carry == year))
            )
            if in_year:
                latest = m.end_month if m.end_month is not None and m.end_year is None else m.month
                month = latest if month is None else max(month, latest)
    return PartialDate(year, month)





def _by_sentence(text: str, mentions: list[DateMention]):
    spans = sentence_spans(text)
    for span in spans:
        group = [m for m in mentions if span[0] <= m.start < span[1]]
        if group:
            yield span, group
