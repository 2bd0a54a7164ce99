"""A multi-pattern matcher (pyahocorasick) tuned for Chinese text, leftmost-longest.

pyahocorasick keeps a node's children in a list searched linearly; over Chinese the root has
thousands of children (one per first character of a pattern) and matching crawls (≈0.3 µs a
character with the region vocabulary). Patterns and texts are therefore fed to it as their
UTF-16 code units, one character per byte (``utf-16-be`` decoded as ``latin-1``): no node has
more than 256 children and a 3,000-character article is scanned in ≈0.2 ms instead of 0.8 ms.
Matches that do not start on a character boundary are dropped; characters outside the BMP are
replaced one for one, so offsets into the original text stay exact.

pyahocorasick's own ``iter_long`` misses matches after a failed longer attempt, so the
leftmost-longest selection is done here over all matches.
"""

from __future__ import annotations

import re
from typing import Generic, TypeVar

import ahocorasick

V = TypeVar("V")

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _units(text: str) -> str:
    if _ASTRAL.search(text):
        text = _ASTRAL.sub("\ufffd", text)
    return text.encode("utf-16-be").decode("latin-1")


class Automaton(Generic[V]):
    """Patterns with values; find leftmost-longest non-overlapping occurrences."""

    def __init__(self) -> None:
        self._automaton = ahocorasick.Automaton()
        self._size = 0

    def add(self, pattern: str, value: V) -> None:
        if pattern:
            self._automaton.add_word(_units(pattern), (len(pattern), value))
            self._size += 1

    def build(self) -> "Automaton[V]":
        if self._size:
            self._automaton.make_automaton()
        return self

    def all_matches(self, text: str) -> list[tuple[int, int, V]]:
        """Every occurrence as (start, end, value), overlapping ones included, unsorted."""
        if not self._size or not text:
            return []
        out = []
        for end, (length, value) in self._automaton.iter(_units(text)):
            end += 1
            if end % 2 == 0:  # starts on a character boundary
                end //= 2
                out.append((end - length, end, value))
        return out

    def longest(self, text: str, skip_whole: bool = False) -> list[tuple[int, int, V]]:
        """Leftmost-longest non-overlapping occurrences in order (``skip_whole``: ignore a
        match covering the whole text, to look inside a pattern)."""
        matches = self.all_matches(text)
        if skip_whole:
            matches = [m for m in matches if not (m[0] == 0 and m[1] == len(text))]
        return leftmost_longest(matches)


def leftmost_longest(matches: list[tuple[int, int, V]]) -> list[tuple[int, int, V]]:
    """Select non-overlapping (start, end, value) matches: leftmost first, then longest."""
    matches = sorted(matches, key=lambda m: (m[0], m[0] - m[1]))
    out: list[tuple[int, int, V]] = []
    position = 0
    for match in matches:
        if match[0] >= position:
            out.append(match)
            position = match[1]
    return out
