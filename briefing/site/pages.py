"""The plan of a build: every output file, which template or producer makes it, and its arguments.

Both scripts get every page. Shared files (static assets, data exports, sitemap, robots)
exist once. Nothing here renders; the builder decides what needs rendering.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping, NamedTuple

from briefing.site import urls
from briefing.site.model import Site, listing_pages

NO_ARGS: Mapping[str, Any] = MappingProxyType({})


class Output(NamedTuple):
    """One output file. A tuple: every edit's build restores the last plan (11,349 outputs at
    2,000 articles: 23 ms to unpickle as dataclasses, 11 ms as tuples)."""
    path: str
    kind: str                         # page | feed | export | sitemap | robots | static | searchdata
    template: str | None = None
    variant: str | None = None
    args: Mapping[str, Any] = NO_ARGS
    lastmod: str | None = None        # for the sitemap
    source: str | None = None         # a static file's source path

    @property
    def is_html(self) -> bool:
        return self.kind == "page"


TIMELINE_ON_ENTITY = 30  # most recent entries shown on a region/initiative/topic/person page


def plan(site: Site, static_files: dict[str, str], previous: list[Output] | None = None) -> list[Output]:
    """Every output of the build, in a stable order. ``previous``: the plan of an earlier
    model, whose outputs are taken again where they are the same (an article's page with
    the same date, an entity's pages when it has as many): an edit that adds a page to one
    listing plans the rest from what it had (~45 ms at 2,000 articles otherwise)."""
    kept = _by_owner(previous) if previous else {}
    out: list[Output] = []
    every_slug = tuple(a.slug for a in site.articles)
    for v in urls.VARIANTS:
        out.append(Output(urls.home(v), "page", "home.html", v))
        _listing(out, kept, ("articles.html", v, None), every_slug, lambda n, v=v: Output(
            urls.paged(urls.articles_index(v), n), "page", "articles.html", v, {"pageno": n}))
        for art in site.articles:
            lastmod = art.src.date if art.src.date_precision != "year" else None
            same = kept.get(("article.html", v, art.slug))
            out.append(same[0] if same and same[0].lastmod == lastmod else
                       Output(urls.article(v, art.slug), "page", "article.html", v, {"slug": art.slug}, lastmod))
        out.append(Output(urls.regions_index(v), "page", "regions.html", v))
        _entity(out, kept, v, urls.region, "region.html", site.regions)
        out.append(Output(urls.initiatives_index(v), "page", "initiatives.html", v))
        _entity(out, kept, v, urls.initiative, "initiative.html", site.initiatives)
        out.append(Output(urls.topics_index(v), "page", "topics.html", v))
        _entity(out, kept, v, urls.topic, "topic.html", site.topics)
        out.append(Output(urls.people_index(v), "page", "people.html", v))
        _entity(out, kept, v, urls.person, "person.html", site.people)
        out.append(Output(urls.organisations_index(v), "page", "organisations.html", v))
        _entity(out, kept, v, urls.organisation, "organisation.html", site.organisations)
        out.append(Output(urls.timeline(v), "page", "timeline.html", v))
        for year, _ in site.years:
            out.append(Output(urls.timeline_year(v, year), "page", "timeline_year.html", v, {"year": year}))
        out.append(Output(urls.search(v), "page", "search.html", v))
        out.append(Output(urls.about(v), "page", "about.html", v))
        out.append(Output(urls.not_found(v), "page", "404.html", v))
        out.append(Output(urls.feed(v), "feed", variant=v))
    for name in ("articles.json", "events.json", "events.csv", "regions.json"):
        out.append(Output(urls.data(name), "export", args={"name": name}))
    out.append(Output(urls.SITEMAP, "sitemap"))
    out.append(Output(urls.ROBOTS, "robots"))
    out.append(Output(urls.static("search-hant.js"), "searchdata"))
    for name, source in sorted(static_files.items()):
        out.append(Output(urls.static(name), "static", source=source))
    return out


def _by_owner(outputs: list[Output]) -> dict[tuple, list[Output]]:
    """An earlier plan's pages by what they show: (template, variant, entity or article),
    each listing's pages in order."""
    owned: dict[tuple, list[Output]] = {}
    for o in outputs:
        if o.kind == "page":
            owner = o.args.get("ident", o.args.get("slug"))
            if owner is not None or o.template == "articles.html":
                owned.setdefault((o.template, o.variant, owner), []).append(o)
    return owned


def _listing(out: list[Output], kept: dict, owner: tuple, items: tuple[str, ...], make) -> None:
    """The pages of a listing of articles: the earlier plan's when it had as many."""
    same = kept.get(owner)
    pages = listing_pages(items)
    out.extend(same if same is not None and len(same) == pages else (make(n) for n in range(1, pages + 1)))


def _entity(out: list[Output], kept: dict, variant: str, path_of, template: str, table) -> None:
    """An entity's page, plus further pages when it has more articles than fit on one."""
    for ident, info in table.items():
        _listing(out, kept, (template, variant, ident), info.articles, lambda n, ident=ident: Output(
            urls.paged(path_of(variant, ident), n), "page", template, variant,
            {"ident": ident, "pageno": n, "timeline_limit": TIMELINE_ON_ENTITY}))
