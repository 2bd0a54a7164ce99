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


def _keywords_of(path):
    from briefing.site import load

    raw = path.read_bytes()
    src, problems = load.parse_article(str(path), raw, load.content_hash(raw))
    assert src is not None, problems
    return load.keyword_pairs(src)


def test_body_edits_are_the_same_edit_and_keywords_edits_change_the_keywords_and_back(tmp_path):
    import shutil

    import edits

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    path = edits.edited_article(content, "body")
    original = path.read_text(encoding="utf-8")

    for number in (1, 2, 3):   # each replaces the last one's sentence: they do not pile up
        edit = edits.body_edit(content, number)
        assert path.read_text(encoding="utf-8") == original.rstrip("\n") + edit.marker + "\n"

    edited = path.read_text(encoding="utf-8")
    keywords = _keywords_of(path)
    added = edits.keywords_edit(content, 1)
    assert added.marker and added.marker in path.read_text(encoding="utf-8")
    assert _keywords_of(path) != keywords   # the article's keywords changed: related articles are ranked again
    assert edits.keywords_edit(content, 2).marker == ""
    assert path.read_text(encoding="utf-8") == edited
    edits.keywords_edit(content, 3)
    edits.keywords_edit(content, 0)
    assert path.read_text(encoding="utf-8") == edited
