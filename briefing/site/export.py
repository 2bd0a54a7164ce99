"""Machine-readable exports for analysts: /data/articles.json, events.json, events.csv, regions.json.

Values are as in the content (original script for texts, Simplified names for entities),
keys sorted, UTF-8, one stable layout per file (JSON: an array, one record per line). URLs are relative to the site root.
"""

from __future__ import annotations

import csv
import io
import json

from briefing.site import urls
from briefing.site.model import Site

FILES = ("articles.json", "events.json", "events.csv", "regions.json")


def _line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _lines(lines: list[bytes]) -> bytes:
    """A JSON array with one record (UTF-8) per line."""
    if not lines:
        return b"[]\n"
    return b"[\n" + b",\n".join(lines) + b"\n]\n"


def _json(records: list) -> bytes:
    """A JSON array with one record per line (json's C encoder: a big corpus exports fast)."""
    return _lines([_line(r).encode("utf-8") for r in records])


SLUG_FIELD = b',"slug":"'   # in a record line: keys are sorted, and a quote inside a value is escaped


def article_lines(data: bytes) -> dict[str, bytes]:
    """slug → line (UTF-8, as written) of each record of an ``articles.json`` this module wrote."""
    found = {}
    for line in data.split(b"\n")[1:-2]:
        line = line.removesuffix(b",")
        at = line.find(SLUG_FIELD)
        if at >= 0:
            start = at + len(SLUG_FIELD)
            found[line[start: line.index(b'"', start)].decode("utf-8")] = line
    return found


def articles_json(site: Site, kept: dict[str, bytes] | None = None) -> bytes:
    """``kept``: slug → line (UTF-8) of articles whose record is known unchanged (from the
    last file written): those lines are used as they are; at 2,000 articles the whole file
    (11 MB) takes ~0.45 s to make, and an edit that moves the related articles of a few asks
    for it."""
    kept = kept or {}
    out = []
    for art in site.articles:
        line = kept.get(art.slug)
        if line is not None:
            out.append(line)
            continue
        src = art.src
        out.append(_line({
            "slug": art.slug, "url": urls.url(urls.article(urls.HANS, art.slug)), "title": src.title,
            "date": src.date, "date_precision": src.date_precision, "date_source": src.date_source,
            "time": src.time, "timezone": src.timezone, "outlet": src.outlet, "via": src.via,
            "author": src.author, "editor": src.editor, "script": src.script, "seed": src.seed,
            "seed_sha256": src.seed_sha256, "summary": src.summary, "warnings": list(src.warnings),
            "regions": [{"id": r.id, "mentions": r.mentions, "main": r.main} for r in src.regions],
            "initiatives": [{"id": r.id, "score": r.score} for r in src.initiatives],
            "topics": [{"id": r.id, "score": r.score} for r in src.topics],
            "people": [{"id": p.id, "name": p.name, "role": p.role} for p in src.people],
            "organisations": [{"id": o.id, "name": o.name, "kind": o.kind} for o in src.organisations],
            "figures": [{"text": f.text, "value": f.value, "unit": f.unit, "paragraph": f.paragraph,
                         "sentence": f.sentence, "regions": list(f.regions)} for f in src.figures],
            "events": [e.entry for e in art.events],
            "related": list(site.related.get(art.slug, ())),
            "also_reported_by": [{"title": r.title, "date": r.date, "outlet": r.outlet, "via": r.via,
                                  "seed": r.seed, "seed_sha256": r.seed_sha256} for r in src.also_reported_by],
        }).encode("utf-8"))
    return _lines(out)


def events_json(site: Site) -> bytes:
    out = []
    for e in site.entries:
        out.append({
            "id": e.key, "date": e.date, "end": e.end, "precision": e.precision, "kind": e.kind,
            "planned": e.planned, "regions": list(e.regions), "initiatives": list(e.initiatives),
            "organisations": list(e.organisations),
            "url": urls.url(urls.timeline_year(urls.HANS, e.year)) + "#" + urls.entry_anchor(e.key),
            "sources": [{"article": s.slug, "paragraph": s.paragraph,
                         "sentence": site.by_slug[s.slug].src.events[s.event_index].sentence}
                        for s in e.sources],
        })
    return _json(out)


def events_csv(site: Site) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "date", "end", "precision", "kind", "planned", "regions", "initiatives",
                     "organisations", "article", "paragraph", "sentence"])
    for e in site.entries:
        for s in e.sources:
            writer.writerow([e.key, e.date, e.end or "", e.precision, e.kind, "true" if e.planned else "false",
                             ";".join(e.regions), ";".join(e.initiatives), ";".join(e.organisations), s.slug,
                             s.paragraph or "", site.by_slug[s.slug].src.events[s.event_index].sentence or ""])
    return buf.getvalue().encode("utf-8")


def regions_json(site: Site) -> bytes:
    out = []
    for rid, info in sorted(site.regions.items()):
        label = site.labels[("region", rid)]
        out.append({
            "id": rid, "name": label.name["hans"], "name_hant": label.name["hant"], "name_en": label.name_en,
            "level": info.level, "parent": info.parent, "lat": info.lat, "lon": info.lon,
            "url": urls.url(urls.region(urls.HANS, rid)), "articles": len(info.articles),
            "articles_direct": info.direct, "events": len(info.entries),
            "initiatives": list(info.initiatives),
            "partners": [{"id": p, "count": c} for p, c in info.partners],
            "topics": [{"id": t, "count": c} for t, c in info.topics],
        })
    return _json(out)


def dependencies(site: Site, name: str) -> frozenset[str]:
    """The model keys an export reads (an article's body is in none of them)."""
    if name == "articles.json":
        return frozenset(["index:articles"] + [k + a.slug for a in site.articles for k in ("meta:", "related:")])
    if name in ("events.json", "events.csv"):
        return frozenset(["index:timeline"] + ["entry:" + e.key for e in site.entries])
    return frozenset(["index:region"] + [k + rid for rid in site.regions for k in ("region:", "label:region:")])


def unchanged_records(name: str, data: bytes, changed_keys: set[str]) -> dict[str, bytes] | None:
    """What of ``data``, the export ``name`` as the last build wrote it, still holds when the
    model keys ``changed_keys`` changed since (see ``dependencies``): for ``articles.json``,
    the line of every article whose keys did not change."""
    if name != "articles.json":
        return None
    return {slug: line for slug, line in article_lines(data).items()
            if "meta:" + slug not in changed_keys and "related:" + slug not in changed_keys}


def export(site: Site, name: str, kept: dict[str, bytes] | None = None) -> bytes:
    if name == "articles.json":
        return articles_json(site, kept)
    return {"events.json": events_json, "events.csv": events_csv, "regions.json": regions_json}[name](site)
