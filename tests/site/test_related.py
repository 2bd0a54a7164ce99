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
    weighted = {slug: {k: v * math.log(1 + n / df[k]) for k, v in f.items()} for slug, f in feats.items()}
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
