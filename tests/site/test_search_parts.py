"""A search index in parts: each part is its own Pagefind bundle (memory stays bounded at any
corpus size), the search page merges them, and an edit re-indexes only the part it is in."""

from __future__ import annotations

import json
import shutil

import pytest

from briefing.site import search, urls
from briefing.site.builder import SiteBuilder

from tests.site.conftest import FIXTURE_CONTENT, search_results, serve_folder

WUXI_ARTICLES = {"2021-06-02-wuxi-kechuang", "2021-07-28-gongtongti", "2022-03-09-sunan", "2023-03-wuxi-shenzhen"}


@pytest.fixture(scope="module")
def parted(tmp_path_factory, vocab):
    root = tmp_path_factory.mktemp("parted")
    content = root / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(search, "PART_PAGES", 4)
        builder = SiteBuilder(content, root / "briefing", cache_dir=root / "cache", vocab=vocab, quiet=True)
        report = builder.build()
        yield root, builder, report


def test_the_index_is_split_into_parts_listed_for_the_search_page(parted):
    _, builder, report = parted
    out = builder.out_path
    listed = json.loads((out / "pagefind" / search.PARTS_FILE).read_text(encoding="utf-8"))["bundles"]
    assert len(listed) == 3  # 12 marked pages, 4 per part
    for n, rel in enumerate(listed):
        assert (out / search.part_prefix(n) / "pagefind-entry.json").is_file(), rel
    assert report.search_indexed


def test_an_edit_reindexes_only_its_part(parted, vocab):
    root, builder, _ = parted
    slug = "2024-10-31-jiakuntai"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(search, "PART_PAGES", 4)
        path = builder.content_dir / "articles" / f"{slug}.md"
        path.write_text(path.read_text(encoding="utf-8").replace("陳立的團隊也在太倉落戶。", "陳立的團隊落戶。"),
                        encoding="utf-8")
        report = builder.build({path})
    part = search.part_of(urls.article(urls.HANS, slug), 3)
    assert search.part_of(urls.article(urls.HANT, slug), 3) == part
    touched = {p for p in report.written + report.removed if p.startswith("pagefind/")}
    assert touched
    prefix = search.part_prefix(part) + "/"
    for p in touched:
        assert p.startswith(prefix) and (part != 0 or not p.startswith("pagefind/parts/")), p


@pytest.fixture(scope="module")
def parted_server(parted):
    with serve_folder(parted[0]) as origin:
        yield f"{origin}/briefing/"


@pytest.mark.browser
def test_search_finds_articles_in_every_part_in_both_scripts(page, parted_server):
    for url in (parted_server + "search/?q=无锡", parted_server + "hant/search/?q=無錫"):
        found, hrefs = search_results(page, url, WUXI_ARTICLES)
        assert found >= WUXI_ARTICLES, (url, hrefs)
    assert page.errors == []
