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
from typing import Callable, Iterable

from briefing.site import urls
from briefing.site.body import Block
from briefing.site.variants import convert_for

_TAG = re.compile(r"(<[^>]*>)")
_FIRST_TAG = re.compile(r"^<([a-z0-9]+)")


def _matcher(forms: Iterable[tuple[str, str]]) -> tuple[re.Pattern | None, dict[str, str]]:
    """A regex for the surface forms (longest first) and a map from form to entity key."""
    by_form: dict[str, str] = {}
    for form, key in forms:
        escaped = html.escape(form, quote=False)
        by_form.setdefault(escaped, key)
    if not by_form:
        return None, by_form
    ordered = sorted(by_form, key=lambda f: (-len(f), f))
    return re.compile("|".join(re.escape(f) for f in ordered)), by_form


def _link_mentions(fragment: str, pattern: re.Pattern | None, by_form: dict[str, str],
                   linked: set[str], href_of: Callable[[str], str], class_of: Callable[[str], str]) -> str:
    if pattern is None:
        return fragment
    out: list[str] = []
    in_link = 0
    for piece in _TAG.split(fragment):
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

        def repl(match: re.Match) -> str:
            key = by_form[match.group(0)]
            if key in linked:
                return match.group(0)
            linked.add(key)
            return f'<a class="{class_of(key)}" href="{href_of(key)}">{match.group(0)}</a>'

        out.append(pattern.sub(repl, piece))
    return "".join(out)


def _with_id(outer: str, anchor: str) -> str:
    match = _FIRST_TAG.match(outer)
    if not match:
        return outer
    tag = match.group(1)
    return f'<{tag} id="{anchor}"' + outer[len(tag) + 1 :]


def render_body(blocks: tuple[Block, ...], written_in: str, variant: str,
                forms: Iterable[tuple[str, str]], href_of: Callable[[str], str],
                class_of: Callable[[str], str] = lambda key: "ent ent-" + key.split(":", 1)[0]) -> str:
    """HTML of the body; ``forms`` are (surface form, entity key) pairs to link."""
    pattern, by_form = _matcher(forms)
    parts: list[str] = []
    linked: set[str] = set()
    for block in blocks:
        content = convert_for(block.html, written_in, variant)
        if block.kind == "heading":
            linked = set()
            anchor = urls.section_anchor(block.section)
            parts.append(f'<h{block.level} id="{anchor}">{content}</h{block.level}>')
            continue
        if block.kind == "rule":
            parts.append("<hr>")
            continue
        content = _link_mentions(content, pattern, by_form, linked, href_of, class_of)
        anchor = urls.paragraph_anchor(block.number)
        if block.kind == "p":
            parts.append(f'<p id="{anchor}">{content}</p>')
        elif block.kind == "caption":
            parts.append(f'<p id="{anchor}" class="caption">{content}</p>')
        else:
            parts.append(_with_id(content, anchor))
    return "\n".join(parts)
