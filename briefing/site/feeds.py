"""Atom feeds with full content (one per script), sitemap.xml and robots.txt.

Deterministic: the feed's ``updated`` is the newest article's date, never the time of the
build. Links are relative to the feed's own location (valid Atom: relative references
resolve against the document); each entry's content carries ``xml:base`` = the article's
URL so the body's relative links resolve as they do on the article page.
"""

from __future__ import annotations

from briefing.site import urls
from briefing.site.model import Site
from briefing.site.variants import ui
from briefing.site.views import Reader

FEED_SIZE = 50
DEFAULT_OFFSET = "+08:00"   # the corpus is Chinese news: dates without a zone are China time


def rfc3339(date: str, time: str | None, timezone: str | None) -> str:
    """A full timestamp for Atom (which needs one) from a date of any precision."""
    parts = date.split("-")
    year, month, day = parts[0], parts[1] if len(parts) > 1 else "01", parts[2] if len(parts) > 2 else "01"
    clock = time if time and len(parts) == 3 else "00:00:00"
    if len(clock) == 5:
        clock += ":00"
    return f"{year}-{month}-{day}T{clock}{timezone or DEFAULT_OFFSET}"


def _tag(base_url: str | None, path: str, first_year: str) -> str:
    if base_url:
        return urls.absolute(base_url, path)
    return f"tag:briefing.invalid,{first_year}:{urls.url(path) or '/'}"


def atom_feed(site: Site, variant: str, config: dict) -> tuple[bytes, frozenset[str]]:
    from xml.sax.saxutils import escape, quoteattr   # here: it imports urllib.request, http and ssl

    feed_path = urls.feed(variant)
    title = config.get("title", "长三角科技合作简报")
    base_url = config.get("base_url")
    first_year = (site.stats.first_date or "2000")[:4]
    deps: set[str] = {"index:articles"}
    articles = site.articles[:FEED_SIZE]
    updated = rfc3339(articles[0].src.date, articles[0].src.time, articles[0].src.timezone) if articles else \
        "2000-01-01T00:00:00Z"
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{urls.LANG[variant]}">',
        f"<title>{escape(ui(title, variant))}</title>",
        f"<id>{escape(_tag(base_url, feed_path, first_year))}</id>",
        f"<updated>{updated}</updated>",
        f'<link rel="self" href={quoteattr(urls.href(feed_path, feed_path))}/>',
        f'<link rel="alternate" type="text/html" href={quoteattr(urls.href(feed_path, urls.home(variant)))}/>',
        f"<generator>briefing</generator>",
    ]
    for art in articles:
        page = urls.article(variant, art.slug)
        h = Reader(site, variant, page, config)
        view = h.article(art.slug)
        link = urls.href(feed_path, page)
        out.append("<entry>")
        out.append(f"<title>{escape(view.title)}</title>")
        out.append(f"<id>{escape(_tag(base_url, urls.article(urls.HANS, art.slug), first_year))}</id>")
        out.append(f'<link rel="alternate" type="text/html" href={quoteattr(link)}/>')
        stamp = rfc3339(art.src.date, art.src.time, art.src.timezone)
        out.append(f"<published>{stamp}</published><updated>{stamp}</updated>")
        if view.author:
            out.append(f"<author><name>{escape(view.author)}</name></author>")
        elif view.outlet:
            out.append(f"<author><name>{escape(view.outlet)}</name></author>")
        for lab in view.topics:
            out.append(f"<category term={quoteattr(lab.id)} label={quoteattr(lab.name)}/>")
        if view.summary:
            out.append(f'<summary type="text">{escape(view.summary)}</summary>')
        out.append(f'<content type="html" xml:base={quoteattr(link)}>{escape(str(view.body))}</content>')
        out.append("</entry>")
        deps.update(h.deps)
    out.append("</feed>")
    return ("\n".join(out) + "\n").encode("utf-8"), frozenset(deps)


def sitemap(site: Site, pages: list[tuple[str, str | None]], config: dict) -> bytes:
    """``pages``: (output path, lastmod or None) for every HTML page of both scripts."""
    from xml.sax.saxutils import escape
    base_url = config.get("base_url")
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, lastmod in sorted(pages):
        loc = urls.absolute(base_url, path) if base_url else (urls.url(path) or "./")
        entry = f"<url><loc>{escape(loc)}</loc>"
        if lastmod:
            entry += f"<lastmod>{lastmod}</lastmod>"
        out.append(entry + "</url>")
    out.append("</urlset>")
    return ("\n".join(out) + "\n").encode("utf-8")


def robots(config: dict) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    if config.get("base_url"):
        lines.append(f"Sitemap: {urls.absolute(config['base_url'], urls.SITEMAP)}")
    return ("\n".join(lines) + "\n").encode("utf-8")
