"""Whole-site behaviour: determinism, safety, incremental rebuilds, overrides, feeds and exports."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefing.site import urls
from briefing.site.builder import build_site

from .conftest import FIXTURE_CONTENT

XSS_SEGMENT = urls.segment("../../x")


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def content(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


def test_two_builds_are_byte_identical(site_dir, tmp_path, vocab):
    again = tmp_path / "again"
    build_site(FIXTURE_CONTENT, again, vocab=vocab, cache_dir=None, quiet=True)
    first, second = _tree(site_dir), _tree(again)
    assert sorted(first) == sorted(second)
    assert [p for p in first if first[p] != second[p]] == []


def test_every_page_type_exists_in_both_scripts(site_dir):
    for variant in urls.VARIANTS:
        for path in (urls.home(variant), urls.articles_index(variant), urls.article(variant, "2021-06-02-wuxi-kechuang"),
                     urls.regions_index(variant), urls.region(variant, "wuxi"), urls.initiatives_index(variant),
                     urls.initiative(variant, "huantaihu-kechuang-quan"), urls.topics_index(variant),
                     urls.topic(variant, "talent"), urls.timeline(variant), urls.timeline_year(variant, 2021),
                     urls.people_index(variant), urls.person(variant, "cui-rongguo"),
                     urls.organisations_index(variant), urls.organisation(variant, "zhejiang-university"),
                     urls.search(variant), urls.about(variant), urls.not_found(variant), urls.feed(variant)):
            assert (site_dir / path).is_file(), path
    for path in ("sitemap.xml", "robots.txt", "data/articles.json", "data/events.json", "data/events.csv",
                 "data/regions.json", "pagefind/pagefind-ui.js"):
        assert (site_dir / path).is_file(), path
    assert len(list((site_dir / "articles").glob("*/index.html"))) == 6


def test_lang_and_counterpart_links(site_dir):
    hans = (site_dir / "regions/wuxi/index.html").read_text(encoding="utf-8")
    hant = (site_dir / "hant/regions/wuxi/index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-Hans">' in hans and '<html lang="zh-Hant">' in hant
    assert 'class="script-switch" href="../../hant/regions/wuxi/"' in hans
    assert 'class="script-switch" href="../../../regions/wuxi/"' in hant
    assert "无锡市" in hans and "無錫市" in hant and "Wuxi" in hans


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.handlers, self.scripts, self.urls, self._in_script = [], [], [], False

    def handle_starttag(self, tag, attrs):
        self.handlers += [(tag, k) for k, _ in attrs if k.startswith("on")]
        self.urls += [v or "" for k, v in attrs if k in ("href", "src", "action")]
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def test_script_and_onerror_in_content_come_out_as_text(site_dir):
    page = site_dir / "articles" / XSS_SEGMENT / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;无锡测试&lt;img src=x onerror=alert(1)&gt;" in html
    for file in site_dir.rglob("*.html"):
        text = file.read_text(encoding="utf-8")
        collector = _Collector()
        collector.feed(text)
        assert collector.handlers == [], file
        # the only inline scripts are JSON-LD data, with every < escaped
        assert not any("<" in s for s in collector.scripts), file
        assert not any(u.strip().lower().startswith(("javascript:", "data:text")) for u in collector.urls), file


def test_a_climbing_slug_stays_inside_the_output(served_root, site_dir):
    assert (site_dir / "articles" / XSS_SEGMENT / "index.html").is_file()
    assert sorted(p.name for p in served_root.iterdir()) == ["briefing"]
    assert not (served_root.parent / "x").exists()


def test_the_forum_event_cites_both_reports(site_dir):
    html = (site_dir / "timeline/2021/index.html").read_text(encoding="utf-8")
    entry = html[html.index('<li id="e-2021-05-27'):]
    entry = entry[: entry.index('<p class="where">')]
    assert '2 个来源' in entry
    assert "../../articles/2021-06-02-wuxi-kechuang/#p1" in entry
    assert "../../articles/2021-07-28-gongtongti/#p1" in entry
    events = json.loads((site_dir / "data/events.json").read_text(encoding="utf-8"))
    forum = [e for e in events if e["date"] == "2021-05-27"]
    assert len(forum) == 1 and {s["article"] for s in forum[0]["sources"]} == {"2021-06-02-wuxi-kechuang", "2021-07-28-gongtongti"}


def test_month_precision_is_never_printed_as_the_first(site_dir):
    article = (site_dir / "articles/2023-03-wuxi-shenzhen/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2023-03">2023年3月</time>' in article
    assert "2023年3月1日" not in article
    timeline = (site_dir / "timeline/2020/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2020-11">2020年11月</time>' in timeline and "2020年11月1日" not in timeline


def test_one_person_across_articles(site_dir):
    html = (site_dir / "people/cui-rongguo/index.html").read_text(encoding="utf-8")
    assert "2023-03-wuxi-shenzhen" in html and "2022-03-09-sunan" in html


def test_original_traditional_text_is_reproduced_exactly(site_dir):
    source = (FIXTURE_CONTENT / "articles/2024-10-31-jiakuntai.md").read_text(encoding="utf-8")
    sentence = "自2018年5月起，蘇州市和上海嘉定區開始共建「嘉昆太」協同創新核心圈"
    assert sentence in source
    hant = (site_dir / "hant/articles/2024-10-31-jiakuntai/index.html").read_text(encoding="utf-8")
    import re
    text = re.sub(r"<[^>]+>", "", hant)
    assert sentence in text
    assert "崑山" in text  # a Traditional-only variant form survives: no round trip through Simplified


def test_feed_is_atom_with_full_content_and_stable_updated(site_dir):
    root = ET.fromstring((site_dir / "feed.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.find("a:updated", ns).text == "2024-10-31T16:35:15+08:00"
    entries = root.findall("a:entry", ns)
    assert len(entries) == 6
    content = entries[0].find("a:content", ns)
    assert content.get("type") == "html" and '<p id="p1">' in content.text


def test_exports_parse(site_dir):
    articles = json.loads((site_dir / "data/articles.json").read_text(encoding="utf-8"))
    assert {a["slug"] for a in articles} >= {"2021-06-02-wuxi-kechuang", "../../x"}
    rows = list(csv.DictReader(io.StringIO((site_dir / "data/events.csv").read_text(encoding="utf-8"))))
    assert any(r["date"] == "2021-05-27" and r["article"] == "2021-07-28-gongtongti" and r["paragraph"] == "1" for r in rows)
    regions = {r["id"]: r for r in json.loads((site_dir / "data/regions.json").read_text(encoding="utf-8"))}
    assert regions["jiangsu"]["articles"] >= regions["wuxi"]["articles"] >= 4


def test_base_url_makes_canonical_sitemap_and_robots_absolute(tmp_path, vocab):
    out = tmp_path / "site"
    build_site(FIXTURE_CONTENT, out, vocab=vocab, base_url="https://example.org/briefing/", quiet=True, search=False)
    page = (out / "regions/wuxi/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/briefing/regions/wuxi/">' in page
    assert '<a class="brand" href="../../">' in page  # links stay relative
    assert "<loc>https://example.org/briefing/hant/regions/wuxi/</loc>" in (out / "sitemap.xml").read_text()
    assert "Sitemap: https://example.org/briefing/sitemap.xml" in (out / "robots.txt").read_text()
    assert '<base href="/briefing/hant/">' in (out / "hant/404.html").read_text(encoding="utf-8")


def test_project_template_overrides_the_theme(tmp_path, vocab):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "about.html").write_text('{% extends "base.html" %}{% block title %}关于{% endblock %}'
                                          '{% block main %}<p>PROJECT-OVERRIDE</p>{% endblock %}', encoding="utf-8")
    out = tmp_path / "site"
    build_site(FIXTURE_CONTENT, out, vocab=vocab, templates_dir=templates, quiet=True, search=False)
    assert "PROJECT-OVERRIDE" in (out / "about/index.html").read_text(encoding="utf-8")
    assert "PROJECT-OVERRIDE" in (out / "hant/about/index.html").read_text(encoding="utf-8")
    assert "PROJECT-OVERRIDE" not in (out / "index.html").read_text(encoding="utf-8")


# --- incremental rebuilds ------------------------------------------------------------------

def _build(content, out, cache, vocab, **kw):
    return build_site(content, out, vocab=vocab, cache_dir=cache, quiet=True, search=False, **kw)


def test_unchanged_rebuild_writes_nothing_and_keeps_mtimes(content, tmp_path, vocab):
    out, cache = tmp_path / "site", tmp_path / "cache"
    first = _build(content, out, cache, vocab)
    assert first.written and first.pages > 100
    before = _mtimes(out)
    second = _build(content, out, cache, vocab)
    assert second.written == [] and second.removed == [] and second.rendered == 0
    assert _mtimes(out) == before


def test_body_edit_rewrites_only_what_shows_it(content, tmp_path, vocab):
    out, cache = tmp_path / "site", tmp_path / "cache"
    _build(content, out, cache, vocab)
    path = content / "articles/2024-10-31-jiakuntai.md"
    text = path.read_text(encoding="utf-8")
    assert text.count("陳立的團隊也在太倉落戶。") == 1  # in the body only
    path.write_text(text.replace("陳立的團隊也在太倉落戶。", "陳立的團隊也在太倉落戶，第二期工程啟動。"), encoding="utf-8")
    report = _build(content, out, cache, vocab)
    assert "articles/2024-10-31-jiakuntai/index.html" in report.written
    assert "hant/articles/2024-10-31-jiakuntai/index.html" in report.written
    assert "feed.xml" in report.written and "hant/feed.xml" in report.written
    assert "data/articles.json" not in report.written  # it holds no body text: same bytes, not rewritten
    assert "regions/wuxi/index.html" not in report.written
    assert "articles/2022-03-09-sunan/index.html" not in report.written
    assert report.rendered < report.pages / 2
    assert "第二期工程啟動" in (out / "hant/articles/2024-10-31-jiakuntai/index.html").read_text(encoding="utf-8")


def test_removing_a_region_removes_the_article_from_that_region(content, tmp_path, vocab):
    out, cache = tmp_path / "site", tmp_path / "cache"
    _build(content, out, cache, vocab)
    path = content / "articles/2023-03-wuxi-shenzhen.md"
    path.write_text(path.read_text(encoding="utf-8").replace("- {id: jiangyin, mentions: 1, main: false}\n", ""),
                    encoding="utf-8")
    report = _build(content, out, cache, vocab)
    assert "regions/jiangyin/index.html" in report.written
    assert "2023-03-wuxi-shenzhen" not in (out / "regions/jiangyin/index.html").read_text(encoding="utf-8")
    assert "2023-03-wuxi-shenzhen" in (out / "regions/wuxi/index.html").read_text(encoding="utf-8")


def test_deleting_an_article_removes_its_pages_and_listings(content, tmp_path, vocab):
    out, cache = tmp_path / "site", tmp_path / "cache"
    _build(content, out, cache, vocab)
    (content / "articles/2024-10-31-jiakuntai.md").unlink()
    report = _build(content, out, cache, vocab)
    assert "articles/2024-10-31-jiakuntai/index.html" in report.removed
    assert "hant/articles/2024-10-31-jiakuntai/index.html" in report.removed
    assert "people/chen-li/index.html" in report.removed
    assert not (out / "articles/2024-10-31-jiakuntai").exists()
    for page in ("index.html", "articles/index.html", "regions/taicang/index.html", "feed.xml"):
        if (out / page).exists():
            assert "2024-10-31-jiakuntai" not in (out / page).read_text(encoding="utf-8"), page


def test_template_edit_rerenders_only_pages_using_it(content, tmp_path, vocab):
    out, cache = tmp_path / "site", tmp_path / "cache"
    templates = tmp_path / "templates"
    templates.mkdir()
    _build(content, out, cache, vocab, templates_dir=templates)
    shutil.copy(Path(__file__).resolve().parents[2] / "briefing/theme/templates/person.html", templates / "person.html")
    text = (templates / "person.html").read_text(encoding="utf-8")
    assert "{% block main %}" in text
    text = text.replace("{% block main %}", '{% block main %}<p class="who"></p>')
    (templates / "person.html").write_text(text, encoding="utf-8")
    report = _build(content, out, cache, vocab, templates_dir=templates)
    assert report.written and all("/people/" in "/" + p and p.endswith("index.html") and p.count("/") >= 2
                                  for p in report.written), report.written
    assert report.rendered == len([p for p in report.written])


def test_long_listings_are_paginated_and_linked(tmp_path, vocab):
    from briefing.site import load, model

    content = tmp_path / "content" / "articles"
    content.mkdir(parents=True)
    source = (FIXTURE_CONTENT / "articles/2022-03-09-sunan.md").read_text(encoding="utf-8")
    for i in range(60):
        (content / f"copy-{i:02d}.md").write_text(source.replace("slug: 2022-03-09-sunan", f"slug: copy-{i:02d}"),
                                                  encoding="utf-8")
    out = tmp_path / "site"
    build_site(tmp_path / "content", out, vocab=vocab, quiet=True, search=False)
    listing = model.build_site(load.load_articles(tmp_path / "content"), vocab).regions["wuxi"].articles
    assert len(listing) == 60 and model.listing_pages(listing) == 2
    for variant in urls.VARIANTS:
        first = urls.region(variant, "wuxi")
        second = urls.paged(first, 2)
        assert (out / second).is_file() and not (out / urls.paged(first, 3)).exists()
        page_one = (out / first).read_text(encoding="utf-8")
        assert f'href="{urls.href(first, second)}"' in page_one
        shown = [re.findall(r'<article class="card">\s*<h3 class="card-title"><a href="[^"]*?articles/([^/"]+)/',
                            (out / page).read_text("utf-8")) for page in (first, second)]
        assert shown[0] + shown[1] == list(listing)     # every article once, in order
        assert model.LISTING_MIN <= len(shown[0]) <= model.LISTING_MAX
        assert (out / urls.paged(urls.articles_index(variant), 2)).is_file()


@pytest.mark.parametrize("number, pages, shown", [
    (1, 1, [1]),
    (1, 5, [1, 2, 3, 4, 5]),
    (1, 12, [1, 2, 3, None, 12]),
    (5, 12, [1, 2, 3, 4, 5, 6, 7, None, 12]),   # a single page left out (2) is shown instead
    (6, 12, [1, None, 4, 5, 6, 7, 8, None, 12]),
    (12, 12, [1, None, 10, 11, 12]),
    (247, 250, [1, None, 245, 246, 247, 248, 249, 250]),
])
def test_a_pager_links_the_first_last_and_nearby_pages(number, pages, shown):
    from briefing.site.views import pager_numbers

    assert pager_numbers(number, pages) == shown


def test_a_long_listings_pager_leaves_out_the_pages_far_from_the_current_one(tmp_path, vocab, monkeypatch):
    from briefing.site import model, pages

    monkeypatch.setattr(model, "LISTING_MIN", 4)   # pages of four, cut by count
    monkeypatch.setattr(model, "LISTING_MAX", 4)
    content = tmp_path / "content" / "articles"
    content.mkdir(parents=True)
    source = (FIXTURE_CONTENT / "articles/2022-03-09-sunan.md").read_text(encoding="utf-8")
    for i in range(45):   # 12 pages of 4
        (content / f"copy-{i:02d}.md").write_text(source.replace("slug: 2022-03-09-sunan", f"slug: copy-{i:02d}"),
                                                  encoding="utf-8")
    out = tmp_path / "site"
    build_site(tmp_path / "content", out, vocab=vocab, quiet=True, search=False)
    first = urls.region(urls.HANS, "wuxi")
    sixth = urls.paged(first, 6)
    html = (out / sixth).read_text(encoding="utf-8")
    pager = re.search(r'<nav class="pager".*?</nav>', html, re.S).group(0)
    items = re.findall(r"<li[^>]*>(.*?)</li>", pager)
    assert [re.sub(r"<[^>]+>", "", i) for i in items] == ["1", "…", "4", "5", "6", "7", "8", "…", "12"]
    assert '<span aria-current="page">6</span>' in pager and pager.count('class="gap" aria-hidden="true"') == 2
    for n in (1, 4, 8, 12):
        assert f'href="{urls.href(sixth, urls.paged(first, n))}"' in pager
    assert (out / urls.paged(first, 12)).is_file() and not (out / urls.paged(first, 13)).exists()
