"""The plan of a build: every output file, which template or producer makes it, and its arguments.

Both scripts get every page. Shared files (static assets, data exports, sitemap, robots)
exist once. Nothing here renders; the builder decides what needs rendering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from briefing.site import urls
from briefing.site.model import LISTING_PAGE, Site, listing_pages


@dataclass(frozen=True)
class Output:
    path: str
    kind: str                         # page | feed | export | sitemap | robots | static | searchdata
    template: str | None = None
    variant: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    lastmod: str | None = None        # for the sitemap
    source: str | None = None         # a static file's source path

    @property
    def is_html(self) -> bool:
        return self.kind == "page"


PER_PAGE = LISTING_PAGE  # cards per page of a listing
TIMELINE_ON_ENTITY = 30  # most recent entries shown on a region/initiative/topic/person page


def _pages(count: int) -> range:
    return range(1, listing_pages(count) + 1)


def plan(site: Site, static_files: dict[str, str]) -> list[Output]:
    """Every output of the build, in a stable order."""
    out: list[Output] = []
    for v in urls.VARIANTS:
        out.append(Output(urls.home(v), "page", "home.html", v))
        for n in _pages(len(site.articles)):
            out.append(Output(urls.paged(urls.articles_index(v), n), "page", "articles.html", v,
                              {"pageno": n, "per_page": PER_PAGE}))
        for art in site.articles:
            lastmod = art.src.date if art.src.date_precision != "year" else None
            out.append(Output(urls.article(v, art.slug), "page", "article.html", v, {"slug": art.slug}, lastmod))
        out.append(Output(urls.regions_index(v), "page", "regions.html", v))
        _entity(out, v, urls.region, "region.html", site.regions)
        out.append(Output(urls.initiatives_index(v), "page", "initiatives.html", v))
        _entity(out, v, urls.initiative, "initiative.html", site.initiatives)
        out.append(Output(urls.topics_index(v), "page", "topics.html", v))
        _entity(out, v, urls.topic, "topic.html", site.topics)
        out.append(Output(urls.people_index(v), "page", "people.html", v))
        _entity(out, v, urls.person, "person.html", site.people)
        out.append(Output(urls.organisations_index(v), "page", "organisations.html", v))
        _entity(out, v, urls.organisation, "organisation.html", site.organisations)
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


def _entity(out: list[Output], variant: str, path_of, template: str, table) -> None:
    """An entity's page, plus further pages when it has more articles than fit on one."""
    for ident, info in table.items():
        first = path_of(variant, ident)
        for n in _pages(len(info.articles)):
            out.append(Output(urls.paged(first, n), "page", template, variant,
                              {"ident": ident, "pageno": n, "per_page": PER_PAGE, "timeline_limit": TIMELINE_ON_ENTITY}))
