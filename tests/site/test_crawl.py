"""Serve the built site under /briefing/ with a real HTTP server and follow every link."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from html.parser import HTMLParser


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for key in ("href", "src", "action"):
            if attrs.get(key) is not None and not (tag == "base"):
                self.links.append((tag, attrs[key]))


def _fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.headers.get_content_type(), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, "", b""


def test_every_link_resolves_and_stays_under_the_sub_path(server, site_dir):
    origin = server.split("/briefing/")[0]
    queue = deque([server, server + "hant/"])
    seen: set[str] = set()
    pages: dict[str, _Links] = {}
    broken, escaping, external = [], [], []
    fragments: list[tuple[str, str, str]] = []
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        status, ctype, body = _fetch(url)
        if status != 200:
            broken.append(url)
            continue
        if ctype != "text/html":
            continue
        parser = _Links()
        parser.feed(body.decode("utf-8"))
        pages[url] = parser
        for tag, raw in parser.links:
            target = urllib.parse.urljoin(url, raw)
            parsed = urllib.parse.urlsplit(target)
            if parsed.scheme not in ("http", "https") or not target.startswith(origin):
                if tag != "a":  # a resource (style, script, image, form) from elsewhere
                    external.append((url, tag, raw))
                continue
            if not target.startswith(server):
                escaping.append((url, raw))
                continue
            base = target.split("#")[0]
            if "#" in target:
                fragments.append((url, base, target.split("#", 1)[1]))
            if "?" not in base:
                queue.append(base)
    assert broken == []
    assert escaping == []
    assert external == []  # nothing is loaded from anywhere else (a link to elsewhere is only a link)
    # every anchor a link points at exists on its page
    missing = [(src, base, frag) for src, base, frag in fragments if base in pages and frag not in pages[base].ids]
    assert missing == []
    # every page on disk is reachable by links, except the 404 pages
    on_disk = {server + p.relative_to(site_dir).as_posix().removesuffix("index.html")
               for p in site_dir.rglob("*.html") if "pagefind" not in p.parts}
    assert sorted(on_disk - set(pages)) == [server + "404.html", server + "hant/404.html"]
    assert len(pages) > 100
