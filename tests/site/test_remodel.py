"""Front-matter edits, new and deleted articles remodel the kept model: always exactly the
model a full build makes of the new corpus."""

from __future__ import annotations

import dataclasses
import random

import pytest

from briefing.errors import BriefingErrors
from briefing.site import load, model, pages, remodel

from tests.site.conftest import FIXTURE_CONTENT


def assert_same_model(made: model.Site, full: model.Site) -> None:
    """Every part of two models equal, mappings in the same order (pages iterate them)."""
    assert dict(made.fingerprints) == dict(full.fingerprints), sorted(
        k for k in made.fingerprints.keys() | full.fingerprints.keys()
        if made.fingerprints.get(k) != full.fingerprints.get(k))[:12]
    for name in ("by_slug", "labels", "regions", "initiatives", "topics", "people", "organisations", "by_entry",
                 "related", "region_coords"):
        mine, theirs = getattr(made, name), getattr(full, name)
        assert list(mine.items()) == list(theirs.items()), name
    assert made.articles == full.articles and made.entries == full.entries
    assert (made.years, made.stats, made.related_cache) == (full.years, full.stats, full.related_cache)


class Pools:
    """Ids and records the corpus already uses, for edits that mix them up."""

    def __init__(self, sources: list[load.ArticleSource]):
        self.regions = sorted({r for s in sources for r in s.regions}, key=lambda r: r.id)
        self.topics = sorted({t for s in sources for t in s.topics}, key=lambda t: t.id)
        self.initiatives = sorted({i for s in sources for i in s.initiatives}, key=lambda i: i.id)
        self.people = sorted({p for s in sources for p in s.people}, key=lambda p: p.id)
        self.organisations = sorted({o for s in sources for o in s.organisations}, key=lambda o: o.id)
        self.events = [e for s in sources for e in s.events]
        self.figures = [f for s in sources for f in s.figures]
        self.dates = sorted({s.date for s in sources})


def _some(rng: random.Random, items: list, most: int) -> tuple:
    return tuple(rng.sample(items, rng.randint(0, min(most, len(items)))))


def _renumbered(events) -> tuple:
    return tuple(dataclasses.replace(e, index=i) for i, e in enumerate(events))


def edited(src: load.ArticleSource, rng: random.Random, pools: Pools, tag: str) -> load.ArticleSource:
    """``src`` with one to three parts of its front matter changed."""
    changes: dict = {}
    for part in rng.sample(["regions", "topics", "initiatives", "people", "organisations", "events", "figures",
                            "date", "event_places"], rng.randint(1, 3)):
        if part in ("regions", "topics", "initiatives", "people", "organisations"):
            # unique by id (what the loader guarantees)
            chosen = {x.id: x for x in _some(rng, getattr(pools, part), 4)}
            changes[part] = tuple(chosen.values())
        elif part == "events":
            changes["events"] = _renumbered(_some(rng, pools.events, 3))
        elif part == "event_places":
            changes["events"] = _renumbered(dataclasses.replace(
                e, regions=tuple(sorted({r.id for r in _some(rng, pools.regions, 3)})),
                initiatives=tuple(sorted({i.id for i in _some(rng, pools.initiatives, 1)})))
                for e in (changes.get("events") or src.events))
        elif part == "figures":
            changes["figures"] = tuple(dataclasses.replace(f, regions=tuple({r.id for r in _some(rng, pools.regions, 2)}))
                                       for f in _some(rng, pools.figures, 3))
        else:
            changes["date"] = rng.choice(pools.dates)
    return dataclasses.replace(src, front_hash=f"front-{tag}", content_hash=f"content-{tag}", **changes)


def corpus(vocab, size: int, seed: int) -> list[load.ArticleSource]:
    """The fixture articles and ``size`` more made of them, entities mixed among them."""
    sources = load.load_articles(FIXTURE_CONTENT)
    rng = random.Random(seed)
    pools = Pools(sources)
    made = list(sources)
    for i in range(size):
        base = rng.choice(sources)
        made.append(edited(dataclasses.replace(base, slug=f"{base.slug}-{i}"), rng, pools, f"made-{i}"))
    return made


def random_edits(sources: list[load.ArticleSource], rng: random.Random, pools: Pools,
                 step: int) -> list[load.ArticleSource]:
    """The corpus after one to three edits: front matter changed, an article added or deleted."""
    out = list(sources)
    for n in range(rng.randint(1, 3)):
        what = rng.random()
        i = rng.randrange(len(out))
        if what < 0.7:
            out[i] = edited(out[i], rng, pools, f"{step}-{n}")
        elif what < 0.85 and len(out) > 3:
            del out[i]
        else:
            out.append(edited(dataclasses.replace(out[i], slug=f"new-{step}-{n}"), rng, pools, f"new-{step}-{n}"))
    return out


@pytest.mark.parametrize("size, seed", [(30, seed) for seed in range(6)] + [(2, seed) for seed in range(10)])
def test_edit_after_edit_the_remodelled_model_is_the_full_builds(vocab, size, seed):
    """A small corpus sees entities get and lose their pages (the last article naming an
    initiative edited, a region's only mention deleted) more often than a larger one."""
    sources = corpus(vocab, size, seed)
    pools = Pools(sources)
    rng = random.Random(1000 + seed)
    site = model.build_site(sources, vocab)
    for step in range(12):
        sources = random_edits(sources, rng, pools, step)
        made = remodel.remodel(site, sources, vocab)
        full = model.build_site(sources, vocab)
        assert made is not None
        assert_same_model(made, full)
        # the outputs planned stay the same object's only when the plan is the same
        if made.layout is site.layout:
            assert pages.plan(made, {}) == pages.plan(site, {})
        site = made


def test_an_unchanged_corpus_is_the_same_model_and_too_many_edits_build_anew(vocab):
    sources = corpus(vocab, 80, 1)
    site = model.build_site(sources, vocab)
    assert remodel.remodel(site, list(sources), vocab) is site
    pools = Pools(sources)
    rng = random.Random(5)
    many = [edited(s, rng, pools, "many") for s in sources[:remodel.MOST_CHANGED + 1]] + sources[remodel.MOST_CHANGED + 1:]
    assert remodel.remodel(site, many, vocab) is None


def test_a_front_matter_edit_naming_an_unknown_id_is_the_full_builds_error(vocab):
    sources = load.load_articles(FIXTURE_CONTENT)
    site = model.build_site(sources, vocab)
    bad = dataclasses.replace(sources[2], regions=(load.RegionRef("nowhere", 1, True),), front_hash="bad")
    corpus_now = [bad if s is sources[2] else s for s in sources]
    with pytest.raises(BriefingErrors) as remodelled:
        remodel.remodel(site, corpus_now, vocab)
    with pytest.raises(BriefingErrors) as built:
        model.build_site(corpus_now, vocab)
    assert str(remodelled.value) == str(built.value) and "nowhere" in str(built.value)


def test_a_new_article_whose_slug_is_taken_is_left_to_the_full_build(vocab):
    sources = load.load_articles(FIXTURE_CONTENT)
    site = model.build_site(sources, vocab)
    twin = dataclasses.replace(sources[0], path="elsewhere.md", front_hash="x")
    assert remodel.remodel(site, sources + [twin], vocab) is None
    with pytest.raises(BriefingErrors, match="used by more than one article"):
        model.build_site(sources + [twin], vocab)
