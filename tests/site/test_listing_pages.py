"""Where the pages of a listing end: after an article whose slug marks a cut, so that an
article entering or leaving a listing changes its own page, not every page after it."""

from __future__ import annotations

import hashlib

from briefing.site import model

# 2,000 slugs as the ingest makes them (date and a hash), newest first as a listing has them
SLUGS = tuple(f"2020{i:04d}-{hashlib.sha1(str(i).encode()).hexdigest()[:8]}" for i in range(2000))


def _pages(listing: tuple[str, ...]) -> list[tuple[str, ...]]:
    return [model.listing_page(listing, n) for n in range(1, model.listing_pages(listing) + 1)]


def _pages_changed(before: list, after: list) -> int:
    return sum(1 for n in range(max(len(before), len(after)))
               if n >= len(before) or n >= len(after) or before[n] != after[n])


def test_pages_hold_the_listing_in_order_each_but_the_last_of_min_to_max_articles():
    pages = _pages(SLUGS)
    assert tuple(s for page in pages for s in page) == SLUGS
    assert all(model.LISTING_MIN <= len(page) <= model.LISTING_MAX for page in pages[:-1])
    assert 1 <= len(pages[-1]) <= model.LISTING_MAX
    assert 35 <= len(SLUGS) / len(pages) <= 45                     # ~39 on average
    assert len({len(page) for page in pages}) > 5                   # cut where the articles say


def test_a_listing_that_fits_on_a_page_is_one_page():
    assert model.listing_cuts(SLUGS[:model.LISTING_MAX]) == (0,)
    assert model.listing_pages(SLUGS[:model.LISTING_MAX + 1]) == 2
    assert model.listing_pages(()) == 1 and model.listing_page((), 1) == ()


def test_equal_bounds_cut_pages_by_count(monkeypatch):
    monkeypatch.setattr(model, "LISTING_MIN", 4)
    monkeypatch.setattr(model, "LISTING_MAX", 4)
    assert [len(page) for page in _pages(SLUGS[:45])] == [4] * 11 + [1]


def test_an_article_leaving_a_listing_changes_its_own_page_and_seldom_more():
    before = _pages(SLUGS)
    changed = []
    for gone in range(0, len(SLUGS), 7):
        after = _pages(SLUGS[:gone] + SLUGS[gone + 1:])
        page = next(n for n, p in enumerate(before) if SLUGS[gone] in p)
        assert after[:page] == before[:page]                        # the pages before: never
        changed.append((_pages_changed(before, after), len(after) != len(before)))
    # by count, each removal would change every page from the article's on: ~27 on average
    assert sum(n == 1 and not recount for n, recount in changed) >= 0.8 * len(changed)
    assert sum(n for n, _ in changed) / len(changed) < 3
    assert sum(recount for _, recount in changed) <= 0.05 * len(changed)   # page numbers move


def test_a_new_article_first_in_a_listing_changes_the_first_page():
    before = _pages(SLUGS)
    changed = [_pages_changed(before, _pages((f"2021{i:04d}-new",) + SLUGS)) for i in range(200)]
    assert sum(n == 1 for n in changed) >= 0.95 * len(changed)
