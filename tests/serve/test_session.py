"""A running preview session: debounced rebuilds, the HTTP side, the error state."""

from __future__ import annotations

import http.client
import json
import threading
import urllib.error
import urllib.request

import pytest
from tests.serve.helpers import StandInBuild, StandInIngest, article_markdown

from briefing.serve.inotify import inotify_available
from briefing.serve.server import SNIPPET
from briefing.serve.stages import Stages

WATCHERS = ["poll", pytest.param("inotify", marks=pytest.mark.skipif(
    not inotify_available(), reason="no inotify on this system"))]


def get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.parametrize("watcher", WATCHERS)
def test_a_burst_of_saves_within_the_debounce_window_gives_exactly_one_rebuild(
        project, start_session, watcher):
    build = StandInBuild()
    session = start_session(project, Stages(build_site=build), watcher=watcher,
                            debounce=0.5, poll_interval=30)
    articles = project / "content" / "articles"
    paths = [articles / f"burst-{i}.md" for i in range(12)]
    for i, path in enumerate(paths):
        path.write_text(article_markdown(f"第{i}篇", "正文。", path.stem))
    (articles / "alpha.md").write_text(article_markdown("改了", "又改了。", "alpha"))
    assert session.settle(timeout=20)
    assert session.rebuilds == 1
    assert build.calls[1:] == [set(paths) | {articles / "alpha.md"}]
    assert (project / "site/articles/burst-11/index.html").exists()
    printed = session.out.getvalue().splitlines()
    after_start = printed[[i for i, line in enumerate(printed) if "Serving" in line][0] + 1:]
    assert len(after_start) == 1  # one terminal line for the one rebuild
    assert "alpha.md +12 more (13 content) → 14 written · 2 unchanged · 0 removed · " in after_start[0]


def test_saves_during_a_rebuild_are_coalesced_into_one_follow_up_rebuild(project, start_session):
    build = StandInBuild()
    session = start_session(project, Stages(build_site=build), debounce=0.02)
    articles = project / "content" / "articles"
    build.hold, build.entered = threading.Event(), threading.Event()
    (articles / "alpha.md").write_text(article_markdown("一", "一。", "alpha"))
    session.watcher.sync()
    assert build.entered.wait(10)  # the first rebuild is running (and held)
    for i in range(5):
        (articles / "beta.md").write_text(article_markdown(f"二{i}", "二。", "beta"))
    session.watcher.sync()
    build.hold.set()
    assert session.settle(timeout=20)
    assert build.calls[1:] == [{articles / "alpha.md"}, {articles / "beta.md"}]


def test_html_gets_the_preview_client_injected_but_the_files_on_disk_do_not(
        project, start_session):
    session = start_session(project, Stages(build_site=StandInBuild()))
    status, headers, body = get(session.url + "articles/alpha/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert body.count(SNIPPET) == 1 and body.index(SNIPPET) < body.index(b"</head>")
    assert SNIPPET not in (project / "site/articles/alpha/index.html").read_bytes()
    status, headers, css = get(session.url + "static/site.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert css == (project / "site/static/site.css").read_bytes()
    assert headers["Cache-Control"] == "no-store"
    status, _, script = get(session.url + "__briefing__/client.js")
    assert status == 200 and b"EventSource" in script
    status, _, livereload = get(session.url + "livereload.js")
    assert status == 200 and b"LiveReload" in livereload


def test_folders_redirect_to_their_slash_url_and_nothing_escapes_the_site(
        project, start_session, tmp_path):
    session = start_session(project, Stages(build_site=StandInBuild()))
    (project / "secret.txt").write_text("outside the site")
    connection = http.client.HTTPConnection("127.0.0.1", session.http.port, timeout=10)
    connection.request("GET", "/articles/alpha?x=1")
    response = connection.getresponse()
    response.read()
    assert response.status == 302 and response.headers["Location"] == "/articles/alpha/?x=1"
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/articles/..%2f..%2fsecret.txt"):
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.status == 404 and b"outside" not in response.read()
    connection.close()


def test_missing_pages_get_the_sites_404_page(project, start_session):
    session = start_session(project, Stages(build_site=StandInBuild()))
    (project / "site" / "404.html").write_text("<html><head></head><body>找不到</body></html>")
    status, _, body = get(session.url + "no/such/page/")
    assert status == 404 and "找不到" in body.decode() and SNIPPET in body


def test_requests_wait_while_a_rebuild_writes_the_site(project, start_session):
    build = StandInBuild()
    session = start_session(project, Stages(build_site=build), debounce=0.0)
    build.hold, build.entered = threading.Event(), threading.Event()
    (project / "content/articles/alpha.md").write_text(article_markdown("新版", "新。", "alpha"))
    session.watcher.sync()
    assert build.entered.wait(10)
    responses = []
    reader = threading.Thread(target=lambda: responses.append(get(session.url + "articles/alpha/")))
    reader.start()
    reader.join(timeout=0.3)
    assert reader.is_alive() and not responses  # held while the build writes
    build.hold.set()
    reader.join(timeout=10)
    assert "新版" in responses[0][2].decode()


def test_pages_a_first_pass_wrote_are_served_while_the_build_runs(project, start_session):
    from tests.serve.helpers import StandInReport, _atomic_write

    build = StandInBuild()

    def preview_site(content_dir, out_dir, *, changed, **_ignored):  # writes the edited page only
        _atomic_write(out_dir / "articles/alpha/index.html", "<!doctype html><title>預覽</title>預覽".encode())
        return StandInReport(["articles/alpha/index.html"], [], [], 0.0, 1)

    session = start_session(project, Stages(build_site=build, preview_site=preview_site), debounce=0.0)
    build.hold, build.entered = threading.Event(), threading.Event()
    (project / "content/articles/alpha.md").write_text(article_markdown("新版", "新。", "alpha"))
    session.watcher.sync()
    assert build.entered.wait(10)
    status, _, page = get(session.url + "articles/alpha/")      # not held: already final
    assert status == 200 and "預覽" in page.decode()
    responses = []
    reader = threading.Thread(target=lambda: responses.append(get(session.url)))
    reader.start()
    reader.join(timeout=0.3)
    assert reader.is_alive() and not responses                 # any other page still waits
    build.hold.set()
    reader.join(timeout=10)
    assert responses and responses[0][0] == 200


def test_a_broken_change_is_reported_and_the_last_good_site_kept_until_fixed(
        project, start_session):
    session = start_session(project, Stages(build_site=StandInBuild()))
    alpha = project / "content/articles/alpha.md"
    good = alpha.read_text()
    before = (project / "site/articles/alpha/index.html").read_bytes()
    alpha.write_text("---\ntitle: [unclosed\nslug: alpha\n---\n正文\n")
    assert session.settle(timeout=20)
    status = json.loads(get(session.url + "__briefing__/status")[2])
    assert status["error"].startswith(f"{alpha}:") and "YAML" in status["error"]
    assert (project / "site/articles/alpha/index.html").read_bytes() == before
    assert "FAILED (1 error)" in session.out.getvalue()
    alpha.write_text(good.replace("无锡科创", "无锡科创（修订）"))
    assert session.settle(timeout=20)
    status = json.loads(get(session.url + "__briefing__/status")[2])
    assert status["error"] is None and status["builds_ok"] == 2
    assert "修订" in get(session.url + "articles/alpha/")[2].decode()


def test_the_event_stream_sends_the_current_error_at_once(project, start_session):
    session = start_session(project, Stages(build_site=StandInBuild()))
    (project / "content/articles/beta.md").write_text("---\n: [\n---\n")
    assert session.settle(timeout=20)
    connection = http.client.HTTPConnection("127.0.0.1", session.http.port, timeout=10)
    connection.request("GET", "/__briefing__/events")
    response = connection.getresponse()
    assert response.headers["Content-Type"].startswith("text/event-stream")
    line = response.readline()
    assert line.startswith(b"data: ")
    assert "beta.md" in json.loads(line[len(b"data: "):])["error"]
    connection.close()


def test_a_new_seed_is_ingested_built_and_served(project, start_session):
    build, ingest = StandInBuild(), StandInIngest()
    session = start_session(project, Stages(build_site=build, ingest=ingest))
    (project / "seeds" / "gamma.txt").write_text("常州新闻\n常州正文。", encoding="utf-8")
    assert session.settle(timeout=20)
    assert ingest.calls[-1] == {project / "seeds" / "gamma.txt"}
    assert "常州正文" in get(session.url + "articles/gamma/")[2].decode()
    # ingest's own write to content/ does not cause a second rebuild
    assert session.settle(timeout=20)
    assert session.rebuilds == 1


def test_a_busy_port_fails_before_building(project, start_session):
    first = start_session(project, Stages(build_site=StandInBuild()))
    build = StandInBuild()
    with pytest.raises(OSError):
        start_session(project, Stages(build_site=build), port=first.http.port)
    assert build.calls == []


def test_only_stylesheets_changed_swaps_css_in_place_anything_else_reloads():
    from briefing.serve.session import _reload_path

    assert _reload_path(["static/site.css"], []) == "static/site.css"
    assert _reload_path(["static/site.css", "index.html"], []) == "*"
    assert _reload_path([], ["articles/x/index.html"]) == "*"
