"""The immutable Site model: articles and everything the site derives from them.

Built once per build from the loaded articles and the vocabularies, then only read.
Regions roll up to their ancestors; dated events of all articles are merged into timeline
entries (same date + overlapping places/initiatives/organisations = one entry citing every
source); related articles come from shared entities and shared distinctive words.

Every piece of derived data has a dependency key (``article:<slug>``, ``region:<id>``,
``entry:<key>``, ``index:regions`` ...) and a fingerprint of its value, so a page that
records the keys it shows can tell whether it needs rendering again.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from briefing.errors import BriefingError, BriefingErrors
from briefing.site import urls
from briefing.site.related import inputs_digest as related_articles_digest, related_articles
from briefing.site.load import (
    ArticleSource, EventRec, FigureRec, OrganisationRef, PersonRef, locate,
)
from briefing.site.variants import Bi, convert_for

KINDS = ("region", "initiative", "topic", "person", "organisation")
# entity kind → the Site field holding its records
ENTITY_TABLES = {"region": "regions", "initiative": "initiatives", "topic": "topics", "person": "people",
                 "organisation": "organisations"}


def entity_tables(site) -> dict[str, Mapping]:
    """A model's (or a remodelling's) records by entity kind."""
    return {kind: getattr(site, name) for kind, name in ENTITY_TABLES.items()}


def fingerprint(value: Any) -> str:
    return hashlib.blake2b(repr(value).encode("utf-8"), digest_size=8).hexdigest()


# --- records -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Label:
    """How an entity is named and whether it has a page."""

    kind: str
    id: str
    name: Bi
    name_en: str | None
    has_page: bool
    aliases: tuple[str, ...] = ()

    def path(self, variant: str) -> str | None:
        if not self.has_page:
            return None
        return _ENTITY_PATH[self.kind](variant, self.id)

    def surface_forms(self) -> tuple[str, ...]:
        """Strings that name this entity in a text of either script (for linking mentions)."""
        return _label_memo(self, "surface", self._surface_forms)

    def _surface_forms(self) -> tuple[str, ...]:
        forms = {self.name["hans"], self.name["hant"]}
        for alias in self.aliases:
            if len(alias) >= 2:
                forms.add(alias)
                forms.add(Bi.written(alias, "zh-Hans")["hant"])
        return tuple(sorted((f for f in forms if f and len(f) >= 2), key=lambda f: (-len(f), f)))

    def search_forms(self, variant: str) -> tuple[str, ...]:
        """The name and the aliases (of two characters or more) as a variant shows them, sorted."""
        return _label_memo(self, variant, lambda: tuple(sorted(
            {self.name[variant]} | {convert_for(a, "zh-Hans", variant) for a in self.aliases if len(a) >= 2})))


# what is worked out from a label, once per label (every article page asks for the forms of
# each entity it names): (label's identity, what) -> (label, value)
_LABEL_MEMO: dict[tuple[int, str], tuple[Label, Any]] = {}
LABEL_MEMO_KEPT = 100_000


def _label_memo(label: Label, what: str, make):
    key = (id(label), what)
    found = _LABEL_MEMO.get(key)
    if found is not None and found[0] is label:
        return found[1]
    value = make()
    if len(_LABEL_MEMO) >= LABEL_MEMO_KEPT:
        _LABEL_MEMO.clear()
    _LABEL_MEMO[key] = (label, value)   # the label is held: its identity is not reused meanwhile
    return value


_ENTITY_PATH = {
    "region": urls.region, "initiative": urls.initiative, "topic": urls.topic,
    "person": urls.person, "organisation": urls.organisation,
}


@dataclass(frozen=True, slots=True)
class ArticleEvent:
    rec: EventRec
    entry: str               # key of the timeline entry it belongs to
    sentence: Bi | None


@dataclass(frozen=True, slots=True)
class ArticleFigure:
    rec: FigureRec
    text: Bi
    sentence: Bi | None


@dataclass(frozen=True, slots=True)
class ArticlePerson:
    ref: PersonRef
    role: Bi | None


@dataclass(frozen=True, slots=True)
class Article:
    __packed__ = ("figures", "events")   # pickled apart, read when first needed (see records)

    src: ArticleSource
    slug: str
    title: Bi
    summary: Bi | None
    outlet: Bi | None
    author: Bi | None
    editor: Bi | None
    people: tuple[ArticlePerson, ...]
    figures: tuple[ArticleFigure, ...]
    events: tuple[ArticleEvent, ...]
    sort_key: str

    @property
    def year(self) -> int:
        return int(self.src.date[:4])


@dataclass(frozen=True, slots=True)
class EntrySource:
    slug: str
    event_index: int
    paragraph: int | None
    sentence: Bi | None


@dataclass(frozen=True, slots=True)
class Entry:
    """One timeline entry: one or more article events about the same happening."""

    key: str
    date: str
    end: str | None
    precision: str
    kind: str
    planned: bool
    sources: tuple[EntrySource, ...]
    regions: tuple[str, ...]
    initiatives: tuple[str, ...]
    organisations: tuple[str, ...]

    @property
    def year(self) -> int:
        return int(self.date[:4])

    @property
    def month(self) -> int | None:
        if self.precision == "year" or len(self.date) < 7:
            return None
        return int(self.date[5:7])


@dataclass(frozen=True, slots=True)
class RegionInfo:
    id: str
    level: str
    parent: str | None               # nearest ancestor that has a page
    ancestors: tuple[str, ...]       # with pages, nearest first
    children: tuple[str, ...]        # with pages
    articles: tuple[str, ...]        # its own and its descendants', newest first
    direct: int                      # articles naming it directly
    entries: tuple[str, ...]         # chronological, incl. descendants
    topics: tuple[tuple[str, int], ...]
    initiatives: tuple[str, ...]
    partners: tuple[tuple[str, int], ...]
    figures: tuple[tuple[str, int], ...]   # (slug, index in the article's figures)
    lat: float | None
    lon: float | None
    coverage: int                    # the size class of its article count (see coverage_class)


@dataclass(frozen=True, slots=True)
class InitiativeInfo:
    id: str
    members: tuple[str, ...]
    start: str | None
    start_precision: str | None
    description: Bi | None
    parent: str | None
    articles: tuple[str, ...]
    entries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TopicInfo:
    id: str
    articles: tuple[str, ...]
    entries: tuple[str, ...]
    regions: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class PersonInfo:
    id: str
    roles: tuple[tuple[Bi, str], ...]      # (role, slug of the article stating it)
    articles: tuple[str, ...]
    entries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OrganisationInfo:
    id: str
    kind: str | None
    articles: tuple[str, ...]
    entries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Stats:
    articles: int
    first_date: str | None
    last_date: str | None
    regions: int
    initiatives: int
    topics: int
    people: int
    organisations: int
    entries: int
    planned: int
    by_script: tuple[tuple[str, int], ...]
    reference_date: str | None       # the newest article date: "now" for recent/upcoming


@dataclass(frozen=True)
class Site:
    articles: tuple[Article, ...]                 # newest first
    by_slug: Mapping[str, Article]
    labels: Mapping[tuple[str, str], Label]
    regions: Mapping[str, RegionInfo]
    initiatives: Mapping[str, InitiativeInfo]
    topics: Mapping[str, TopicInfo]
    people: Mapping[str, PersonInfo]
    organisations: Mapping[str, OrganisationInfo]
    entries: tuple[Entry, ...]                    # chronological
    by_entry: Mapping[str, Entry]
    years: tuple[tuple[int, int], ...]            # (year, entries)
    related: Mapping[str, tuple[str, ...]]
    stats: Stats
    vocab_version: str
    region_coords: Mapping[str, tuple[float, float]]   # every region with a label
    fingerprints: Mapping[str, str] = field(repr=False)
    related_cache: tuple[str, dict] | None = field(default=None, repr=False)   # (inputs digest, related)
    # one object per set of outputs: a patched model keeps it (same articles, same entities)
    layout: object = field(default_factory=object, repr=False, compare=False)

    def label(self, kind: str, ident: str) -> Label:
        return self.labels[(kind, ident)]

    def entry_path(self, variant: str, key: str) -> str:
        return urls.timeline_year(variant, self.by_entry[key].year)


# --- building ------------------------------------------------------------------------------

def article_sort_key(src: ArticleSource) -> str:
    return f"{src.date:<10}|{src.time or '':<8}|{src.slug}"


def _opt(text: str | None, script: str) -> Bi | None:
    return Bi.written(text, script) if text else None


def check_ids(sources: list[ArticleSource], vocab) -> None:
    errors: list[BriefingError] = []
    for src in sources:
        for i, ref in enumerate(src.regions):
            if ref.id not in vocab.regions:
                errors.append(BriefingError(src.path, f"unknown region id '{ref.id}'", locate(src.path, ("regions", i))))
        for key, table in (("initiatives", vocab.initiatives), ("topics", vocab.topics)):
            for i, ref in enumerate(getattr(src, key)):
                if ref.id not in table:
                    errors.append(BriefingError(src.path, f"unknown {key[:-1]} id '{ref.id}'", locate(src.path, (key, i))))
        for ev in src.events:
            for key, table in (("regions", vocab.regions), ("initiatives", vocab.initiatives)):
                for rid in getattr(ev, key):
                    if rid not in table:
                        errors.append(BriefingError(src.path, f"event {ev.index + 1}: unknown {key[:-1]} id '{rid}'",
                                                    locate(src.path, ("events", ev.index, key))))
        for i, fig in enumerate(src.figures):
            for rid in fig.regions:
                if rid not in vocab.regions:
                    errors.append(BriefingError(src.path, f"figure {i + 1}: unknown region id '{rid}'",
                                                locate(src.path, ("figures", i, "regions"))))
    by_segment: dict[str, list[ArticleSource]] = defaultdict(list)
    for src in sources:
        by_segment[urls.segment(src.slug)].append(src)
    for seg, group in sorted(by_segment.items()):
        if len(group) > 1:
            names = ", ".join(str(s.path) for s in group)
            for src in group:
                errors.append(BriefingError(src.path, f"slug '{src.slug}' is used by more than one article ({names})",
                                            locate(src.path, ("slug",))))
    if errors:
        raise BriefingErrors(sorted(errors, key=lambda e: (str(e.path), e.line or 0, e.message)))


def date_key(ev: EventRec | Entry) -> tuple:
    """What events must share to be one timeline entry (besides an entity); an entry's own."""
    return (ev.date, ev.end, ev.precision, ev.kind, ev.planned)


def date_order(key: tuple) -> tuple:
    return (key[0], key[1] or "", key[2], key[3], key[4])


def _merge_events(articles: list[Article]) -> tuple[list[Entry], dict[tuple[str, int], str]]:
    """Group events by date; inside a date, events sharing any entity are one entry."""
    by_date: dict[tuple, list[tuple[Article, EventRec]]] = defaultdict(list)
    for art in articles:
        for ev in art.src.events:
            by_date[date_key(ev)].append((art, ev))
    entries: list[Entry] = []
    owner: dict[tuple[str, int], str] = {}
    for key in sorted(by_date, key=date_order):
        entries.extend(entries_of_date(key, by_date[key], owner))
    return entries, owner


def entries_of_date(date_key: tuple, events: list[tuple[Article, EventRec]],
                    owner: dict[tuple[str, int], str]) -> list[Entry]:
    """The entries of one date's events (each an (article, event) pair), in order; ``owner``
    gets each event's entry key."""
    items = sorted(events, key=lambda ae: (ae[0].slug, ae[1].index))
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[tuple[str, str], int] = {}
    for i, (_, ev) in enumerate(items):
        ents = [("r", r) for r in ev.regions] + [("i", x) for x in ev.initiatives] + [("o", o) for o in ev.organisations]
        for ent in ents:
            if ent in seen:
                a, b = find(seen[ent]), find(i)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                seen[ent] = i
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        groups[find(i)].append(i)
    entries: list[Entry] = []
    for members in sorted(groups.values()):
        first_art, first_ev = items[members[0]]
        key = f"{first_ev.date}-" + hashlib.blake2b(
            f"{first_art.slug}:{first_ev.index}".encode(), digest_size=3).hexdigest()
        sources = []
        regions: set[str] = set()
        initiatives: set[str] = set()
        orgs: set[str] = set()
        for i in members:
            art, ev = items[i]
            sentence = art.events[ev.index].sentence if ev.index < len(art.events) else None
            sources.append(EntrySource(art.slug, ev.index, ev.paragraph, sentence))
            regions.update(ev.regions)
            initiatives.update(ev.initiatives)
            orgs.update(ev.organisations)
            owner[(art.slug, ev.index)] = key
        date, end, precision, kind, planned = date_key
        entries.append(Entry(key, date, end, precision, kind, planned, tuple(sources),
                             tuple(sorted(regions)), tuple(sorted(initiatives)), tuple(sorted(orgs))))
    return entries


def _date_span(articles: list[Article]) -> tuple[str | None, str | None]:
    if not articles:
        return None, None
    dates = sorted(a.src.date for a in articles)
    return dates[0], dates[-1]


def make_article(src: ArticleSource, entry_keys: dict[int, str] | None = None) -> Article:
    """An article of the model; its events get their timeline entry keys later."""
    keys = entry_keys or {}
    people = tuple(ArticlePerson(p, Bi.written(p.role, "zh-Hans") if p.role else None) for p in src.people)
    figures = tuple(ArticleFigure(f, Bi.written(f.text, src.script), _opt(f.sentence, src.script)) for f in src.figures)
    events = tuple(ArticleEvent(ev, keys.get(ev.index, ""), _opt(ev.sentence, src.script)) for ev in src.events)
    return Article(src, src.slug, Bi.written(src.title, src.script), _opt(src.summary, src.script),
                   _opt(src.outlet, src.script), _opt(src.author, src.script), _opt(src.editor, src.script),
                   people, figures, events, article_sort_key(src))


def _event_key(ev: EventRec) -> tuple:
    return date_key(ev) + (ev.regions, ev.initiatives, ev.organisations)


def ranked_related(newest: list[ArticleSource], related_cache, related_ahead,
            previous=None) -> tuple[str, dict[str, tuple[str, ...]]]:
    """(inputs digest, related articles) of ``newest``: from ``related_cache`` or what
    ``related_ahead()`` gives (each an earlier (digest, ranking)) when the digest is this
    corpus's, else ranked here (from ``previous``, an earlier corpus and its ranking, when
    it fits: see ``related_articles``)."""
    digest = related_articles_digest(newest)
    if related_cache is not None and related_cache[0] == digest:
        return related_cache
    ahead = related_ahead() if related_ahead is not None else None
    if ahead is not None and ahead[0] == digest:
        return ahead
    return digest, related_articles(newest, previous)


def patch_site(site: Site, sources: list[ArticleSource], *, related_ahead=None) -> Site | None:
    """``site`` with some articles replaced by new versions whose front matter is unchanged
    (their body was edited): exactly the model ``build_site`` would make of the new corpus,
    made in milliseconds at any corpus size. Everything the model derives comes from the
    front matter, except an article's text and its keywords (read from the body): changed
    keywords re-rank related articles. None when an article is new or its front matter
    changed: then only ``build_site`` will do."""
    by_slug = dict(site.by_slug)
    fps = dict(site.fingerprints)
    keywords_changed = False
    for src in sources:
        old = by_slug.get(src.slug)
        if old is None or old.src.front_hash != src.front_hash:
            return None
        keywords_changed = keywords_changed or (old.src.keywords, old.src.keyword_counts) != (src.keywords, src.keyword_counts)
        by_slug[src.slug] = dataclasses.replace(old, src=src)
        fps["article:" + src.slug] = src.content_hash + ":" + fps["article:" + src.slug].split(":", 1)[1]
    articles = tuple(by_slug[a.slug] for a in site.articles)
    related, related_cache = site.related, site.related_cache
    if keywords_changed:
        related_cache = ranked_related([a.src for a in articles], None, related_ahead,
                                previous=([a.src for a in site.articles], site.related))
        related = related_cache[1]
        for art in articles:
            fps["related:" + art.slug] = fingerprint(related[art.slug])
        related = MappingProxyType(related)
    return dataclasses.replace(site, articles=articles, by_slug=MappingProxyType(by_slug), related=related,
                               fingerprints=MappingProxyType(fps), related_cache=related_cache)


def preview_site(site: Site, sources: list[ArticleSource]) -> tuple[Site, list[str]] | None:
    """The last model with some articles replaced by new versions of themselves, for showing
    an edited article at once; everything else (listings, timeline, related) is as it was.

    Only an article whose slug is already known can be previewed; its events keep their
    timeline entries where the event is unchanged, and are left out where it changed (the
    full build that follows puts them in). None when there is nothing to preview."""
    by_slug = dict(site.by_slug)
    slugs = []
    for src in sources:
        old = by_slug.get(src.slug)
        if old is None:
            return None
        old_keys = {_event_key(e.rec): e.entry for e in old.events}
        keys = {ev.index: old_keys[_event_key(ev)] for ev in src.events if _event_key(ev) in old_keys}
        art = make_article(src, keys)
        art = Article(art.src, art.slug, art.title, art.summary, art.outlet, art.author, art.editor, art.people,
                      art.figures, tuple(e for e in art.events if e.entry), art.sort_key)
        by_slug[src.slug] = art
        slugs.append(src.slug)
    articles = tuple(by_slug[a.slug] for a in site.articles)
    return dataclasses.replace(site, articles=articles, by_slug=MappingProxyType(by_slug)), slugs


def build_site(sources: list[ArticleSource], vocab, *, related_cache: tuple[str, dict] | None = None,
               related_ahead=None) -> Site:
    """The Site model for a set of articles; BriefingErrors when they name unknown ids.

    ``related_cache`` is a previous (inputs digest, related articles) pair: when the
    digest of this corpus's related-article inputs is the same, it is reused; so is what
    ``related_ahead()`` gives (see ``ahead``), asked for only then."""
    check_ids(sources, vocab)

    # articles, newest first
    articles: list[Article] = [make_article(src) for src in sources]
    articles.sort(key=lambda a: a.sort_key, reverse=True)

    entries, owner = _merge_events(articles)
    by_entry = {e.key: e for e in entries}
    # attach entry keys to article events (Article is frozen: rebuild the tuple once)
    final: list[Article] = []
    for art in articles:
        evs = tuple(ArticleEvent(e.rec, owner[(art.slug, e.rec.index)], e.sentence) for e in art.events)
        final.append(Article(art.src, art.slug, art.title, art.summary, art.outlet, art.author, art.editor,
                             art.people, art.figures, evs, art.sort_key))
    articles = final
    by_slug = {a.slug: a for a in articles}
    order = {a.slug: i for i, a in enumerate(articles)}

    def newest_first(slugs: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(set(slugs), key=order.__getitem__))

    entry_order = {e.key: i for i, e in enumerate(entries)}

    def chronological(keys: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(set(keys), key=entry_order.__getitem__))

    # --- regions, with roll-up to ancestors --------------------------------------------
    ancestors = ancestry(vocab)

    region_articles: dict[str, set[str]] = defaultdict(set)
    region_direct: Counter[str] = Counter()
    region_entries: dict[str, set[str]] = defaultdict(set)
    region_figures: dict[str, list[tuple[str, int]]] = defaultdict(list)
    region_topics: dict[str, Counter[str]] = defaultdict(Counter)
    for art in articles:
        src = art.src
        for target, figure in figure_targets(src, ancestors):
            region_figures[target].append(figure)
        for rid in direct_regions(src):
            region_direct[rid] += 1
        for rid in rolled_regions(src, ancestors):
            region_articles[rid].add(art.slug)
            for t in src.topics:
                region_topics[rid][t.id] += 1
    for entry in entries:
        for target in rolled(entry.regions, ancestors):
            region_entries[target].add(entry.key)
    # a region has a page when an article, event or figure names it or a region below it
    with_page = set(region_articles) | set(region_entries) | set(region_figures)

    # initiatives and topics that appear
    initiative_articles: dict[str, dict[str, float]] = defaultdict(dict)
    topic_articles: dict[str, dict[str, float]] = defaultdict(dict)
    for art in articles:
        for ref in art.src.initiatives:
            initiative_articles[ref.id][art.slug] = ref.score
        for ref in art.src.topics:
            topic_articles[ref.id][art.slug] = ref.score
    initiative_entries: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        for iid in entry.initiatives:
            initiative_entries[iid].add(entry.key)
    initiative_ids = initiative_closure(vocab, set(initiative_articles) | set(initiative_entries))

    # partner regions: co-mentioned in the same timeline entries or the same initiatives
    partners: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in entries:
        for a, b in entry_partner_pairs(entry):
            partners[a][b] += 1
    region_initiatives: dict[str, set[str]] = defaultdict(set)
    for iid in sorted(initiative_ids):
        for m in vocab.initiatives[iid].members:
            region_initiatives[m].add(iid)
        for a, b in initiative_partner_pairs(vocab, iid):
            partners[a][b] += 1
    for entry in entries:
        for rid in entry.regions:
            region_initiatives[rid].update(entry.initiatives)

    labels: dict[tuple[str, str], Label] = region_labels(vocab, with_page, initiative_ids, ancestors)
    regions: dict[str, RegionInfo] = {}
    for rid, (anc, children) in region_structure(with_page, ancestors).items():
        regions[rid] = region_info(
            vocab.regions[rid], anc, children, newest_first(region_articles.get(rid, ())), region_direct.get(rid, 0),
            chronological(region_entries.get(rid, ())), region_topics[rid],
            tuple(sorted(i for i in region_initiatives.get(rid, ()) if i in initiative_ids)),
            partners.get(rid, Counter()), figures_in_order(region_figures.get(rid, ()), order))

    initiatives: dict[str, InitiativeInfo] = {}
    for iid in sorted(initiative_ids):
        labels[("initiative", iid)] = initiative_label(vocab, iid)
        initiatives[iid] = initiative_info(vocab, iid, initiative_ids, newest_first(initiative_articles.get(iid, {})),
                                           chronological(initiative_entries.get(iid, ())))

    topics: dict[str, TopicInfo] = {}
    for tid in sorted(topic_articles):
        labels[("topic", tid)] = topic_label(vocab, tid)
        topics[tid] = topic_info(tid, topic_articles[tid], by_slug, order, chronological)

    # people and organisations: the same id across articles is one entity
    person_refs: dict[str, list[tuple[Article, ArticlePerson]]] = defaultdict(list)
    org_refs: dict[str, list[tuple[Article, OrganisationRef]]] = defaultdict(list)
    for art in articles:
        for ap in art.people:
            person_refs[ap.ref.id].append((art, ap))
        for ref in art.src.organisations:
            org_refs[ref.id].append((art, ref))
    people: dict[str, PersonInfo] = {}
    event_texts: dict[int, str] = {}   # id of an article's event → its sentence in both scripts
    for pid in sorted(person_refs):
        labels[("person", pid)], people[pid] = person_info(pid, person_refs[pid], order, chronological, event_texts)
    organisations: dict[str, OrganisationInfo] = {}
    org_entries = entries_by_organisation(entries)
    for oid in sorted(org_refs):
        labels[("organisation", oid)], organisations[oid] = organisation_info(
            oid, org_refs[oid], org_entries.get(oid, ()), order, chronological, event_texts)
    add_event_organisation_labels(labels, entries)

    digest, related = ranked_related([a.src for a in articles], related_cache, related_ahead)
    years = entry_years(entries)
    stats = site_stats(articles, entries, regions, initiatives, topics, people, organisations)
    fingerprints = _fingerprints(articles, entries, labels, regions, initiatives, topics, people,
                                 organisations, related, years, stats)
    return Site(
        articles=tuple(articles), by_slug=MappingProxyType(by_slug), labels=MappingProxyType(labels),
        regions=MappingProxyType(regions), initiatives=MappingProxyType(initiatives), topics=MappingProxyType(topics),
        people=MappingProxyType(people), organisations=MappingProxyType(organisations),
        entries=tuple(entries), by_entry=MappingProxyType(by_entry), years=years,
        related=MappingProxyType(related), stats=stats, vocab_version=str(getattr(vocab, "version", "")),
        region_coords=region_coords(labels, vocab),
        fingerprints=MappingProxyType(fingerprints), related_cache=(digest, related),
    )


# --- one entity of the model, from what refers to it (shared with ``remodel``) ----------------

def region_label(vocab, rid: str, has_page: bool) -> Label:
    reg = vocab.regions[rid]
    return Label("region", rid, Bi.pair(reg.name, reg.name_hant), reg.name_en, has_page, tuple(reg.aliases or ()))


def ancestry(vocab):
    """``ancestors(region id)``: the ids of its ancestors, nearest first, each looked up once."""
    found: dict[str, tuple[str, ...]] = {}

    def ancestors(rid: str) -> tuple[str, ...]:
        if rid not in found:
            found[rid] = tuple(r.id for r in vocab.ancestors(rid))
        return found[rid]

    return ancestors


def region_labels(vocab, with_page: set[str], initiative_ids: Iterable[str], ancestors) -> dict[tuple[str, str], Label]:
    """The labels of regions (sorted by id): those with pages, the members of initiatives
    with pages, and their ancestors."""
    region_ids = set(with_page)
    for iid in initiative_ids:
        region_ids.update(m for m in vocab.initiatives[iid].members if m in vocab.regions)
    return {("region", rid): region_label(vocab, rid, rid in with_page)
            for rid in sorted(region_ids | {p for rid in region_ids for p in ancestors(rid)})}


def direct_regions(src: ArticleSource) -> set[str]:
    return {r.id for r in src.regions}


def rolled(region_ids: Iterable[str], ancestors) -> set[str]:
    """The regions and all their ancestors."""
    out: set[str] = set()
    for rid in region_ids:
        out.add(rid)
        out.update(ancestors(rid))
    return out


def rolled_regions(src: ArticleSource, ancestors) -> set[str]:
    """The regions whose listings hold the article: those it names and their ancestors."""
    return rolled(direct_regions(src), ancestors)


def figure_targets(src: ArticleSource, ancestors) -> list[tuple[str, tuple[str, int]]]:
    """(region, (slug, figure index)) for each region a figure of the article is shown on."""
    return [(target, (src.slug, i)) for i, fig in enumerate(src.figures) for target in rolled(fig.regions, ancestors)]


def entry_partner_pairs(entry: Entry) -> list[tuple[str, str]]:
    regs = sorted(set(entry.regions))
    return [(a, b) for a in regs for b in regs if a != b]


def initiative_partner_pairs(vocab, iid: str) -> list[tuple[str, str]]:
    members = sorted(set(vocab.initiatives[iid].members))
    return [(a, b) for a in members for b in members if a != b]


def initiative_label(vocab, iid: str) -> Label:
    ini = vocab.initiatives[iid]
    return Label("initiative", iid, Bi.pair(ini.name, ini.name_hant), ini.name_en, True, tuple(ini.aliases or ()))


def topic_label(vocab, tid: str) -> Label:
    top = vocab.topics[tid]
    return Label("topic", tid, Bi.pair(top.name, top.name_hant), top.name_en, True)


def region_structure(with_page: set[str], ancestors) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each region with a page (sorted by id): its ancestors with pages (nearest first) and
    its children with pages."""
    page_children: dict[str, list[str]] = defaultdict(list)
    for rid in with_page:
        parent_id = anc_first_parent(rid, ancestors, with_page)
        if parent_id:
            page_children[parent_id].append(rid)
    return {rid: (tuple(a for a in ancestors(rid) if a in with_page), tuple(sorted(page_children.get(rid, ()))))
            for rid in sorted(with_page)}


def region_info(reg, ancestors: tuple[str, ...], children: tuple[str, ...], articles: tuple[str, ...], direct: int,
                entries: tuple[str, ...], topic_counts: Mapping[str, int], initiatives: tuple[str, ...],
                partner_counts: Mapping[str, int], figures: tuple[tuple[str, int], ...]) -> RegionInfo:
    return RegionInfo(
        id=reg.id, level=reg.level, parent=ancestors[0] if ancestors else None, ancestors=ancestors, children=children,
        articles=articles, direct=direct, entries=entries,
        topics=counted(topic_counts), initiatives=initiatives, partners=counted(partner_counts),
        figures=figures,
        lat=getattr(reg, "lat", None), lon=getattr(reg, "lon", None), coverage=coverage_class(len(articles)),
    )


# --- size classes --------------------------------------------------------------------------
# What a map shows of a region's article count: its class on a scale of half decades
# (1-2, 3-9, 10-29, 30-99, 100-299, ...), not the count. Graduated symbols with a legend
# read better than dots sized to the article, and they are stable: an edit that moves a
# count by one changes no map unless the count crosses into another class. (A regions
# edit at 2,000 articles moved three counts shown on the maps of ~70 regions' pages.)

def coverage_class(count: int) -> int:
    """0 for no articles, 1 for 1-2, 2 for 3-9, 3 for 10-29, 4 for 30-99 ..."""
    size = 0
    while coverage_range(size)[1] < count:
        size += 1
    return size


def coverage_range(size: int) -> tuple[int, int]:
    """The counts of a class: (lowest, highest)."""
    if size <= 0:
        return 0, 0
    low = 10 ** ((size - 1) // 2) * (3 if size % 2 == 0 else 1)
    high = 10 ** (size // 2) * (3 if size % 2 == 1 else 1) - 1
    return low, high


def figures_in_order(figures: Iterable[tuple[str, int]], order: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """(slug, figure index) pairs, newest article first."""
    return tuple(sorted(set(figures), key=lambda sf: (order[sf[0]], sf[1])))


def initiative_info(vocab, iid: str, initiative_ids: set[str], articles: tuple[str, ...],
                    entries: tuple[str, ...]) -> InitiativeInfo:
    ini = vocab.initiatives[iid]
    parent = getattr(ini, "parent", None)
    return InitiativeInfo(
        id=iid, members=tuple(m for m in ini.members if m in vocab.regions),
        start=_as_text(getattr(ini, "start", None)), start_precision=getattr(ini, "start_precision", None),
        description=Bi.written(ini.description, "zh-Hans") if getattr(ini, "description", None) else None,
        parent=parent if parent in initiative_ids else None, articles=articles, entries=entries,
    )


def initiative_closure(vocab, own: Iterable[str]) -> set[str]:
    """Initiatives with a page: those articles or events name, and their parents."""
    ids = set(own)
    for iid in list(ids):
        parent = getattr(vocab.initiatives[iid], "parent", None)
        while parent and parent in vocab.initiatives and parent not in ids:
            ids.add(parent)
            parent = getattr(vocab.initiatives[parent], "parent", None)
    return ids


def topic_info(tid: str, scores: Mapping[str, float], by_slug: Mapping[str, Article], order: Mapping[str, int],
               chronological) -> TopicInfo:
    region_counts: Counter[str] = Counter()
    for s in scores:
        for ref in by_slug[s].src.regions:
            region_counts[ref.id] += 1
    return TopicInfo(
        id=tid, articles=tuple(sorted(scores, key=lambda s: topic_rank(scores[s], order[s]))),
        entries=chronological({e.entry for s in scores for e in by_slug[s].events}),
        regions=counted(region_counts),
    )


def topic_rank(score: float, position: int) -> tuple:
    """Where an article stands in a topic's listing: most relevant first, then newest."""
    return (-round(score, 6), position)


def counted(counts: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """(id, count) pairs with a count, the largest first."""
    return tuple(sorted(((k, n) for k, n in counts.items() if n), key=lambda kv: (-kv[1], kv[0])))


def person_info(pid: str, refs: list[tuple[Article, ArticlePerson]], order: Mapping[str, int], chronological,
                texts: dict[int, str]) -> tuple[Label, PersonInfo]:
    refs = sorted(refs, key=lambda ar: order[ar[0].slug])
    label = Label("person", pid, Bi.written(refs[0][1].ref.name, "zh-Hans"), None, True)
    names = {ap.ref.name for _, ap in refs}
    roles = []
    seen_roles = set()
    for art, ap in refs:
        if ap.role is not None and ap.ref.role not in seen_roles:
            seen_roles.add(ap.ref.role)
            roles.append((ap.role, art.slug))
    found = _entries_naming({a.slug: a for a, _ in refs}.values(), names, texts)
    return label, PersonInfo(pid, tuple(roles), tuple(dict.fromkeys(a.slug for a, _ in refs)), chronological(found))


def organisation_info(oid: str, refs: list[tuple[Article, OrganisationRef]], entries_naming_it: Iterable[str],
                      order: Mapping[str, int], chronological, texts: dict[int, str]) -> tuple[Label, OrganisationInfo]:
    refs = sorted(refs, key=lambda ar: order[ar[0].slug])
    label = Label("organisation", oid, Bi.written(refs[0][1].name, "zh-Hans"), None, True)
    names = {r.name for _, r in refs}
    found = set(entries_naming_it) | _entries_naming({a.slug: a for a, _ in refs}.values(), names, texts)
    kind = next((r.kind for _, r in refs if r.kind), None)
    return label, OrganisationInfo(oid, kind, tuple(dict.fromkeys(a.slug for a, _ in refs)), chronological(found))


def entries_by_organisation(entries: Iterable[Entry]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        for oid in entry.organisations:
            found[oid].add(entry.key)
    return found


def add_event_organisation_labels(labels: dict[tuple[str, str], Label], entries: Iterable[Entry],
                                  known: Mapping[tuple[str, str], Label] | None = None) -> None:
    """Organisations named only in events have a label and no page (``known``: earlier labels
    to reuse)."""
    for entry in entries:
        for oid in entry.organisations:
            key = ("organisation", oid)
            if key not in labels:
                old = known.get(key) if known is not None else None
                labels[key] = old if old is not None and not old.has_page else \
                    Label("organisation", oid, Bi.written(oid, "zh-Hans"), None, False)


def entry_years(entries: Iterable[Entry]) -> tuple[tuple[int, int], ...]:
    return tuple(sorted(Counter(e.year for e in entries).items()))


def site_stats(articles: list[Article], entries: list[Entry], regions, initiatives, topics, people,
               organisations) -> Stats:
    first, last = _date_span(articles)
    return Stats(
        articles=len(articles), first_date=first, last_date=last, regions=len(regions),
        initiatives=len(initiatives), topics=len(topics), people=len(people), organisations=len(organisations),
        entries=len(entries), planned=sum(1 for e in entries if e.planned),
        by_script=tuple(sorted(Counter(a.src.script for a in articles).items())),
        reference_date=last,
    )


def region_coords(labels: Mapping[tuple[str, str], Label], vocab) -> Mapping[str, tuple[float, float]]:
    return MappingProxyType({rid: (vocab.regions[rid].lat, vocab.regions[rid].lon)
                             for kind, rid in labels if kind == "region"
                             and vocab.regions[rid].lat is not None and vocab.regions[rid].lon is not None})


def _entries_naming(articles: Iterable[Article], names: set[str], texts: dict[int, str]) -> set[str]:
    """The timeline entries of these articles whose sentence names one of ``names`` (in
    either script). ``texts`` keeps each event's sentence in both scripts, made once for
    all the people and organisations that look at it."""
    found: set[str] = set()
    for art in articles:
        for ev in art.events:
            text = texts.get(id(ev))
            if text is None:
                sentence = ev.sentence   # no name holds a NUL: none spans both scripts
                text = texts[id(ev)] = sentence["hans"] + "\0" + sentence["hant"] if sentence else ""
            if not text:
                continue
            for name in names:
                if name in text:
                    found.add(ev.entry)
                    break
    return found


def anc_first_parent(rid: str, ancestors, with_page: set[str]) -> str | None:
    for a in ancestors(rid):
        if a in with_page:
            return a
    return None


def _as_text(value) -> str | None:
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def card_fields(art: Article) -> tuple:
    """What a listing shows of an article (its card): a change here re-renders listings."""
    src = art.src
    return (art.slug, art.title, src.date, src.date_precision, src.time, art.outlet, art.summary, src.script, src.via)


def _fingerprints(articles, entries, labels, regions, initiatives, topics, people, organisations,
                  related, years, stats) -> dict[str, str]:
    fp: dict[str, str] = {}
    for art in articles:
        article_fingerprints(fp, art, related)
    for e in entries:
        fp["entry:" + e.key] = entry_fingerprint(e)
    for (kind, ident), label in labels.items():
        fp[f"label:{kind}:{ident}"] = label_fingerprint(label)
    tables = {"region": regions, "initiative": initiatives, "topic": topics, "person": people,
              "organisation": organisations}
    for name, table in tables.items():
        for ident, info in table.items():
            entity_fingerprints(fp, name, ident, info)
        fp[f"index:{name}"] = index_fingerprint(name, table, regions)
    slugs = tuple(a.slug for a in articles)
    fp["index:articles"] = fingerprint(slugs)
    listing_fingerprints(fp, "index:articles", slugs)
    timeline_fingerprints(fp, years, entries)
    fp["stats"] = fingerprint(stats)
    return fp


def article_fingerprints(fp: dict[str, str], art: Article, related: Mapping[str, tuple[str, ...]]) -> None:
    its_entries = fingerprint(tuple(e.entry for e in art.events))
    fp["article:" + art.slug] = art.src.content_hash + ":" + its_entries
    fp["meta:" + art.slug] = art.src.front_hash + ":" + its_entries      # what data exports show of it
    fp["card:" + art.slug] = fingerprint(card_fields(art))
    fp["related:" + art.slug] = fingerprint(related[art.slug])


ARTICLE_KEYS = ("article:", "meta:", "card:", "related:")


def entry_fingerprint(e: Entry) -> str:
    return fingerprint((e.key, e.date, e.end, e.precision, e.kind, e.planned,
                tuple((x.slug, x.event_index, x.paragraph, x.sentence) for x in e.sources),
                e.regions, e.initiatives, e.organisations))


def label_fingerprint(label: Label) -> str:
    return fingerprint((label.name, label.name_en, label.has_page))


def entity_fingerprints(fp: dict[str, str], name: str, ident: str, info, before=None) -> None:
    """Each field of an entity's record on its own (what a page reads), and the whole; the
    pages of its listing of articles on their own (see listing_fingerprints).
    ``before``: the record ``fp`` holds the fingerprints of, whose equal fields keep theirs."""
    fields = []
    for field_name in info.__slots__:
        key = f"{name}:{ident}.{field_name}"
        value = getattr(info, field_name)
        if before is None or getattr(before, field_name) != value:
            fp[key] = fingerprint(value)
        fields.append(fp[key])
    fp[f"{name}:{ident}"] = fingerprint((type(info).__name__, tuple(fields)))
    listing_fingerprints(fp, f"{name}:{ident}.articles", info.articles,
                         before.articles if before is not None else None)


def entity_keys(name: str, ident: str, info) -> list[str]:
    return [f"{name}:{ident}.{field_name}" for field_name in info.__slots__] + [f"{name}:{ident}"] \
        + listing_keys(f"{name}:{ident}.articles", info.articles)


# --- listings ------------------------------------------------------------------------------
# A listing of articles (an entity's, newest or most relevant first) is cut into pages of
# LISTING_MIN to LISTING_MAX articles. A page ends after the first of its articles, from the
# LISTING_MIN-th on, whose slug marks a cut (one slug in LISTING_CUT_ODDS, by a hash), or
# after the LISTING_MAX-th; what is left once it fits on a page is the last page. So where a
# page ends depends on its own articles, not on how many come before it (content-defined
# chunking, as rsync and backup tools cut files): an article entering or leaving a listing
# changes the page it is on, and the next one or two when it ended a page or the page was
# as short or as long as a page can be, not every page after it as cutting by count does
# (a regions edit at 2,000 articles re-rendered ~66 later pages of three regions that way).
#
# The first page shows how many articles the listing has and depends on the whole listing;
# a later page shows only its own articles and the links to the others, and depends on
# ``<listing>/page/<n>`` and ``<listing>/pages``. A listing of one page (most: a person's,
# an organisation's) has no such keys.

LISTING_MIN = 30         # articles on a page of a listing, at least (but on the last page)
LISTING_MAX = 50         # and at most
LISTING_CUT_ODDS = 10    # one slug in this many may end a page: pages of ~39 on average


def listing_cuts(items: tuple[str, ...]) -> tuple[int, ...]:
    """Where each page of a listing of slugs begins (the first at 0)."""
    if len(items) <= LISTING_MAX:
        return (0,)
    return _cuts(items, LISTING_MIN, LISTING_MAX, LISTING_CUT_ODDS)


@functools.lru_cache(maxsize=512)   # a page of a listing is read by both scripts' renders
def _cuts(items: tuple[str, ...], least: int, most: int, odds: int) -> tuple[int, ...]:
    starts = [0]
    start = 0
    while len(items) - start > most:
        end = start + most
        for i in range(start + least - 1, start + most - 1):
            if zlib.crc32(items[i].encode()) % odds == 0:
                end = i + 1
                break
        starts.append(end)
        start = end
    return tuple(starts)


def listing_pages(items: tuple[str, ...]) -> int:
    """How many pages a listing has."""
    return len(listing_cuts(items))


def listing_page(items: tuple[str, ...], number: int) -> tuple[str, ...]:
    """What page ``number`` (from 1) of a listing shows."""
    cuts = listing_cuts(items)
    return items[cuts[number - 1]: cuts[number] if number < len(cuts) else len(items)]


def listing_keys(key: str, items: tuple) -> list[str]:
    pages = listing_pages(items)
    return [key + "/pages"] + [f"{key}/page/{n}" for n in range(2, pages + 1)] if pages > 1 else []


def listing_fingerprints(fp: dict[str, str], key: str, items: tuple, before: tuple | None = None) -> None:
    """``<key>/pages`` and ``<key>/page/<n>`` (n >= 2) of a listing of more than one page;
    ``before``: the listing ``fp`` holds them for, whose equal pages keep theirs and whose
    pages beyond the end go."""
    if before is not None and before == items:
        return
    count = listing_pages(items)
    if count > 1:
        fp[key + "/pages"] = str(count)
        for n in range(2, count + 1):
            shown = listing_page(items, n)
            if before is None or listing_page(before, n) != shown:
                fp[f"{key}/page/{n}"] = fingerprint(shown)
    if before is not None:
        if count == 1:
            fp.pop(key + "/pages", None)
        for n in range(count + 1, listing_pages(before) + 1):
            del fp[f"{key}/page/{n}"]


def head_key(record_key: str, field_name: str, count: int) -> str:
    """The key of the first ``count`` items of a record's field (``topic:<id>.regions[:12]``):
    a page showing only those does not depend on the rest of the field."""
    return f"{record_key}.{field_name}[:{count}]"


_HEAD_KEY = re.compile(r"(?P<kind>\w+):(?P<ident>.+)\.(?P<field>\w+)\[:(?P<count>\d+)\]")


def is_head_key(key: str) -> bool:
    return key.endswith("]")


def head_fingerprint(site, key: str) -> str | None:
    """The fingerprint of a head key in ``site`` (None when its record is gone). Head keys
    are made by the pages that read them, so the builder fingerprints those the last build's
    pages read, each build."""
    found = _HEAD_KEY.fullmatch(key)
    if found is None or found["kind"] not in ENTITY_TABLES:
        return None
    info = getattr(site, ENTITY_TABLES[found["kind"]]).get(found["ident"])
    if info is None or found["field"] not in info.__slots__:
        return None
    return fingerprint(getattr(info, found["field"])[:int(found["count"])])


def index_fingerprint(name: str, table: Mapping, regions: Mapping[str, RegionInfo]) -> str:
    return fingerprint(tuple((i, len(getattr(info, "articles", ()))) for i, info in sorted(table.items()))
               + (tuple((i, r.parent, r.direct) for i, r in sorted(regions.items())) if name == "region" else ()))


def timeline_fingerprints(fp: dict[str, str], years, entries: list[Entry]) -> None:
    """index:timeline and timeline:<year> (the caller drops the keys of years gone)."""
    fp["index:timeline"] = fingerprint((years, tuple(e.key for e in entries)))
    by_year: dict[int, list[str]] = defaultdict(list)
    for e in entries:
        by_year[e.year].append(e.key)
    for year, keys in by_year.items():
        fp[f"timeline:{year}"] = fingerprint(tuple(keys))
