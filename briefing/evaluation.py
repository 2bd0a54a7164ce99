"""Extraction quality against a hand-labelled file: `python -m briefing.evaluation [--gate]`.

Prints, per field, how many labelled checks are exact, and precision/recall for regions and
events. With --gate it exits 1 when a figure falls below the thresholds in the labels file
(an evaluation gate, as trafilatura keeps one), so a change that makes extraction worse fails CI.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from briefing.errors import BriefingError
from briefing.ingest.pipeline import Article, process_seed

DEFAULT_LABELS = Path("tests/eval/labels.yaml")
METADATA_FIELDS = ("title", "date", "date_precision", "date_source", "time", "outlet", "author", "editor", "script")


@dataclass
class Scores:
    checks: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)
    region_tp: int = 0
    region_expected: int = 0
    region_extracted: int = 0
    region_false: list[str] = field(default_factory=list)
    event_found: int = 0
    event_expected: int = 0

    def check(self, field_name: str, ok: bool, where: str, detail: str) -> None:
        self.checks[field_name].append(ok)
        if not ok:
            self.failures.append(f"{where}: {field_name}: {detail}")

    @property
    def extraction(self) -> float:
        flat = [ok for name, oks in self.checks.items() for ok in oks if not name.startswith("knowledge")]
        return sum(flat) / max(1, len(flat))

    @property
    def regions_recall(self) -> float:
        return self.region_tp / max(1, self.region_expected)

    @property
    def regions_precision(self) -> float:
        return 1 - len(self.region_false) / max(1, self.region_extracted)

    @property
    def events_recall(self) -> float:
        return self.event_found / max(1, self.event_expected)


def _body_paragraphs(body: str) -> list[str]:
    blocks = [b.strip() for b in body.split("\n\n") if b.strip()]
    return [b.replace("\\", "") for b in blocks if not b.startswith("## ")]


def evaluate(labels_path: Path = DEFAULT_LABELS, root: Path = Path(".")) -> tuple[Scores, dict]:
    labels = yaml.safe_load(labels_path.read_text(encoding="utf-8"))
    scores = Scores()
    for doc in labels["documents"]:
        where = doc["path"]
        result = process_seed(root / doc["path"])
        if isinstance(result, BriefingError):
            scores.check("ingested", False, where, str(result))
            continue
        _score_document(scores, doc, result, where)
    return scores, labels["thresholds"]


def _score_document(scores: Scores, doc: dict, article: Article, where: str) -> None:
    front, paras = article.front, _body_paragraphs(article.body)
    for name in METADATA_FIELDS:
        if name in doc:
            scores.check(name, front.get(name) == doc[name], where, f"expected {doc[name]!r}, got {front.get(name)!r}")
    if "first" in doc:
        scores.check("first sentence", bool(paras) and paras[0].startswith(doc["first"]), where,
                     f"body starts {paras[0][:40] if paras else ''!r}")
    if "last" in doc:
        last = paras[-1].removesuffix("{.caption}").strip() if paras else ""
        scores.check("last sentence", last.endswith(doc["last"]), where, f"body ends {last[-40:]!r}")
    if "headings" in doc:
        headings = [line[3:].replace("\\", "") for line in article.body.splitlines() if line.startswith("## ")]
        scores.check("headings", headings == doc["headings"], where, f"got {headings}")
    body = article.body.replace("\\", "")
    for text in doc.get("absent", []):
        scores.check("no boilerplate", text not in body, where, f"{text!r} left in the body")
    for text in doc.get("present", []):
        scores.check("repaired text", text in body, where, f"{text!r} missing from the body")
    if "regions" in doc:
        got = {r["id"] for r in front.get("regions", [])}
        expected = set(doc["regions"])
        scores.region_tp += len(got & expected)
        scores.region_expected += len(expected)
        scores.region_extracted += len(got)
        for missing in sorted(expected - got):
            scores.failures.append(f"{where}: knowledge regions: missing {missing}")
        scores.region_false.extend(f"{where}:{r}" for r in sorted(got - expected - set(doc.get("regions_also", []))))
    for event in doc.get("events", []):
        scores.event_expected += 1
        match = any(e["date"] == event["date"] and e["precision"] == event["precision"]
                    and all(e.get(k) == event[k] for k in ("kind", "planned") if k in event)
                    for e in front.get("events", []))
        scores.event_found += match
        if not match:
            scores.failures.append(f"{where}: knowledge events: missing {event}")


def report(scores: Scores, thresholds: dict, out=sys.stdout) -> bool:
    print(f"{'field':<18}{'exact':>7}{'checks':>8}{'share':>8}", file=out)
    for name in sorted(scores.checks):
        oks = scores.checks[name]
        print(f"{name:<18}{sum(oks):>7}{len(oks):>8}{sum(oks) / len(oks):>8.0%}", file=out)
    figures = {
        "extraction": scores.extraction,
        "regions_recall": scores.regions_recall,
        "regions_precision": scores.regions_precision,
        "events_recall": scores.events_recall,
    }
    print(file=out)
    passed = True
    for name, value in figures.items():
        floor = thresholds.get(name, 0)
        ok = value >= floor
        passed &= ok
        print(f"{name:<18}{value:>8.1%}   (gate ≥ {floor:.0%}){'' if ok else '   BELOW GATE'}", file=out)
    if scores.region_false:
        print("\nregions not in the labels (check: false positives or missing labels):", file=out)
        for item in scores.region_false:
            print(f"  {item}", file=out)
    if scores.failures:
        print("\nfailed checks:", file=out)
        for failure in scores.failures:
            print(f"  {failure}", file=out)
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m briefing.evaluation", description=__doc__)
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--gate", action="store_true", help="exit 1 when a figure is below its threshold")
    args = parser.parse_args(argv)
    scores, thresholds = evaluate(args.labels)
    passed = report(scores, thresholds)
    return 0 if passed or not args.gate else 1


if __name__ == "__main__":
    sys.exit(main())
