"""The site in a real Chromium: navigation, search in both scripts, the script switch,
no console errors, no external requests, accessibility (axe-core), JavaScript off."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.site.conftest import search_results

pytestmark = pytest.mark.browser

WUXI_ARTICLES = {"2021-06-02-wuxi-kechuang", "2021-07-28-gongtongti", "2022-03-09-sunan", "2023-03-wuxi-shenzhen"}
PAGE_TYPES = [
    "", "articles/", "articles/2021-06-02-wuxi-kechuang/", "regions/", "regions/wuxi/", "initiatives/",
    "initiatives/huantaihu-kechuang-quan/", "topics/", "topics/talent/", "timeline/", "timeline/2021/", "people/",
    "people/cui-rongguo/", "organisations/", "organisations/zhejiang-university/", "search/", "about/", "404.html",
]


def _only_local(page, server):
    origin = server.split("/briefing/")[0]
    return [u for u in page.requests if not u.startswith(origin) and not u.startswith("data:")]


def test_navigate_home_region_article_timeline_and_back(page, server):
    page.goto(server)
    assert page.locator("h1").first.inner_text().strip()
    page.locator(".dashboard a.ent-region", has_text="无锡").first.click()
    page.wait_for_url(re.compile(r"/briefing/regions/wuxi/$"))
    assert "无锡" in page.locator("h1").inner_text()
    page.locator(".card-title a").first.click()
    page.wait_for_url(re.compile(r"/briefing/articles/[^/]+/$"))
    article_url = page.url
    assert page.locator("article.article .body p#p1").count() == 1
    page.locator(".site-nav a", has_text="时间线").click()
    page.wait_for_url(re.compile(r"/briefing/timeline/$"))
    assert page.locator("li.entry").count() > 5
    page.go_back()
    page.wait_for_url(article_url)
    assert page.errors == []
    assert _only_local(page, server) == []


def test_timeline_links_land_on_the_cited_paragraph(page, server):
    page.goto(server + "timeline/2021/")
    entry = page.locator("li.entry[id^='e-2021-05-27']")
    assert entry.locator("ul.sources > li").count() == 2
    entry.locator("p.cite a").first.click()
    page.wait_for_url(re.compile(r"#p1$"))
    assert page.evaluate("document.querySelector(':target').id") == "p1"
    assert page.errors == []


def test_search_finds_wuxi_in_simplified_and_traditional(page, server):
    found, hrefs = search_results(page, server + "search/?q=无锡", WUXI_ARTICLES)
    assert WUXI_ARTICLES <= found, hrefs
    assert all(h.startswith(server) and "/hant/" not in h for h in hrefs)
    found_hant, hrefs_hant = search_results(page, server + "hant/search/?q=無錫", WUXI_ARTICLES)
    assert WUXI_ARTICLES <= found_hant, hrefs_hant
    assert all(h.startswith(server + "hant/") for h in hrefs_hant)
    assert page.errors == []
    assert _only_local(page, server) == []


def test_script_switch_lands_on_the_same_page(page, server):
    for path in ("articles/2024-10-31-jiakuntai/", "regions/wuxi/", "timeline/2021/", ""):
        page.goto(server + path)
        assert page.evaluate("document.documentElement.lang") == "zh-Hans"
        page.locator(".script-switch").click()
        page.wait_for_url(server + "hant/" + path)
        assert page.evaluate("document.documentElement.lang") == "zh-Hant"
        page.locator(".script-switch").click()
        page.wait_for_url(server + path)
    assert page.errors == []


@pytest.mark.parametrize("variant", ["", "hant/"])
def test_no_serious_accessibility_violation_on_any_page_type(page, server, variant):
    axe = Axe()
    problems = {}
    for path in PAGE_TYPES:
        page.goto(server + variant + path)
        if path == "search/":
            page.wait_for_selector(".search-input:enabled")
        result = axe.run(page)
        bad = [(v["id"], v["impact"], len(v["nodes"])) for v in result.response["violations"]
               if v["impact"] in ("serious", "critical")]
        if bad:
            problems[path] = bad
    assert problems == {}
    assert page.errors == []


def test_everything_but_search_works_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "articles/2021-06-02-wuxi-kechuang/")
    assert page.locator("h1").inner_text().startswith("无锡")
    page.locator("aside.panel a.ent-region", has_text="苏州").first.click()
    page.wait_for_url(re.compile(r"/regions/suzhou/$"))
    assert page.locator("svg.map").count() == 1
    page.goto(server + "search/")
    assert "JavaScript" in page.locator("noscript").first.inner_html() or page.locator("main").inner_text()
    context.close()


def test_narrow_screen_has_no_horizontal_scroll(browser, server):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    for path in ("", "articles/2021-06-02-wuxi-kechuang/", "regions/wuxi/", "timeline/"):
        page.goto(server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)
    context.close()
