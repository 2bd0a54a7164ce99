"""Which paths are inputs, and of what kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.serve.sources import Kind, ProjectSources, is_litter


@pytest.mark.parametrize("name", [
    ".a.md.swp", "a.md~", "4913", ".#a.md", "#a.md#", "a.md.tmp", "tmpk2j_x8ab", ".generated",
    "__pycache__", "x.pyc", ".git",
])
def test_editor_and_writer_litter_is_never_an_input(name):
    assert is_litter(name)


@pytest.mark.parametrize("name", ["a.md", "base.html", "regions.yaml", "000_3b4e.txt", "tmp.md"])
def test_real_files_are_not_litter(name):
    assert not is_litter(name)


def test_paths_are_classified_by_their_deepest_watched_folder(tmp_path: Path):
    for folder in ("content/articles", "seeds", "templates", "theme/templates", "theme/static",
                   "vocab", "rules", "site", "content/.generated"):
        (tmp_path / folder).mkdir(parents=True)
    config = tmp_path / "briefing.yaml"
    config.write_text("title: x\n")
    sources = ProjectSources(
        content=tmp_path / "content", out=tmp_path / "content" / "site", seeds=tmp_path / "seeds",
        templates=tmp_path / "templates", theme=tmp_path / "theme",
        vocabularies=tmp_path / "vocab", rules=tmp_path / "rules", config_files=(config,))
    classify = sources.classify
    assert classify(tmp_path / "content/articles/a.md") is Kind.CONTENT
    assert classify(tmp_path / "content/articles/a.txt") is None  # not a content suffix
    assert classify(tmp_path / "content/.generated/a.md") is None
    assert classify(tmp_path / "content/site/index.md") is None  # the output folder
    assert classify(tmp_path / "seeds/001.txt") is Kind.SEED
    assert classify(tmp_path / "templates/base.html") is Kind.TEMPLATE
    assert classify(tmp_path / "theme/templates/article.html") is Kind.TEMPLATE
    assert classify(tmp_path / "theme/static/site.css") is Kind.STATIC
    assert classify(tmp_path / "vocab/regions.yaml") is Kind.VOCABULARY
    assert classify(tmp_path / "rules/boilerplate.yaml") is Kind.RULES
    assert classify(config) is Kind.CONFIG
    assert classify(tmp_path / "other.yaml") is None
    assert classify(tmp_path / "templates/.base.html.swp") is None


def test_for_project_watches_the_project_templates_and_existing_config(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    sources = ProjectSources.for_project(tmp_path, content=tmp_path / "content",
                                         out=tmp_path / "site", seeds=None)
    assert sources.templates == tmp_path / "templates"
    assert sources.config_files == (tmp_path / "pyproject.toml",)
    assert sources.static is None
