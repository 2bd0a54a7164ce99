"""Every output path and every link of the site is decided here, and nowhere else.

Paths are POSIX, relative to the output folder, ASCII only. Pages use pretty URLs: a page
lives at ``<dir>/index.html`` and is linked as ``<dir>/``. The Simplified variant lives at
the root, the Traditional one under ``hant/``. Links are relative, computed from the page's
own path (``../`` once per folder level, then down to the target), so the site works
unchanged under any sub-path and from any static host.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from functools import lru_cache

HANS = "hans"
HANT = "hant"
VARIANTS = (HANS, HANT)
LANG = {HANS: "zh-Hans", HANT: "zh-Hant"}
SCRIPT_OF_LANG = {v: k for k, v in LANG.items()}
OG_LOCALE = {HANS: "zh_CN", HANT: "zh_TW"}
_PREFIX = {HANS: "", HANT: "hant/"}

INDEX = "index.html"
_UNSAFE = re.compile(r"[^a-z0-9._-]+")


@lru_cache(maxsize=65536)
def segment(raw: str) -> str:
    """An ASCII, filesystem- and URL-safe path segment for an id or slug.

    Anything outside ``[a-z0-9._-]`` becomes ``-``; leading dots and dashes go (so ``..``
    can never be a segment). When the raw value had to change, a short hash of it is
    appended so that two different raw values never share a segment.
    """
    lowered = raw.strip().lower()
    safe = _UNSAFE.sub("-", lowered).strip(".-")
    safe = re.sub(r"-{2,}", "-", safe)[:80].strip(".-")
    if safe != raw or not safe:
        digest = hashlib.blake2b(raw.encode("utf-8"), digest_size=4).hexdigest()
        safe = f"{safe}-{digest}" if safe else digest
    return safe


def _page(variant: str, *parts: str) -> str:
    return _PREFIX[variant] + "".join(p + "/" for p in parts) + INDEX


# --- pages -------------------------------------------------------------------------------

def home(variant: str) -> str:
    return _page(variant)


def articles_index(variant: str) -> str:
    return _page(variant, "articles")


def article(variant: str, slug: str) -> str:
    return _page(variant, "articles", segment(slug))


def regions_index(variant: str) -> str:
    return _page(variant, "regions")


def region(variant: str, region_id: str) -> str:
    return _page(variant, "regions", segment(region_id))


def initiatives_index(variant: str) -> str:
    return _page(variant, "initiatives")


def initiative(variant: str, initiative_id: str) -> str:
    return _page(variant, "initiatives", segment(initiative_id))


def topics_index(variant: str) -> str:
    return _page(variant, "topics")


def topic(variant: str, topic_id: str) -> str:
    return _page(variant, "topics", segment(topic_id))


def people_index(variant: str) -> str:
    return _page(variant, "people")


def person(variant: str, person_id: str) -> str:
    return _page(variant, "people", segment(person_id))


def organisations_index(variant: str) -> str:
    return _page(variant, "organisations")


def organisation(variant: str, organisation_id: str) -> str:
    return _page(variant, "organisations", segment(organisation_id))


def timeline(variant: str) -> str:
    return _page(variant, "timeline")


def timeline_year(variant: str, year: int | str) -> str:
    return _page(variant, "timeline", str(int(year)))


def search(variant: str) -> str:
    return _page(variant, "search")


def about(variant: str) -> str:
    return _page(variant, "about")


def not_found(variant: str) -> str:
    return _PREFIX[variant] + "404.html"


def paged(path: str, number: int) -> str:
    """Page ``number`` (1-based) of a paginated listing whose first page is ``path``."""
    if number <= 1:
        return path
    return path[: -len(INDEX)] + f"page/{number}/" + INDEX


def feed(variant: str) -> str:
    return _PREFIX[variant] + "feed.xml"


# --- shared files (one copy for both variants) ---------------------------------------------

def static(name: str) -> str:
    return "static/" + name


def data(name: str) -> str:
    return "data/" + name


SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
SEARCH_BUNDLE_DIR = "pagefind"
MARKER = ".briefing-site"


def search_bundle(name: str) -> str:
    return f"{SEARCH_BUNDLE_DIR}/{name}"


# --- anchors -------------------------------------------------------------------------------

def paragraph_anchor(number: int) -> str:
    return f"p{number}"


def section_anchor(number: int) -> str:
    return f"s{number}"


def entry_anchor(key: str) -> str:
    return "e-" + key


# --- links ---------------------------------------------------------------------------------

def url(path: str) -> str:
    """The root-relative URL of an output path (``dir/index.html`` → ``dir/``)."""
    if path == INDEX:
        return ""
    if path.endswith("/" + INDEX):
        return path[: -len(INDEX)]
    return path


@lru_cache(maxsize=65536)
def root(from_path: str) -> str:
    """The relative prefix that leads from a page back to the output root."""
    return "../" * from_path.count("/")


def href(from_path: str, to_path: str, fragment: str | None = None) -> str:
    """A relative link from one output file to another (optionally to an anchor in it)."""
    link = root(from_path) + url(to_path)
    if not link:
        link = "./"
    return f"{link}#{fragment}" if fragment else link


def variant_of(path: str) -> str:
    return HANT if path.startswith(_PREFIX[HANT]) else HANS


def counterpart(path: str) -> str:
    """The same page in the other script."""
    if path.startswith(_PREFIX[HANT]):
        return path[len(_PREFIX[HANT]):]
    return _PREFIX[HANT] + path


def absolute(base_url: str | None, path: str) -> str | None:
    """An absolute URL for canonical links and the sitemap, when a base URL is configured."""
    if not base_url:
        return None
    return base_url.rstrip("/") + "/" + url(path)


def base_path(base_url: str | None) -> str | None:
    """The path part of the base URL (``https://x.org/briefing`` → ``/briefing/``)."""
    if not base_url:
        return None
    rest = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]*", "", base_url.strip(), flags=re.I)
    return posixpath.join("/", rest.strip("/"), "") if rest.strip("/") else "/"

