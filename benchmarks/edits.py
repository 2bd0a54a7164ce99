"""The edits the benchmark makes, the same from the CLI and inside `serve`.

* body edit: one sentence appended to the last paragraph of one article, in place of the
  one the last body edit appended (so that every body edit is the same edit);
* keywords edit: a body edit that changes the article's keywords: a paragraph repeating a
  term no article uses, added by odd-numbered edits and removed by even-numbered ones;
* regions edit: one article loses its last region (or gains one it did not have);
* template edit: an HTML comment appended to the project's override of the theme's base
  template (copied into templates/ before the first build, so the build knows it).

Each edit carries a marker that can be looked for in the output.
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from articles import split_front_matter

try:
    _Dumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _Dumper = yaml.SafeDumper

THEME_TEMPLATES = Path(__file__).resolve().parent.parent / "briefing" / "theme" / "templates"
TEMPLATE_NAME = "base.html"


@dataclass
class Edit:
    kind: str
    path: Path  # the file saved
    marker: str  # text the edit puts into the output ("" when it removes something)
    slug: str | None = None  # the article whose page shows the edit
    saved_at: float = 0.0  # time.time() just before the file was written: timings start here


def _save(path: Path, text: str) -> float:
    """Write ``path``; the time the save began (finding and reading the file before it does
    not count: at 10,000 articles listing them takes longer than serve's whole response)."""
    started = time.time()
    path.write_text(text, encoding="utf-8")
    return started


def articles_in(content: Path) -> list[Path]:
    return sorted((content / "articles").glob("*.md"))


def _slug(path: Path) -> str:
    front, _ = split_front_matter(path.read_text(encoding="utf-8"))
    return str(front.get("slug") or path.stem)


def edited_article(content: Path, kind: str) -> Path:
    """The article a body or regions edit changes (known before it is made: the benchmark
    opens its page first)."""
    files = articles_in(content)
    return files[len(files) // 2] if kind == "body" else files[len(files) // 3]


BODY_SENTENCE = re.compile(r"基准测试第\d+次修改。$")
KEYWORDS_PARAGRAPH = "基准样本检测第{number}号：基准样本、基准样本、基准样本、基准样本、基准样本。"
KEYWORDS_PARAGRAPH_FOUND = re.compile(r"\n\n基准样本检测第\d+号：[^\n]*$")


def body_edit(content: Path, number: int) -> Edit:
    """One sentence at the end of the article, replacing the last body edit's. Sentences
    piling up would make their words the article's keywords after a few edits, and each
    edit from then on would re-rank related articles: a keywords edit, not this one."""
    path = edited_article(content, "body")
    text = BODY_SENTENCE.sub("", path.read_text(encoding="utf-8").rstrip("\n"))
    marker = f"基准测试第{number}次修改。"
    saved_at = _save(path, text + marker + "\n")
    return Edit("body", path, marker, _slug(path), saved_at)


def keywords_edit(content: Path, number: int) -> Edit:
    """A body edit that changes the article's keywords (so related articles are ranked
    again): an odd ``number`` adds a last paragraph repeating a term, an even one removes it."""
    path = edited_article(content, "body")
    text = KEYWORDS_PARAGRAPH_FOUND.sub("", path.read_text(encoding="utf-8").rstrip("\n"))
    marker = KEYWORDS_PARAGRAPH.format(number=number) if number % 2 else ""
    saved_at = _save(path, text + ("\n\n" + marker if marker else "") + "\n")
    return Edit("keywords", path, marker, _slug(path), saved_at)


def regions_edit(content: Path, number: int) -> Edit:
    files = articles_in(content)
    path = edited_article(content, "regions")
    front, body = split_front_matter(path.read_text(encoding="utf-8"))
    regions = list(front.get("regions") or [])
    if len(regions) >= 2:
        regions.pop()
    else:
        have = {r["id"] if isinstance(r, dict) else r for r in regions}
        for other in files:
            other_front, _ = split_front_matter(other.read_text(encoding="utf-8"))
            extra = [r for r in other_front.get("regions") or []
                     if (r["id"] if isinstance(r, dict) else r) not in have]
            if extra:
                regions.append(extra[0])
                break
    front["regions"] = regions
    dumped = yaml.dump(front, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096)
    saved_at = _save(path, f"---\n{dumped}---\n{body}")
    return Edit("regions", path, "", _slug(path), saved_at)


def install_template_override(project: Path) -> Path | None:
    """Copy the theme's base template into the project's templates/ (before building)."""
    source = THEME_TEMPLATES / TEMPLATE_NAME
    if not source.is_file():
        return None
    target = project / "templates" / TEMPLATE_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def template_edit(project: Path, number: int) -> Edit | None:
    target = project / "templates" / TEMPLATE_NAME
    if not target.is_file():
        return None
    marker = f"<!-- benchmark template edit {number} -->"
    text = target.read_text(encoding="utf-8").rstrip("\n")
    saved_at = _save(target, text + "\n" + marker + "\n")
    return Edit("template", target, marker, None, saved_at)
