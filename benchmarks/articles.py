"""The benchmark's articles in one neutral shape, from our content/ or from a manifest.

Hugo and Pelican render *the same articles* our build renders: read back from the
content/ our ingest wrote (title, date, region and topic ids, Markdown body). When the
ingest cannot run, `write_content` makes content/ files in our content format straight
from the generator's manifest (no extraction: regions and topics as the generator knew
them), so the build side of the benchmark still has something to build.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

try:
    _Loader = yaml.CSafeLoader
    _Dumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _Loader, _Dumper = yaml.SafeLoader, yaml.SafeDumper

FRONT = re.compile(r"\A---\n(.*?\n)---\n", re.S)


@dataclass
class BenchArticle:
    slug: str
    title: str
    date: str  # ISO date (YYYY-MM-DD)
    regions: list[str]
    topics: list[str]
    body: str  # Markdown


def split_front_matter(text: str) -> tuple[dict, str]:
    match = FRONT.match(text)
    if not match:
        raise ValueError("no front matter")
    return yaml.load(match.group(1), Loader=_Loader) or {}, text[match.end():]


def _full_date(value) -> str:
    text = str(value or "2000")
    parts = text.split("-")
    while len(parts) < 3:
        parts.append("01")
    return "-".join(parts[:3])


def _ids(items) -> list[str]:
    out = []
    for item in items or []:
        out.append(str(item["id"]) if isinstance(item, dict) else str(item))
    return out


def from_content(content_dir: Path) -> list[BenchArticle]:
    articles = []
    for path in sorted((content_dir / "articles").glob("*.md")):
        front, body = split_front_matter(path.read_text(encoding="utf-8"))
        articles.append(BenchArticle(
            slug=str(front.get("slug") or path.stem), title=str(front.get("title") or path.stem),
            date=_full_date(front.get("date")), regions=_ids(front.get("regions")),
            topics=_ids(front.get("topics")), body=body.strip() + "\n"))
    return articles


def read_manifest(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def from_manifest(rows: list[dict]) -> list[BenchArticle]:
    articles = []
    for number, row in enumerate(rows):
        body = "\n\n".join(("## " + text) if kind == "h" else text for kind, text in row["blocks"])
        articles.append(BenchArticle(
            slug=f"{row['date'][:10]}-{number:05d}", title=row["title"], date=row["date"][:10],
            regions=list(row["regions"]), topics=list(row["topics"]), body=body + "\n"))
    return articles


VOCABULARIES = Path(__file__).resolve().parent.parent / "briefing" / "knowledge" / "data"
_LEVELS = {"province": 0, "prefecture": 1, "county": 2}


class VocabularyIds:
    """Region and topic ids of the project's own vocabularies (the build validates ids)."""

    def __init__(self, data_dir: Path = VOCABULARIES):
        regions = json.loads((data_dir / "regions.json").read_text("utf-8"))["regions"]
        ranked = sorted(regions, key=lambda r: _LEVELS.get(r.get("level"), 9))
        self.region_by_name: dict[str, str] = {}
        for region in ranked:
            for name in [region["name"], *region.get("aliases", [])]:
                self.region_by_name.setdefault(name, region["id"])
        self.topic_cues = [(t["id"], list(t.get("cues") or []))
                           for t in yaml.load((data_dir / "topics.yaml").read_text("utf-8"),
                                              Loader=_Loader)]

    def regions(self, names: list[str], text: str) -> list[dict]:
        out, seen = [], set()
        for name in names:
            region_id = self.region_by_name.get(name)
            if region_id and region_id not in seen:
                seen.add(region_id)
                out.append({"id": region_id, "mentions": max(1, text.count(name)),
                            "main": not out})
        return out

    def topics(self, text: str) -> list[dict]:
        scored = []
        for topic_id, cues in self.topic_cues:
            hits = sum(text.count(cue) for cue in cues)
            if hits >= 2:
                scored.append({"id": topic_id, "score": round(min(1.0, hits / 10), 2)})
        return sorted(scored, key=lambda t: (-t["score"], t["id"]))


def write_content(rows: list[dict], content_dir: Path) -> int:
    """content/articles/*.md in our content format, from the manifest (see module doc)."""
    folder = content_dir / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    vocab = VocabularyIds()
    for row, article in zip(rows, from_manifest(rows)):
        simplified = "".join(t for _, t in row.get("blocks_hans", row["blocks"]))
        front = {
            "title": article.title, "slug": article.slug, "date": article.date,
            "date_precision": "day", "date_source": "byline", "time": row["date"][11:16],
            "timezone": "+08:00", "outlet": None, "via": None, "author": None, "editor": None,
            "script": row["script"], "seed": row["seed"], "seed_sha256": row["seed"][6:22],
            "summary": row["blocks"][0][1][:80], "warnings": [], "categories": [],
            "also_reported_by": [],
            "regions": vocab.regions(row.get("places", []), simplified),
            "initiatives": [], "topics": vocab.topics(simplified),
            "people": [], "organisations": [], "figures": [], "events": [],
        }
        dumped = yaml.dump(front, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096)
        (folder / f"{article.slug}.md").write_text(f"---\n{dumped}---\n\n{article.body}",
                                                   encoding="utf-8")
    return len(rows)
