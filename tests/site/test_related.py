"""Related articles: the array implementation against a plain, obviously-correct reference."""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from types import SimpleNamespace

from briefing.site import related
from briefing.site.load import RegionRef, ScoredRef, pack_keywords


def _source(slug: str, regions=(), topics=(), keywords=()):
    words, counts = pack_keywords(keywords)
    return SimpleNamespace(slug=slug, regions=tuple(RegionRef(r, 1, i == 0) for i, r in enumerate(regions)),
                           initiatives=(), topics=tuple(ScoredRef(t, 1.0) for t in topics), people=(),
                           organisations=(), keywords=words, keyword_counts=counts,
                           front_hash=repr((regions, topics)))   # what a front matter hash stands for


def _reference(sources) -> dict[str, tuple[str, ...]]:
    """The definition, one article at a time in plain Python."""
    n = len(sources)
    feats = {s.slug: related.article_features(s) for s in sources}
    df = Counter(k for f in feats.values() for k in f)
    weighted = {slug: {k: v * related.rarity(df[k], n) for k, v in f.items()} for slug, f in feats.items()}
    norms = {slug: math.sqrt(sum(v * v for v in w.values())) or 1.0 for slug, w in weighted.items()}
    tops, postings = {}, defaultdict(list)
    for s in sources:
        w = weighted[s.slug]
        tops[s.slug] = sorted(w, key=lambda k: (-w[k], k))[:related.FEATURES_PER_ARTICLE]
        for k in tops[s.slug]:
            if len(postings[k]) < related.POSTINGS_CAP:
                postings[k].append(s.slug)
    out = {}
    for s in sources:
        acc = defaultdict(float)
        for k in tops[s.slug]:
            if df[k] < 2:
                continue
            for other in postings[k]:
                if other != s.slug:
                    acc[other] += weighted[s.slug][k] * weighted[other][k]
        scored = sorted((-round(dot / (norms[s.slug] * norms[o]), 6), o) for o, dot in acc.items())
        out[s.slug] = tuple(o for sc, o in scored[:related.RELATED_MAX] if -sc > related.MIN_SCORE)
    return out


def _corpus(seed: int, n: int):
    rng = random.Random(seed)
    regions = [f"r{i}" for i in range(12)]
    words = [f"w{i}" for i in range(60)]
    return [_source(f"{2024 - i // 50:04d}-{rng.randrange(16 ** 6):06x}",
                    rng.sample(regions, rng.randint(0, 3)), rng.sample(["t1", "t2", "t3"], rng.randint(0, 2)),
                    [(w, rng.randint(1, 9)) for w in rng.sample(words, rng.randint(0, 30))])
            for i in range(n)]


def test_matches_the_reference_on_random_corpora():
    for seed, n in ((1, 3), (2, 40), (3, 250)):  # 250: postings are capped, features shared widely
        sources = _corpus(seed, n)
        assert related.related_articles(sources) == _reference(sources)


def test_features_kept_from_an_earlier_corpus_do_not_leak_into_the_next():
    first = _corpus(4, 120)
    related.related_articles(first)                 # leaves feature ids and cached arrays behind
    second = _corpus(5, 60)                         # other articles, words and df
    assert related.related_articles(second) == _reference(second)


def test_shared_rare_features_relate_and_nothing_relates_to_itself():
    sources = [_source("a", ["suzhou"], keywords=[("量子", 3)]), _source("b", ["suzhou"], keywords=[("量子", 2)]),
               _source("c", ["hefei"]), _source("d", ["ningbo"])]
    result = related.related_articles(sources)
    assert result["a"] == ("b",) and result["b"] == ("a",)
    assert result["c"] == () and result["d"] == ()


def test_empty_corpus():
    assert related.related_articles([]) == {}


def _body_edited(source, rng: random.Random, fresh: list[str]):
    """``source`` after a body edit: some keyword counts changed, and half the time some
    words dropped or added (now and then one no other article has); regions and topics as
    they were."""
    from briefing.site.load import keyword_pairs

    pairs = dict(keyword_pairs(source))
    for word in rng.sample(sorted(pairs), min(len(pairs), rng.randint(1, 3))):
        pairs[word] = rng.randint(1, 9)
    if rng.random() < 0.5:   # and words come and go (their document frequencies change)
        for word in rng.sample(sorted(pairs), min(len(pairs), rng.randint(0, 2))):
            del pairs[word]
        for _ in range(rng.randint(0, 2)):
            pairs[rng.choice(fresh) if rng.random() < 0.5 else f"w{rng.randrange(60)}"] = rng.randint(1, 9)
    return _source(source.slug, [r.id for r in source.regions], [t.id for t in source.topics], sorted(pairs.items()))


def test_after_an_edit_only_the_lists_it_can_change_are_scored_again_and_all_are_as_ranked_anew(monkeypatch):
    """Given the earlier corpus and its ranking, an edit of a few articles scores again only
    the articles whose lists can change (``_rescored``); every list equals a full ranking's
    and the plain reference's, edit after edit."""
    found: list = []
    real = related._rescored
    monkeypatch.setattr(related, "_rescored", lambda *a: (lambda r: (found.append(r), r)[1])(real(*a)))
    rng = random.Random(11)
    fresh = [f"z{i}" for i in range(8)]
    used = 0
    for seed, n in ((21, 80), (22, 250), (23, 250), (24, 400)):
        sources = _corpus(seed, n)
        ranking = related.related_articles(sources)
        for _ in range(8):
            edited = list(sources)
            for i in rng.sample(range(n), rng.randint(1, 3)):
                edited[i] = _body_edited(edited[i], rng, fresh)
            found.clear()
            again = related.related_articles(edited, previous=(sources, ranking))
            used += found[0] is not None      # None: too many weights moved, all scored again
            assert again == related.related_articles(edited) == _reference(edited)
            sources, ranking = edited, again
    assert used >= 8


def test_an_earlier_ranking_that_does_not_fit_is_not_used(monkeypatch):
    sources = _corpus(31, 60)
    ranking = related.related_articles(sources)
    shuffled = sources[1:] + sources[:1]                                  # another order
    assert related._rescored(shuffled, (sources, ranking), *_arrays(shuffled)) is None
    assert related._rescored(sources[:-1], (sources, ranking), *_arrays(sources[:-1])) is None
    edited = [_body_edited(sources[0], random.Random(1), ["z1"])] + sources[1:]
    assert related.related_articles(edited, previous=(sources, ranking)) == _reference(edited)

    def not_scored(*args):
        raise AssertionError("scored though nothing changed")

    monkeypatch.setattr(related, "_score_batch", not_scored)
    assert related.related_articles(sources, previous=(sources, ranking)) == ranking


def _arrays(sources):
    import numpy as np

    per = [related._features_of(s) for s in sources]
    return (np.concatenate([ids for ids, _ in per]),
            np.repeat(np.arange(len(sources), dtype=np.int64), [len(ids) for ids, _ in per]))


def test_an_article_deep_in_a_shared_features_posting_is_looked_for_there():
    """The edited article is the 36th of 50 having a shared word among their top features
    (the first POSTINGS_CAP are its posting): the article that had it as its best match
    is scored again, and loses it."""
    def filler(i: int):   # the shared word, and a heavy word of its own
        own = chr(0x4E00 + i) * 2
        return _source(f"f{i:02d}", keywords=[("共享", 9), (own, 9)])

    first = [_source("a", keywords=[("共享", 5)])] + [filler(i) for i in range(1, 35)]
    rest = [filler(i) for i in range(36, 50)]
    before = first + [_source("e", keywords=[("共享", 9), ("乙乙", 1)])] + rest
    after = first + [_source("e", keywords=[("共享", 1), ("乙乙", 9)])] + rest
    ranking = related.related_articles(before)
    assert ranking["a"][0] == "e"
    again = related.related_articles(after, previous=(before, ranking))
    assert again == related.related_articles(after) == _reference(after)
    assert again["a"][0] != "e"


def test_rarity_is_exact_for_rare_features_and_banded_for_common_ones():
    n = 10_000
    assert [related.banded_df(df) for df in range(related.EXACT_DF + 1)] == [float(df) for df in range(related.EXACT_DF + 1)]
    banded = [related.banded_df(df) for df in range(1, n + 1)]
    assert banded == sorted(banded)                                     # rarer, never weighed less
    bands = sorted(set(banded[related.EXACT_DF:]))
    assert 20 < len(bands) < 40                                         # ~25% wider each, up to 10,000
    for df in (17, 100, 999, 5_000):
        assert abs(related.banded_df(df) - df) / df < 0.15              # within its band's middle
    assert related.rarity(0, n) == 0.0 and related.rarity(1, n) > related.rarity(500, n) > 0


def test_an_edit_that_keeps_a_shared_words_band_scores_again_only_its_own_lists(monkeypatch):
    """One of 120 articles sharing a word drops it: the word's document frequency moves
    within its band, so no other article's weights move and only the lists the edited
    article can be in are scored again; every list is as a full ranking gives."""
    rng = random.Random(5)
    words = [chr(0x4E00 + i) + chr(0x5000 + i) for i in range(40)]   # keywords are bigrams

    def article(i: int, shared: bool):
        own = [(w, rng.randint(1, 9)) for w in rng.sample(words, 6)]
        return _source(f"{i:03d}", keywords=own + ([("共享", 3)] if shared else []))

    sources = [article(i, True) for i in range(120)] + [article(i, False) for i in range(120, 200)]
    assert related.banded_df(119) == related.banded_df(120)
    ranking = related.related_articles(sources)
    kept = [(w, c) for w, c in related.keyword_pairs(sources[7]) if w != "共享"]
    edited = list(sources)
    edited[7] = _source(sources[7].slug, keywords=kept)
    found: list = []
    real = related._rescored
    monkeypatch.setattr(related, "_rescored", lambda *a: (lambda r: (found.append(r), r)[1])(real(*a)))
    again = related.related_articles(edited, previous=(sources, ranking))
    assert found[0] is not None, "every list was scored again"
    moved, _ = found[0]
    assert moved.tolist() == [7]
    assert again == related.related_articles(edited) == _reference(edited)
