"""Bad input: one folder per expected error (Zola style). Each rejection names the file and
the reason; the other seeds are still ingested; the exit code is 1."""

import shutil
from pathlib import Path

import pytest
import yaml

from briefing.cli import main
from briefing.ingest.decode import MAX_BYTES
from briefing.ingest.pipeline import ingest

CASES = Path(__file__).parent.parent / "fixtures" / "invalid_seeds"
GOOD_SEED = Path(__file__).parent.parent.parent / "seeds" / "004_5704cabe01a8569a.txt"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_each_bad_seed_is_rejected_with_its_reason(case, tmp_path):
    expected = yaml.safe_load((CASES / case / "expected.yaml").read_text())
    seeds = tmp_path / "seeds"
    shutil.copytree(CASES / case, seeds, ignore=shutil.ignore_patterns("expected.yaml"))
    shutil.copy(GOOD_SEED, seeds / GOOD_SEED.name)
    report = ingest(seeds, tmp_path / "content")
    assert len(report.rejected) == 1, report.rejected
    location, reason = report.rejected[0]
    assert expected["reason"] in reason
    bad_file = expected.get("file") or next(p.name for p in (CASES / case).iterdir() if p.name != "expected.yaml")
    assert location.split(":")[0].endswith(bad_file)
    if "line" in expected:
        assert location.endswith(f":{expected['line']}")
    assert any(slug.startswith("20220309-") for slug in report.ingested)  # the good seed beside it went through


def test_a_50_megabyte_file_is_rejected_quickly(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "huge.txt").write_bytes(("长三角科技创新共同体。" * 2_000_000).encode()[: 50 * 1024 * 1024])
    assert (seeds / "huge.txt").stat().st_size > MAX_BYTES
    report = ingest(seeds, tmp_path / "content")
    assert report.rejected and "too large" in report.rejected[0][1]


def test_cli_exit_code_is_1_when_anything_was_rejected(tmp_path, capsys):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "empty.txt").write_bytes(b"")
    shutil.copy(GOOD_SEED, seeds / GOOD_SEED.name)
    status = main(["ingest", "--seeds", str(seeds), "--content", str(tmp_path / "content")])
    captured = capsys.readouterr()
    assert status == 1
    assert "empty.txt: empty file" in captured.err
    assert "rejected" in captured.out and "ingested" in captured.out  # the summary table


def test_rejections_from_parallel_workers_are_reported(tmp_path, monkeypatch):
    """From PARALLEL_FROM seeds on, ingest runs in worker processes: a rejection must cross back."""
    import briefing.ingest.pipeline as pipeline

    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 2)
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(GOOD_SEED, seeds / GOOD_SEED.name)
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "binary.txt").write_bytes(bytes(range(256)) * 8)
    report = ingest(seeds, tmp_path / "content")
    assert sorted(reason for _location, reason in report.rejected) == ["binary file, not text", "empty file"]
    assert len(report.ingested) == 1
