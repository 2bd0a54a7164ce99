"""Simplified/Traditional script: detection, folding for matching, conversion for display.

OpenCC does phrase-level conversion in its C++ core (well under 1 ms an article). The
`hk2s` table is used for folding because it also knows Hong Kong variants (衞, 綫, 着)
that plain `t2s` leaves alone. Display conversion uses OpenCC's standard `s2t`.
"""

from __future__ import annotations

from functools import lru_cache

import opencc

SIMPLIFIED = "zh-Hans"
TRADITIONAL = "zh-Hant"


@lru_cache(maxsize=None)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Fold any Chinese text to Simplified (the form every matcher works on)."""
    return _converter("hk2s").convert(text) if text else text


def fold_many(texts: list[str]) -> list[str]:
    """Fold many short texts in one OpenCC call (a call costs more than the characters in it)."""
    if not texts:
        return []
    joined = "\n".join(t.replace("\n", " ") for t in texts)
    folded = to_simplified(joined).split("\n")
    if len(folded) != len(texts):  # never expected: conversion keeps line breaks
        return [to_simplified(t) for t in texts]
    return folded


def to_traditional(text: str) -> str:
    """Convert Simplified text to standard Traditional for the Traditional site."""
    return _converter("s2t").convert(text) if text else text


def warm_up() -> None:
    """Make the Traditional converter now (OpenCC reads its phrase tables: 60-90 ms), at a
    moment its caller would otherwise spend waiting."""
    _converter("s2t")


def to_script(text: str, script: str) -> str:
    return to_traditional(text) if script == TRADITIONAL else to_simplified(text)


SCRIPT_SAMPLE_CHARS = 1500
TRADITIONAL_SHARE = 0.04  # Simplified prose changes well under 1% when folded; Traditional 10–25%


def detect_script(text: str) -> str:
    """zh-Hant when folding to Simplified changes a noticeable share of the Han characters."""
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not han:
        return SIMPLIFIED
    sample = "".join(han[:SCRIPT_SAMPLE_CHARS])
    changed = sum(a != b for a, b in zip(sample, to_simplified(sample)))
    return TRADITIONAL if changed > TRADITIONAL_SHARE * len(sample) else SIMPLIFIED
