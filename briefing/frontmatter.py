"""The content file format: YAML front matter between `---` fences, then a Markdown body.

One reader and one writer for every stage (ingest writes, the site loads, ingest re-reads
an editor's file), so the format cannot drift. Writing is deterministic: keys in the order
given, flow style for small records, Unicode kept, no line wrapping.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from briefing.errors import BriefingError

_FENCE = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.S)


class _Dumper(yaml.SafeDumper):
    """Block style for the top level and lists of records; flow style for small leaf records."""


def _represent_dict(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    leaf = all(not isinstance(v, (dict, list)) or (isinstance(v, list) and all(not isinstance(i, (dict, list)) for i in v))
               for v in data.values())
    short = leaf and len(data) <= 6 and sum(len(str(v)) for v in data.values()) < 120
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=short or None)


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    scalars = all(not isinstance(v, (dict, list)) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=bool(scalars and data))


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "'" if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?|\d{1,2}:\d{2}(:\d{2})?", data) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_str)


def dump_front_matter(front: dict[str, Any]) -> str:
    return yaml.dump(front, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**6,
                     default_flow_style=False)


def render_document(front: dict[str, Any], body: str) -> str:
    return f"---\n{dump_front_matter(front)}---\n\n{body.strip()}\n"


def parse_document(text: str, path: str) -> tuple[dict[str, Any], str, int]:
    """Return (front matter, body, line where the body starts); BriefingError with the line on bad YAML."""
    if text.startswith("\ufeff"):
        text = text[1:]
    match = _FENCE.match(text)
    if not match:
        raise BriefingError(path, "no front matter: the file must start with a '---' line", 1)
    try:
        front = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BriefingError(path, f"malformed front matter: {problem}", line) from None
    if not isinstance(front, dict):
        raise BriefingError(path, "front matter must be a mapping of keys to values", 2)
    body_line = text.count("\n", 0, match.end()) + 1
    return front, text[match.end():], body_line
