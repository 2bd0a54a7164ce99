"""Stage 6: the located body blocks → Markdown (paragraphs, ## headings, captions, quotes).

A short line between prose paragraphs, with no sentence-final punctuation, is a section
heading; so is a paragraph that is all bold (many CMSs mark headings that way). Adjacent
heading lines are one heading split over two lines. Image captions become a paragraph
followed by ``{.caption}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefing.ingest.blocks import Block
from briefing.ingest.clean import tighten_prose
from briefing.ingest.rules import Rules
from briefing.text.script import fold_many

HEADING_MAX_CHARS = 40
_BULLET = re.compile(r"(?:^|\s+)[·•●◆■□▪▶►\-*+]\s+")
_SENTENCE_END = re.compile(r"[。！？!?…]$|[。！？][”’」』）)]?$")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_MD_LINE_START = re.compile(r"^(#{1,6}\s|[-+*]\s|\d{1,9}[.)]\s|>|=+\s*$|-+\s*$)")


@dataclass(frozen=True)
class Section:
    kind: str   # paragraph | heading | caption | quote
    text: str


def structure(body: list[Block], rules: Rules) -> list[Section]:
    sections: list[Section] = []
    for block, folded in zip(body, fold_many([b.text.strip() for b in body])):
        text = block.text.strip()
        if rules.caption.search(folded) and len(text) <= 120:
            sections.append(Section("caption", tighten_prose(text)))
        elif block.kind == "quote":
            sections.append(Section("quote", tighten_prose(text)))
        elif block.kind == "item":
            for item in _BULLET.split(text):
                if item.strip():
                    sections.append(Section("item", tighten_prose(item.strip())))
        elif _is_heading(block, text):
            text = re.sub(r"\s+", " ", text)
            if sections and sections[-1].kind == "heading":
                joiner = "" if re.search(r"[，,：:、；;—]$", sections[-1].text) else " "
                sections[-1] = Section("heading", sections[-1].text + joiner + text)
            else:
                sections.append(Section("heading", text))
        else:
            sections.append(Section("paragraph", tighten_prose(text)))
    while sections and sections[-1].kind == "heading":  # a heading with nothing under it
        sections.pop()
    while sections and sections[0].kind == "heading" and len(sections) > 1 and sections[1].kind == "heading":
        sections.pop(0)
    return sections


def _is_heading(block: Block, text: str) -> bool:
    if block.kind in ("heading", "h1"):
        return True
    if len(text) > HEADING_MAX_CHARS or _SENTENCE_END.search(text) or text.endswith(("：", ":")):
        return False  # a sentence, or a line introducing what follows (规则可以概括为三条：)
    return block.emphasis_only or len(text) <= HEADING_MAX_CHARS


def escape_markdown(text: str) -> str:
    text = _MD_SPECIAL.sub(r"\\\1", text)
    if _MD_LINE_START.match(text):
        text = "\\" + text
    return text


def to_markdown(sections: list[Section]) -> str:
    parts = []
    for section in sections:
        text = escape_markdown(section.text)
        if section.kind == "heading":
            parts.append(f"## {text}")
        elif section.kind == "caption":
            parts.append(f"{text}\n{{.caption}}")
        elif section.kind == "quote":
            parts.append(f"> {text}")
        elif section.kind == "item":
            item = f"- {text}"
            if parts and parts[-1].startswith("- "):
                parts[-1] += "\n" + item  # consecutive items: one list
            else:
                parts.append(item)
        else:
            parts.append(text)
    return "\n\n".join(parts) + "\n"


def paragraphs(sections: list[Section]) -> list[str]:
    """The numbered blocks (paragraphs, quotes, list items and captions; not headings): #p1, #p2…"""
    return [s.text for s in sections if s.kind != "heading"]
