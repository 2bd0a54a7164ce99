"""Real Chromium against a running `serve`: live reload, error overlay, recovery."""

from __future__ import annotations

import json
import urllib.request

import pytest
from tests.serve.helpers import StandInBuild, article_markdown, wait_until
from playwright.sync_api import expect

from briefing.serve.stages import Stages

pytestmark = pytest.mark.browser
OVERLAY = "#briefing-error-overlay"


def test_edit_reloads_the_page_a_broken_edit_shows_the_overlay_and_a_fix_recovers(
        project, start_session, serve_browser):
    session = start_session(project, Stages(build_site=StandInBuild()))
    article = project / "content" / "articles" / "alpha.md"
    page = serve_browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(session.url + "articles/alpha/")
        expect(page.locator("h1")).to_have_text("无锡科创")
        wait_until(lambda: session.http.browsers >= 1, what="livereload to connect")
        assert session.http.viewed_pages() == {"articles/alpha/index.html"}   # rendered first by a build
        with urllib.request.urlopen(session.url + "__briefing__/status", timeout=10) as response:
            assert json.load(response)["viewing"] == ["articles/alpha/index.html"]
        page.evaluate("window.__notReloaded = true")

        article.write_text(article_markdown("无锡科创新篇", "太湖湾的新段落。", "alpha"),
                           encoding="utf-8")
        expect(page.locator("h1")).to_have_text("无锡科创新篇", timeout=10_000)
        expect(page.locator("body")).to_contain_text("太湖湾的新段落。")
        assert page.evaluate("window.__notReloaded") is None  # reloaded by itself

        wait_until(lambda: session.http.browsers >= 1, what="livereload to reconnect")
        article.write_text("---\ntitle: [unclosed\nslug: alpha\n---\n坏的。\n", encoding="utf-8")
        overlay = page.locator(OVERLAY)
        expect(overlay).to_be_visible(timeout=10_000)
        expect(overlay).to_contain_text("alpha.md:")
        expect(overlay).to_contain_text("YAML")
        expect(page.locator("h1")).to_have_text("无锡科创新篇")  # the last good page

        page.reload()  # a page opened while the build is broken shows the error too
        expect(page.locator(OVERLAY)).to_be_visible(timeout=10_000)
        expect(page.locator("h1")).to_have_text("无锡科创新篇")
        wait_until(lambda: session.http.browsers >= 1, what="livereload to reconnect")

        article.write_text(article_markdown("无锡科创修复", "修复后的段落。", "alpha"),
                           encoding="utf-8")
        expect(page.locator("h1")).to_have_text("无锡科创修复", timeout=10_000)
        expect(page.locator(OVERLAY)).to_have_count(0)
        assert errors == []
    finally:
        page.close()


def test_the_overlay_goes_when_a_fix_writes_no_page(project, start_session, serve_browser):
    """Reverting a broken file to its last good bytes rewrites nothing: the overlay must
    still go (pushed by the event stream, not by a reload)."""
    session = start_session(project, Stages(build_site=StandInBuild()))
    article = project / "content" / "articles" / "beta.md"
    good = article.read_text(encoding="utf-8")
    page = serve_browser.new_page()
    try:
        page.goto(session.url + "articles/beta/")
        article.write_text("---\n: [\n---\n", encoding="utf-8")
        expect(page.locator(OVERLAY)).to_be_visible(timeout=10_000)
        article.write_text(good, encoding="utf-8")
        expect(page.locator(OVERLAY)).to_have_count(0, timeout=10_000)
        expect(page.locator("h1")).to_have_text("嘉定协同")
    finally:
        page.close()


def test_only_browsers_whose_page_changed_reload(project, start_session, serve_browser):
    session = start_session(project, Stages(build_site=StandInBuild()))
    edited, other = serve_browser.new_page(), serve_browser.new_page()
    try:
        edited.goto(session.url + "articles/alpha/")
        other.goto(session.url + "articles/beta/")
        wait_until(lambda: session.http.browsers >= 2, what="both pages to connect")
        for page in (edited, other):
            page.evaluate("window.__notReloaded = true")
        generation = session.state.snapshot().generation
        (project / "content" / "articles" / "alpha.md").write_text(
            article_markdown("无锡科创又一篇", "新段落。", "alpha"), encoding="utf-8")
        expect(edited.locator("h1")).to_have_text("无锡科创又一篇", timeout=10_000)
        wait_until(lambda: session.state.snapshot().generation > generation, what="the rebuild to finish")
        assert edited.evaluate("window.__notReloaded === undefined")
        assert other.evaluate("window.__notReloaded === true")   # its page did not change
    finally:
        edited.close()
        other.close()
