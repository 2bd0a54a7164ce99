"""Which topics an article is about, from the cues of topics.yaml, with a score in 0..1.

Cues are matched leftmost-longest (one automaton over every cue; a cue may serve several
topics). Weight of a topic: TITLE_WEIGHT per cue hit in the title, LEAD_WEIGHT per hit in the
lead (first) paragraph, 1 per hit elsewhere. Score = 1 - exp(-w / k) with
k = BASE_SCALE + (characters of the article) / CHARS_PER_SCALE, so that a long article needs
more hits than a short one; rounded to 2 decimals; only topics scoring at least THRESHOLD
are kept, sorted by -score then id. For a 3,000-character article (k = 5): one body hit
gives 0.18 (dropped), 2 give 0.33, 4 give 0.55, a title hit alone 0.45.
"""

from __future__ import annotations

import math
from collections import Counter

from briefing.knowledge.automaton import Automaton
from briefing.knowledge.vocab import Vocabularies, built_for, normalise

TITLE_WEIGHT = 3.0
LEAD_WEIGHT = 1.5
BASE_SCALE = 3.0
CHARS_PER_SCALE = 1500
THRESHOLD = 0.3


class TopicMatcher:
    """One automaton over every cue of every topic."""

    def __init__(self, vocab: Vocabularies):
        cues: dict[str, list[str]] = {}
        for topic in vocab.topics.values():
            for cue in topic.cues:
                ids = cues.setdefault(normalise(cue), [])
                if topic.id not in ids:
                    ids.append(topic.id)
        self._automaton: Automaton[tuple[str, ...]] = Automaton()
        for cue, ids in cues.items():
            self._automaton.add(cue, tuple(sorted(ids)))
        self._automaton.build()

    def count(self, text: str) -> Counter[str]:
        """Cue hits per topic id (leftmost-longest, non-overlapping)."""
        out: Counter[str] = Counter()
        for _, _, ids in self._automaton.longest(normalise(text)):
            out.update(ids)
        return out


def topic_matcher_for(vocab: Vocabularies) -> TopicMatcher:
    return built_for(vocab, "topics", TopicMatcher)


def extract_topics(title: str, paragraphs: list[str], vocab: Vocabularies) -> list[dict]:
    """[{"id", "score"}] for the topics scoring at least THRESHOLD."""
    matcher = topic_matcher_for(vocab)
    weights: Counter[str] = Counter()
    texts = [title or "", *paragraphs]
    for index, text in enumerate(texts):
        factor = TITLE_WEIGHT if index == 0 else LEAD_WEIGHT if index == 1 else 1.0
        for topic_id, hits in matcher.count(text).items():
            weights[topic_id] += factor * hits
    scale = BASE_SCALE + sum(len(t) for t in texts) / CHARS_PER_SCALE
    scored = {t: round(1 - math.exp(-w / scale), 2) for t, w in weights.items()}
    return [{"id": t, "score": s}
            for t, s in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0])) if s >= THRESHOLD]
