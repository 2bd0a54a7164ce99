"""Dated events: every dated statement of an article body, resolved against its date.

Input paragraphs come as pairs (original script, Simplified folding): matching runs on the
Simplified text, the provenance sentence stored is the original. An event is one date
mention (see :mod:`briefing.knowledge.dates`) with the clause it belongs to:

* a sentence with one date gives its whole text; a sentence with several dates
  ("5月，…；6月，…" or "去年年底营收300万元，今年预计可达1亿元") is cut before the clause
  of each later date, so each event carries its own clause;
* a year-only mention is dropped when the same sentence holds a finer date in that year
  ("10月29日，2024年嘉昆太…会议" is one event on 10-29; "去年6月…这是2020年…洽谈会上引进的
  项目" one in 2020-06);
* precision is the precision of the start (day | month | year); parts of a month
  (上旬/中旬/下旬, 月初/月底) and of a year (年初 start, 年底 end, 上半年 first-half, 一季度
  q1) are kept in ``part``; ``kind`` is point | range | start (自…起, …以来) | cutoff (截至…).
"""

from __future__ import annotations

from collections.abc import Callable

from briefing.knowledge.dates import (
    DateMention,
    PartialDate,
    ResolvedDate,
    carry_years,
    find_date_mentions,
    fold_digits,
    resolve_mention,
    sentence_spans,
)

Annotate = Callable[[str], dict[str, list[str]]]

_LEADING = " \t，,；;：:、"
_TRAILING = " \t，,：:、"


def extract_events(
    paragraphs: list[tuple[str, str]],
    article_date: PartialDate | None,
    annotate: Annotate,
) -> list[dict]:
    """Events as in docs/content-format.md ``events``, sorted by (date, paragraph).

    ``paragraphs[i]`` is (original text, Simplified text) of body paragraph i + 1;
    ``annotate(simplified clause)`` gives its regions, initiatives and organisations.
    """
    events: list[tuple[tuple, dict]] = []
    seen: set[tuple] = set()
    cache: dict[str, dict[str, list[str]]] = {}
    for number, (original, simplified) in enumerate(paragraphs, start=1):
        text = fold_digits(simplified)
        mentions = find_date_mentions(text)
        if not mentions:
            continue
        resolved: list[tuple[DateMention, ResolvedDate]] = []
        previous_year = None
        for mention, carried in zip(mentions, carry_years(mentions)):
            result = resolve_mention(mention, article_date, previous_year, carried)
            if result is None:
                continue
            previous_year = result.start.year
            resolved.append((mention, result))
        if not resolved:
            continue
        same_length = len(original) == len(simplified)
        original_spans = None if same_length else sentence_spans(original)
        spans = sentence_spans(text)
        for index, span in enumerate(spans):
            group = [(m, r) for m, r in resolved if span[0] <= m.start < span[1]]
            if not group:
                continue
            group = _drop_subsumed(group)
            segments = _segments(span, [m for m, _ in group])
            for (mention, result), (a, b) in zip(group, segments):
                a, b = _trim(text, a, b)
                clause = text[a:b]
                if same_length:
                    sentence = original[a:b]
                elif original_spans is not None and len(original_spans) == len(spans):
                    o0, o1 = original_spans[index]
                    sentence = original[o0:o1]  # cannot cut clauses: keep the sentence
                else:
                    sentence = clause
                key = (result.start.iso(), result.end.iso() if result.end else None, result.part, result.kind, number, sentence)
                if key in seen:
                    continue
                seen.add(key)
                if clause not in cache:
                    cache[clause] = annotate(clause) or {}
                tags = cache[clause]
                event = {
                    "date": result.start.iso(),
                    "end": result.end.iso() if result.end else None,
                    "precision": result.start.precision,
                    "part": result.part,
                    "kind": result.kind,
                    "planned": result.planned,
                    "paragraph": number,
                    "sentence": sentence,
                    "regions": list(tags.get("regions", [])),
                    "initiatives": list(tags.get("initiatives", [])),
                    "organisations": list(tags.get("organisations", [])),
                }
                events.append(((event["date"], number, mention.start, event["end"] or ""), event))
    events.sort(key=lambda item: item[0])
    return [event for _, event in events]


def _drop_subsumed(group: list[tuple[DateMention, ResolvedDate]]) -> list[tuple[DateMention, ResolvedDate]]:
    """Drop repeats and year-only points covered by a finer date of the same year."""
    out = []
    seen = set()
    finer_years = {r.start.year for _, r in group if r.start.month is not None}
    for mention, result in group:
        key = (result.start, result.end, result.part, result.kind)
        if key in seen:
            continue
        if (
            result.start.month is None
            and result.part is None
            and result.kind == "point"
            and result.start.year in finer_years
        ):
            continue
        seen.add(key)
        out.append((mention, result))
    return out


def _segments(span: tuple[int, int], mentions: list[DateMention]) -> list[tuple[int, int]]:
    """The clause run of each mention: cut before the clause of every later date."""
    cuts = [span[0]]
    owner = []
    for i, mention in enumerate(mentions):
        if i > 0 and mention.clause_start > cuts[-1]:
            cuts.append(mention.clause_start)
        owner.append(len(cuts) - 1)
    bounds = cuts + [span[1]]
    return [(bounds[k], bounds[k + 1]) for k in owner]


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in _LEADING:
        a += 1
    while b > a and text[b - 1] in _TRAILING:
        b -= 1
    return a, b
