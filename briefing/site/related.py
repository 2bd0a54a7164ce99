"""Related articles: shared entities and shared distinctive words, weighted by rarity.

Each article is a sparse vector of features (its regions, initiatives, topics, people,
organisations and keywords), each weighted by its rarity, ``log(1 + n / document
frequency)``. Above EXACT_DF, document frequencies are taken in bands each a quarter wider
than the last, all of a band weighing the same: one article's edit then seldom changes
the weight of a feature many articles share, so it changes only its own lists and those
that involve it, not those of every article sharing a word with it (``_rescored``).
Candidates come from an inverted index over each article's rarest features, with long
postings capped, so the work per article stays bounded at any corpus size; the candidates
are ranked by cosine similarity.

The scoring is done with numpy over arrays of (article, candidate, contribution) triples,
in batches so memory stays bounded: about 0.3 s for 10,000 articles where the plain
Python loop it replaced took 10 s. Summation order is fixed (stable sorts), so the same
corpus always gives the same lists.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import os
import pickle
from typing import TYPE_CHECKING, Iterable, Sequence

from briefing.site.load import ArticleSource, keyword_pairs

RELATED_MAX = 5              # related articles listed per article
MIN_SCORE = 0.02             # below this cosine similarity an article is not related
POSTINGS_CAP = 40            # a feature is looked up in at most this many (newest) articles
FEATURES_PER_ARTICLE = 24    # an article looks for candidates through its rarest features
_BATCH_PAIRS = 2_000_000     # candidate pairs scored at once (about 40 MB of arrays)
EXACT_DF = 16                # up to this document frequency, a feature's rarity is exact
DF_BAND_RATIO = 1.25         # above it, each band of document frequencies is this much wider

if TYPE_CHECKING:
    import numpy as np
# numpy is imported by the functions that rank (~70 ms): a build whose related articles
# were ranked by another process (``ahead``) never needs it. Its OpenBLAS starts a thread
# per core as it is imported, which spins: ~0.1 s of CPU (import numpy: 0.21-0.28 CPU-s,
# 0.10-0.17 with one thread), taken from the build restoring its state on the other core.
# Ranking makes no BLAS call.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


_BAND_EDGES = [EXACT_DF + 1]   # lower edges of the bands above EXACT_DF (whole numbers)


def banded_df(df: int) -> float:
    """The document frequency a feature's rarity is computed from: ``df`` itself up to
    EXACT_DF, above it the geometric middle of its band."""
    if df <= EXACT_DF:
        return float(df)
    edges = _BAND_EDGES
    while edges[-1] <= df:
        edges.append(max(edges[-1] + 1, round(edges[-1] * DF_BAND_RATIO)))
    k = bisect.bisect_right(edges, df) - 1
    return math.sqrt(edges[k] * (edges[k + 1] - 1))


def rarity(df: int, n: int) -> float:
    """A feature's weight factor among ``n`` articles, ``df`` of which have it."""
    return math.log(1 + n / banded_df(df)) if df else 0.0


def article_features(src: ArticleSource) -> dict[str, float]:
    """The raw (before rarity weighting) features of an article for finding related ones."""
    f: dict[str, float] = {}
    for ref in src.regions:
        f["r:" + ref.id] = 2.0 if ref.main else 1.0
    for ref in src.initiatives:
        f["i:" + ref.id] = 3.0
    for ref in src.topics:
        f["t:" + ref.id] = 1.0
    for ref in src.people:
        f["p:" + ref.id] = 3.0
    for ref in src.organisations:
        f["o:" + ref.id] = 2.0
    for word, count in keyword_pairs(src):
        f["w:" + word] = 0.3 * min(count, 8) ** 0.5
    return f


# Feature ids and each article's features as arrays, kept across builds in one process (a
# serve session re-ranks after every body edit): ids only grow, features of an article are
# found again by the identity of what they derive from.
_FEATURE_IDS: dict[str, int] = {}
_FEATURES: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
_ADOPTED: list[bytes] = []   # saved tables taken on and not read yet (reading them needs numpy)


def packed_feature_tables(sources: Iterable[ArticleSource]) -> bytes:
    """The feature ids and these articles' features, pickled (to save with the builder's
    state: a process that adopts them reads them only if it ranks)."""
    features = {feature_key(src): _features_of(src) for src in sources}
    return pickle.dumps((dict(_FEATURE_IDS), features), protocol=pickle.HIGHEST_PROTOCOL)


def adopt_feature_tables(packed: bytes) -> None:
    """Start from saved tables (a new process); a process that made its own keeps them."""
    if not _FEATURE_IDS and not _FEATURES and not _ADOPTED:
        _ADOPTED.append(packed)


def _read_adopted() -> None:
    if _ADOPTED:
        ids, features = pickle.loads(_ADOPTED.pop())
        if not _FEATURE_IDS and not _FEATURES:
            _FEATURE_IDS.update(ids)
            _FEATURES.update(features)


def feature_key(src) -> tuple:
    """What an article's features derive from (its entities come from the front matter)."""
    return src.slug, src.front_hash, src.keywords, src.keyword_counts


def has_features(src) -> bool:
    """Whether this article's features are known already (made, or adopted)."""
    _read_adopted()
    return feature_key(src) in _FEATURES


def _features_of(src: ArticleSource) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    _read_adopted()
    key = feature_key(src)
    found = _FEATURES.get(key)
    if found is None:
        f = article_features(src)
        ids = _FEATURE_IDS
        found = (np.fromiter((ids.setdefault(k, len(ids)) for k in f), dtype=np.int64, count=len(f)),
                 np.fromiter(f.values(), dtype=np.float64, count=len(f)))
        if len(_FEATURES) > 200_000:
            _FEATURES.clear()
        _FEATURES[key] = found
    return found


def inputs_digest(sources: Iterable[ArticleSource]) -> str:
    """A digest covering everything ``related_articles`` reads, in order: equal digests, equal
    results. The entities come from the front matter, so its hash stands for them (a front
    matter edit that leaves them alone costs a needless recomputation, nothing worse)."""
    h = hashlib.blake2b(digest_size=16)
    for src in sources:
        h.update(f"{src.slug}\0{src.front_hash}\0{src.keywords}\0{src.keyword_counts.hex()}\n".encode("utf-8"))
    return h.hexdigest()


def related_articles(sources: Sequence[ArticleSource], previous=None) -> dict[str, tuple[str, ...]]:
    """The related articles of each article, best first. ``sources`` newest first: where a
    feature is shared by more than POSTINGS_CAP articles, the newest are the candidates.

    ``previous``: (the sources of an earlier call, in its order, and what it returned).
    When the same articles come in the same order and only a few changed, only the
    articles whose lists can change are scored again (``_rescored``); every other list is
    the earlier one, which is what scoring it again would give, to the bit."""
    import numpy as np

    n = len(sources)
    if n == 0:
        return {}
    # every (article, feature, raw weight), in each article's feature order
    per_article = [_features_of(src) for src in sources]
    f_id = np.concatenate([ids for ids, _ in per_article])
    weight = np.concatenate([w for _, w in per_article])
    f_art = np.repeat(np.arange(n, dtype=np.int64), [len(ids) for ids, _ in per_article])
    again = _rescored(sources, previous, f_id, f_art) if previous is not None else None
    if again is not None and not len(again[0]):   # no article's features changed
        return {src.slug: previous[1][src.slug] for src in sources}
    ids = _FEATURE_IDS
    df_of = np.bincount(f_id, minlength=len(ids))
    dfs, at = np.unique(df_of, return_inverse=True)
    idf = np.array([rarity(c, n) for c in dfs.tolist()], dtype=np.float64)[at]
    weight = weight * idf[f_id]
    norms = np.sqrt(np.bincount(f_art, weights=weight * weight, minlength=n))   # summed in feature order
    norms[norms == 0] = 1.0
    name_rank = np.empty(len(ids), dtype=np.int64)                           # ties go by feature name
    name_rank[np.array([ids[k] for k in sorted(ids)], dtype=np.int64)] = np.arange(len(ids))

    # each article's top features (heaviest first, then by name)
    order = np.lexsort((name_rank[f_id], -weight, f_art))
    f_art, f_id, weight = f_art[order], f_id[order], weight[order]
    first = np.flatnonzero(np.r_[True, f_art[1:] != f_art[:-1]])
    place = np.arange(len(f_art)) - np.repeat(first, np.diff(np.r_[first, len(f_art)]))
    top = place < FEATURES_PER_ARTICLE
    t_art, t_feat, t_w = f_art[top], name_rank[f_id[top]], weight[top]
    df_of = df_of[np.argsort(name_rank)]                                     # by name-ordered feature id

    # postings: per feature, the first POSTINGS_CAP articles (newest) having it among their tops
    order = np.lexsort((t_art, t_feat))                       # by feature, then article
    p_feat, p_art, p_w = t_feat[order], t_art[order], t_w[order]
    starts = np.flatnonzero(np.r_[True, p_feat[1:] != p_feat[:-1]])
    counts = np.diff(np.r_[starts, len(p_feat)])
    rank = np.arange(len(p_feat)) - np.repeat(starts, counts)
    keep = rank < POSTINGS_CAP
    p_feat, p_art, p_w = p_feat[keep], p_art[keep], p_w[keep]
    post_start = np.zeros(len(ids) + 1, dtype=np.int64)
    np.add.at(post_start, p_feat + 1, 1)
    post_start = np.cumsum(post_start)
    post_len = np.diff(post_start)

    # queries: every top feature shared with another article (in each article's top order)
    q = df_of[t_feat] >= 2
    if again is not None:   # only the articles whose lists can change (see _rescored)
        moved, earlier_features = again
        rescore = np.zeros(n, dtype=bool)
        rescore[moved] = True
        # the features whose postings an article of A may be in, now or before (_rescored)
        touched = []
        others = ~rescore[t_art]
        before = np.zeros(len(ids), dtype=np.int64)   # articles outside A ahead, by top feature
        counted = 0
        for a in moved.tolist():   # in article order, as the tops are: one pass over them
            upto = int(np.searchsorted(t_art, a))
            before += np.bincount(t_feat[counted:upto][others[counted:upto]], minlength=len(ids))
            counted = upto
            has_or_had = name_rank[earlier_features[a]]
            touched.append(has_or_had[before[has_or_had] < POSTINGS_CAP])
        rescore[t_art[np.isin(t_feat, np.concatenate(touched))]] = True
        q &= rescore[t_art]
    q_art, q_feat, q_w = t_art[q], t_feat[q], t_w[q]
    q_len = post_len[q_feat]

    slug_rank = np.empty(n, dtype=np.int64)                   # ties are broken by slug
    slug_rank[np.argsort(np.array([s.slug for s in sources], dtype=object), kind="stable")] = np.arange(n)

    best: list[list[int]] = [[] for _ in range(n)]
    # batches of whole articles, so that each article's candidates are scored together
    art_pairs = np.bincount(q_art, weights=q_len, minlength=n)
    bounds = [0]
    acc = 0.0
    for a in range(n):
        acc += art_pairs[a]
        if acc >= _BATCH_PAIRS:
            bounds.append(a + 1)
            acc = 0.0
    if bounds[-1] != n:
        bounds.append(n)
    q_bound = np.searchsorted(q_art, bounds)
    for lo, hi in zip(q_bound[:-1], q_bound[1:]):
        _score_batch(q_art[lo:hi], q_feat[lo:hi], q_w[lo:hi], q_len[lo:hi], post_start, p_art, p_w,
                     norms, slug_rank, n, best)
    if again is not None:
        earlier = previous[1]
        return {src.slug: tuple(sources[b].slug for b in best[a]) if rescore[a] else earlier[src.slug]
                for a, src in enumerate(sources)}
    return {src.slug: tuple(sources[b].slug for b in best[a]) for a, src in enumerate(sources)}


RESCORE_MAX_CHANGED = 8   # more articles changed than this: everything is scored again
RESCORE_MAX_MOVED = 64    # more articles whose weights moved (A below) than this: the same


def _rescored(sources, previous, f_id, f_art):
    """(the articles A below, each one's features now or before) for ``related_articles``
    given an earlier call's (sources, result); None when that earlier call does not fit
    (other articles, another order, many changed, features unknown).

    Why the other lists stay as they were: let C be the articles whose features changed and
    D the features one of them gained or lost (their document frequency changed), and R
    those of D whose rarity weight changed with it (the frequency left its band). With C,
    the articles having a feature of R make A: only they have other weights, norms or top
    features than before. Another article's list depends on its
    own top features, weights and norm (unchanged), and on the postings of its top features
    (the first POSTINGS_CAP articles having the feature among their tops) and the weights
    and norms of the articles in them. A posting whose old and new first articles include no
    article of A is the same list of the same articles (their tops did not change); so an
    article none of whose top features has an article of A in its posting, now or before,
    has the same candidates, the same contributions summed in the same order, the same
    scores: the same list. An article of A can be in the posting of a feature, now or
    before, only if it has or had the feature, and only if fewer than POSTINGS_CAP
    articles outside A and ahead of it have it among their tops (the same now and before),
    which ``related_articles`` counts over the features each article of A has or had."""
    import numpy as np

    old_sources, earlier = previous
    if len(old_sources) != len(sources):
        return None
    changed = []
    for i, (old, new) in enumerate(zip(old_sources, sources)):
        if old.slug != new.slug or old.slug not in earlier:
            return None
        if feature_key(old) != feature_key(new):
            changed.append(i)
            if len(changed) > RESCORE_MAX_CHANGED:
                return None
    earlier_features = {}
    for i in changed:
        old = old_sources[i]
        if feature_key(old) not in _FEATURES and not isinstance(old, ArticleSource):
            return None   # a saved article's features are known only as saved
        earlier_features[i] = _features_of(old)[0]
    gained_minus_lost: dict[int, int] = {}   # over the changed articles, per feature of D
    for i, old_ids in list(earlier_features.items()):
        had, has = set(old_ids.tolist()), set(f_id[f_art == i].tolist())
        for f in has - had:
            gained_minus_lost[f] = gained_minus_lost.get(f, 0) + 1
        for f in had - has:
            gained_minus_lost[f] = gained_minus_lost.get(f, 0) - 1
        earlier_features[i] = np.fromiter(sorted(had | has), dtype=np.int64)   # now or before
    in_a = np.zeros(len(sources), dtype=bool)
    in_a[np.array(changed, dtype=np.int64)] = True
    if gained_minus_lost:
        d = np.fromiter(gained_minus_lost, dtype=np.int64)
        df_now = np.bincount(f_id[np.isin(f_id, d)], minlength=int(d.max()) + 1)[d].tolist()
        reweighted = [f for f, now in zip(d.tolist(), df_now)
                      if banded_df(now) != banded_df(now - gained_minus_lost[f])]
        if reweighted:
            in_a[f_art[np.isin(f_id, np.array(reweighted, dtype=np.int64))]] = True
    moved = np.flatnonzero(in_a)
    if len(moved) > RESCORE_MAX_MOVED:
        return None
    for i in moved.tolist():
        if i not in earlier_features:   # its features did not change, only their weights
            earlier_features[i] = f_id[f_art == i]
    return moved, earlier_features


def _score_batch(q_art, q_feat, q_w, q_len, post_start, p_art, p_w, norms, slug_rank, n, best) -> None:
    import numpy as np

    total = int(q_len.sum())
    if total == 0:
        return
    # one row per (query entry, posting entry) pair: the posting index of each pair
    first = np.repeat(post_start[q_feat] - np.r_[0, np.cumsum(q_len)[:-1]], q_len)
    posting = first + np.arange(total)
    art = np.repeat(q_art, q_len)
    other = p_art[posting]
    contribution = np.repeat(q_w, q_len) * p_w[posting]
    mine = art != other
    art, other, contribution = art[mine], other[mine], contribution[mine]
    if not len(art):
        return
    key = art * n + other
    order = np.argsort(key, kind="stable")                    # keeps each pair's features in top order
    key, contribution = key[order], contribution[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    dot = np.add.reduceat(contribution, starts)
    key = key[starts]
    art, other = key // n, key % n
    score = np.round(dot / (norms[art] * norms[other]), 6)
    keep = score > MIN_SCORE
    if not keep.any():
        return
    art, other, score = art[keep], other[keep], score[keep]
    # rank by article, then best score, then slug: one integer key sorts faster than lexsort
    micros = np.rint(score * 1e6).astype(np.int64)             # scores are rounded to 6 places
    ranked = np.argsort((art * 1_000_001 + (1_000_000 - micros)) * n + slug_rank[other])
    art, other = art[ranked], other[ranked]
    group = np.flatnonzero(np.r_[True, art[1:] != art[:-1]])
    place = np.arange(len(art)) - np.repeat(group, np.diff(np.r_[group, len(art)]))
    chosen = place < RELATED_MAX
    for a, o in zip(art[chosen].tolist(), other[chosen].tolist()):
        best[a].append(o)
