"""Related articles ranked ahead, on the other core, while a build restores its saved state.

A build from the command line runs in a child process that first reads the builder's saved
state (``snapshot``: ~0.45 s at 2,000 articles). When an edit changed an article's keywords
the child then re-ranks the related articles of the whole corpus (~0.25 s). ``rank`` does
that ranking beforehand, in a process of its own that the build command starts before it
imports the renderer, from the small part of the saved state that ranking needs (each
content file's stat and the features of the articles as saved), reading only the files
that changed since.

What it returns is a (digest of the ranking's inputs, ranking) pair, the form of the model's
related cache: the model uses it only when the digest is that of the corpus it was given,
so a guess that went wrong (a file saved again meanwhile, a parser that disagrees) costs
only the ranking the child then does itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from briefing.site import load, related, snapshot
from briefing.site.model import article_sort_key

AHEAD_MAX_CHANGED = 30     # more content files changed than this: not worth reading them here (~6 ms each)


@dataclass(frozen=True, slots=True)
class SavedArticle:
    """What ranking reads of an article the saved state holds (its features are saved too)."""
    path: str
    slug: str
    front_hash: str
    keywords: tuple
    keyword_counts: bytes
    sort_key: str


def saved_articles(sources) -> list[SavedArticle]:
    """The ``SavedArticle`` of each article (in the loader's file order), to save."""
    return [SavedArticle(s.path, s.slug, s.front_hash, s.keywords, s.keyword_counts, article_sort_key(s))
            for s in sources]


def _sort_key(article) -> str:
    return article.sort_key if isinstance(article, SavedArticle) else article_sort_key(article)


def rank(state_path: Path | None, content_dir: Path) -> tuple[str, dict[str, tuple[str, ...]]] | None:
    """(inputs digest, related articles) of the content folder as it is now, worked out from
    the saved state at ``state_path``; None when there is no such state, nothing changed
    since it was saved, files came or went, or too many changed."""
    if state_path is None:
        return None
    ahead = snapshot.load_ahead(state_path)
    if ahead is None or ahead.get("content_dir") != str(content_dir):
        return None
    stats: dict[str, tuple[int, int]] = ahead["stats"]
    saved: list[SavedArticle] = ahead["articles"]
    if load.content_files(content_dir) != [a.path for a in saved]:
        return None
    current: list = []
    changed = 0
    features_changed = False
    for art in saved:
        try:
            st = os.stat(art.path)
        except OSError:
            return None
        if stats.get(art.path) == (st.st_size, st.st_mtime_ns):
            current.append(art)
            continue
        changed += 1
        if changed > AHEAD_MAX_CHANGED:
            return None
        with open(art.path, "rb") as fh:
            raw = fh.read()
        parsed, _ = load.parse_article(art.path, raw, load.content_hash(raw))
        if parsed is None:
            return None   # the build reports it
        current.append(parsed)
        features_changed = features_changed or related.feature_key(parsed) != related.feature_key(art)
    if not features_changed:
        return None   # no article's features changed: the saved ranking stands (and numpy is not needed)
    related.adopt_feature_tables(ahead["features"])
    newest = sorted(current, key=_sort_key, reverse=True)   # the model's order: stable, from file order
    if not all(related.has_features(a) for a in newest if isinstance(a, SavedArticle)):
        return None
    # the saved corpus and its ranking: only the lists the edit can change are scored again
    earlier = (sorted(saved, key=_sort_key, reverse=True), ahead["related"])
    return related.inputs_digest(newest), related.related_articles(newest, earlier)
