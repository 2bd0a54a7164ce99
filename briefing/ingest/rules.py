"""Load the ingest rules (briefing/rules/*.yaml) once, compiled; a bad rule names its file and key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from briefing.datafile import read_yaml
from briefing.errors import BriefingError

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


@dataclass(frozen=True)
class Substitution:
    source: str
    target: str
    exceptions: tuple[str, ...]


@dataclass(frozen=True)
class Rules:
    chrome: tuple[re.Pattern, ...]
    advert: tuple[re.Pattern, ...]
    terminators: tuple[re.Pattern, ...]
    spam_words: tuple[str, ...]
    meta: dict[str, re.Pattern]
    title_suffix: re.Pattern
    caption: re.Pattern
    teaser: re.Pattern
    bullet: re.Pattern
    menu_max_chars: int
    menu_max_item_chars: int
    menu_min_items: int
    substitutions: tuple[Substitution, ...]
    repairs: tuple[tuple[str, re.Pattern], ...]
    lost: tuple[tuple[str, re.Pattern], ...]
    version: str


def _compile(path: Path, key: str, pattern: object) -> re.Pattern:
    if not isinstance(pattern, str):
        raise BriefingError(path, f"{key}: expected a regular expression string, got {pattern!r}")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise BriefingError(path, f"{key}: invalid regular expression: {exc}") from None


@lru_cache(maxsize=None)
def load_rules(rules_dir: Path = RULES_DIR) -> Rules:
    import hashlib

    digest = hashlib.sha256()
    for file in sorted(rules_dir.glob("*.yaml")):
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    path = rules_dir / "boilerplate.yaml"
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise BriefingError(path, "expected a mapping")
    try:
        chrome = tuple(_compile(path, f"chrome[{i}]", p) for i, p in enumerate(data["chrome"]))
        advert = tuple(_compile(path, f"advert[{i}]", p) for i, p in enumerate(data["advert"]))
        terminators = tuple(_compile(path, f"terminators[{i}]", p) for i, p in enumerate(data["terminators"]))
        meta = {k: _compile(path, f"meta.{k}", p) for k, p in data["meta"].items()}
        singles = {k: _compile(path, k, data[k]) for k in ("title_suffix", "caption", "teaser", "bullet")}
        spam_words = tuple(str(w).lower() for w in data["spam_words"])
        menu = {k: int(data["menu"][k]) for k in ("max_chars", "max_item_chars", "min_items")}
    except KeyError as exc:
        raise BriefingError(path, f"missing key {exc.args[0]!r}") from None
    for key in ("published", "source", "source_inline", "author", "author_inline", "editor", "repost", "signature",
                "dateline"):
        if key not in meta:
            raise BriefingError(path, f"meta: missing key {key!r}")

    subs_path = rules_dir / "substitutions.yaml"
    substitutions = []
    for i, rule in enumerate(read_yaml(subs_path) or []):
        if not isinstance(rule, dict) or not {"from", "to"} <= rule.keys():
            raise BriefingError(subs_path, f"rule {i}: needs 'from' and 'to'")
        substitutions.append(Substitution(str(rule["from"]), str(rule["to"]), tuple(rule.get("except") or ())))

    art_path = rules_dir / "artefacts.yaml"
    artefacts = read_yaml(art_path) or {}
    repairs = tuple((r["name"], _compile(art_path, f"repair.{r['name']}", r["pattern"])) for r in artefacts.get("repair", []))
    lost = tuple((r["name"], _compile(art_path, f"lost.{r['name']}", r["pattern"])) for r in artefacts.get("lost", []))
    return Rules(chrome, advert, terminators, spam_words, meta, singles["title_suffix"], singles["caption"],
                 singles["teaser"], singles["bullet"], menu["max_chars"], menu["max_item_chars"], menu["min_items"],
                 tuple(substitutions), repairs, lost, digest.hexdigest())
