"""The content file format: YAML front matter between `---` fences, then a Markdown body.

One reader and one writer for every stage (ingest writes, the site loads, ingest re-reads
an editor's file), so the format cannot drift. Writing is deterministic: keys in the order
given, flow style for small records, Unicode kept, no line wrapping.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from briefing.errors import BriefingError

_FENCE = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.S)


# LibYAML's C parser when PyYAML was built with it (the PyPI wheels are): the pure-Python
# one costs tens of milliseconds per article.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Reading: PyYAML's safe loader, with its Python half made quicker for the shapes front
# matter has. A content file's front matter is ~500 scalars in ~50 mappings; over LibYAML's
# parser, 60% of reading one went to PyYAML's constructor (its recursion guards and
# two-step containers, per node) and its resolver (per scalar, a regex per candidate type).
# load_yaml() builds plain mappings, lists and strings itself and leaves every other scalar
# type to PyYAML's own constructor for it; anything else (merge keys, sets, ordered maps,
# unknown tags, unhashable keys) is left to PyYAML whole. Same values, same errors
# (tests/test_frontmatter.py holds it to yaml.load over many shapes and every content file).
_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_Scalar = yaml.ScalarNode
_SCALAR_TAGS = frozenset("tag:yaml.org,2002:" + t for t in ("null", "bool", "int", "float", "timestamp", "binary"))
_TAG_OF_PLAIN: dict[str, str] = {}    # plain scalar → its resolved tag (short ones: ids, numbers, null)
_TAG_MEMO_MAX, _TAG_MEMO_CHARS = 50_000, 40


class FrontMatterLoader(_SafeLoader):
    """The safe loader, remembering how short plain scalars resolve (the same ids, numbers
    and ``null`` recur in every file): with no path resolver registered, the resolver's
    answer depends on the scalar alone, and a mapping or a list always gets its default."""

    def resolve(self, kind, value, implicit):
        if self.yaml_path_resolvers:
            return super().resolve(kind, value, implicit)
        if kind is _Scalar:
            if not implicit[0]:
                return self.DEFAULT_SCALAR_TAG
            tag = _TAG_OF_PLAIN.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(value) <= _TAG_MEMO_CHARS and len(_TAG_OF_PLAIN) < _TAG_MEMO_MAX:
                    _TAG_OF_PLAIN[value] = tag
            return tag
        return self.DEFAULT_MAPPING_TAG if kind is yaml.MappingNode else self.DEFAULT_SEQUENCE_TAG


class _NotPlain(Exception):
    """A node load_yaml() leaves to PyYAML."""


def load_yaml(text: str) -> Any:
    """``yaml.load(text, Loader=CSafeLoader)`` in ~60% of its time on front matter (see
    above); yaml.YAMLError as it would raise."""
    loader = FrontMatterLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            return _construct(node, loader, {})
        except _NotPlain:
            return loader.construct_document(node)
    finally:
        loader.dispose()


def _construct(node: yaml.Node, loader: yaml.BaseLoader, made: dict[int, Any]) -> Any:
    tag = node.tag
    if node.__class__ is _Scalar:
        if tag == _STR:
            return node.value
        if tag in _SCALAR_TAGS:
            return loader.yaml_constructors[tag](loader, node)
        raise _NotPlain
    found = made.get(id(node))   # an alias: the same object, as PyYAML gives
    if found is not None:
        return found
    if tag == _MAP and node.__class__ is yaml.MappingNode:
        mapping: dict = {}
        made[id(node)] = mapping
        for key_node, value_node in node.value:
            if key_node.__class__ is _Scalar and key_node.tag == _STR:   # most keys and values: inline
                key = key_node.value
            else:   # a merge key (<<) is a scalar of its own tag: left to PyYAML
                key = _construct(key_node, loader, made)
                if isinstance(key, (list, dict)):   # unhashable: PyYAML says so, with the mark
                    raise _NotPlain
            if value_node.__class__ is _Scalar and value_node.tag == _STR:
                mapping[key] = value_node.value
            else:
                mapping[key] = _construct(value_node, loader, made)
        return mapping
    if tag == _SEQ and node.__class__ is yaml.SequenceNode:
        items: list = []
        made[id(node)] = items
        for child in node.value:
            items.append(child.value if child.__class__ is _Scalar and child.tag == _STR
                         else _construct(child, loader, made))
        return items
    raise _NotPlain


# Writing: a small emitter for the shapes front matter has (mappings, lists, strings, numbers,
# booleans, null). PyYAML's representer is Python even over its C emitter and cost more per
# article than all of extraction. A string is written plain only when it is certainly read
# back as the same string; otherwise it is JSON-quoted (a JSON string is a valid YAML
# double-quoted scalar). tests/test_frontmatter.py round-trips arbitrary values through
# yaml.safe_load to hold this.
_PLAIN = re.compile(r"[^\x00-\x20!&*|>'\"%@`#,\[\]{}?:\-][^\x00-\x1f\x7f\u0085\u2028\u2029#:]*")
_RESOLVER = yaml.resolver.Resolver()  # the safe loader's implicit types (bool, int, float, null, timestamp…)


_RESOLVED_FIRST_CHARACTERS = frozenset(k for k in _RESOLVER.yaml_implicit_resolvers if k)


def _reads_as_string(value: str) -> bool:
    if value != value.strip() or value in ("<<", "="):
        return False
    if value[0] not in _RESOLVED_FIRST_CHARACTERS:  # the resolver only looks at these (exact, and fast)
        return True
    return _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str"


# Also YAML's extra line breaks (NEL, U+2028/9) and the BOM, which would split or eat a line.
_NOT_YAML_PRINTABLE = re.compile(
    "[^\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_QUOTED_DATE_OR_TIME = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?|\d{1,2}:\d{2}(:\d{2})?")
FLOW_MAX_CHARS = 120


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return {True: ".nan"}.get(value != value, ".inf" if value > 0 else "-.inf")
        text = repr(value)
        mantissa, e, exponent = text.partition("e")
        if "." not in mantissa:
            mantissa += ".0"  # YAML 1.1 reads 1e-05 as a string: it wants 1.0e-05
        return mantissa + (f"e{exponent if exponent[0] in '+-' else '+' + exponent}" if e else "")
    if not isinstance(value, str):
        raise TypeError(f"cannot write {type(value).__name__} in front matter")
    if _QUOTED_DATE_OR_TIME.fullmatch(value):
        return f"'{value}'"  # an ISO date or a clock time stays a string
    if value and _PLAIN.fullmatch(value) and _reads_as_string(value) and ": " not in value \
            and " #" not in value and not _NOT_YAML_PRINTABLE.search(value):
        return value
    return _quoted(value)


def _quoted(value: str) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return _NOT_YAML_PRINTABLE.sub(lambda m: "".join(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else
                                                     f"\\U{ord(c):08x}" for c in m.group(0)), text)


def _flow_any(value: Any) -> str:
    """Flow style for any nesting (lists of lists and the like)."""
    if isinstance(value, list):
        return "[" + ", ".join(_flow_any(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow_scalar(str(k))}: {_flow_any(v)}" for k, v in value.items()) + "}"
    return _flow_scalar(value)


def _is_leaf(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _flow(value: Any) -> str | None:
    """Flow style for a list of scalars or a small record of scalars/scalar lists, when short."""
    if isinstance(value, dict) and sum(len(k) + len(v) if isinstance(v, str) else len(k) + 4
                                       for k, v in value.items()) > FLOW_MAX_CHARS:
        return None  # certainly too long for one line: skip building it
    if isinstance(value, list) and all(_is_leaf(v) for v in value):
        text = "[" + ", ".join(_flow_scalar(v) for v in value) + "]"
    elif isinstance(value, dict) and len(value) <= 6 and all(
            _is_leaf(v) or (isinstance(v, list) and all(_is_leaf(i) for i in v)) for v in value.values()):
        parts = []
        for key, item in value.items():
            parts.append(f"{_flow_scalar(key)}: {_flow(item) if isinstance(item, list) else _flow_scalar(item)}")
        text = "{" + ", ".join(parts) + "}"
    else:
        return None
    return text if len(text) <= FLOW_MAX_CHARS or isinstance(value, list) and not value else None


def _flow_scalar(value: Any) -> str:
    text = _scalar(value)
    if isinstance(value, str) and text == value and any(c in value for c in ",[]{}?:#"):
        return _quoted(value)  # flow indicators would end the scalar
    return text


def _emit(value: Any, indent: str, lines: list[str]) -> None:
    for key, item in value.items():
        name = _scalar(str(key))
        if isinstance(item, (dict, list)):
            flow = _flow(item)
            if flow is not None and (isinstance(item, list) or indent or not item):
                lines.append(f"{indent}{name}: {flow}")
            elif isinstance(item, list):
                lines.append(f"{indent}{name}:")
                _emit_list(item, indent, lines)
            else:
                lines.append(f"{indent}{name}:")
                _emit(item, indent + "  ", lines)
        else:
            lines.append(f"{indent}{name}: {_scalar(item)}")


def _emit_list(items: list, indent: str, lines: list[str]) -> None:
    for item in items:
        if isinstance(item, dict):
            flow = _flow(item)
            if flow is not None:
                lines.append(f"{indent}- {flow}")
                continue
            start = len(lines)
            _emit(item, indent + "  ", lines)
            if len(lines) > start:
                lines[start] = f"{indent}- " + lines[start][len(indent) + 2:]
            else:
                lines.append(f"{indent}- {{}}")
        elif isinstance(item, list):
            lines.append(f"{indent}- {_flow(item) or _flow_any(item)}")
        else:
            lines.append(f"{indent}- {_scalar(item)}")


def dump_front_matter(front: dict[str, Any]) -> str:
    lines: list[str] = []
    _emit(front, "", lines)
    return "\n".join(lines) + "\n" if lines else "{}\n"


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
        front = load_yaml(match.group(1) or "") or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BriefingError(path, f"malformed front matter: {problem}", line) from None
    if not isinstance(front, dict):
        raise BriefingError(path, "front matter must be a mapping of keys to values", 2)
    body_line = text.count("\n", 0, match.end()) + 1
    return front, text[match.end():], body_line


_TOP_LEVEL_KEY = {}


def read_key(text: str, key: str) -> str | None:
    """A top-level scalar of the front matter, read without parsing the YAML (fast scans of
    many files); None when absent or not a plain one-line scalar."""
    pattern = _TOP_LEVEL_KEY.get(key)
    if pattern is None:
        pattern = _TOP_LEVEL_KEY[key] = re.compile(rf"^{re.escape(key)}:[ \t]*(?P<value>[^\n]*?)[ \t]*$", re.M)
    end = text.find("\n---", 3)
    match = pattern.search(text, 0, end if end > 0 else len(text))
    if not match:
        return None
    value = match.group("value")
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return value or None
