"""One multi-pattern matcher over every region, zone, group and initiative name and alias.

Texts are expected already folded to Simplified (briefing.text.script.to_simplified). The
matcher further normalises width, case and dashes character by character (so offsets are
unchanged): ``Ｇ６０`` and ``G60``, ``（无锡）`` and ``(无锡)``, ``—`` and ``-`` match alike.

Rules (the data behind them is in region_stopwords.yaml and region_abbreviations.yaml):

* leftmost-longest, non-overlapping: 苏州工业园区 wins over 苏州, 长三角国家技术创新中心 (an
  initiative) over 长三角 (a group);
* stopwords are never matched (城区, 太湖, 中山 …); ``not_places`` are matched and thrown away,
  so that the place inside them is not seen (紫金山实验室 holds no 紫金县, 瑞金医院 no 瑞金);
* a place followed by a street suffix (上海东路) is a street, not a mention;
* a form shared by several regions (鼓楼区) keeps every candidate: the caller resolves it
  from context (:func:`resolve`);
* what a form implies: a zone implies its parent, and a form containing another place's
  form implies that place (无锡高新区 → 无锡 and, as a zone, 新吴区; 长三角国家技术创新中心 →
  长三角); computed once per form when the automaton is built;
* single-character abbreviations match only in compounds (see region_abbreviations.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from briefing.knowledge.automaton import Automaton, leftmost_longest
from briefing.knowledge.vocab import Abbreviation, Vocabularies, built_for, normalise

REGION = "region"
INITIATIVE = "initiative"
_BLOCK = "block"


@dataclass(frozen=True)
class Hit:
    """One match in a text."""

    start: int
    end: int
    kind: str  # "region" | "initiative"
    candidates: tuple[str, ...]  # ids; more than one when the form is ambiguous (鼓楼区)
    implied: tuple[tuple[str, ...], ...] = ()  # region candidate sets the form implies
    compound: bool = False  # one character of an abbreviation compound (苏浙沪皖)
    weak: bool = False  # a county's short form: counts only with its city/province in context


@dataclass(frozen=True)
class _Form:
    kind: str
    candidates: tuple[str, ...]
    length: int
    implied: tuple[tuple[str, ...], ...] = ()
    weak: bool = False


class Matcher:
    """The automaton and rules of one version of the vocabularies (build once, reuse)."""

    def __init__(self, vocab: Vocabularies):
        rules = vocab.matching
        stopwords = frozenset(normalise(s) for s in rules.stopwords)
        self.street_suffixes = tuple(normalise(s) for s in rules.street_suffixes)
        self._forms: dict[str, _Form] = {}
        raw: dict[str, tuple[str, list[str]]] = {}
        for region in vocab.regions.values():
            for form in (region.name, *region.aliases):
                self._collect(raw, form, REGION, region.id, stopwords)
        for initiative in vocab.initiatives.values():
            for form in (initiative.name, *initiative.aliases):
                self._collect(raw, form, INITIATIVE, initiative.id, stopwords)
        for form in rules.not_places:
            raw[normalise(form)] = (_BLOCK, [])
        automaton: Automaton[str] = Automaton()
        for form, (kind, ids) in raw.items():
            automaton.add(form, form)
            candidates = tuple(sorted(set(ids)))
            weak = kind == REGION and all(_needs_context(vocab, form, c) for c in candidates)
            self._forms[form] = _Form(kind, candidates, len(form), weak=weak)
        self._automaton = automaton.build()
        # What each form implies (needs the finished automaton to look inside the forms).
        for form, entry in list(self._forms.items()):
            if entry.kind == _BLOCK:
                continue
            implied: list[tuple[str, ...]] = []
            if entry.kind == REGION and len(entry.candidates) == 1:
                region = vocab.regions[entry.candidates[0]]
                if region.level == "zone" and region.parent:
                    implied.append((region.parent,))
            for hit in self._longest(form, inner=True):
                if hit.kind == REGION and not hit.weak and hit.candidates != entry.candidates \
                        and hit.candidates not in implied:
                    implied.append(hit.candidates)
            if implied:
                self._forms[form] = _Form(entry.kind, entry.candidates, entry.length,
                                          tuple(implied), entry.weak)
        self._abbreviations = {a.char: a for a in rules.abbreviations}
        self._not_compounds = tuple(rules.not_compounds)
        self._compound_run = (re.compile("[" + re.escape("".join(self._abbreviations)) + "]{2,}")
                              if self._abbreviations else None)

    @staticmethod
    def _collect(raw: dict, form: str, kind: str, entry_id: str, stopwords: frozenset) -> None:
        key = normalise(form)
        if not key or key in stopwords:
            return
        if key in raw and raw[key][0] != kind:
            return  # validated against at load; keep the first kind if data slipped through
        raw.setdefault(key, (kind, []))[1].append(entry_id)

    # ---- scanning

    def scan(self, text: str) -> list[Hit]:
        """Every mention in ``text`` (Simplified), in order of position."""
        text = normalise(text)
        found = self._longest(text)
        hits = [h for h in found if h.kind != _BLOCK and not self._is_street(text, h)]
        if self._compound_run is not None:
            compounds = self._compounds(text, found)  # blocked spans stay covered
            if compounds:
                hits = sorted(hits + compounds, key=lambda h: (h.start, h.end))
        return hits

    def _longest(self, text: str, inner: bool = False) -> list[Hit]:
        """Leftmost-longest non-overlapping matches (``inner``: excluding the whole text).

        Weak forms (county short forms that need context) come second: they fill the gaps
        left by the others, so that 合江 (a county in Sichuan) cannot eat the 江苏 of 结合江苏.
        """
        forms = self._forms
        matches = self._automaton.all_matches(text)
        if inner:
            matches = [m for m in matches if not (m[0] == 0 and m[1] == len(text))]
        strong = leftmost_longest([m for m in matches if not forms[m[2]].weak])
        if len(strong) < len(matches):
            covered = bytearray(len(text))
            for start, end, _ in strong:
                covered[start:end] = b"\x01" * (end - start)
            weak = [m for m in matches if forms[m[2]].weak and not any(covered[m[0]:m[1]])]
            selected = sorted(strong + leftmost_longest(weak))
        else:
            selected = strong
        out = []
        for start, end, form in selected:
            entry = forms[form]
            out.append(Hit(start, end, entry.kind, entry.candidates, entry.implied,
                           weak=entry.weak))
        return out

    def _is_street(self, text: str, hit: Hit) -> bool:
        return hit.kind == REGION and text.startswith(self.street_suffixes, hit.end)

    def _compounds(self, text: str, hits: list[Hit]) -> list[Hit]:
        covered = bytearray(len(text))
        for hit in hits:
            covered[hit.start:hit.end] = b"\x01" * (hit.end - hit.start)
        out: list[Hit] = []
        for run in self._compound_run.finditer(text):  # type: ignore[union-attr]
            start = run.start()
            for index in range(run.start(), run.end() + 1):
                if index == run.end() or covered[index]:
                    if index - start >= 2:
                        out.extend(self._compound(text, start, index))
                    start = index + 1
        return out

    def _compound(self, text: str, start: int, end: int) -> list[Hit]:
        chars = text[start:end]
        if len(set(chars)) != len(chars):
            return []
        entries = [self._abbreviations[c] for c in chars]
        if not any(a.strong for a in entries):
            return []
        if any(word in chars for word in self._not_compounds):
            return []
        out = []
        for offset, entry in enumerate(entries):
            others = [e for i, e in enumerate(entries) if i != offset]
            region_id = _reading(entry, others)
            if region_id is not None:
                out.append(Hit(start + offset, start + offset + 1, REGION, (region_id,),
                               compound=True))
        return out


def _needs_context(vocab: Vocabularies, form: str, region_id: str) -> bool:
    """A county's short form outside the context-free provinces (its full name never is)."""
    region = vocab.regions[region_id]
    if region.level != "county" or normalise(region.name) == form:
        return False
    ancestors = vocab.ancestors(region_id)
    province = ancestors[-1].id if ancestors else None
    return province not in vocab.matching.context_free


def _reading(entry: Abbreviation, others: list[Abbreviation]) -> str | None:
    cities_only = all(o.city is not None and o.province is None for o in others)
    if entry.city is not None and (entry.province is None or cities_only):
        return entry.city
    return entry.province


# --------------------------------------------------------------------------- caching

def matcher_for(vocab: Vocabularies) -> Matcher:
    """The matcher of these vocabularies, built on first use and kept (keyed by version)."""
    return built_for(vocab, "regions", Matcher)


# --------------------------------------------------------------------------- ambiguity


def resolve(candidates: tuple[str, ...], context: Iterable[str] | set[str],
            vocab: Vocabularies, require_context: bool = False) -> str | None:
    """Pick one of several regions sharing a name, from the ids mentioned around it.

    The candidate with an ancestor among ``context`` wins; when several have one, the one
    whose mentioned ancestor is nearest (南京 beats 江苏 for 鼓楼区); a tie or no evidence
    gives None (the mention is dropped). ``require_context``: even a single candidate
    needs an ancestor in ``context`` (a weak short form).
    """
    if len(candidates) == 1 and not require_context:
        return candidates[0]
    context = context if isinstance(context, (set, frozenset)) else set(context)
    best: list[tuple[int, str]] = []
    for candidate in candidates:
        for distance, ancestor in enumerate(vocab.ancestors(candidate)):
            if ancestor.id in context:
                best.append((distance, candidate))
                break
    if not best:
        return None
    best.sort()
    if len(best) > 1 and best[0][0] == best[1][0]:
        return None
    return best[0][1]


@lru_cache(maxsize=1024)
def _cached_scan(matcher: Matcher, text: str) -> tuple[Hit, ...]:
    return tuple(matcher.scan(text))


def scan(text: str, vocab: Vocabularies) -> tuple[Hit, ...]:
    """The hits of one text (cached: regions, initiatives and events scan the same paragraphs)."""
    return _cached_scan(matcher_for(vocab), text)


def unambiguous_ids(hits: Iterable[Hit]) -> set[str]:
    """Region ids that a run of hits names without ambiguity (directly or implied)."""
    out: set[str] = set()
    for hit in hits:
        if hit.kind == REGION and len(hit.candidates) == 1 and not hit.weak:
            out.add(hit.candidates[0])
        for implied in hit.implied:
            if len(implied) == 1:
                out.add(implied[0])
    return out


def region_ids_of(hit: Hit, context: set[str], vocab: Vocabularies) -> list[str]:
    """The regions one hit counts for: its own (resolved) and what it implies, deduplicated."""
    out: list[str] = []
    if hit.kind == REGION:
        region_id = resolve(hit.candidates, context, vocab, require_context=hit.weak)
        if region_id is None:
            return out  # an unresolved mention implies nothing either
        out.append(region_id)
        region = vocab.regions[region_id]
        if len(hit.candidates) > 1 and region.level == "zone" and region.parent:
            out.append(region.parent)  # (a single-candidate zone has it in ``implied``)
    for candidates in hit.implied:
        region_id = resolve(candidates, context, vocab)
        if region_id is not None and region_id not in out:
            out.append(region_id)
    return out
