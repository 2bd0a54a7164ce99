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


def _json(records: list) -> bytes:
    """A JSON array with one record per line (json's C encoder: a big corpus exports fast)."""
    if not records:
        return b"[]\n"
    lines = ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")) for r in records)
    return ("[\n" + lines + "\n]\n").encode("utf-8")


def articles_json(site: Site) -> bytes:
    out = []
    for art in site.articles:
        src = art.src
        out.append({
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
        })
    return _json(out)


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


def export(site: Site, name: str) -> bytes:
    return {"articles.json": articles_json, "events.json": events_json, "events.csv": events_csv,
            "regions.json": regions_json}[name](site)
