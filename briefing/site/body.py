"""Parse an article body (CommonMark, raw HTML off) into numbered blocks, once.

A block is a top-level element of the body. Headings open sections; every other block
(paragraph, caption, quote, list, ...) is numbered 1, 2, 3... in order, which is the
paragraph numbering that ``events[].paragraph`` and the ``#p1`` anchors use. A paragraph
whose last line is ``{.caption}`` (directly, or as the only paragraph of a block quote) is
an image caption. The block HTML is escaped by markdown-it; images are disabled (they
would be external requests) and render as links.
"""

from __future__ import annotations

import operator
import pickle
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

from markdown_it import MarkdownIt

CAPTION_MARK = "{.caption}"
_LAST_LINE_MARK = re.compile(r"(?:^|\n)[ \t]*\{\.caption\}[ \t]*$")


@dataclass(frozen=True, slots=True)
class Block:
    kind: str            # p | caption | heading | quote | list | code | table | rule
    html: str            # inner HTML for p/caption/heading, outer HTML otherwise
    text: str            # plain text (for similarity and summaries)
    number: int | None   # paragraph number (None for headings and rules)
    section: int         # 0 before the first heading, then 1, 2, ...
    level: int = 0       # heading level (2..6)
    line: int = 0        # 1-based line in the body


_BLOCK_FIELDS = operator.attrgetter(*Block.__dataclass_fields__)   # a block as a tuple (astuple: 40x slower)


class PackedBlocks:
    """An article's blocks as one pickled string, made into ``Block`` objects each time they
    are read. Only the article's own page reads them, so a builder that holds thousands of
    articles (a saved state restored for a one-article edit, the model a render forks from)
    holds one bytes object an article instead of tens of blocks, and restores them in no
    time. Compares as the blocks it holds."""

    __slots__ = ("data",)

    def __init__(self, data: bytes):
        self.data = data

    @classmethod
    def of(cls, blocks) -> "PackedBlocks":
        return cls(pickle.dumps(tuple(map(_BLOCK_FIELDS, blocks)), protocol=pickle.HIGHEST_PROTOCOL))

    def unpacked(self) -> tuple[Block, ...]:
        return tuple([Block(*fields) for fields in pickle.loads(self.data)])

    def __iter__(self) -> Iterator[Block]:
        return iter(self.unpacked())

    def __len__(self) -> int:
        return len(pickle.loads(self.data))

    def __getitem__(self, index):
        return self.unpacked()[index]

    def __eq__(self, other) -> bool:
        if isinstance(other, PackedBlocks):
            return self.data == other.data or self.unpacked() == other.unpacked()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.unpacked())

    def __reduce__(self):
        return PackedBlocks, (self.data,)

    def __repr__(self) -> str:
        return f"PackedBlocks({self.unpacked()!r})"


@dataclass(frozen=True, slots=True)
class BodyProblem:
    line: int
    message: str


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    md.disable("image")
    return md


def _plain(inline_children) -> str:
    out = []
    for tok in inline_children or ():
        if tok.type in ("text", "code_inline"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append("\n")
    return "".join(out)


def parse_body(source: str) -> tuple[tuple[Block, ...], tuple[BodyProblem, ...]]:
    """Blocks of a body and the problems found in it (line numbers are 1-based in the body)."""
    md = _markdown()
    env: dict = {}
    tokens = md.parse(source, env)
    blocks: list[Block] = []
    problems: list[BodyProblem] = []
    number = 0
    section = 0
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        # find the matching close of this top-level block
        j = i
        if tok.nesting == 1:
            depth = 0
            while j < n:
                depth += tokens[j].nesting
                if depth == 0:
                    break
                j += 1
        span = tokens[i : j + 1]
        line = (tok.map[0] + 1) if tok.map else 0
        i = j + 1

        if tok.type == "heading_open":
            section += 1
            inline = span[1]
            level = max(2, min(6, int(tok.tag[1])))
            blocks.append(Block("heading", md.renderer.renderInline(inline.children, md.options, env),
                                _plain(inline.children), None, section, level, line))
            continue
        if tok.type == "hr":
            blocks.append(Block("rule", "<hr>", "", None, section, 0, line))
            continue

        caption_source = None
        if tok.type == "paragraph_open":
            content = span[1].content
            if content.strip() == CAPTION_MARK:
                # a marker on its own paragraph marks the paragraph before it
                if blocks and blocks[-1].kind == "p":
                    prev = blocks.pop()
                    blocks.append(Block("caption", prev.html, prev.text, prev.number, prev.section, 0, prev.line))
                else:
                    problems.append(BodyProblem(line, f"'{CAPTION_MARK}' does not follow a paragraph"))
                continue
            if _LAST_LINE_MARK.search(content):
                caption_source = _LAST_LINE_MARK.sub("", content).rstrip()
            else:
                number += 1
                inline = span[1]
                blocks.append(Block("p", md.renderer.renderInline(inline.children, md.options, env),
                                    _plain(inline.children), number, section, 0, line))
                continue
        elif (tok.type == "blockquote_open" and len(span) == 5 and span[1].type == "paragraph_open"
              and _LAST_LINE_MARK.search(span[2].content)):
            caption_source = _LAST_LINE_MARK.sub("", span[2].content).rstrip()

        if caption_source is not None:
            number += 1
            if not caption_source.strip():
                problems.append(BodyProblem(line, "empty caption"))
            caption_tokens = md.parseInline(caption_source, env)
            children = caption_tokens[0].children if caption_tokens else []
            blocks.append(Block("caption", md.renderer.renderInline(children, md.options, env),
                                _plain(children), number, section, 0, line))
            continue

        number += 1
        html = md.renderer.render(span, md.options, env).strip()
        text = "\n".join(_plain(t.children) for t in span if t.type == "inline")
        kind = {"blockquote_open": "quote", "bullet_list_open": "list", "ordered_list_open": "list",
                "fence": "code", "code_block": "code", "html_block": "p"}.get(tok.type, "other")
        blocks.append(Block(kind, html, text, number, section, 0, line))
    if not any(b.number for b in blocks):
        problems.append(BodyProblem(1, "the body has no paragraph"))
    return tuple(blocks), tuple(problems)


def paragraph_count(blocks: tuple[Block, ...]) -> int:
    return max((b.number or 0 for b in blocks), default=0)
