"""Which cooperation initiatives an article talks about, with a score in 0..1.

Score: weight w = TITLE_WEIGHT if named in the title + LEAD_WEIGHT if named in the lead
(first) paragraph + BODY_WEIGHT per mention elsewhere; score = 1 - exp(-w / SCALE), rounded
to 2 decimals. One passing mention gives 0.28, a lead mention 0.49, a title mention 0.74.
Every named initiative is listed (an initiative is the subject of the briefing: one mention
is worth keeping), sorted by -score then id.
"""

from __future__ import annotations

import math
from collections import Counter

from briefing.knowledge.match import INITIATIVE, scan
from briefing.knowledge.vocab import Vocabularies

TITLE_WEIGHT = 2.0
LEAD_WEIGHT = 1.0
BODY_WEIGHT = 0.5
SCALE = 1.5


def extract_initiatives(title: str, paragraphs: list[str], vocab: Vocabularies) -> list[dict]:
    """[{"id", "score"}] for every initiative named in the article."""
    weights: Counter[str] = Counter()
    for index, text in enumerate([title or "", *paragraphs]):
        found = [hit.candidates[0] for hit in scan(text, vocab) if hit.kind == INITIATIVE]
        if index == 0:
            for initiative_id in set(found):
                weights[initiative_id] += TITLE_WEIGHT
        elif index == 1:
            for initiative_id in set(found):
                weights[initiative_id] += LEAD_WEIGHT
        else:
            for initiative_id in found:
                weights[initiative_id] += BODY_WEIGHT
    scored = {i: round(1 - math.exp(-w / SCALE), 2) for i, w in weights.items()}
    return [{"id": i, "score": s} for i, s in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))]


def initiatives_in(sentence: str, vocab: Vocabularies) -> list[str]:
    """Initiative ids named in one sentence, in order of first appearance, deduplicated."""
    out: list[str] = []
    for hit in scan(sentence, vocab):
        if hit.kind == INITIATIVE and hit.candidates[0] not in out:
            out.append(hit.candidates[0])
    return out
