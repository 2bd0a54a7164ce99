"""The plan of outputs made again after an edit takes the earlier plan's outputs where they
are the same, and is the plan made from scratch."""

from __future__ import annotations

from briefing.site import pages
from briefing.site.model import listing_pages

from tests.site.test_record_fields import _corpus


def test_a_plan_made_from_an_earlier_one_is_the_plan_made_from_scratch(vocab):
    before = _corpus(vocab, copies=130)                       # the topic's listing: four pages
    listing = before.topics["talent"].articles
    after = _corpus(vocab, copies=130, dropped=listing[38])   # it ended the first: three pages
    earlier = pages.plan(before, {})
    again = pages.plan(after, {}, earlier)
    assert again == pages.plan(after, {})
    reused = {id(o) for o in earlier}
    talent = [o for o in again if o.template == "topic.html" and o.args["ident"] == "talent"]
    assert len(talent) == 2 * 3 and not any(id(o) in reused for o in talent)   # made anew: one page fewer
    articles = [o for o in again if o.template == "article.html"]
    assert len(articles) == 2 * 129 and all(id(o) in reused for o in articles)
    # an entity's pages are taken again exactly when it has as many pages as before
    tables = {"region.html": "regions", "topic.html": "topics", "initiative.html": "initiatives",
              "person.html": "people", "organisation.html": "organisations"}
    kept = fresh = 0
    for o in again:
        if o.template in tables:
            listings = [getattr(site, tables[o.template])[o.args["ident"]].articles for site in (before, after)]
            same = listing_pages(listings[0]) == listing_pages(listings[1])
            assert (id(o) in reused) == same
            kept, fresh = kept + same, fresh + (not same)
    assert kept and fresh


def test_an_article_whose_date_changed_is_planned_anew(vocab):
    import dataclasses

    from briefing.site import load, model

    from tests.site.conftest import FIXTURE_CONTENT

    sources = load.load_articles(FIXTURE_CONTENT)
    earlier = pages.plan(model.build_site(sources, vocab), {})
    redated = [dataclasses.replace(s, date="2019-01-02", date_precision="day", front_hash=s.front_hash + "-redated")
               if i == 0 else s for i, s in enumerate(sources)]
    site = model.build_site(redated, vocab)
    again = pages.plan(site, {}, earlier)
    assert again == pages.plan(site, {})
    mine = [o for o in again if o.template == "article.html" and o.args["slug"] == sources[0].slug]
    assert [o.lastmod for o in mine] == ["2019-01-02"] * 2
    assert not {id(o) for o in mine} & {id(o) for o in earlier}
