"""`serve` driving the real ingest and site build on content made from the real seeds."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from tests.serve.helpers import wait_until

from briefing.serve.server import SNIPPET
from briefing.serve.session import PreviewSession, ServeOptions
from briefing.serve.sources import ProjectSources
from briefing.serve.stages import project_stages
from briefing.site import urls

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    """content/ made by the real ingest from the project's seeds, once per module."""
    from briefing.ingest.pipeline import ingest

    root = tmp_path_factory.mktemp("ingested")
    ingest(REPO / "seeds", root / "content", quiet=True)
    return root / "content"


@pytest.fixture
def real_project(tmp_path: Path, ingested: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(ingested, root / "content")
    (root / "seeds").mkdir()
    (root / "templates").mkdir()
    return root


def real_session(root: Path, start_session_factory):
    sources = ProjectSources(content=root / "content", out=root / "site", seeds=root / "seeds",
                             templates=root / "templates", cache=root / ".cache")
    session = PreviewSession(sources, project_stages(),
                             ServeOptions(port=0, ingest_on_start=False), out=io.StringIO())
    session.start()
    start_session_factory.sessions.append(session)
    return session


def article_file(root: Path) -> tuple[Path, str]:
    path = sorted((root / "content" / "articles").glob("*.md"))[0]
    slug = re.search(r"^slug: ['\"]?([^'\"\n]+)", path.read_text("utf-8"), re.M).group(1)
    return path, slug


def add_paragraph(path: Path, text: str) -> None:
    path.write_text(path.read_text("utf-8").rstrip("\n") + f"\n\n{text}\n", encoding="utf-8")


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def test_a_content_edit_is_rebuilt_and_served(real_project, start_session):
    session = real_session(real_project, start_session)
    path, slug = article_file(real_project)
    page = session.url + urls.url(urls.article(urls.HANS, slug))
    assert SNIPPET.decode() in fetch(page)
    add_paragraph(path, "实时预览的新段落。")
    assert session.settle(timeout=60)
    assert "实时预览的新段落。" in fetch(page)
    result = session.history[-1]
    assert result.ok and urls.article(urls.HANS, slug) in result.written
    # the fast first pass wrote the edited article in both scripts before the full build
    assert sorted(result.previewed) == sorted([urls.article(urls.HANS, slug), urls.article(urls.HANT, slug)])
    assert len(result.written) < result.report.pages  # not a full rewrite
    # pages were written without the search index, which follows in the background
    assert not any(p.startswith(urls.SEARCH_BUNDLE_DIR + "/") for p in result.written)
    assert session.search is not None and session.search.wait_idle(timeout=120)
    assert session.search.runs >= 1 and session.search.failures == 0
    assert (real_project / "site" / urls.SEARCH_BUNDLE_DIR / "pagefind-entry.json").is_file()


def test_a_changed_seed_is_reingested_and_its_page_rebuilt(real_project, start_session):
    seed = sorted((REPO / "seeds").iterdir())[1]
    (real_project / "seeds" / seed.name).write_bytes(seed.read_bytes())
    session = real_session(real_project, start_session)
    text = seed.read_text("utf-8")
    longest = max(text.splitlines(), key=len)
    cut = longest.index("，") + 1 if "，" in longest else len(longest) // 2
    edited = longest[:cut] + "预览标记语句，" + longest[cut:]
    (real_project / "seeds" / seed.name).write_text(text.replace(longest, edited), "utf-8")
    assert session.settle(timeout=60)
    result = session.history[-1]
    assert result.ok and len(result.ingested) == 1
    slug = result.ingested[0]
    assert "预览标记语句" in fetch(session.url + urls.url(urls.article(urls.HANS, slug)))


def test_build_py_serve_runs_serves_and_stops_on_sigterm(real_project):
    command = [sys.executable, str(REPO / "build.py"), "serve", "--port", "0", "--no-ingest"]
    proc = subprocess.Popen(command, cwd=real_project, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if " at http://" in line:
                break
        url = re.search(r" at (http://127\.0\.0\.1:\d+/) ", lines[-1]).group(1)
        assert re.match(r"\d\d:\d\d:\d\d full build → \d+ written · \d+ unchanged · 0 removed · "
                        r"\d+ ms", lines[0]), lines
        assert SNIPPET.decode() in fetch(url)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.browser
def test_real_site_reloads_shows_the_overlay_and_recovers(real_project, start_session,
                                                          serve_browser):
    from playwright.sync_api import expect

    session = real_session(real_project, start_session)
    path, slug = article_file(real_project)
    good = path.read_text("utf-8")
    page = serve_browser.new_page()
    try:
        page.goto(session.url + urls.url(urls.article(urls.HANS, slug)))
        wait_until(lambda: session.http.browsers >= 1, what="livereload to connect")
        add_paragraph(path, "浏览器里出现的新段落。")
        expect(page.locator("body")).to_contain_text("浏览器里出现的新段落。", timeout=30_000)

        wait_until(lambda: session.http.browsers >= 1, what="livereload to reconnect")
        path.write_text(good.replace("\ntitle: ", "\ntitle: [", 1), encoding="utf-8")
        overlay = page.locator("#briefing-error-overlay")
        expect(overlay).to_be_visible(timeout=30_000)
        expect(overlay).to_contain_text(path.name)
        expect(page.locator("body")).to_contain_text("浏览器里出现的新段落。")

        add_paragraph_to = good.rstrip("\n") + "\n\n修好以后的段落。\n"
        path.write_text(add_paragraph_to, encoding="utf-8")
        expect(page.locator("body")).to_contain_text("修好以后的段落。", timeout=30_000)
        expect(page.locator("#briefing-error-overlay")).to_have_count(0)
    finally:
        page.close()


def test_an_edited_article_is_shown_before_its_burst_of_saves_is_over(real_project, start_session):
    """The first save of a burst is previewed at once; the whole burst is still built once,
    after it (here the burst is held open by a long quiet time)."""
    sources = ProjectSources(content=real_project / "content", out=real_project / "site",
                             seeds=real_project / "seeds", templates=real_project / "templates",
                             cache=real_project / ".cache")
    session = PreviewSession(sources, project_stages(),
                             ServeOptions(port=0, ingest_on_start=False, debounce=3.0, max_wait=3.0),
                             out=io.StringIO())
    session.start()
    start_session.sessions.append(session)
    path, slug = article_file(real_project)
    page = real_project / "site" / urls.article(urls.HANS, slug)
    builds = session.rebuilds
    add_paragraph(path, "先睹为快的新段落。")
    wait_until(lambda: "先睹为快的新段落。" in page.read_text("utf-8"), timeout=2.5, what="the lead preview")
    assert session.rebuilds == builds          # shown, and the burst's build has not run yet
    assert session.settle(timeout=60)
    assert session.rebuilds == builds + 1
    result = session.history[-1]
    assert sorted(result.previewed) == sorted([urls.article(urls.HANS, slug), urls.article(urls.HANT, slug)])
