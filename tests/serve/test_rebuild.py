"""One batch of changes → the right ingest and build calls, and honest results."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.serve.helpers import StandInBuild, StandInIngest, article_markdown, sources_for

from briefing.errors import BriefingError
from briefing.serve.ledger import ConsumedLedger
from briefing.serve.rebuild import Rebuilder
from briefing.serve.sources import Kind
from briefing.serve.stages import Stages
from briefing.serve.terminal import problem_lines, rebuild_line


@pytest.fixture
def setup(project: Path):
    build, ingest = StandInBuild(), StandInIngest()
    for folder in ("vocab", "rules", "theme/templates"):
        (project / folder).mkdir(parents=True)
    (project / "vocab" / "regions.yaml").write_text("wuxi: 无锡\n")
    (project / "briefing.yaml").write_text("title: x\n")
    sources = sources_for(project, config_files=(project / "briefing.yaml",))
    ledger = ConsumedLedger()
    rebuilder = Rebuilder(sources, Stages(build_site=build, ingest=ingest), ledger=ledger)
    first = rebuilder.initial()
    assert first.ok and build.calls == [None]
    for root in sources.roots():
        ledger.know(p for p in root.path.rglob("*") if p.is_file())
    return project, rebuilder, build, ingest


def test_a_content_edit_builds_just_that_file(setup):
    project, rebuilder, build, ingest = setup
    article = project / "content/articles/alpha.md"
    article.write_text(article_markdown("新标题", "新正文。", "alpha"))
    result = rebuilder.rebuild({article})
    assert result.ok and build.calls[-1] == {article}
    assert result.written == ["articles/alpha/index.html", "index.html"]
    assert ingest.calls == [None]  # only the start-up ingest


def test_a_changed_seed_is_reingested_alone_then_its_content_is_built(setup):
    project, rebuilder, build, ingest = setup
    seed = project / "seeds" / "gamma.txt"
    seed.write_text("常州新闻\n常州正文。")
    result = rebuilder.rebuild({seed})
    assert ingest.calls[-1] == {seed}
    assert build.calls[-1] == {project / "content/articles/gamma.md"}
    assert result.ok and result.ingested == ["gamma"]
    assert "articles/gamma/index.html" in result.written
    # the content file ingest wrote comes back from the watcher as an echo: not a rebuild
    assert rebuilder.rebuild({project / "content/articles/gamma.md"}) is None


def test_a_save_that_does_not_change_bytes_is_not_a_rebuild(setup):
    project, rebuilder, build, _ = setup
    article = project / "content/articles/alpha.md"
    article.write_text(article.read_text() + "更多。\n")
    assert rebuilder.rebuild({article}).ok
    calls = len(build.calls)
    article.write_text(article.read_text())  # same bytes again
    assert rebuilder.rebuild({article}) is None
    assert len(build.calls) == calls


def test_a_temp_file_that_came_and_went_is_not_a_rebuild(setup):
    project, rebuilder, _, _ = setup
    assert rebuilder.rebuild({project / "content/articles/never-existed.md"}) is None


def test_a_vocabulary_change_reingests_every_seed(setup):
    project, rebuilder, build, ingest = setup
    vocab = project / "vocab" / "regions.yaml"
    vocab.write_text("wuxi: 无锡\njiading: 嘉定\n")
    result = rebuilder.rebuild({vocab})
    assert ingest.calls[-1] is None
    assert vocab in build.calls[-1]
    assert result.kinds == {Kind.VOCABULARY: 1}


def test_a_config_change_asks_for_a_full_build(setup):
    project, rebuilder, build, _ = setup
    config = project / "briefing.yaml"
    config.write_text("title: y\n")
    result = rebuilder.rebuild({config})
    assert result.full and build.calls[-1] is None


def test_a_deleted_seed_keeps_its_article_and_builds_nothing(setup):
    project, rebuilder, build, ingest = setup
    seed = project / "seeds" / "gamma.txt"
    seed.write_text("常州新闻\n常州正文。")
    rebuilder.rebuild({seed})
    calls = len(build.calls)
    seed.unlink()
    result = rebuilder.rebuild({seed})
    assert result.ok and result.written == []
    assert len(build.calls) == calls
    assert (project / "content/articles/gamma.md").exists()


def test_a_failed_rebuild_is_retried_with_the_next_change_until_fixed(setup):
    project, rebuilder, build, _ = setup
    alpha, beta = project / "content/articles/alpha.md", project / "content/articles/beta.md"
    good = alpha.read_text()
    alpha.write_text("---\ntitle: [unclosed\n---\n正文\n")
    broken = rebuilder.rebuild({alpha})
    assert not broken.ok
    assert broken.errors and broken.errors[0].startswith(f"{alpha}:")
    assert (project / "site/articles/alpha/index.html").exists()  # last good site kept

    beta.write_text(beta.read_text() + "补充。\n")
    still = rebuilder.rebuild({beta})
    assert build.calls[-1] == {alpha, beta}  # the broken file is part of the retry
    assert not still.ok

    alpha.write_text(good.replace("无锡科创", "无锡科创（修订）"))
    fixed = rebuilder.rebuild({alpha})
    assert fixed.ok and fixed.overlay_text() is None
    assert "修订" in (project / "site/articles/alpha/index.html").read_text()
    beta.write_text(beta.read_text() + "再补充。\n")
    rebuilder.rebuild({beta})
    assert build.calls[-1] == {beta}  # nothing carried any more


def test_an_unexpected_exception_is_reported_not_raised(project: Path):
    def exploding_build(content_dir, out_dir, **kwargs):
        raise KeyError("regions")

    rebuilder = Rebuilder(sources_for(project), Stages(build_site=exploding_build))
    result = rebuilder.initial(ingest=False)
    assert not result.ok
    assert result.errors == ["internal error: KeyError: 'regions'"]
    assert "Traceback" in result.details


def test_a_briefing_error_from_ingest_skips_the_build_and_is_shown(setup):
    project, rebuilder, build, _ = setup

    def broken_ingest(*args, **kwargs):
        raise BriefingError(project / "vocab" / "regions.yaml", "duplicate id wuxi", 2)

    rebuilder.stages.ingest = broken_ingest
    vocab = project / "vocab" / "regions.yaml"
    vocab.write_text("wuxi: 无锡\nwuxi: 无锡市\n")
    calls = len(build.calls)
    result = rebuilder.rebuild({vocab})
    assert len(build.calls) == calls
    assert result.overlay_text() == f"{vocab}:2: duplicate id wuxi"


def test_the_terminal_line_says_what_changed_counts_and_milliseconds(setup):
    project, rebuilder, _, _ = setup
    article = project / "content/articles/alpha.md"
    article.write_text(article_markdown("新标题", "新正文。", "alpha"))
    result = rebuilder.rebuild({article})
    result.seconds = 0.0834
    line = rebuild_line(result, now=0, cwd=project)
    assert line.endswith("content/articles/alpha.md → 2 written · 2 unchanged · 0 removed · 83 ms")

    article.write_text("---\ntitle: [\n---\n")
    failed = rebuilder.rebuild({article})
    failed.seconds = 0.002
    line = rebuild_line(failed, now=0, cwd=project)
    assert line.endswith("content/articles/alpha.md → FAILED (1 error) · last good site kept · 2 ms")
    assert problem_lines(failed)[0].startswith(f"  {article}:")
