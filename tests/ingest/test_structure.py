from briefing.ingest.blocks import Block
from briefing.ingest.rules import load_rules
from briefing.ingest.structure import escape_markdown, paragraphs, structure, to_markdown

PROSE = "科技创新离不开平台支撑，半年来一批共建的长三角高水平创新基地拔节而长。"


def test_short_line_between_prose_is_a_heading():
    blocks = [Block(PROSE, 1), Block("平台共建 基地拔节而长", 2), Block(PROSE, 3)]
    md = to_markdown(structure(blocks, load_rules()))
    assert md == f"{PROSE}\n\n## 平台共建 基地拔节而长\n\n{PROSE}\n"


def test_two_bold_paragraphs_make_one_heading():
    blocks = [Block(PROSE, 1, "p"), Block("区域协同创新，", 2, "p", emphasis_only=True),
              Block("苏南自创区开启“卓越工程”", 2, "p", emphasis_only=True), Block(PROSE, 3, "p")]
    sections = structure(blocks, load_rules())
    assert [s.kind for s in sections] == ["paragraph", "heading", "paragraph"]
    assert sections[1].text == "区域协同创新，苏南自创区开启“卓越工程”"


def test_captions_are_marked_and_numbered_with_paragraphs():
    blocks = [Block(PROSE, 1), Block("圖為：正在建設中的醫院", 2), Block(PROSE, 3)]
    sections = structure(blocks, load_rules())
    assert "圖為：正在建設中的醫院\n{.caption}" in to_markdown(sections)
    assert len(paragraphs(sections)) == 3


def test_markdown_specials_in_text_are_escaped():
    assert escape_markdown("1. 第一 <script>*x*") == "\\1. 第一 \\<script\\>\\*x\\*"
