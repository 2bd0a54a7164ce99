"""A page depends on the fields of an entity's record it shows, each on its own: the later
pages of a long listing show only its articles, so a change to what only the first page
shows (a topic's region counts) re-renders the first page and leaves the others alone."""

from __future__ import annotations

import dataclasses

from briefing.site import load, model, pages, render
from briefing.site.load import RegionRef

from tests.site.conftest import FIXTURE_CONTENT


def _corpus(vocab, moved_region: str | None = None, copies: int = 60, dropped: str | None = None):
    """Copies of a fixture article about "talent" (sixty: two pages of its topic listing);
    with ``moved_region``, the last copy is about that region instead of its own; without
    the copy ``dropped`` (a slug)."""
    base = next(s for s in load.load_articles(FIXTURE_CONTENT) if s.slug == "2021-06-02-wuxi-kechuang")
    sources = []
    for i in range(copies):
        regions = base.regions
        if moved_region and i == copies - 1:
            regions = (RegionRef(moved_region, 1, True),)
        sources.append(dataclasses.replace(base, slug=f"2021-06-{i:02d}-copy", date=f"2021-06-{1 + i % 28:02d}",
                                           front_hash=f"{base.front_hash}-{i}-{moved_region if i == copies - 1 else ''}",
                                           content_hash=f"{base.content_hash}-{i}", regions=regions))
    return model.build_site([s for s in sources if s.slug != dropped], vocab)


def _page(env, site, template: str, ident: str, pageno: int = 1) -> tuple[str, frozenset[str]]:
    """(HTML, dependency keys) of a page of an entity."""
    wanted = {"ident": ident, "pageno": pageno}
    out = next(o for o in pages.plan(site, {}) if o.template == template and o.variant == "hans"
               and {k: o.args.get(k) for k in wanted} == wanted)
    return render.render_page(env, out.template, site, out.variant, out.path, {"base_url": None, "title": "t"},
                              out.args)


def _topic_page(env, site, pageno: int) -> frozenset[str]:
    return _page(env, site, "topic.html", "talent", pageno)[1]


def _changed(before, after) -> set[str]:
    return {k for k in set(before.fingerprints) | set(after.fingerprints)
            if before.fingerprints.get(k) != after.fingerprints.get(k)}


def _heads_changed(deps, before, after) -> set[str]:
    """The head keys among ``deps`` that differ (the builder fingerprints them, not the model)."""
    return {k for k in deps if model.is_head_key(k)
            and model.head_fingerprint(before, k) != model.head_fingerprint(after, k)}


def test_the_later_pages_of_a_listing_do_not_depend_on_what_only_the_first_shows(vocab):
    before, after = _corpus(vocab), _corpus(vocab, moved_region="hefei")
    changed = _changed(before, after)
    assert "topic:talent.regions" in changed and "topic:talent.articles" not in changed
    env = render.make_environment()
    first, second = _topic_page(env, before, 1), _topic_page(env, before, 2)
    assert "topic:talent.regions[:12]" in first and "topic:talent.articles/page/2" in second
    changed |= _heads_changed(first | second, before, after)
    assert not first.isdisjoint(changed)          # the first page shows the region counts: rendered again
    assert second.isdisjoint(changed)             # the second only the articles: left alone
    assert "topic:talent" not in first | second   # the whole record is never read by a page


def test_an_article_leaving_a_listing_changes_its_first_page_and_its_own_page(vocab):
    # the first page shows how many articles there are; a later page only its own articles
    # and how many pages there are; pages end where their articles say, so the pages before
    # and after the article's are left alone
    before = _corpus(vocab, copies=130)                       # four pages: 39, 31, 41 and 19
    listing = before.topics["talent"].articles
    assert model.listing_cuts(listing) == (0, 39, 70, 111)
    after = _corpus(vocab, copies=130, dropped=listing[100])  # on the third page
    changed = _changed(before, after)
    env = render.make_environment()
    deps = {n: _topic_page(env, before, n) for n in (1, 2, 3, 4)}
    assert "topic:talent.articles" in deps[1] and not any("/page" in k for k in deps[1])
    assert "topic:talent.articles" not in deps[2] | deps[3] | deps[4]
    assert {"topic:talent.articles/page/2", "topic:talent.articles/pages"} <= deps[2]
    assert not deps[1].isdisjoint(changed) and not deps[3].isdisjoint(changed)
    assert deps[2].isdisjoint(changed) and deps[4].isdisjoint(changed)
    html = _page(env, before, "topic.html", "talent", 2)[0]
    assert "第 2 页，共 4 页" in html and "130" not in html
    # without the article that ended the first page, the first takes in part of the second,
    # and so on: three pages, and the fourth page's key goes
    fewer = _corpus(vocab, copies=130, dropped=listing[38])
    assert model.listing_pages(fewer.topics["talent"].articles) == 3
    gone = _changed(before, fewer)
    assert "topic:talent.articles/pages" in gone and "topic:talent.articles/page/4" in gone
    assert "topic:talent.articles/page/4" not in fewer.fingerprints


def test_a_map_shows_the_size_class_of_each_region_count_and_depends_on_nothing_finer(vocab):
    # a regions edit moves the counts of the regions it adds or removes; the maps of every
    # region partnering with them show them: only a count crossing into another class
    # (30-99 -> 10-29 here) changes those maps
    env = render.make_environment()
    html, deps = _page(env, _corpus(vocab), "region.html", "wuxi")
    assert "region:jiading.coverage" in deps and "region:jiading.articles" not in deps
    assert 'aria-label="嘉定区（30–99 篇）"' in html
    legend = html[html.index('<g class="legend"'):]
    assert "30–99 篇" in legend[:legend.index("</g>")]
    within = _changed(_corpus(vocab), _corpus(vocab, moved_region="hefei"))       # 60 -> 59
    assert "region:jiading.articles" in within and "region:jiading.coverage" not in within
    across = _changed(_corpus(vocab, copies=30), _corpus(vocab, moved_region="hefei", copies=30))   # 30 -> 29
    assert "region:jiading.coverage" in across


def test_a_topic_page_shows_its_twelve_most_named_regions_and_depends_on_nothing_below_them(vocab):
    # 9 regions named by all 50 copies, 5 more by one copy each: the topic page lists 12;
    # the 14th losing its one article changes the topic's region counts, not the page
    base = next(s for s in load.load_articles(FIXTURE_CONTENT) if s.slug == "2021-06-02-wuxi-kechuang")
    extra = ["hangzhou", "hefei", "nanjing", "ningbo", "wuhu"]

    def corpus(extras):
        sources = []
        for i in range(50):
            regions = base.regions + ((RegionRef(extras[i], 1, False),) if i < len(extras) else ())
            sources.append(dataclasses.replace(base, slug=f"2021-06-{i:02d}-copy", date=f"2021-06-{1 + i % 28:02d}",
                                               front_hash=f"{base.front_hash}-{i}-{len(extras)}",
                                               content_hash=f"{base.content_hash}-{i}", regions=regions))
        return model.build_site(sources, vocab)

    before, after = corpus(extra), corpus(extra[:-1])   # wuhu's copy no longer names it
    assert len(before.topics["talent"].regions) == 14 and before.topics["talent"].regions[-1][0] == "wuhu"
    html, deps = _page(render.make_environment(), before, "topic.html", "talent")
    assert "topic:talent.regions[:12]" in deps and "topic:talent.regions" not in deps
    assert html.count('<span class="count">') >= 12 and "wuhu" not in html.split("涉及最多的地区")[1].split("</section>")[0]
    changed = _changed(before, after) | _heads_changed(deps, before, after)
    assert "topic:talent.regions" in changed
    assert "topic:talent.regions[:12]" not in changed
    # a count among the twelve moving does change the head
    moved = corpus(extra[1:])   # hangzhou named nowhere: it leaves the twelve, ningbo enters
    assert "topic:talent.regions[:12]" in _heads_changed(deps, before, moved)
