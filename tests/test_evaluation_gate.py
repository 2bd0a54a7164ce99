"""The evaluation gate: extraction quality on the labelled documents must not drop.

labels.yaml holds the shipped seeds and unseen page shapes written alongside the code;
redteam_labels.yaml holds 16 pages written and labelled independently, without sight of
the extraction code, to measure generalisation honestly."""

import io
from pathlib import Path

import pytest

from briefing.evaluation import evaluate, report

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("labels", ["labels.yaml", "redteam_labels.yaml"])
def test_extraction_quality_stays_above_the_gate(labels):
    scores, thresholds = evaluate(ROOT / "tests" / "eval" / labels, ROOT)
    out = io.StringIO()
    assert report(scores, thresholds, out), out.getvalue()
