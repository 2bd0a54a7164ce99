"""Machine-readable exports for analysts: /data/articles.json, events.json, events.csv, regions.json.

Values are as in the content (original script for texts, Simplified names for entities),
keys sorted, UTF-8, one stable layout per file (JSON: an array, one record per line). URLs are relative to the site root.
"""

from __future__ import annotations

import csv
import io
import json
from typing import AbstractSet, NamedTuple

from briefing.site import urls
from briefing.site.model import Site

FILES = ("articles.json", "events.json", "events.csv", "regions.json")
USES_LAST_FILE = frozenset({"articles.json"})   # exports made again from the file the last build wrote


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


class LastFile(NamedTuple):
    """An export as the last build wrote it (still as it left it), and the model keys
    changed since: what of it still holds is used again."""
    data: bytes
    changed_keys: AbstractSet[str]


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


def _record_line(site: Site, art) -> bytes:
    src = art.src
    return _line({
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
    }).encode("utf-8")


def _stale_slugs(changed_keys: AbstractSet[str]) -> set[str]:
    """The articles whose record the changed keys change."""
    return {key.split(":", 1)[1] for key in changed_keys if key.startswith(("meta:", "related:"))}


def _spliced(site: Site, data: bytes, stale: set[str]) -> bytes | None:
    """``data`` (the last file) with the lines of the ``stale`` records replaced, when the
    same articles are in it in the same order; None when a record is not where it should
    be. One edit at 10,000 articles rewrites one line of ~50 MB instead of splitting it
    into records."""
    places = []
    for slug in stale:
        art = site.by_slug.get(slug)
        at = data.find(SLUG_FIELD + slug.encode("utf-8") + b'"')
        if art is None or at < 0:
            return None
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        if end < 0:
            return None
        if data[end - 1: end] == b",":
            end -= 1
        places.append((start, end, _record_line(site, art)))
    pieces = []
    done = 0
    for start, end, line in sorted(places):
        pieces += [data[done:start], line]
        done = end
    pieces.append(data[done:])
    return b"".join(pieces)


def articles_json(site: Site, last: LastFile | None = None) -> bytes:
    """``last``: the file the last build wrote and what changed since. The records of the
    articles whose keys did not change are taken from it as they are: at 2,000 articles the
    whole file (11 MB) takes ~0.45 s to make, and an edit that moves the related articles
    of a few asks for it. When the articles are the same, in the same order, the changed
    records' lines are replaced in place."""
    kept: dict[str, bytes] = {}
    if last is not None:
        stale = _stale_slugs(last.changed_keys)
        if "index:articles" not in last.changed_keys:
            spliced = _spliced(site, last.data, stale)
            if spliced is not None:
                return spliced
        kept = {slug: line for slug, line in article_lines(last.data).items() if slug not in stale}
    out = []
    for art in site.articles:
        line = kept.get(art.slug)
        out.append(line if line is not None else _record_line(site, art))
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


def export(site: Site, name: str, last: LastFile | None = None) -> bytes:
    """The export ``name``; ``last``: the file the last build wrote (see ``LastFile``), used
    again where it still holds (the exports of USES_LAST_FILE)."""
    if name == "articles.json":
        return articles_json(site, last)
    return {"events.json": events_json, "events.csv": events_csv, "regions.json": regions_json}[name](site)
