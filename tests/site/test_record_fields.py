"""A page depends on the fields of an entity's record it shows, each on its own: the later
pages of a long listing show only its articles, so a change to what only the first page
shows (a topic's region counts) re-renders the first page and leaves the others alone."""

from __future__ import annotations

import dataclasses

from briefing.site import load, model, pages, render
from briefing.site.load import RegionRef

from tests.site.conftest import FIXTURE_CONTENT


def _corpus(vocab, moved_region: str | None = None):
    """Fifty copies of a fixture article about "talent" (two pages of its topic listing);
    with ``moved_region``, the last copy is about that region instead of its own."""
    base = next(s for s in load.load_articles(FIXTURE_CONTENT) if s.slug == "2021-06-02-wuxi-kechuang")
    sources = []
    for i in range(50):
        regions = base.regions
        if moved_region and i == 49:
            regions = (RegionRef(moved_region, 1, True),)
        sources.append(dataclasses.replace(base, slug=f"2021-06-{i:02d}-copy", date=f"2021-06-{1 + i % 28:02d}",
                                           front_hash=f"{base.front_hash}-{i}-{moved_region if i == 49 else ''}",
                                           content_hash=f"{base.content_hash}-{i}", regions=regions))
    return model.build_site(sources, vocab)


def _topic_page(env, site, pageno: int) -> frozenset[str]:
    wanted = {"ident": "talent", "pageno": pageno}
    out = next(o for o in pages.plan(site, {}) if o.template == "topic.html" and o.variant == "hans"
               and {k: o.args.get(k) for k in wanted} == wanted)
    return render.render_page(env, out.template, site, out.variant, out.path, {"base_url": None, "title": "t"},
                              out.args)[1]


def test_the_later_pages_of_a_listing_do_not_depend_on_what_only_the_first_shows(vocab):
    before, after = _corpus(vocab), _corpus(vocab, moved_region="hefei")
    changed = {k for k in set(before.fingerprints) | set(after.fingerprints)
               if before.fingerprints.get(k) != after.fingerprints.get(k)}
    assert "topic:talent.regions" in changed and "topic:talent.articles" not in changed
    env = render.make_environment()
    first, second = _topic_page(env, before, 1), _topic_page(env, before, 2)
    assert "topic:talent.regions" in first and "topic:talent.articles" in second
    assert not first.isdisjoint(changed)          # the first page shows the region counts: rendered again
    assert second.isdisjoint(changed)             # the second only the articles: left alone
    assert "topic:talent" not in first | second   # the whole record is never read by a page
