"""The front-matter writer: whatever it writes, YAML reads back as the same value."""

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.errors import BriefingError
from briefing.frontmatter import dump_front_matter, parse_document, read_key, render_document

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
