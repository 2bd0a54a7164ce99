"""A timeline entry in a compact list (an entity page's recent events) names at most a few
places of each kind, with a link to the entry where all are listed; the full timeline
lists every place. The page depends only on the places it shows."""

from __future__ import annotations

import re

from briefing.site import load, model, render, urls, views
from briefing.site.views import EntryView, Reader

from tests.site.conftest import FIXTURE_CONTENT

MANY = "2021-05-27-3849e1"     # the fixture's entry with the most regions (8)
SHOW = ('{% import "macros.html" as m with context %}'
        '<ol>{{ m.entry(e, true, limit, most) }}</ol>')


def _entry_html(vocab, limit, most):
    site = model.build_site(load.load_articles(FIXTURE_CONTENT), vocab)
    page = urls.region(urls.HANS, "wuxi")
    h = Reader(site, urls.HANS, page, {"base_url": None, "title": "t"})
    e = EntryView(h, site.by_entry[MANY])
    html = render.make_environment().from_string(SHOW).render(h=h, _=h._, e=e, limit=limit, most=most)
    where = re.search(r'<p class="where">(.*?)</p>', html, re.S).group(1)
    return e, where, h.deps


def test_a_compact_entry_names_a_few_places_and_links_to_the_rest(vocab):
    e, where, deps = _entry_html(vocab, 3, 5)
    assert len(re.findall(r'class="ent ent-region"', where)) == 5
    rest = re.search(r'<a class="rest" href="([^"]+)">等 8 个地区</a>', where)
    assert rest and rest.group(1) == e.href
    assert len([k for k in deps if k.startswith("label:region:")]) == 5   # only the regions shown


def test_the_full_timeline_names_every_place(vocab):
    _, where, deps = _entry_html(vocab, None, 5)
    assert len(re.findall(r'class="ent ent-region"', where)) == 8
    assert 'class="rest"' not in where
    assert len([k for k in deps if k.startswith("label:region:")]) == 8


TIMELINE = ('{% import "macros.html" as m with context %}'
            '{{ m.timeline(h.entries([key]), "h3", true, 3) }}')


def _timeline(site, variant, page):
    h = Reader(site, variant, page, {"base_url": None, "title": "t"})
    html = render.make_environment().from_string(TIMELINE).render(h=h, _=h._, key=MANY)
    return html, h.deps


def test_a_compact_entry_is_made_once_per_script_and_depth_and_each_page_depends_on_what_it_read(vocab):
    site = model.build_site(load.load_articles(FIXTURE_CONTENT), vocab)
    views.forget_fragments()
    wuxi, wuxi_deps = _timeline(site, urls.HANS, urls.region(urls.HANS, "wuxi"))
    assert len(views._FRAGMENTS) == 1
    suzhou, suzhou_deps = _timeline(site, urls.HANS, urls.region(urls.HANS, "suzhou"))
    assert len(views._FRAGMENTS) == 1   # the same depth and script: made once
    read = {k for k in suzhou_deps if k.startswith(("label:region:", "card:", "entry:"))}
    assert len([k for k in read if k.startswith("label:region:")]) == 8 and "entry:" + MANY in read
    assert read <= wuxi_deps            # the page that reused it depends on what making it read

    views.forget_fragments()
    fresh, fresh_deps = _timeline(site, urls.HANS, urls.region(urls.HANS, "suzhou"))
    assert (fresh, fresh_deps) == (suzhou, suzhou_deps)   # reused = made for this page

    _timeline(site, urls.HANT, urls.region(urls.HANT, "suzhou"))
    home, _ = _timeline(site, urls.HANS, urls.home(urls.HANS))
    assert len(views._FRAGMENTS) == 3   # another script, another depth: made again
    assert 'href="../../regions/wuxi/"' in wuxi and 'href="regions/wuxi/"' in home   # links made for each


CARDS = ('{% import "macros.html" as m with context %}'
         '{{ m.cards(h.cards(slugs)) }}')


def _cards(site, variant, page, slugs):
    h = Reader(site, variant, page, {"base_url": None, "title": "t"})
    html = render.make_environment().from_string(CARDS).render(h=h, _=h._, slugs=slugs)
    return html, h.deps


def test_an_articles_card_is_made_once_per_script_and_depth_and_each_listing_depends_on_it(vocab):
    site = model.build_site(load.load_articles(FIXTURE_CONTENT), vocab)
    slugs = [a.slug for a in site.articles[:3]]
    views.forget_fragments()
    first, first_deps = _cards(site, urls.HANS, urls.region(urls.HANS, "wuxi"), slugs)
    assert len(views._CARDS) == 3 and len(views._FRAGMENTS) == 3
    again, again_deps = _cards(site, urls.HANS, urls.topic(urls.HANS, "ai"), slugs[::-1])
    assert len(views._CARDS) == 3 and len(views._FRAGMENTS) == 3   # the same depth and script: reused
    assert {"card:" + s for s in slugs} <= again_deps and {"card:" + s for s in slugs} <= first_deps
    # the same cards in the other order, each linked from this depth
    blocks = re.findall(r'<article class="card">.*?</article>', first, re.S)
    assert re.findall(r'<article class="card">.*?</article>', again, re.S) == blocks[::-1]
    assert all(f'href="../../articles/{s}/"' in b for s, b in zip(slugs, blocks))

    later, _ = _cards(site, urls.HANS, urls.paged(urls.region(urls.HANS, "wuxi"), 2), slugs)
    hant, _ = _cards(site, urls.HANT, urls.region(urls.HANT, "wuxi"), slugs)
    assert len(views._CARDS) == 9 and len(views._FRAGMENTS) == 9   # another depth, another script: made again
    assert f'href="../../../../articles/{slugs[0]}/"' in later
    assert f'href="../../../hant/articles/{slugs[0]}/"' in hant

    views.forget_fragments()
    fresh, fresh_deps = _cards(site, urls.HANS, urls.topic(urls.HANS, "ai"), slugs[::-1])
    assert (fresh, fresh_deps) == (again, again_deps)   # reused = made for this page


def test_a_label_is_made_once_per_script_and_depth_and_each_page_records_reading_it(vocab):
    site = model.build_site(load.load_articles(FIXTURE_CONTENT), vocab)
    views.forget_fragments()
    config = {"base_url": None, "title": "t"}
    wuxi = Reader(site, urls.HANS, urls.region(urls.HANS, "wuxi"), config)
    suzhou = Reader(site, urls.HANS, urls.region(urls.HANS, "suzhou"), config)
    later = Reader(site, urls.HANS, urls.paged(urls.region(urls.HANS, "wuxi"), 2), config)
    hant = Reader(site, urls.HANT, urls.region(urls.HANT, "wuxi"), config)
    first = wuxi.label("region", "suzhou")
    assert suzhou.label("region", "suzhou") is first and "label:region:suzhou" in suzhou.deps
    assert first.href == "../../regions/suzhou/"
    assert later.label("region", "suzhou").href == "../../../../regions/suzhou/"
    assert hant.label("region", "suzhou").href == "../../../hant/regions/suzhou/"
    assert hant.label("region", "suzhou").name == "蘇州市"
    views.forget_fragments()                  # a new model: made again
    assert wuxi.label("region", "suzhou") is not first and wuxi.label("region", "suzhou") == first
