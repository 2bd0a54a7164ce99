"""Stages 2–3: detect a seed's format and split it into text blocks with structural hints.

Formats: front matter (Jekyll/Hexo YAML ``---``, Hugo TOML ``+++``) over an HTML or Markdown
body; an HTML page or fragment; plain text (which may still carry stray tags). Every block
keeps its source line so errors and provenance can point at it.
"""

from __future__ import annotations

import html
import re
import tomllib
from dataclasses import dataclass, field
from html.parser import HTMLParser

import yaml

from briefing.errors import BriefingError


@dataclass
class Block:
    text: str
    line: int                 # 1-based line in the decoded seed
    kind: str = "line"        # line | p | heading | item | cell | quote | caption
    link_chars: int = 0       # characters inside links
    emphasis_only: bool = False  # the whole block is <strong>/<b> (a heading in many CMSs)
    in_chrome: bool = False   # inside nav/header/footer/aside or a container named like them


@dataclass
class Parsed:
    format: str                                   # front-matter+html | front-matter+markdown | html | text
    blocks: list[Block]
    meta: dict[str, tuple[str, int]] = field(default_factory=dict)  # key → (value, line)


_FRONT_MATTER = re.compile(r"\A\ufeff?\s*(---|\+\+\+)[ \t]*\r?\n(.*?)\r?\n\1[ \t]*(?:\r?\n|\Z)", re.S)
_BLOCK_TAG = re.compile(r"<(p|div|br|h[1-6]|li|td|tr|article|section|table|ul|ol|blockquote)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>\n]{0,400}>")
# (not <form>: ASP.NET pages wrap the whole page, article included, in one)
_CHROME_TAGS = {"nav", "header", "footer", "aside", "select", "button", "menu"}
_SKIP_TAGS = {"script", "style", "noscript", "iframe", "template", "svg", "head", "object", "rt", "rp"}
_BLOCK_TAGS = {"p", "div", "br", "li", "td", "th", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
               "article", "section", "table", "ul", "ol", "dd", "dt", "figcaption", "pre", "hr",
               "main", "center", "dl", "caption"} | _CHROME_TAGS
_CHROME_NAMES = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|breadcrumb|crumb|footer|foot|header|sidebar|side|share|social|"
    r"comment|comments|related|recommend|copyright|toolbar|topbar|login|advert|ads?|banner|location|position|"
    r"crumbs|hot|hotnews|rank|sitemap|friendlink|links)($|[\s_-])",
    re.I,
)


def parse(text: str, path: str) -> Parsed:
    """Detect the format of decoded seed text and split it into blocks."""
    match = _FRONT_MATTER.match(text)
    if match:
        meta = _front_matter(match.group(2), match.group(1), path)
        offset = text.count("\n", 0, match.end())
        body = text[match.end():]
        if _is_html(body):
            blocks = _html_blocks(body, offset)
            fmt = "front-matter+html"
        else:
            blocks = _markdown_blocks(body, offset)
            fmt = "front-matter+markdown"
        return Parsed(fmt, blocks, meta)
    if _is_html(text):
        parser = _BlockParser(0)
        parser.feed(text)
        parser.close()
        return Parsed("html", parser.blocks, parser.meta)
    return Parsed("text", _text_blocks(text), {})


def _front_matter(source: str, fence: str, path: str) -> dict[str, tuple[str, int]]:
    try:
        if fence == "+++":
            data = tomllib.loads(source)
        else:
            data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        raise BriefingError(path, f"malformed front matter: {getattr(exc, 'problem', exc)}", line) from None
    except tomllib.TOMLDecodeError as exc:
        raise BriefingError(path, f"malformed front matter: {exc}", 1) from None
    if not isinstance(data, dict):
        raise BriefingError(path, "front matter is not a mapping of keys to values", 2)
    lines = source.split("\n")
    meta: dict[str, tuple[str, int]] = {}
    for key, value in data.items():
        line = next((i + 2 for i, l in enumerate(lines) if l.lstrip().startswith(f"{key}")), 2)
        if isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        meta[str(key).lower()] = (str(value) if value is not None else "", line)
    return meta


def _is_html(text: str) -> bool:
    """HTML when block tags structure the text, not when a few stray tags sit in plain text."""
    tags = len(_BLOCK_TAG.findall(text))
    if tags == 0:
        return False
    lines = [l for l in text.splitlines() if l.strip()]
    plain_lines = sum(1 for l in lines if not _ANY_TAG.search(l))
    return tags >= 3 and plain_lines < max(3, tags)


def _strip_tags(line: str) -> str:
    return html.unescape(_ANY_TAG.sub("", line))


def _text_blocks(text: str) -> list[Block]:
    blocks = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = _strip_tags(line).strip()
        if stripped:
            blocks.append(Block(stripped, number))
    return blocks


_MD_LINK = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)|<(https?:)?//[^>]+>")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(\S(?:.*?\S)?)\1")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def _markdown_blocks(body: str, offset: int) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []
    start = 0

    def flush() -> None:
        if para:
            raw = " ".join(para)
            linked = sum(len(m.group(0)) for m in _MD_LINK.finditer(raw))
            text = _MD_EMPHASIS.sub(r"\2", _MD_LINK.sub(lambda m: m.group(1) or "", raw))
            text = _strip_tags(text).strip()
            kind = "quote" if raw.lstrip().startswith(">") else "p"
            text = text.lstrip("> ").strip() if kind == "quote" else text
            if text:
                blocks.append(Block(text, start, kind, link_chars=min(len(text), linked)))
            elif linked:
                blocks.append(Block(raw.strip(), start, "p", link_chars=len(raw.strip())))
            para.clear()

    for number, line in enumerate(body.splitlines(), offset + 1):
        heading = _MD_HEADING.match(line)
        if heading:
            flush()
            blocks.append(Block(_strip_tags(heading.group(2)), number, "heading"))
        elif not line.strip():
            flush()
        else:
            if not para:
                start = number
            para.append(line.strip())
    flush()
    return blocks


def _html_blocks(body: str, offset: int) -> list[Block]:
    parser = _BlockParser(offset)
    parser.feed(body)
    parser.close()
    return parser.blocks


class _BlockParser(HTMLParser):
    """Walks HTML once, emitting a block at every block-level boundary."""

    def __init__(self, offset: int):
        super().__init__(convert_charrefs=True)
        self._line_offset = offset
        self.blocks: list[Block] = []
        self.meta: dict[str, tuple[str, int]] = {}
        self._text: list[str] = []
        self._strong: list[bool] = []
        self._link_chars = 0
        self._line = 0
        self._stack: list[tuple[str, bool]] = []   # (tag, is_chrome)
        self._skip = 0
        self._in_a = 0
        self._in_strong = 0
        self._kind = "p"
        self._title: list[str] | None = None

    # -- helpers
    def _chrome(self) -> bool:
        return any(chrome for _, chrome in self._stack)

    def _flush(self) -> None:
        text = re.sub(r"[ \t\r\n\u00a0]+", " ", "".join(self._text)).strip()
        if text:
            strong_chars = sum(len(t.strip()) for t, s in zip(self._text, self._strong) if s)
            all_chars = sum(len(t.strip()) for t in self._text)
            self.blocks.append(Block(
                text, self._line, self._kind,
                link_chars=min(self._link_chars, len(text)),
                emphasis_only=all_chars > 0 and strong_chars == all_chars,
                in_chrome=self._chrome(),
            ))
        self._text, self._strong, self._link_chars, self._line, self._kind = [], [], 0, 0, "p"

    # -- HTMLParser interface
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
            if key and attrs.get("content"):
                self.meta.setdefault(key, (attrs["content"].strip(), self.getpos()[0] + self._line_offset))
            return
        if tag == "title":
            self._title = []
            return
        if tag in _SKIP_TAGS:
            self._skip += 1
            return
        if tag in _BLOCK_TAGS:
            self._flush()
            names = f"{attrs.get('class') or ''} {attrs.get('id') or ''} {attrs.get('role') or ''}"
            chrome = tag in _CHROME_TAGS or bool(_CHROME_NAMES.search(names))
            if tag not in ("br", "hr"):
                self._stack.append((tag, chrome))
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                self._kind = "heading"
                if tag == "h1":
                    self._kind = "h1"
            elif tag in ("li", "dd", "dt"):
                self._kind = "item"
            elif tag in ("td", "th"):
                self._kind = "cell"
            elif tag == "blockquote":
                self._kind = "quote"
            elif tag == "figcaption":
                self._kind = "caption"
        elif tag == "a":
            self._in_a += 1
        elif tag in ("strong", "b"):
            self._in_strong += 1
        elif tag == "img" and attrs.get("alt"):
            pass  # image alt text is not article text

    def handle_endtag(self, tag):
        if tag == "title":
            if self._title is not None:
                self.meta.setdefault("title", ("".join(self._title).strip(), self.getpos()[0] + self._line_offset))
            self._title = None
            return
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
            return
        if tag in _BLOCK_TAGS:
            kind = self._kind
            self._flush()
            for i in range(len(self._stack) - 1, -1, -1):
                if self._stack[i][0] == tag:
                    del self._stack[i:]
                    break
            if tag == "h1" and kind == "h1" and self.blocks:
                self.meta.setdefault("h1", (self.blocks[-1].text, self.blocks[-1].line))
        elif tag == "a":
            self._in_a = max(0, self._in_a - 1)
        elif tag in ("strong", "b"):
            self._in_strong = max(0, self._in_strong - 1)

    def handle_data(self, data):
        if self._title is not None:
            self._title.append(data)
            return
        if self._skip:
            return
        if not self._text:
            self._line = self.getpos()[0] + self._line_offset
        self._text.append(data)
        self._strong.append(self._in_strong > 0)
        if self._in_a:
            self._link_chars += len(data.strip())

    def close(self):
        super().close()
        self._flush()
