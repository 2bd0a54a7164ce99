"""A text in both scripts of the site, converted at most once.

A text written in one script (an article's title in its original script, a Simplified
name from the knowledge layer) is kept exactly as written for its own variant and is
converted once, lazily, for the other: never round-tripped through two conversions.
"""

from __future__ import annotations

from functools import lru_cache

from briefing.site.urls import HANS, HANT
from briefing.text.script import SIMPLIFIED, TRADITIONAL, to_simplified, to_traditional


@lru_cache(maxsize=200_000)
def _to_hant(text: str) -> str:
    return to_traditional(text)


@lru_cache(maxsize=200_000)
def _to_hans(text: str) -> str:
    return to_simplified(text)


class Bi:
    """``bi[variant]`` is the text for that variant ("hans" / "hant")."""

    __slots__ = ("_hans", "_hant", "_key")

    def __init__(self, hans: str | None, hant: str | None):
        self._hans = hans
        self._hant = hant
        self._key = (hans, hant)   # what it was made from: the texts follow from it

    @classmethod
    def written(cls, text: str, script: str) -> "Bi":
        """A text as written in ``script`` (zh-Hans / zh-Hant); one object per process for
        each (the same role, figure or sentence recurs across articles: at 2,000 articles
        21,044 texts were 9,196 distinct, each restored from the saved state by every edit)."""
        key = (text, None) if script != TRADITIONAL else (None, text)
        found = _WRITTEN.get(key)
        if found is None:
            if len(_WRITTEN) >= WRITTEN_KEPT:
                _WRITTEN.clear()
            found = _WRITTEN[key] = cls(*key)
        return found

    @classmethod
    def pair(cls, hans: str, hant: str | None) -> "Bi":
        """A vocabulary name given in both scripts (the Traditional one may be missing)."""
        return cls(hans, hant or None)

    def __getitem__(self, variant: str) -> str:
        if variant == HANT:
            if self._hant is None:
                self._hant = _to_hant(self._hans)
            return self._hant
        if self._hans is None:
            self._hans = _to_hans(self._hant)
        return self._hans

    def __reduce__(self):   # what it was made from (the other script is converted again when asked)
        return Bi, self._key

    def __repr__(self) -> str:  # stable, used in fingerprints; never converts
        return f"Bi{self._key!r}"

    def __eq__(self, other) -> bool:
        return isinstance(other, Bi) and (self._key == other._key or
                                          (self[HANS] == other[HANS] and self[HANT] == other[HANT]))

    def __hash__(self) -> int:
        return hash(self[HANS])


_WRITTEN: dict[tuple, Bi] = {}   # the texts made by Bi.written (immutable but for the conversion each caches)
WRITTEN_KEPT = 500_000


def ui(text: str, variant: str) -> str:
    """A Simplified UI string for a variant."""
    return _to_hant(text) if variant == HANT else text


def convert_for(text: str, written_in: str, variant: str) -> str:
    """Text written in ``written_in`` shown in ``variant``: unchanged in its own script."""
    own = HANT if written_in == TRADITIONAL else HANS
    if own == variant:
        return text
    return _to_hant(text) if variant == HANT else _to_hans(text)


def convert_once(text: str, written_in: str, variant: str) -> str:
    """``convert_for`` without the memo: for long texts shown once (an article body's
    blocks), which would only fill the memory of a big build."""
    own = HANT if written_in == TRADITIONAL else HANS
    if own == variant:
        return text
    return to_traditional(text) if variant == HANT else to_simplified(text)


SCRIPT_OF_VARIANT = {HANS: SIMPLIFIED, HANT: TRADITIONAL}
