"""Stage 7: the knowledge layer for one article (regions, initiatives, topics, people,
organisations, key figures, dated events), all matched on the Simplified folding."""

from __future__ import annotations

from typing import Any

from briefing.knowledge.dates import PartialDate
from briefing.knowledge.events import extract_events
from briefing.knowledge.figures import extract_figures
from briefing.knowledge.initiatives import extract_initiatives, initiatives_in
from briefing.knowledge.organisations import extract_organisations, organisations_in
from briefing.knowledge.people import extract_people
from briefing.knowledge.regions import extract_regions, regions_in
from briefing.knowledge.topics import extract_topics
from briefing.knowledge.vocab import Vocabularies
from briefing.text.script import to_simplified


def enrich(title: str, paragraphs: list[str], folded: list[str], article_date: PartialDate | None,
           vocab: Vocabularies) -> dict[str, Any]:
    """`folded` are the paragraphs folded to Simplified (the caller has them already)."""
    title_s = to_simplified(title)
    pairs = list(zip(paragraphs, folded))

    regions = extract_regions(title_s, folded, vocab)
    context = {r["id"] for r in regions}  # resolves names shared by several places (鼓楼区, 南山区)

    def annotate(sentence: str) -> dict[str, list[str]]:
        return {
            "regions": regions_in(sentence, vocab, context=context),
            "initiatives": initiatives_in(sentence, vocab),
            "organisations": organisations_in(sentence),
        }

    return {
        "regions": regions,
        "initiatives": extract_initiatives(title_s, folded, vocab),
        "topics": extract_topics(title_s, folded, vocab),
        "people": extract_people(folded),
        "organisations": extract_organisations(folded),
        "figures": extract_figures(pairs, annotate),
        "events": extract_events(pairs, article_date, annotate),
    }
