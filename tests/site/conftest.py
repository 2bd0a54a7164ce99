"""Shared fixtures of the site tests: one build of the fixture content per session, served
over real HTTP under a sub-path, and one real Chromium for the browser tests."""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import shutil
import threading
from pathlib import Path

import pytest

from tests.conftest import _missing

from briefing.site.builder import build_site

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_CONTENT = ROOT / "tests" / "fixtures" / "content"
SUBPATH = "briefing"
VNU_JAR = ROOT / ".cache" / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="session")
def vocab():
    from briefing.knowledge.vocab import load_vocabularies

    return load_vocabularies()


@pytest.fixture(scope="session")
def served_root(tmp_path_factory, vocab) -> Path:
    """A folder whose ``briefing/`` holds the fixture site (built once, search included)."""
    root = tmp_path_factory.mktemp("served")
    build_site(FIXTURE_CONTENT, root / SUBPATH, vocab=vocab, cache_dir=tmp_path_factory.mktemp("cache"), quiet=True)
    return root


@pytest.fixture(scope="session")
def site_dir(served_root) -> Path:
    return served_root / SUBPATH


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="session")
def server(served_root):
    """Base URL of the site served by a real HTTP server on loopback, under /briefing/."""
    with serve_folder(served_root) as origin:
        yield f"{origin}/{SUBPATH}/"


@contextlib.contextmanager
def serve_folder(root: Path):
    """A real HTTP server (stdlib, threaded) over `root` on a free loopback port; yields its origin."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def browser(chromium):
    return chromium


@pytest.fixture
def page(browser, server):
    """A fresh page that records console errors, page errors and every request made."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.errors = []
    pg.requests = []
    pg.on("console", lambda m: pg.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(f"page error: {e}"))
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    context.close()


@pytest.fixture(scope="session")
def vnu_jar() -> Path:
    if not VNU_JAR.exists() or shutil.which("java") is None:
        _missing("the Nu Html Checker")
    return VNU_JAR


_ARTICLES_LISTED = """(expected) => {
  const found = new Set([...document.querySelectorAll('.search-result-link')]
    .map(e => (e.href.match(/\\/articles\\/([^\\/]+)\\//) || [])[1]).filter(Boolean));
  return expected.every(slug => found.has(slug));
}"""


def search_results(page, url: str, expected: set[str]) -> tuple[set[str], list[str]]:
    """Open a search URL and wait until every expected article is listed (results arrive part
    by part, and sub-result anchors count as links: a count of links is no condition to await).
    Returns the article slugs listed and every result link, for the caller's assertion."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(url)
    try:
        page.wait_for_function(_ARTICLES_LISTED, arg=sorted(expected), timeout=15000)
    except PlaywrightTimeout:
        pass  # the caller's assertion shows what was listed
    hrefs = page.eval_on_selector_all(".search-result-link", "els => els.map(e => e.href)")
    return {m.group(1) for h in hrefs if (m := re.search(r"/articles/([^/]+)/", h))}, hrefs
