"""Golden files: the full normalised output of every shipped seed, reviewed line by line.

Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/ingest/test_golden.py`
and review the diff before committing it.
"""

import os
from pathlib import Path

import pytest

from briefing.frontmatter import render_document
from briefing.ingest.pipeline import Article, process_seed

ROOT = Path(__file__).parent.parent.parent
GOLDEN = Path(__file__).parent / "golden"
SEEDS = sorted((ROOT / "seeds").iterdir())


@pytest.mark.parametrize("seed", SEEDS, ids=[s.name for s in SEEDS])
def test_seed_matches_golden(seed):
    result = process_seed(seed)
    assert isinstance(result, Article), result
    front = dict(result.front, slug="(assigned by the store)")
    actual = render_document(front, result.body)
    golden = GOLDEN / f"{seed.stem}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")
