"""The front-matter writer: whatever it writes, YAML reads back as the same value. The
reader: the same values and errors as PyYAML's safe loader, faster."""

import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.errors import BriefingError
from briefing.frontmatter import dump_front_matter, load_yaml, parse_document, read_key, render_document

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["yes", "No", "null", "~", "true", "1.5", "0x1f", "1e3", "- a", "a: b", "#x", "a #b", "[a]", "{a}", "2021-06-02",
     "16:50", " lead", "trail ", "'q'", '"q"', "a,b", "&a", "*a", "!tag", "%x", "@x", "`x", "|", ">", "?", ":",
     "無錫：測試", "…", "\u2028", "a\nb", "\t", ".inf", "-.5", "+1", "07", "0o7", "=", "<<"])
SCALAR = st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False) | TEXT
VALUE = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                     max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(TEXT.filter(bool), VALUE, max_size=8))
def test_written_front_matter_reads_back_unchanged(front):
    assert yaml.safe_load(dump_front_matter(front)) == (front or {})


def test_document_round_trip_and_fast_key_reading():
    front = {"title": "标题: 副题", "seed": "000_a.txt", "date": "2021-06-02", "regions": [{"id": "wuxi", "main": True}]}
    text = render_document(front, "正文。")
    parsed, body, line = parse_document(text, "a.md")
    assert parsed == front and body.strip() == "正文。" and text.splitlines()[line - 1] == ""
    assert read_key(text, "seed") == "000_a.txt" and read_key(text, "missing") is None


def test_bad_yaml_names_the_line_where_the_construct_starts():
    try:
        parse_document('---\ntitle: ok\nsummary: "never closed\ndate: 2021\n---\nbody\n', "bad.md")
    except BriefingError as exc:
        assert exc.line == 3 and exc.path == "bad.md"
    else:
        raise AssertionError("no error")


def _typed(value, inside=()):
    """A value with every type spelt out (``True == 1`` and ``1 == 1.0`` for ``==``)."""
    if id(value) in inside:
        return ("cycle", inside.index(id(value)))
    if isinstance(value, dict):
        inside += (id(value),)
        return ("dict", [(_typed(k, inside), _typed(v, inside)) for k, v in value.items()])
    if isinstance(value, (list, tuple, set, frozenset)):
        inside += (id(value),)
        items = sorted(map(repr, value)) if isinstance(value, (set, frozenset)) else [_typed(v, inside) for v in value]
        return (type(value).__name__, items)
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def _same_as_pyyaml(text: str) -> None:
    try:
        expected = ("value", _typed(yaml.load(text, Loader=yaml.CSafeLoader)))
    except yaml.YAMLError as exc:
        expected = ("error", type(exc).__name__, str(exc))
    try:
        got = ("value", _typed(load_yaml(text)))
    except yaml.YAMLError as exc:
        got = ("error", type(exc).__name__, str(exc))
    assert got == expected, text


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(TEXT.filter(bool), VALUE, max_size=8), st.sampled_from(["ours", "block", "flow"]))
def test_the_reader_gives_what_pyyaml_gives(front, style):
    if style == "ours":
        text = dump_front_matter(front)
    else:
        text = yaml.safe_dump(front, allow_unicode=True, default_flow_style=style == "flow")
    _same_as_pyyaml(text)


SHAPES = [
    "", "~", "null", "a: 1\nb: 1.5\nc: true\nd: ~\ne: '1'\nf: \"true\"\ng:\n",
    "n: [0x1f, 0o17, 017, 1_000, '+12', +12, -3, 1:30, 0b101]",
    "f: [.inf, -.Inf, .nan, 1e3, 6.02e+23, 1_0.5]",
    "b: [yes, No, on, OFF, y, n, True]",
    "d: [2021-06-02, 2021-06-02 10:20:30, 2021-06-02T10:20:30+08:00, '2021-06-02']",
    "bin: !!binary aGVsbG8=",
    "s: !!set {a, b}", "o: !!omap [a: 1, b: 2]", "p: !!pairs [a: 1, a: 2]",
    "base: &b {x: 1, y: 2}\nmerged:\n  <<: *b\n  y: 3",
    "a: &x [1, 2]\nb: *x", "a: &x {k: v}\nb: [*x, *x]", "r: &r [1, *r]",
    "dup: 1\ndup: 2", "1: int key\n2.5: float\nnull: n\ntrue: t\n~: tilde",
    "? [a, b]\n: unhashable", "? {a: 1}\n: unhashable",
    "=: equals key", "v: =", "t: !custom x", "s: !!str 12", "i: !!int '12'", "m: !!map [a]", "q: !!str [a]",
    "block: |\n  line 1\n  line 2\nfolded: >\n  a\n  b\n",
    "nested: [[1, [2, {a: [3]}]], {b: {c: {d: e}}}]", "k: v\n---\nk: second document",
    "title: \"never closed\ndate: 2021", "a: [1, 2", "- list\n- at top", "just a string",
    "regions:\n- {id: wuxi, mentions: 3, main: true}\n- {id: suzhou, mentions: 1, main: false}",
]


@pytest.mark.parametrize("text", SHAPES)
def test_the_reader_gives_what_pyyaml_gives_on_odd_shapes(text):
    _same_as_pyyaml(text)


def test_an_alias_is_the_same_object_as_its_anchor():
    data = load_yaml("a: &x {k: [1]}\nb: *x\nr: &r [1, *r]")
    assert data["a"] is data["b"] and data["r"][1] is data["r"]


def test_the_reader_gives_what_pyyaml_gives_on_every_content_file():
    from briefing.site.load import split_front_matter

    root = Path(__file__).resolve().parent.parent
    files = sorted((root / "tests" / "fixtures").rglob("*.md")) + sorted((root / "content").rglob("*.md"))
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        if text.startswith("---"):
            _same_as_pyyaml(split_front_matter(text.replace("\r\n", "\n"))[0])
