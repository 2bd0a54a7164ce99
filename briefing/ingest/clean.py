"""Stage 4: character-level cleaning of one block of text.

Whitespace (NBSP, ideographic and em spaces, indentation), full-width digits and Latin
letters, injected stock tickers, aggregator substitutions (蕞 → 最), lost-text artefacts
(removed and reported), and ASCII punctuation typed between Chinese characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefing.ingest.rules import Rules

_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t]+")
_FULLWIDTH_ALNUM = {c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_CJK_PUNCT = "，。：；！？、“”‘’（）《》〈〉【】「」『』…—"
_CJK_CONTEXT = f"[{_CJK}{_CJK_PUNCT}]"
# ASCII punctuation with Chinese on at least one side; digits on both sides stay (11.180, 16:50).
_FULLWIDTH_PUNCT = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_PUNCT_AFTER_CJK = re.compile(rf"(?<={_CJK_CONTEXT})\s*([,:;?!])(?!//)")
_PUNCT_BEFORE_CJK = re.compile(rf"([,:;?!])\s*(?={_CJK_CONTEXT})")
_SPACE_AFTER_FULLWIDTH = re.compile(r"(?<=[，。：；！？、（）“”])[ ]+|[ ]+(?=[，。：；！？、）”])")
_PAREN_GROUP = re.compile(r"\(([^()]{0,60})\)")
_SPACE_BETWEEN_CJK = re.compile(rf"(?<={_CJK_CONTEXT})[ ]+(?={_CJK_CONTEXT})")
_HAS_CJK = re.compile(f"[{_CJK}]")


def normalise_characters(text: str) -> str:
    """Spaces, full-width alphanumerics, zero-width characters."""
    text = text.translate(_FULLWIDTH_ALNUM)
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class LostText:
    """A place where the source lost words: the artefact is removed, the gap reported."""

    artefact: str
    removed: str
    before: str
    after: str

    def describe(self, paragraph: int | None = None) -> str:
        where = f" in paragraph {paragraph}" if paragraph else ""
        return f'{self.artefact}: "{self.removed}" removed{where}: "…{self.before}⟨here⟩{self.after}…"'


def repair_artefacts(text: str, rules: Rules) -> str:
    """Remove artefacts that hide nothing (injected tickers, zero-width characters, 蕞 for 最)."""
    for _name, pattern in rules.repairs:
        text = pattern.sub("", text)
    for sub in rules.substitutions:
        if sub.source in text:
            text = _substitute(text, sub.source, sub.target, sub.exceptions)
    return text


def remove_lost_text_markers(text: str, rules: Rules) -> tuple[str, list[LostText]]:
    """Remove markers of lost words (&&, ???, U+FFFD): no words are guessed, each gap is reported."""
    notes = []
    for name, pattern in rules.lost:
        for match in pattern.finditer(text):
            notes.append(LostText(name, match.group(0), text[max(0, match.start() - 8):match.start()],
                                  text[match.end():match.end() + 8]))
        text = pattern.sub("", text)
    return text, notes


def _substitute(text: str, source: str, target: str, exceptions: tuple[str, ...]) -> str:
    protected = {}
    for i, word in enumerate(exceptions):
        if word in text:
            token = f"\x00{i}\x00"
            protected[token] = word
            text = text.replace(word, token)
    text = text.replace(source, target)
    for token, word in protected.items():
        text = text.replace(token, word)
    return text


def normalise_punctuation(text: str) -> str:
    """ASCII , : ; ? ! ( ) typed in Chinese context → full-width; numbers are left alone."""
    if not _HAS_CJK.search(text):
        return text
    text = _PUNCT_AFTER_CJK.sub(lambda m: _FULLWIDTH_PUNCT[m.group(1)], text)
    text = _PUNCT_BEFORE_CJK.sub(lambda m: _FULLWIDTH_PUNCT[m.group(1)], text)

    def paren(match: re.Match) -> str:
        inner = match.group(1)
        start, end = match.span()
        outside = text[start - 1:start] + text[end:end + 1]
        if _HAS_CJK.search(inner) or _HAS_CJK.search(outside):
            return f"（{inner.strip()}）"
        return match.group(0)

    return _SPACE_AFTER_FULLWIDTH.sub("", _PAREN_GROUP.sub(paren, text))


def tighten_prose(text: str) -> str:
    """Drop spaces between Chinese characters inside running prose (artefacts of layout)."""
    return _SPACE_BETWEEN_CJK.sub("", text)


def clean_text(text: str, rules: Rules) -> tuple[str, list[LostText]]:
    text = repair_artefacts(normalise_characters(text), rules)
    text = normalise_punctuation(text)
    text, notes = remove_lost_text_markers(text, rules)
    return re.sub(r" {2,}", " ", text).strip(), notes
