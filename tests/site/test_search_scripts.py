"""One search index for both scripts: each article is one Pagefind document, its Simplified
page segmented into words and carrying its Traditional page's title (and its text when
short: an entity page's heading); the Traditional search page folds its query to
Simplified and shows Traditional results, their excerpts cut from the Traditional text."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from briefing.site import search
from briefing.text.script import to_simplified

from tests.site.conftest import search_results

WUXI_ARTICLES = {"2021-06-02-wuxi-kechuang", "2021-07-28-gongtongti", "2022-03-09-sunan", "2023-03-wuxi-shenzhen"}


def test_the_text_of_the_indexed_element_leaves_out_ignored_elements_and_markup():
    page = ('<html lang="zh-Hant"><body><nav>選單</nav><article data-pagefind-body>'
            '<h1>無錫<em>科創</em></h1><p class="note" data-pagefind-ignore>原文為<b>簡體</b></p>'
            '<p>在<a href="/r/">無錫</a>舉行&amp;簽約</p><ul><li>甲</li><li>乙</li></ul>'
            '<footer data-pagefind-ignore><p>來源</p></footer></article><footer>頁尾</footer></body></html>')
    assert search.indexed_text(page.encode("utf-8")) == ("無錫科創", "無錫科創 在無錫舉行&簽約 甲 乙")
    assert search.indexed_text(b"<html><body><p>none</p></body></html>") is None


def test_a_document_carries_its_counterparts_title_and_a_short_text_in_its_head():
    page = b'<!DOCTYPE html><html lang="zh-Hans"><head><title>t</title></head><body><main data-pagefind-body><h1>x</h1></main></body></html>'
    other = '<html lang="zh-Hant"><body><main data-pagefind-body><h1>無錫 "甲"</h1><p>乙</p></main></body></html>'
    doc = search.bilingual_document(page, other.encode("utf-8")).decode("utf-8")
    assert doc.startswith('<!DOCTYPE html><html lang="zh-Hans"><head><meta data-pagefind-meta="title_hant[content]"'
                          ' content="無錫 &quot;甲&quot;"><meta data-pagefind-meta="text_hant[content]" content="無錫 &quot;甲&quot; 乙">')
    assert doc.endswith("<body><main data-pagefind-body><h1>x</h1></main></body></html>")
    assert search.bilingual_document(page, None) == search.indexed_document(page)


def test_a_long_counterpart_text_is_left_to_the_search_page():
    page = b'<!DOCTYPE html><html lang="zh-Hans"><head></head><body><main data-pagefind-body><h1>x</h1></main></body></html>'
    body = "科" * (search.CARRIED_TEXT_MAX - 3)
    for text, carried in ((body, True), (body + "技", False)):
        other = f'<html lang="zh-Hant"><body><main data-pagefind-body><h1>無錫</h1><p>{text}</p></main></body></html>'
        doc = search.bilingual_document(page, other.encode("utf-8")).decode("utf-8")
        assert 'data-pagefind-meta="title_hant[content]" content="無錫"' in doc
        assert ('data-pagefind-meta="text_hant[content]"' in doc) is carried, len("無錫 " + text)


def _fragments(site_dir):
    for path in sorted((site_dir / "pagefind").rglob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        yield json.loads(data[len(b"pagefind_dcd"):] if data.startswith(b"pagefind_dcd") else data)


def test_one_index_holds_each_page_once_with_its_traditional_title(site_dir):
    marked = search.marked_pages(site_dir)
    articles = sorted(p for p in marked if not p.startswith("hant/"))   # and the entities' first pages
    assert {p.split("/")[0] for p in articles} == {"articles", "regions", "initiatives", "topics", "people",
                                                   "organisations"}
    assert not any("/page/" in p for p in articles)
    assert articles and {"hant/" + p for p in articles} == set(marked) - set(articles)
    entries = [json.loads(p.read_text(encoding="utf-8")) for p in (site_dir / "pagefind").rglob("pagefind-entry.json")]
    assert entries and all(list(e["languages"]) == ["zh-hans"] for e in entries)   # (the site may be in parts)
    assert sum(e["languages"]["zh-hans"]["page_count"] for e in entries) == len(articles)
    fragments = {f["url"]: f for f in _fragments(site_dir)}
    assert sorted(fragments) == sorted("/" + p[: -len("index.html")] for p in articles)
    for page in articles:
        meta = fragments["/" + page[: -len("index.html")]]["meta"]
        title, text = search.indexed_text((site_dir / "hant" / page).read_bytes())
        assert meta[search.META_TITLE] == title
        assert to_simplified(title) == to_simplified(meta["title"])   # the same article's title
        if page.startswith("articles/"):   # the search page reads an article's text from its page
            assert search.META_TEXT not in meta and len(text) > search.CARRIED_TEXT_MAX, page
        else:                              # an entity's heading is carried
            assert meta[search.META_TEXT] == text, page


def test_the_folding_table_keeps_a_text_as_long_as_it_was():
    source, target = search.character_folding()
    assert len(source) == len(target) > 2000
    assert all(ord(c) < 0x10000 for c in source + target)
    assert {source[source.index(c)]: target[source.index(c)] for c in "無錫環"} == {"無": "无", "錫": "锡", "環": "环"}


@pytest.mark.browser
def test_traditional_search_shows_traditional_results_for_a_query_in_either_script(page, server):
    for query in ("無錫", "无锡"):
        found, hrefs = search_results(page, server + "hant/search/?q=" + query, WUXI_ARTICLES)
        assert WUXI_ARTICLES <= found, (query, hrefs)
        assert all(h.startswith(server + "hant/") for h in hrefs), hrefs
        assert server + "hant/regions/wuxi/" in hrefs, hrefs   # the region's page, by its name
        titles = page.eval_on_selector_all(".search-result-link", "els => els.map(e => e.textContent)")
        assert "無錫科創新篇：環太湖科技創新圈在無錫簽約" in titles, titles
        marks = page.eval_on_selector_all(".search-result-excerpt mark", "els => els.map(e => e.textContent)")
        assert marks and set(marks) == {"無錫"}, marks   # the hits, in the Traditional text
        excerpts = page.eval_on_selector_all(".search-result-excerpt", "els => els.map(e => e.textContent)")
        assert all(len(e) <= 82 for e in excerpts), excerpts   # cut around the hit (80 characters, two ellipses)
        assert not any(re.search(r"[无锡环长创]", e) for e in excerpts), excerpts
    assert page.errors == []


@pytest.mark.browser
def test_a_traditional_excerpt_is_cut_from_the_traditional_page_less_its_ignored_parts(page, server, site_dir):
    """An article's Traditional text is read from its Traditional page when the result is
    listed, as ``search.indexed_text`` reads it: the indexed element less its
    data-pagefind-ignore parts (the note on the original's script), blocks apart."""
    slug = "2021-07-28-gongtongti"   # written in Simplified: its Traditional page has the note
    html = (site_dir / "hant" / "articles" / slug / "index.html").read_bytes()
    title, text = search.indexed_text(html)
    assert "閱讀原文".encode("utf-8") in html and "閱讀原文" not in text   # the page has an ignored note
    for query in ("穩步推進", "研發平臺"):   # hits in the header (beside the note), in the body
        search_results(page, server + "hant/search/?q=" + query, {slug})
        page.wait_for_selector("#search[data-state=done]")
        result = page.locator(".search-result", has=page.locator(f".search-result-link[href$='/articles/{slug}/']"))
        excerpt = result.locator(".search-result-excerpt").inner_text()
        assert len(excerpt) > 40 and excerpt.strip("…") in text, (query, excerpt, text[:200])
        assert result.locator("mark").count() > 0, excerpt
    assert server + f"hant/articles/{slug}/" in page.requests
    assert page.errors == []


@pytest.mark.browser
def test_a_traditional_result_whose_page_cannot_be_read_is_listed_without_an_excerpt(page, server):
    page.route("**/hant/articles/**", lambda route: route.fulfill(status=404, body="gone"))
    found, hrefs = search_results(page, server + "hant/search/?q=無錫", WUXI_ARTICLES)
    assert WUXI_ARTICLES <= found and all(h.startswith(server + "hant/") for h in hrefs), hrefs
    page.wait_for_selector("#search[data-state=done]")
    titles = page.eval_on_selector_all(".search-result-link", "els => els.map(e => e.textContent)")
    assert "無錫科創新篇：環太湖科技創新圈在無錫簽約" in titles, titles
    rows = page.eval_on_selector_all(".search-result", """els => els.map(li => [
        li.querySelector('.search-result-link').href, li.querySelector('.search-result-excerpt').textContent])""")
    assert all(text == "" for href, text in rows if "/articles/" in href), rows
    assert any(text for href, text in rows if "/regions/" in href), rows   # an entity's heading is carried
    assert not [e for e in page.errors if "404" not in e], page.errors


@pytest.mark.browser
def test_a_traditional_phrase_is_found_by_its_words(page, server):
    """The shared index is segmented into words: a Traditional phrase folded to Simplified
    is matched word by word, as on the Simplified page."""
    found_hant, _ = search_results(page, server + "hant/search/?q=長三角科技創新共同體", {"2021-07-28-gongtongti"})
    found_hans, _ = search_results(page, server + "search/?q=长三角科技创新共同体", {"2021-07-28-gongtongti"})
    assert "2021-07-28-gongtongti" in found_hant and found_hant == found_hans
    assert page.errors == []


@pytest.mark.browser
def test_a_traditional_excerpt_marks_what_the_index_matched_of_a_split_word(page, server):
    """Pagefind's segmenter does not know 张江: it matches 张 and 江 apart, and the Traditional
    excerpt marks those characters (the word is not in the text whole)."""
    page.goto(server + "hant/search/?q=張江")
    page.wait_for_selector("#search[data-state=done]")
    excerpts = page.locator(".search-result-excerpt")
    assert excerpts.count() > 0
    for k in range(excerpts.count()):
        marks = excerpts.nth(k).locator("mark").all_inner_texts()
        assert marks and set(marks) <= {"張", "江"}, (k, marks)
    assert page.errors == []


@pytest.mark.browser
@pytest.mark.parametrize("variant, query, label", [("", "无锡", "地区"), ("hant/", "無錫", "地區")])
def test_an_entity_result_is_labelled_with_its_section(page, server, variant, query, label):
    search_results(page, server + variant + "search/?q=" + query, {"2021-06-02-wuxi-kechuang"})
    page.wait_for_selector("#search[data-state=done]")
    rows = page.eval_on_selector_all(".search-result h2", """els => els.map(h => [
        h.querySelector('.search-result-link').href, (h.querySelector('.tag') || {}).textContent || null])""")
    kinds = {href: tag for href, tag in rows}
    assert kinds[server + variant + "regions/wuxi/"] == label, rows
    assert all(tag is None for href, tag in rows if "/articles/" in href), rows   # articles are not labelled
    assert "条结果" in page.inner_text(".search-status") or "條結果" in page.inner_text(".search-status")
    assert page.errors == []
