"""Seed bodies for knowledge tests, cut by hand-picked first and last lines so the tests do
not depend on the ingest's extraction (which has its own tests)."""

from __future__ import annotations

import re
from pathlib import Path

from briefing.text.script import to_simplified

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def seed_pairs(prefix: str, first: str, last: str) -> list[tuple[str, str]]:
    """(original, Simplified) body paragraphs of a seed: lines from `first` to `last`,
    headings (lines of fewer than 15 Chinese characters) dropped."""
    raw = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    lines = [line.strip() for line in re.sub(r"<[^>]+>", "\n", raw).splitlines()]
    i = next(k for k, line in enumerate(lines) if line.startswith(first))
    j = next(k for k, line in enumerate(lines) if k >= i and line.startswith(last))
    body = [line for line in lines[i : j + 1] if len(re.findall(r"[\u4e00-\u9fff]", line)) >= 15]
    return [(line, to_simplified(line)) for line in body]


def seed_body(prefix: str, first: str, last: str) -> list[str]:
    """The Simplified body paragraphs (see seed_pairs)."""
    return [simplified for _original, simplified in seed_pairs(prefix, first, last)]
