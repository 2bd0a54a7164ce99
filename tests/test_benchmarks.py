"""The benchmark harness reads each build's stage timings from the line the CLI prints."""

from __future__ import annotations

import subprocess
import sys

from tests.site.conftest import FIXTURE_CONTENT, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import run as bench_run  # noqa: E402  (benchmarks/ is scripts, not a package)


def test_stage_timings_are_read_from_a_real_builds_summary_line(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content", str(FIXTURE_CONTENT),
                             "--out", str(tmp_path / "site"), "--cache", str(tmp_path / "cache"), "--no-search"],
                            capture_output=True, text=True, check=True)
    stages = bench_run.stage_timings(result.stdout)
    assert {"load", "model", "render", "write"} <= set(stages), result.stdout
    assert all(isinstance(ms, int) and ms >= 0 for ms in stages.values())
    assert bench_run.stage_timings("built site/: up to date (nothing changed since the last build)\n") == {}
