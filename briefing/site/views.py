"""What templates read: one Reader per page render, recording the dependency keys it reads.

A template gets ``h`` (a Reader) and a few ids; everything it shows comes through ``h``,
so the set of keys read while rendering a page is exactly what the page depends on
(``article:<slug>``, ``card:<slug>``, ``region:<id>``, ``entry:<key>``, ``label:...``,
``index:...``). The builder stores that set and re-renders a page only when the
fingerprint of one of its keys (or of its templates) changed.

View objects carry the texts already resolved for the page's variant, and links already
made relative to the page.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from markupsafe import Markup, escape

from briefing.site import dates, svg, urls
from briefing.site.bodyhtml import render_body
from briefing.site.model import (
    ENTITY_TABLES, Article, Entry, Site, coverage_class, coverage_range, head_key, listing_page, listing_pages,
)
from briefing.site.variants import SCRIPT_OF_VARIANT, Bi, convert_for, ui

SCRIPT_NAMES = {"zh-Hans": "简体中文", "zh-Hant": "繁体中文"}
LEVEL_NAMES = {"province": "省级", "prefecture": "地级", "county": "县级", "zone": "园区", "group": "区域组"}
PLACE_KINDS = {"regions": "region", "initiatives": "initiative", "organisations": "organisation"}
KIND_NAMES = {"university": "高校", "institute": "科研院所", "lab": "实验室", "company": "企业", "park": "园区",
              "government": "政府部门", "hospital": "医院", "centre": "创新中心", "center": "创新中心"}


@dataclass(frozen=True, slots=True)
class LabelView:
    """An entity's name as the page shows it. Printed (``{{ l }}``), it is the name linked to
    the entity's page, or plain where it has none: the one place that markup is made (an
    entity page's timeline shows hundreds of labels; a macro call each took half its time).
    The markup is made with the view, which the pages of a script at a depth share."""

    kind: str
    id: str
    name: str
    name_en: str | None
    href: str | None
    html: Markup = field(init=False, repr=False, compare=False)
    with_en: Markup = field(init=False, repr=False, compare=False)   # followed by the English name (``m.label(l)``)

    def __post_init__(self) -> None:
        name = escape(self.name)
        if self.href is None:
            html = Markup(f'<span class="ent ent-{self.kind}">{name}</span>')
        else:
            html = Markup(f'<a class="ent ent-{self.kind}" href="{escape(self.href)}">{name}</a>')
        object.__setattr__(self, "html", html)
        object.__setattr__(self, "with_en", html if not self.name_en else
                           Markup(f'{html} <span class="en" lang="en">{escape(self.name_en)}</span>'))

    def __html__(self) -> str:
        return self.html


@dataclass(frozen=True, slots=True)
class CardView:
    slug: str
    title: str
    href: str
    date: str
    datetime: str
    outlet: str | None
    summary: str | None
    script: str
    lang: str


@dataclass(frozen=True, slots=True)
class SourceView:
    card: CardView
    href: str                 # to the paragraph in the article
    paragraph: int | None
    sentence: str | None
    lang: str                 # of the sentence as shown


class EntryView:
    """A timeline entry for one page; its sources (cards of the citing articles) are read
    only when the template shows them, so a panel that shows just the date stays cheap."""

    def __init__(self, h: "Reader", e: Entry):
        self._h = h
        self._e = e
        self.key = e.key
        self.anchor = urls.entry_anchor(e.key)
        self.href = urls.href(h.page, urls.timeline_year(h.v, e.year), self.anchor)
        self.date = h._(dates.format_event_date(e.date, e.precision, e.kind, e.end))
        self.datetime = dates.datetime_attr(e.date, e.precision)
        self.precision = e.precision
        self.kind = e.kind
        self.planned = e.planned
        self.year = e.year
        self.month = e.month
        self.source_count = len(e.sources)

    @cached_property
    def sources(self) -> tuple[SourceView, ...]:
        return self.first_sources(len(self._e.sources))

    def first_sources(self, limit: int) -> tuple[SourceView, ...]:
        h = self._h
        out = []
        for s in self._e.sources[:limit]:
            target = urls.article(h.v, s.slug)
            out.append(SourceView(
                h.card(s.slug), urls.href(h.page, target, urls.paragraph_anchor(s.paragraph) if s.paragraph else None),
                s.paragraph, s.sentence[h.v] if s.sentence else None, h.lang))
        return tuple(out)

    @property
    def has_places(self) -> bool:
        return bool(self._e.regions or self._e.initiatives or self._e.organisations)

    def has(self, kind: str) -> bool:
        """Whether the entry names places of a kind (``regions``, ``initiatives``, ``organisations``)."""
        return bool(getattr(self._e, kind))

    def places(self, kind: str, most: int | None) -> tuple[tuple[LabelView, ...], int]:
        """The entry's first ``most`` (None: all) places of a kind as labels, and how many it
        names: a page that shows ten of fifty regions depends on those ten."""
        ids = getattr(self._e, kind)
        return tuple(self._h.labels(PLACE_KINDS[kind], ids if most is None else ids[:most])), len(ids)


@dataclass(frozen=True, slots=True)
class FigureView:
    text: str
    unit: str | None
    sentence: str | None
    href: str | None          # to its paragraph
    article: CardView | None
    regions: tuple[LabelView, ...]


PAGER_AROUND = 2   # pages a pager links on each side of the current one, besides the first and the last


def pager_numbers(number: int, pages: int, around: int = PAGER_AROUND) -> list[int | None]:
    """The page numbers a pager shows on page ``number`` of ``pages``: the first, the last and
    those within ``around`` of ``number``, None where some are left out (a single page left
    out is shown instead). A listing of 250 pages linking every page from each of them made
    1.9 million links at 10,000 articles (124 MB of HTML)."""
    wanted = sorted({1, pages, *range(max(1, number - around), min(pages, number + around) + 1)})
    shown: list[int | None] = []
    last = 0
    for n in wanted:
        if n - last == 2:
            shown.append(n - 1)
        elif n - last > 2:
            shown.append(None)
        shown.append(n)
        last = n
    return shown


class ListingView:
    """One page of a listing of articles as a page reads it (see Reader.listing)."""

    __slots__ = ("_h", "_key", "_items", "_first", "number")

    def __init__(self, h: "Reader", key: str, items: tuple[str, ...], first: str, number: int):
        self._h, self._key, self._items, self._first, self.number = h, key, items, first, number

    def _use(self, part: str) -> None:
        """A later page depends on a part of the listing, the first on the whole."""
        self._h._use(f"{self._key}/{part}" if self.number > 1 else self._key)

    @property
    def slugs(self) -> list[str]:
        """The articles this page shows."""
        self._use(f"page/{self.number}")
        return list(listing_page(self._items, self.number))

    @property
    def pages(self) -> int:
        self._use("pages")
        return listing_pages(self._items)

    @property
    def pager(self) -> list[tuple[int | None, str | None]]:
        """(page number, link or None for this page) of the pages a pager shows (see
        ``pager_numbers``; (None, None) where some are left out); empty when there is one."""
        return self._h._pager(self._first, self.number, self.pages)

    @property
    def count(self) -> int:
        """How many articles the whole listing has."""
        self._h._use(self._key)
        return len(self._items)


class RecordView:
    """An entity's record (RegionInfo, TopicInfo …) as a page reads it: each field read is
    recorded as a key of its own (``topic:<id>.regions``), so the later pages of a long
    listing, which show only its articles, are not rendered again when what only the first
    page shows (its region counts, figures, partners) changes."""

    __slots__ = ("_h", "_key", "_info")

    def __init__(self, h: "Reader", key: str, info):
        self._h = h
        self._key = key
        self._info = info

    def __getattr__(self, field: str):
        value = getattr(self._info, field)
        self._h._use(f"{self._key}.{field}")
        return value


# fragments of pages made once and shown on many (see Reader.fragment): (script, way back to
# the root, what it shows) -> (markup, the keys it read); the most recently used are kept
_FRAGMENTS: OrderedDict[tuple, tuple[Markup, frozenset[str]]] = OrderedDict()
FRAGMENTS_KEPT = 24_000   # timeline entries ~2 KB each, cards ~0.7 KB: an article's card is
                          # shown at two depths in each script (an entity's first and later pages)

# an article's card as the pages of one script at one depth show it: (script, way back to
# the root, slug) -> CardView. At 2,000 articles a full build made 230,000 cards of 8,000
# distinct ones (each article is listed on its regions', topics', organisations' … pages)
_CARDS: dict[tuple[str, str, str], "CardView"] = {}
CARDS_KEPT = 30_000   # ~0.5 KB each; past that the table starts again

# an entity's label likewise: (script, way back to the root, kind, id) -> LabelView (the 2k
# build made 244,000 of them)
_LABELS: dict[tuple[str, str, str, str], LabelView] = {}
LABELS_KEPT = 60_000


def _kept(table: dict, limit: int, key, value):
    """``value``, kept in ``table`` under ``key``; a table that reached ``limit`` starts again."""
    if len(table) >= limit:
        table.clear()
    table[key] = value
    return value


def forget_fragments() -> None:
    """Drop the fragments, cards and labels made so far: the model or the templates they came from changed."""
    _FRAGMENTS.clear()
    _CARDS.clear()
    _LABELS.clear()


class Reader:
    """The only door from a template to the model; it records what the page reads."""

    def __init__(self, site: Site, variant: str, page: str, config: dict[str, Any]):
        self.site = site
        self.v = variant
        self.lang = urls.LANG[variant]
        self.page = page
        self.root = urls.root(page)
        self.config = config
        self.deps: set[str] = set()

    def fragment(self, key: tuple, make, *args) -> Markup:
        """What ``make(*args)`` (a macro) shows, made once for all the pages of this script
        at this depth (links are relative, so they are the same there) and reused: each
        page that shows it depends on the keys it read. ``key`` names everything it shows
        besides the model (e.g. ``('entry', e.key, limit)``). An event naming fifty
        regions is among the recent events of each of them."""
        cache_key = (self.v, self.root, key)
        made = _FRAGMENTS.get(cache_key)
        if made is None:
            outer, self.deps = self.deps, set()
            try:
                markup = Markup(make(*args))
                made = (markup, frozenset(self.deps))
            finally:
                self.deps = outer | self.deps
            _FRAGMENTS[cache_key] = made
            if len(_FRAGMENTS) > FRAGMENTS_KEPT:
                _FRAGMENTS.popitem(last=False)
            return made[0]
        _FRAGMENTS.move_to_end(cache_key)
        self.deps |= made[1]
        return made[0]

    # --- plain helpers (no model data) -------------------------------------------------
    def _(self, text: str) -> str:
        return ui(text, self.v)

    def href(self, kind: str, *args, fragment: str | None = None) -> str:
        """A link to a page of this variant: ``h.href('region', 'wuxi')``."""
        target = getattr(urls, kind)(self.v, *args)
        return urls.href(self.page, target, fragment)

    def file(self, path: str) -> str:
        """A link to a shared file (``static/…``, ``data/…``, ``pagefind/…``)."""
        return urls.href(self.page, path)

    def static(self, name: str) -> str:
        return urls.href(self.page, urls.static(name))

    def data(self, name: str) -> str:
        return urls.href(self.page, urls.data(name))

    def feed(self) -> str:
        return urls.href(self.page, urls.feed(self.v))

    @property
    def other(self) -> str:
        return urls.href(self.page, urls.counterpart(self.page))

    @property
    def other_lang(self) -> str:
        return urls.LANG[urls.HANT if self.v == urls.HANS else urls.HANS]

    @property
    def canonical(self) -> str:
        return urls.absolute(self.config.get("base_url"), self.page) or urls.href(self.page, self.page)

    @property
    def alternate(self) -> str:
        other = urls.counterpart(self.page)
        return urls.absolute(self.config.get("base_url"), other) or urls.href(self.page, other)

    @property
    def absolute_url(self) -> str | None:
        return urls.absolute(self.config.get("base_url"), self.page)

    @property
    def base_path(self) -> str | None:
        return urls.base_path(self.config.get("base_url"))

    def date(self, iso: str, precision: str) -> str:
        return self._(dates.format_date(iso, precision))

    def datetime(self, iso: str, precision: str) -> str:
        return dates.datetime_attr(iso, precision)

    def date_any(self, iso: str) -> str:
        """An ISO date of whatever precision its form shows (YYYY, YYYY-MM, YYYY-MM-DD)."""
        return self.date(iso, dates.precision_of(iso))

    def datetime_any(self, iso: str) -> str:
        return dates.datetime_attr(iso, dates.precision_of(iso))

    def script_name(self, script: str) -> str:
        return self._(SCRIPT_NAMES.get(script, script))

    def level_name(self, level: str) -> str:
        return self._(LEVEL_NAMES.get(level, level))

    def kind_name(self, kind: str | None) -> str | None:
        return self._(KIND_NAMES.get(kind, kind)) if kind else None

    def lang_of(self, text: str | None) -> str:
        """The page's language, or ``en`` for a text without Chinese (vocabulary descriptions)."""
        if text and not any("\u4e00" <= c <= "\u9fff" for c in text):
            return "en"
        return self.lang

    def text(self, bi: Bi | None) -> str | None:
        return bi[self.v] if bi is not None else None

    def json_ld(self, data: dict) -> Markup:
        """JSON for a ``<script type="application/ld+json">``: ``<`` escaped so text cannot end it."""
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))

    # --- model reads (recorded) ----------------------------------------------------------
    def _use(self, key: str) -> None:
        self.deps.add(key)

    def label(self, kind: str, ident: str) -> LabelView:
        self._use(f"label:{kind}:{ident}")
        key = (self.v, self.root, kind, ident)
        view = _LABELS.get(key)
        if view is None:
            lab = self.site.labels.get((kind, ident))
            if lab is None:
                view = LabelView(kind, ident, ident, None, None)
            else:
                path = lab.path(self.v)
                view = LabelView(kind, ident, lab.name[self.v], lab.name_en,
                                 urls.href(self.page, path) if path else None)
            _kept(_LABELS, LABELS_KEPT, key, view)
        return view

    def labels(self, kind: str, ids) -> list[LabelView]:
        return [self.label(kind, i) for i in ids]

    def card(self, slug: str) -> CardView:
        self._use("card:" + slug)
        return self._card(self.site.by_slug[slug])

    def _card(self, art: Article) -> CardView:
        key = (self.v, self.root, art.slug)
        card = _CARDS.get(key)
        if card is None:
            src = art.src
            card = _kept(_CARDS, CARDS_KEPT, key, CardView(
                slug=art.slug, title=art.title[self.v], href=urls.href(self.page, urls.article(self.v, art.slug)),
                date=self.date(src.date, src.date_precision), datetime=dates.datetime_attr(src.date, src.date_precision),
                outlet=self.text(art.outlet), summary=self.text(art.summary), script=src.script, lang=self.lang,
            ))
        return card

    def cards(self, slugs) -> list[CardView]:
        return [self.card(s) for s in slugs]

    def article(self, slug: str) -> "ArticleView":
        self._use("article:" + slug)
        return ArticleView(self, self.site.by_slug[slug])

    def related(self, slug: str) -> list[CardView]:
        self._use("related:" + slug)
        return self.cards(self.site.related.get(slug, ()))

    def entry(self, key: str) -> EntryView:
        self._use("entry:" + key)
        return EntryView(self, self.site.by_entry[key])

    def entries(self, keys) -> list[EntryView]:
        return [self.entry(k) for k in keys]

    def by_month(self, entries: list[EntryView]) -> list[tuple[str, list[EntryView]]]:
        """Entries of one year grouped by month; year-only entries first, under their own heading."""
        groups: dict[int, list[EntryView]] = {}
        for e in entries:
            groups.setdefault(e.month or 0, []).append(e)
        out = []
        for month in sorted(groups):
            title = self._("月份不详") if month == 0 else f"{month}{self._('月')}"
            out.append((title, groups[month]))
        return out

    def by_year(self, entries: list[EntryView]) -> list[tuple[int, list[EntryView]]]:
        groups: dict[int, list[EntryView]] = {}
        for e in entries:
            groups.setdefault(e.year, []).append(e)
        return sorted(groups.items())

    def listing(self, of, number: int) -> "ListingView":
        """Page ``number`` (from 1) of a listing of articles, newest first: an entity's
        (``of`` is its record, ``h.region(id)`` …) or every article's (``of`` is
        ``'articles'``). What a later page reads of it is what it depends on: ``.slugs``
        (the articles it shows) and ``.pager`` (the links to every page) depend on those
        alone, ``.count`` on the whole listing; the first page depends on the whole
        listing. So a page after the first, which shows no count, is not rendered again
        when an article enters or leaves the listing after it."""
        if of == "articles":
            return ListingView(self, "index:articles", tuple(a.slug for a in self.site.articles),
                               urls.articles_index(self.v), number)
        kind, ident = of._key.split(":", 1)
        return ListingView(self, of._key + ".articles", of._info.articles, getattr(urls, kind)(self.v, ident), number)

    def head(self, record: "RecordView", field: str, count: int) -> tuple:
        """The first ``count`` items of a record's field (``h.head(t, 'regions', 12)``: a
        topic's twelve most named regions, with their counts): the page depends on those
        alone, not on the counts it does not show."""
        self._use(head_key(record._key, field, count))
        return getattr(record._info, field)[:count]

    def _pager(self, first: str, number: int, pages: int) -> list[tuple[int | None, str | None]]:
        if pages == 1:
            return []
        return [(n, None if n is None or n == number else urls.href(self.page, urls.paged(first, n)))
                for n in pager_numbers(number, pages)]

    def _table(self, kind: str):
        """The model's records of an entity kind (``region``, ``person`` …), by id."""
        return getattr(self.site, ENTITY_TABLES[kind])

    def _record(self, kind: str, table, ident: str) -> "RecordView":
        return RecordView(self, f"{kind}:{ident}", table[ident])

    def region(self, ident: str):
        return self._record("region", self.site.regions, ident)

    def initiative(self, ident: str):
        return self._record("initiative", self.site.initiatives, ident)

    def topic(self, ident: str):
        return self._record("topic", self.site.topics, ident)

    def person(self, ident: str):
        return self._record("person", self.site.people, ident)

    def organisation(self, ident: str):
        return self._record("organisation", self.site.organisations, ident)

    def index(self, kind: str) -> list[str]:
        """Ids of every entity of a kind that has a page (``region``, ``person`` …), sorted."""
        self._use("index:" + kind)
        return sorted(self._table(kind))

    def all_articles(self) -> list[str]:
        self._use("index:articles")
        return [a.slug for a in self.site.articles]

    def stats(self):
        self._use("stats")
        return self.site.stats

    def years(self) -> list[tuple[int, int]]:
        self._use("index:timeline")
        return list(self.site.years)

    def year_entries(self, year: int) -> list[str]:
        self._use(f"timeline:{year}")
        return [e.key for e in self.site.entries if e.year == year]

    def all_entries(self) -> list[str]:
        self._use("index:timeline")
        return [e.key for e in self.site.entries]

    def recent_and_upcoming(self, limit: int = 6) -> tuple[list[str], list[str]]:
        """Recent past events and planned/future ones, relative to the newest article's date."""
        self._use("index:timeline")
        ref = self.site.stats.reference_date or ""
        past = [e for e in self.site.entries if not e.planned and e.date[: len(ref)] <= ref]
        future = [e for e in self.site.entries if e.planned or e.date[: len(ref)] > ref]
        return [e.key for e in reversed(past[-limit:])], [e.key for e in future[:limit]]

    def count(self, kind: str, ident: str) -> int:
        """Articles about an entity (regions: its own and its descendants')."""
        info = self._table(kind).get(ident)
        self._use(f"{kind}:{ident}.articles")
        return len(info.articles) if info else 0

    def top(self, kind: str, limit: int = 8, levels: tuple[str, ...] | None = None) -> list[tuple[LabelView, int]]:
        ids = self.index(kind)
        counted = []
        for i in ids:
            if levels and self.site.regions[i].level not in levels:
                continue
            counted.append((self.count(kind, i), i))
        counted.sort(key=lambda ci: (-ci[0], ci[1]))
        return [(self.label(kind, i), c) for c, i in counted[:limit] if c > 0]

    def region_tree(self) -> list[tuple[LabelView, int, list]]:
        """Regions with pages as a tree (province → city → district), each with its count."""
        ids = self.index("region")

        def node(rid: str):
            info = self.site.regions[rid]
            return (self.label("region", rid), len(info.articles), [node(c) for c in info.children], info.level)

        roots = [r for r in ids if self.site.regions[r].parent is None and self.site.regions[r].level != "group"]
        return [node(r) for r in roots]

    def region_groups(self) -> list[tuple[LabelView, int]]:
        ids = self.index("region")
        return [(self.label("region", r), len(self.site.regions[r].articles)) for r in ids
                if self.site.regions[r].level == "group"]

    # --- figures -------------------------------------------------------------------------
    def map(self, region_ids, title: str, ident: str = "map", weights: dict[str, float] | None = None) -> Markup:
        """The regions as dots sized by the class of their article count (``weights``: by
        the class of these numbers instead). A page showing the map depends on each region's
        class, not its count (see model.coverage_class)."""
        points = []
        unit = self._("篇") if weights is None else ""
        for rid in region_ids:
            lab = self.site.labels.get(("region", rid))
            reg = self.site.regions.get(rid)
            self._use(f"label:region:{rid}")
            lat, lon = _coords(self.site, rid)
            if lab is None or lat is None:
                continue
            if weights is not None:
                size = coverage_class(weights.get(rid, 0))
            else:
                self._use(f"region:{rid}.coverage")
                size = reg.coverage if reg else 0
            path = lab.path(self.v)
            points.append(svg.MapPoint(lab.name[self.v], lat, lon, size,
                                       urls.href(self.page, path) if path else None,
                                       _coverage_text(size, unit)))
        return svg.dot_map(points, title, ident, legend={p.size: p.note for p in points})

    def year_bars(self, title: str) -> Markup:
        years = self.years()
        return svg.year_bars([(y, c, self.href("timeline_year", y)) for y, c in years], title, "years")

    def network(self, rid: str, title: str) -> Markup:
        info = self.region(rid)
        partners = []
        for pid, count in info.partners:
            lab = self.label("region", pid)
            partners.append((lab.name, count, lab.href))
        return svg.partner_network(self.label("region", rid).name, partners, title, "net")

    def figures(self, pairs) -> list[FigureView]:
        out = []
        for slug, index in pairs:
            self._use("article:" + slug)
            art = self.site.by_slug[slug]
            out.append(_figure_view(self, art, art.figures[index]))
        return out


def _coverage_text(size: int, unit: str) -> str:
    """The counts of a size class, e.g. "10–29 篇"."""
    low, high = coverage_range(size)
    return f"{low}–{high} {unit}".rstrip() if low != high else f"{low} {unit}".rstrip()


def _coords(site: Site, rid: str) -> tuple[float | None, float | None]:
    return site.region_coords.get(rid, (None, None))


def _figure_view(h: Reader, art: Article, fig) -> FigureView:
    target = urls.article(h.v, art.slug)
    rec = fig.rec
    return FigureView(
        text=fig.text[h.v], unit=rec.unit, sentence=fig.sentence[h.v] if fig.sentence else None,
        href=urls.href(h.page, target, urls.paragraph_anchor(rec.paragraph)) if rec.paragraph else None,
        article=h._card(art), regions=tuple(h.labels("region", rec.regions)),
    )


class ArticleView:
    """Everything an article page shows, for the page's variant (texts and links resolved)."""

    def __init__(self, h: Reader, art: Article):
        self._h = h
        self.a = art
        src = art.src
        v = h.v
        self.slug = art.slug
        self.src = src
        self.title = art.title[v]
        self.summary = h.text(art.summary)
        self.outlet = h.text(art.outlet)
        self.author = h.text(art.author)
        self.editor = h.text(art.editor)
        self.via = src.via
        self.date = h.date(src.date, src.date_precision)
        self.datetime = dates.datetime_attr(src.date, src.date_precision)
        self.published = dates.datetime_attr(src.date, src.date_precision, src.time, src.timezone)
        self.precision = src.date_precision
        self.time = src.time
        self.timezone = src.timezone
        self.script = src.script
        self.own_variant = src.script == SCRIPT_OF_VARIANT[v]
        self.warnings = [convert_for(w, src.script, v) for w in src.warnings]
        self.href = urls.href(h.page, urls.article(v, art.slug))

    @cached_property
    def regions(self) -> list[tuple[LabelView, int, bool]]:
        refs = sorted(self.a.src.regions, key=lambda r: (not r.main, -r.mentions, r.id))
        return [(self._h.label("region", r.id), r.mentions, r.main) for r in refs]

    @cached_property
    def initiatives(self) -> list[LabelView]:
        refs = sorted(self.a.src.initiatives, key=lambda r: (-r.score, r.id))
        return [self._h.label("initiative", r.id) for r in refs]

    @cached_property
    def topics(self) -> list[LabelView]:
        refs = sorted(self.a.src.topics, key=lambda r: (-r.score, r.id))
        return [self._h.label("topic", r.id) for r in refs]

    @cached_property
    def people(self) -> list[tuple[LabelView, str | None]]:
        return [(self._h.label("person", p.ref.id), p.role[self._h.v] if p.role else None) for p in self.a.people]

    @cached_property
    def organisations(self) -> list[tuple[LabelView, str | None]]:
        return [(self._h.label("organisation", o.id), self._h.kind_name(o.kind)) for o in self.a.src.organisations]

    @cached_property
    def figures(self) -> list[FigureView]:
        return [_figure_view(self._h, self.a, f) for f in self.a.figures]

    @cached_property
    def events(self) -> list[tuple[EntryView, int | None, str | None]]:
        """(timeline entry, paragraph, this article's sentence) per event, in body order."""
        out = []
        for ev in sorted(self.a.events, key=lambda e: (e.rec.paragraph or 0, e.rec.index)):
            out.append((self._h.entry(ev.entry), ev.rec.paragraph, ev.sentence[self._h.v] if ev.sentence else None))
        return out

    @cached_property
    def also_reported(self) -> list[dict]:
        v = self._h.v
        out = []
        for rep in self.a.src.also_reported_by:
            out.append({
                "title": convert_for(rep.title, self.a.src.script, v) if rep.title else None,
                "date": rep.date, "outlet": convert_for(rep.outlet, self.a.src.script, v) if rep.outlet else None,
                "via": rep.via, "seed": rep.seed,
            })
        return out

    @cached_property
    def search_terms(self) -> str:
        """Names of the article's places, initiatives, people and organisations, space-separated:
        explicit word boundaries for the search index, whose Chinese segmentation may not know them."""
        h = self._h
        terms: list[str] = []
        kinds = (("region", [r.id for r in self.a.src.regions]),
                 ("initiative", [r.id for r in self.a.src.initiatives]),
                 ("topic", [r.id for r in self.a.src.topics]),
                 ("person", [p.ref.id for p in self.a.people]),
                 ("organisation", [o.id for o in self.a.src.organisations]))
        for kind, ids in kinds:
            for ident in ids:
                lab = h.site.labels.get((kind, ident))
                h._use(f"label:{kind}:{ident}")
                if lab is None:
                    continue
                terms.extend(lab.search_forms(h.v))
        return " ".join(dict.fromkeys(terms))

    @cached_property
    def body(self) -> Markup:
        h = self._h
        forms: list[tuple[str, str]] = []
        hrefs: dict[str, str] = {}
        kinds = (("region", [r.id for r in self.a.src.regions]),
                 ("initiative", [r.id for r in self.a.src.initiatives]),
                 ("person", [p.ref.id for p in self.a.people]),
                 ("organisation", [o.id for o in self.a.src.organisations]))
        for kind, ids in kinds:
            for ident in ids:
                lab = h.site.labels.get((kind, ident))
                h._use(f"label:{kind}:{ident}")
                if lab is None or not lab.has_page:
                    continue
                key = f"{kind}:{ident}"
                hrefs[key] = urls.href(h.page, lab.path(h.v))
                forms.extend((f, key) for f in lab.surface_forms())
        html = render_body(self.a.src.blocks, self.a.src.script, h.v, forms, hrefs.__getitem__)
        return Markup(html)

    def json_ld(self) -> Markup:
        h = self._h
        data = {
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": self.title,
            "datePublished": self.published,
            "inLanguage": urls.LANG[h.v],
        }
        if self.author:
            data["author"] = {"@type": "Person", "name": self.author}
        if self.outlet:
            data["publisher"] = {"@type": "Organization", "name": self.outlet}
        if self.summary:
            data["description"] = self.summary
        if h.absolute_url:
            data["url"] = h.absolute_url
            data["mainEntityOfPage"] = h.absolute_url
        places = [lab.name for lab, _, main in self.regions if main]
        if places:
            data["contentLocation"] = [{"@type": "Place", "name": p} for p in places]
        return h.json_ld(data)

