"""Which places an article talks about: region ids with mention counts and a main flag.

Inputs are Simplified-folded (briefing.text.script.to_simplified). Matching rules are in
briefing.knowledge.match. Counting:

* every hit counts one mention for its region and one for each region it implies (a zone's
  parent; a place named inside a longer name: 南京大学 → 南京, 无锡高新区 → 无锡), at most once
  per hit and region;
* a name shared by several regions (鼓楼区) counts for the candidate whose ancestor is
  mentioned unambiguously somewhere in the article (nearest ancestor wins), else not at all;
* a province is listed only when its own name is written (no roll-up from its cities).

``main`` is true when the region is mentioned in the title or in the lead (first) paragraph,
or when it is frequent: at least ``MAIN_MIN_MENTIONS`` mentions and at least
``MAIN_SHARE`` of the count of the most-mentioned region of the article.
"""

from __future__ import annotations

import math
from collections import Counter

from briefing.knowledge.match import region_ids_of, scan, unambiguous_ids
from briefing.knowledge.vocab import Vocabularies

MAIN_MIN_MENTIONS = 3
MAIN_SHARE = 0.25


def extract_regions(title: str, paragraphs: list[str], vocab: Vocabularies) -> list[dict]:
    """[{"id", "mentions", "main"}] sorted by (-mentions, id)."""
    texts = [title or "", *paragraphs]
    scans = [scan(text, vocab) for text in texts]
    context = set().union(*(unambiguous_ids(hits) for hits in scans))
    counts: Counter[str] = Counter()
    prominent: set[str] = set()
    for index, hits in enumerate(scans):
        for hit in hits:
            for region_id in region_ids_of(hit, context, vocab):
                counts[region_id] += 1
                if index <= 1:  # the title, or the lead paragraph
                    prominent.add(region_id)
    if not counts:
        return []
    threshold = max(MAIN_MIN_MENTIONS, math.ceil(MAIN_SHARE * max(counts.values())))
    return [{"id": region_id, "mentions": count,
             "main": region_id in prominent or count >= threshold}
            for region_id, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def regions_in(sentence: str, vocab: Vocabularies, context: set[str] | None = None) -> list[str]:
    """Region ids in one sentence, in order of first appearance, deduplicated.

    ``context``: ids known from the rest of the article (e.g. the ``id``s returned by
    :func:`extract_regions`), used to resolve names shared by several regions; the
    sentence's own unambiguous mentions are always used.
    """
    hits = scan(sentence, vocab)
    known = unambiguous_ids(hits) | (context or set())
    out: list[str] = []
    for hit in hits:
        for region_id in region_ids_of(hit, known, vocab):
            if region_id not in out:
                out.append(region_id)
    return out
