"""The evaluation gate: extraction quality on the labelled documents must not drop."""

import io
from pathlib import Path

from briefing.evaluation import evaluate, report

ROOT = Path(__file__).parent.parent


def test_extraction_quality_stays_above_the_gate():
    scores, thresholds = evaluate(ROOT / "tests" / "eval" / "labels.yaml", ROOT)
    out = io.StringIO()
    assert report(scores, thresholds, out), out.getvalue()
