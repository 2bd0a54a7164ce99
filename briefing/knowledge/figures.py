"""Key figures: numbers with a unit, normalised, with the sentence they come from.

Only figures with a unit of ``data/units.yaml`` count (money, counts of organisations,
people and items, areas, lengths, power, voltage, percentages): dates, ordinals (第二届,
前30位), list numbers (6+2+X), codes (G60) and phone numbers have none. Stock quotes that
scraped pages splice into company names ("大族机器人(11.180, 0.06, 0.54%)") are masked.

``12亿元`` → 1.2e9 CNY; ``20余万名`` → 200000 people (approx); ``近9900亿元`` → 9.9e11 CNY
(approx); ``1.9万亿元`` → 1.9e12 CNY; ``千余家次`` → 1000 organisation-visits (approx).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path


from briefing.datafile import read_yaml_mapping
from briefing.errors import BriefingError
from briefing.knowledge.dates import first_char_guard, fold_digits, sentence_spans

DATA_FILE = Path(__file__).with_name("data") / "units.yaml"

Annotate = Callable[[str], dict[str, list[str]]]

# "(11.180, 0.06, 0.54%)": a quote (price, change, change %) after a listed company.
STOCK_QUOTE = re.compile(
    r"[(（]\s*-?\d+(?:\.\d+)?\s*[,，]\s*[-+]?\d+(?:\.\d+)?\s*[,，]\s*[-+]?\d+(?:\.\d+)?\s*[%％]\s*[)）]"
)


def mask_stock_quotes(text: str) -> str:
    """Stock quotes replaced by spaces (offsets kept)."""
    return STOCK_QUOTE.sub(lambda m: " " * len(m.group(0)), text)


def remove_stock_quotes(text: str) -> str:
    """Stock quotes removed (for name extraction: 城建发展(4.960, …)集团 → 城建发展集团)."""
    return STOCK_QUOTE.sub("", text)


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int:
    """一千 → 1000, 千 → 1000, 两万 → 20000, 三百五十 → 350, 万亿 → 10**12."""
    total = section = number = 0
    for ch in text:
        if ch in _CN_DIGITS:
            number = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (number or 1) * _CN_SMALL[ch]
            number = 0
        elif ch == "万":
            total += ((section + number) or 1) * 10**4
            section = number = 0
        elif ch == "亿":
            total = ((total + section + number) or 1) * 10**8
            section = number = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + section + number


@dataclass(frozen=True)
class UnitTable:
    multipliers: dict[str, int]
    units: dict[str, str]
    unit_blockers: dict[str, tuple[str, ...]]
    ordinal_before: tuple[str, ...]
    approx_before: tuple[str, ...]
    approx_after: tuple[str, ...]


def _words(raw: dict, key: str, path: Path) -> tuple[str, ...]:
    value = raw.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise BriefingError(path, f"{key}: expected a list of strings")
    return tuple(value)


@lru_cache(maxsize=None)
def unit_table(path: Path = DATA_FILE) -> UnitTable:
    """The unit vocabulary, validated (errors name the file and the entry)."""
    raw = read_yaml_mapping(path)
    multipliers = raw.get("multipliers")
    if not isinstance(multipliers, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and v > 1 for k, v in multipliers.items()
    ):
        raise BriefingError(path, "multipliers: expected word: integer > 1")
    units = raw.get("units")
    if not isinstance(units, dict) or not units:
        raise BriefingError(path, "units: expected a mapping of unit: normalised unit")
    for unit, norm in units.items():
        if not isinstance(unit, str) or not unit or not isinstance(norm, str) or not norm:
            raise BriefingError(path, f"units: bad entry {unit!r}: {norm!r}")
    blockers = raw.get("unit_blockers") or {}
    if not isinstance(blockers, dict):
        raise BriefingError(path, "unit_blockers: expected a mapping of unit: [words]")
    for unit, words in blockers.items():
        if unit not in units:
            raise BriefingError(path, f"unit_blockers: {unit!r} is not a unit")
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise BriefingError(path, f"unit_blockers: {unit}: expected a list of strings")
    return UnitTable(
        multipliers=dict(multipliers),
        units=dict(units),
        unit_blockers={k: tuple(v) for k, v in blockers.items()},
        ordinal_before=_words(raw, "ordinal_before", path),
        approx_before=_words(raw, "approx_before", path),
        approx_after=_words(raw, "approx_after", path),
    )


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=lambda s: (-len(s), s)))


class _FigureMatcher:
    def __init__(self, table: UnitTable):
        self.table = table
        mult = _alt(table.multipliers)
        approx_after = _alt(table.approx_after)
        inner = "余|多"
        starts = set("0123456789零〇一二两三四五六七八九十百千万亿") | {w[0] for w in table.approx_before}
        self.pattern = first_char_guard(
            rf"(?P<pre>{_alt(table.approx_before)})?"
            r"(?:"
            rf"(?P<num>(?<![\dA-Za-z.\-+/#])\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?(?![\d,])|(?<![\dA-Za-z.\-+/#])\d+(?:\.\d+)?)"
            rf"(?P<a1>{inner})?(?P<mult>{mult})?(?P<a2>{inner})?"
            r"|"
            r"(?P<cn>(?<![零〇一二两三四五六七八九十百千万亿])[零〇一二两三四五六七八九十百千万亿]*[十百千万亿][零〇一二两三四五六七八九十百千万亿]*)"
            rf"(?P<a3>{inner})?"
            r")"
            rf"(?P<unit>{_alt(table.units)})"
            rf"(?P<post>{approx_after})?",
            starts,
        )

    def find(self, text: str):
        t = self.table
        for m in self.pattern.finditer(text):
            unit = m["unit"]
            after = text[m.end("unit") : m.end("unit") + 3]
            if any(after.startswith(b) for b in t.unit_blockers.get(unit, ())):
                continue
            if unit.isascii() and unit[-1].isalpha() and after[:1].isascii() and after[:1].isalpha():
                continue  # 10V in "10Vxx" is not a unit
            number_start = m.start("num") if m["num"] else m.start("cn")
            before = text[max(0, number_start - 3) : number_start]
            if m["pre"] is None and any(before.endswith(w) for w in t.ordinal_before):
                continue
            if m["pre"] is not None and m["pre"] in t.ordinal_before:
                continue
            if m["num"]:
                value = Decimal(m["num"].replace(",", ""))
                if m["mult"]:
                    value *= t.multipliers[m["mult"]]
                approx = bool(m["a1"] or m["a2"])
            else:
                cn = m["cn"]
                if cn in t.multipliers and m["pre"] is None and not m["a3"]:
                    # 万人 / 亿元 alone ("千家万户"): a word, not a figure.
                    continue
                try:
                    value = Decimal(chinese_number(cn))
                except ValueError:
                    continue
                approx = bool(m["a3"])
            approx = approx or bool(m["pre"]) or bool(m["post"])
            start = m.start("num") if m["num"] else m.start("cn")
            yield start, m.end("unit"), value, t.units[unit], approx


@lru_cache(maxsize=None)
def _matcher() -> _FigureMatcher:
    return _FigureMatcher(unit_table())


def find_figures(text: str) -> list[tuple[int, int, float, str, bool]]:
    """(start, end, value, unit, approx) of every key figure in a Simplified text."""
    text = mask_stock_quotes(fold_digits(text))
    return [(s, e, float(v), u, a) for s, e, v, u, a in _matcher().find(text)]


def extract_figures(paragraphs: list[tuple[str, str]], annotate: Annotate) -> list[dict]:
    """Figures as in docs/content-format.md ``figures``, in text order.

    ``text`` is the figure as written (Simplified, qualifiers such as 约/超过 left out
    and recorded in ``approx``); ``sentence`` the original-script sentence; ``regions``
    those ``annotate`` finds in that sentence.
    """
    out: list[dict] = []
    cache: dict[str, list[str]] = {}
    for number, (original, simplified) in enumerate(paragraphs, start=1):
        text = fold_digits(simplified)
        figures = find_figures(text)
        if not figures:
            continue
        spans = sentence_spans(text)
        same_length = len(original) == len(simplified)
        original_spans = None if same_length else sentence_spans(original)
        for start, end, value, unit, approx in figures:
            index = next((k for k, (a, b) in enumerate(spans) if a <= start < b), None)
            if index is None:
                continue
            a, b = spans[index]
            if same_length:
                sentence = original[a:b]
            elif original_spans is not None and len(original_spans) == len(spans):
                sentence = original[original_spans[index][0] : original_spans[index][1]]
            else:
                sentence = simplified[a:b]
            clause = text[a:b]
            if clause not in cache:
                cache[clause] = list((annotate(clause) or {}).get("regions", []))
            out.append(
                {
                    "text": text[start:end],
                    "value": value,
                    "unit": unit,
                    "approx": approx,
                    "paragraph": number,
                    "sentence": sentence,
                    "regions": list(cache[clause]),
                }
            )
    return out
