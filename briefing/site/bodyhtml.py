"""An article body as HTML for one variant: paragraph anchors and first-mention links.

The blocks were parsed once at load time (escaped by markdown-it). For the variant in the
article's own script they are used as written; for the other they are converted once.
In each section (between headings) the first mention of every region, initiative, person
and organisation that has a page becomes a link to it; text inside existing links is left
alone.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Callable, Iterable

from briefing.site import urls
from briefing.site.body import Block
from briefing.site.variants import convert_once

_TAG = re.compile(r"(<[^>]*>)")
_FIRST_TAG = re.compile(r"^<([a-z0-9]+)")


@lru_cache(maxsize=100_000)
def _escaped(form: str) -> str:
    """A surface form as it reads in the escaped HTML of a body (the same few hundred forms
    are looked for in every article)."""
    return html.escape(form, quote=False)


class _Matcher:
    """Finds the surface forms in a text the way a longest-first regex alternation would
    (leftmost match, the longest form at that position, never overlapping), without
    compiling a pattern per page: only the forms present in the body are searched."""

    __slots__ = ("forms", "by_form")

    def __init__(self, forms: Iterable[tuple[str, str]], body: str):
        by_form: dict[str, str] = {}
        for form, key in forms:
            escaped = _escaped(form)
            if escaped:
                by_form.setdefault(escaped, key)
        self.by_form = by_form
        present = [f for f in by_form if f in body]
        self.forms = sorted(present, key=lambda f: (-len(f), f))

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, form) of every match, left to right."""
        found: list[tuple[int, int, str]] = []
        for form in self.forms:
            start = text.find(form)
            while start != -1:
                found.append((start, -len(form), form))
                start = text.find(form, start + 1)
        if not found:
            return []
        found.sort()
        out = []
        pos = 0
        for start, neg_len, form in found:
            if start >= pos:
                out.append((start, start - neg_len, form))
                pos = start - neg_len
        return out


def _link_mentions(fragment: str, matcher: _Matcher, linked: set[str], href_of: Callable[[str], str],
                   class_of: Callable[[str], str]) -> str:
    if not matcher.forms:
        return fragment
    out: list[str] = []
    in_link = 0
    by_form = matcher.by_form
    for piece in _TAG.split(fragment) if "<" in fragment else (fragment,):
        if not piece:
            continue
        if piece.startswith("<"):
            if piece.startswith("<a ") or piece == "<a>":
                in_link += 1
            elif piece == "</a>":
                in_link = max(0, in_link - 1)
            out.append(piece)
            continue
        if in_link:
            out.append(piece)
            continue
        pos = 0
        for start, end, form in matcher.spans(piece):
            key = by_form[form]
            if key in linked:
                continue
            linked.add(key)
            out.append(piece[pos:start])
            out.append(f'<a class="{class_of(key)}" href="{href_of(key)}">{form}</a>')
            pos = end
        out.append(piece[pos:] if pos else piece)
    return "".join(out)


def _with_id(outer: str, anchor: str) -> str:
    match = _FIRST_TAG.match(outer)
    if not match:
        return outer
    tag = match.group(1)
    return f'<{tag} id="{anchor}"' + outer[len(tag) + 1 :]


def render_body(blocks: Iterable[Block], written_in: str, variant: str,
                forms: Iterable[tuple[str, str]], href_of: Callable[[str], str],
                class_of: Callable[[str], str] = lambda key: "ent ent-" + key.split(":", 1)[0]) -> str:
    """HTML of the body; ``forms`` are (surface form, entity key) pairs to link."""
    blocks = tuple(blocks)   # once (packed blocks are made each time they are read)
    contents = [convert_once(block.html, written_in, variant) for block in blocks]
    matcher = _Matcher(forms, "\n".join(contents))
    parts: list[str] = []
    linked: set[str] = set()
    for block, content in zip(blocks, contents):
        if block.kind == "heading":
            linked = set()
            anchor = urls.section_anchor(block.section)
            parts.append(f'<h{block.level} id="{anchor}">{content}</h{block.level}>')
            continue
        if block.kind == "rule":
            parts.append("<hr>")
            continue
        content = _link_mentions(content, matcher, linked, href_of, class_of)
        anchor = urls.paragraph_anchor(block.number)
        if block.kind == "p":
            parts.append(f'<p id="{anchor}">{content}</p>')
        elif block.kind == "caption":
            parts.append(f'<p id="{anchor}" class="caption">{content}</p>')
        else:
            parts.append(_with_id(content, anchor))
    return "\n".join(parts)
