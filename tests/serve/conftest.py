"""Fixtures of the serve tests: a tiny project, running sessions, a browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.serve.helpers import SessionFactory, article_markdown


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A tiny project: two articles, a seeds folder, a templates folder."""
    root = tmp_path / "project"
    (root / "content" / "articles").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "templates").mkdir()
    for slug, title in (("alpha", "无锡科创"), ("beta", "嘉定协同")):
        (root / "content" / "articles" / f"{slug}.md").write_text(
            article_markdown(title, f"{title}的第一段。\n\n{title}的第二段。", slug),
            encoding="utf-8")
    return root


@pytest.fixture
def start_session():
    factory = SessionFactory()
    yield factory
    factory.close()


@pytest.fixture(scope="session")
def serve_browser(chromium):
    """The session's Debian chromium (tests/conftest.py)."""
    return chromium
