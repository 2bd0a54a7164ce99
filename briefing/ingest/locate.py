"""Stage 5: find the article inside a scraped page, and its metadata around it.

The body is located by structure and density, not by site-specific selectors: every block
gets a weight (long prose paragraphs positive by their length; page chrome, adverts, spam,
link lists, teasers and metadata lines negative) and the body is the contiguous run with the
largest total weight, never crossing a terminator such as "相关文章". The rules in
``briefing/rules/boilerplate.yaml`` only say which lines are certainly chrome; the density
decides the rest, so pages from unseen sites work.

Metadata (title, date, outlet, author, editor, via) is then read from the short lines
around the body: the byline block before it and the footer after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from briefing.ingest.blocks import Block, Parsed
from briefing.ingest.clean import clean_text
from briefing.ingest.rules import Rules
from briefing.knowledge.dates import PartialDate, chinese_numeral_dates, parse_article_date
from briefing.text.script import fold_many, to_simplified

_SENTENCE_END = re.compile(r"[。！？；!?]")
_FULL_DATE = re.compile(
    r"(19|20)\d{2}\s*(?:[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|\s+\d{1,2}\s*/\s*\d{1,2})"
)
_URL = re.compile(r"(?:https?:)?//([A-Za-z0-9.-]+\.[A-Za-z]{2,})(/[^\s)>\]]*)?")
_HOME_LINK = re.compile(r"\[(返回首页|首页|网站首页|home|Home)\]\(((?:https?:)?//[^)\s]+)\)")

_NAME_SEPARATORS = re.compile(r"\s*、\s*|\s+")
_CLOCK = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?(?![\d:])")
PROSE_MIN_CHARS = 20      # a paragraph shorter than this is a heading/caption candidate at best
HEADING_MAX_CHARS = 40
TITLE_SEARCH_BLOCKS = 12  # how far above the body the headline may sit


@dataclass
class Located:
    """What the locator found: body blocks and metadata, each value in the seed's own script."""

    body: list[Block]
    title: str | None = None
    title_line: int | None = None
    date: PartialDate | None = None
    time: str | None = None
    timezone: str | None = None
    date_source: str | None = None
    outlet: str | None = None
    via: str | None = None
    author: str | None = None
    editor: str | None = None
    categories: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dateline_day: tuple[int, int] | None = None   # (month, day) of a wire dateline: 上海2月20日电


@dataclass
class _Scored:
    block: Block
    folded: str
    label: str            # prose | short | chrome | advert | spam | meta | date | terminator | teaser | bullet | links | caption
    weight: float


def locate(parsed: Parsed, rules: Rules) -> Located:
    blocks = _cleaned(parsed.blocks, rules)
    scored = [_score(block, folded, rules) for block, folded in zip(blocks, fold_many([b.text for b in blocks]))]
    start, end = _best_run(scored)
    body = [s for s in scored[start:end + 1] if s.label in ("prose", "short", "caption", "quote", "bullet")]
    for s in body:
        if s.label == "bullet":
            s.block.kind = "item"
    found = Located(body=[s.block for s in body])
    if not body:
        return found
    before, after = scored[:start], scored[end + 1:]
    _title(found, parsed, before, after, rules)
    _date(found, parsed, before, after)
    _outlet_author_editor(found, parsed, before, after, rules)
    _signature(found, rules)
    _via(found, parsed, after)
    if "categories" in parsed.meta:
        found.categories = [c.strip() for c in parsed.meta["categories"][0].split(",") if c.strip()]
    return found


# -- scoring ------------------------------------------------------------------------------

def _cleaned(blocks: list[Block], rules: Rules) -> list[Block]:
    out = []
    for block in blocks:
        text, notes = clean_text(block.text, rules)
        if not text or not re.search(r"[\w\u4e00-\u9fff]", text):
            continue
        copy = Block(text, block.line, block.kind, block.link_chars, block.emphasis_only, block.in_chrome)
        copy.notes = notes  # type: ignore[attr-defined]
        out.append(copy)
    return out


def _is_spam(folded: str, rules: Rules) -> bool:
    lowered = folded.lower()
    hits = sum(lowered.count(w) for w in rules.spam_words)
    separators = folded.count("|") + folded.count("｜")
    return hits >= 3 or (separators >= 4 and not _SENTENCE_END.search(folded))


_MENU_SEPARATORS = re.compile(r"\s*[|｜/／·•]\s*|\s+")


def _is_menu(text: str, rules: Rules) -> bool:
    """A short line of several short items and no sentence punctuation: navigation."""
    if len(text) > rules.menu_max_chars or _SENTENCE_END.search(text) or "，" in text:
        return False
    items = [i for i in _MENU_SEPARATORS.split(text) if i]
    separated = bool(re.search(r"[|｜/／·•]", text))
    return (len(items) >= rules.menu_min_items + (0 if separated else 1)
            and all(len(i) <= rules.menu_max_item_chars for i in items))


def _score(block: Block, folded: str, rules: Rules) -> _Scored:
    text = block.text
    n = len(text)
    if any(p.search(folded) for p in rules.terminators):
        return _Scored(block, folded, "terminator", float("-inf"))
    if _is_spam(folded, rules):
        return _Scored(block, folded, "spam", -max(100.0, n))
    if any(p.search(folded) for p in rules.advert):
        return _Scored(block, folded, "advert", -max(100.0, n))
    if n <= 80 and (any(p.search(folded) for p in rules.chrome) or _is_menu(folded, rules)):
        return _Scored(block, folded, "chrome", -max(60.0, n))
    if n <= 60 and (rules.meta["repost"].search(folded) or rules.meta["published"].search(folded)
                    or rules.meta["source"].search(folded) or rules.meta["author"].search(folded)):
        return _Scored(block, folded, "meta", -60.0)
    dated = chinese_numeral_dates(folded, keep_length=False)
    if n <= 60 and _FULL_DATE.search(dated) and len(_FULL_DATE.sub("", dated)) < 25:
        return _Scored(block, folded, "date", -60.0)
    if n <= 120 and _FULL_DATE.search(dated) and (rules.meta["source_inline"].search(folded)
                                                  or rules.meta["author_inline"].search(folded)):
        return _Scored(block, folded, "meta", -60.0)  # a byline: date, source, reporters
    if block.in_chrome:
        return _Scored(block, folded, "chrome", -max(60.0, n))
    if block.link_chars > 0.5 * n:
        return _Scored(block, folded, "links", -max(30.0, n))
    if rules.bullet.search(folded) and n <= 60:
        return _Scored(block, folded, "bullet", -max(30.0, n))
    if rules.caption.search(folded) and n <= 120:
        return _Scored(block, folded, "caption", 0.0)
    if block.kind == "quote":
        return _Scored(block, folded, "quote", float(n))
    if n > 40 and rules.teaser.search(folded):
        return _Scored(block, folded, "teaser", -float(n))
    if block.kind in ("heading", "h1") or block.emphasis_only:
        return _Scored(block, folded, "short", -5.0)
    if n >= PROSE_MIN_CHARS and _SENTENCE_END.search(folded):
        return _Scored(block, folded, "prose", float(n))
    if n <= HEADING_MAX_CHARS:
        return _Scored(block, folded, "short", -8.0)
    return _Scored(block, folded, "short", -n / 2)


def _best_run(scored: list[_Scored]) -> tuple[int, int]:
    """Maximum-weight contiguous run (Kadane), never crossing a terminator."""
    best, best_span = 0.0, (0, -1)
    total, start = 0.0, 0
    for i, s in enumerate(scored):
        if s.weight == float("-inf"):
            total, start = 0.0, i + 1
            continue
        if total <= 0:
            total, start = 0.0, i
        total += s.weight
        if total > best:
            best, best_span = total, (start, i)
    return best_span


# -- metadata -----------------------------------------------------------------------------

def _same_span(original: str, folded: str, match: re.Match, group: str | int = 0) -> str:
    """The original-script text at a match found on the folded text (OpenCC keeps lengths)."""
    if len(original) == len(folded):
        return original[match.start(group):match.end(group)]
    return match.group(group)


_TITLE_SEPARATOR = re.compile(r"\s*[_|｜]\s*|\s+[-–—]\s*|\s*[-–—]\s+")
_TIGHT_DASH = re.compile(r"(?<=[\u4e00-\u9fff）”])[-–](?=[\u4e00-\u9fff])")  # 加速成形-湾区科技网
SITE_SEGMENT_MAX_CHARS = 14


def _strip_site_suffix(title: str, rules: Rules) -> tuple[str, str | None]:
    """Split "headline | site - section" into the headline and the site's name."""
    title = title.strip()
    folded = to_simplified(title)
    cuts = [m for m in _TITLE_SEPARATOR.finditer(folded) if m.start() >= 4]
    # a dash with no spaces separates a site name only as the last segment
    cuts += [m for m in _TIGHT_DASH.finditer(folded) if m.start() >= 4 and not _TITLE_SEPARATOR.search(folded, m.end())]
    for cut in sorted(cuts, key=lambda m: m.start()):
        tail_original = title[cut.start():] if len(title) == len(folded) else folded[cut.start():]
        segments = [seg for seg in _TITLE_SEPARATOR.split(tail_original) if seg.strip()]
        if not segments or any(len(seg) > SITE_SEGMENT_MAX_CHARS for seg in segments):
            continue
        sites = [seg.strip() for seg in segments if rules.title_suffix.search(to_simplified(seg.strip()))]
        if sites:
            head = title[:cut.start()] if len(title) == len(folded) else folded[:cut.start()]
            return head.strip(), sites[0]
    return title, None


def _normal_title(text: str) -> str:
    return re.sub(r"\s+", "", to_simplified(text))


def _similar_titles(a: str, b: str) -> bool:
    """Two forms of one headline (a heading inside <title>, say), not a site name inside it."""
    a, b = _normal_title(a), _normal_title(b)
    if not a or not b:
        return False
    if a in b or b in a:
        return min(len(a), len(b)) >= max(4, 0.6 * max(len(a), len(b)))
    return len(set(a) & set(b)) >= 0.6 * min(len(set(a)), len(set(b)))


def _title(found: Located, parsed: Parsed, before: list[_Scored], after: list[_Scored], rules: Rules) -> None:
    meta = parsed.meta
    # 1. an explicit headline field: front matter, CMS meta tags, OpenGraph
    for key in ("title", "articletitle", "og:title", "twitter:title", "headline"):
        if key in meta and meta[key][0].strip() and (key != "title" or parsed.format.startswith("front-matter")):
            title, site = _strip_site_suffix(clean_text(meta[key][0], rules)[0], rules)
            found.title, found.title_line = title, meta[key][1]
            found.via = found.via or site
            return
    # 2. an HTML page: the heading that agrees with <title>, else <title> without the site name
    page_title = None
    if "title" in meta and meta["title"][0].strip():
        page_title, site = _strip_site_suffix(clean_text(meta["title"][0], rules)[0], rules)
        page_title = re.split(r"\s*[_|｜]\s*|\s+[-–—]\s+", page_title)[0].strip() or None
        found.via = found.via or site
    headings = [s for s in before if s.block.kind in ("h1", "heading") or s.block.emphasis_only]
    if page_title:
        match = next((s for s in reversed(headings) if _similar_titles(s.block.text, page_title)), None)
        if match is None:
            match = next((s for s in reversed(before[-TITLE_SEARCH_BLOCKS:])
                          if 5 <= len(s.block.text) <= 80 and _similar_titles(s.block.text, page_title)), None)
        found.title, found.title_line = (match.block.text, match.block.line) if match else (page_title, meta["title"][1])
        return
    h1 = [s for s in headings if s.block.kind == "h1"]
    if h1:
        found.title, found.title_line = h1[-1].block.text, h1[-1].block.line
        return
    # 3. plain text: a headline repeated on the page, else the nearest short line above the body
    candidates = [s for s in before[-TITLE_SEARCH_BLOCKS:] if s.label in ("short", "prose", "caption")
                  and 5 <= len(s.block.text) <= 80 and not s.folded.endswith("。")]
    if not candidates:
        return
    others = [re.sub(r"\s+", "", s.folded) for s in before + after]

    def repeated(s: _Scored) -> bool:
        key = _normal_title(_strip_site_suffix(s.block.text, rules)[0])
        return sum(1 for o in others if o == key or o.startswith(key)) > 1

    chosen = next((s for s in reversed(candidates) if repeated(s)), candidates[-1])
    title, site = _strip_site_suffix(chosen.block.text, rules)
    found.title, found.title_line = title, chosen.block.line
    # a site suffix on another copy of the headline names the site it was scraped from
    for s in before:
        _t, other_site = _strip_site_suffix(s.block.text, rules)
        if other_site and _normal_title(_t) == _normal_title(title):
            site = site or other_site
    found.via = found.via or site


def _date(found: Located, parsed: Parsed, before: list[_Scored], after: list[_Scored]) -> None:
    meta = parsed.meta
    for key, source in (("date", "front-matter"), ("article:published_time", "meta"), ("pubdate", "meta"),
                        ("publishdate", "meta"), ("datepublished", "meta"), ("og:published_time", "meta"),
                        ("publish_date", "meta"), ("firstpublishedtime", "meta")):
        if key in meta:
            parsed_date = parse_article_date(meta[key][0])
            if parsed_date:
                found.date, found.time = parsed_date
                found.timezone = _timezone(meta[key][0])
                found.date_source = source
                return
    for group, source in ((reversed(before[-TITLE_SEARCH_BLOCKS:]), "byline"), (after, "footer")):
        for s in group:
            if s.label in ("date", "meta", "short", "chrome") and len(s.block.text) <= 80 \
                    and not (s.label == "meta" and re.search(r"\d+\s*(个月|天|小时|分钟)前", s.folded)):
                parsed_date = parse_article_date(s.folded)
                if parsed_date and parsed_date[0].day is not None:
                    found.date, found.time = parsed_date
                    if found.time is None:  # "2023年11月3日 星期五 15:42"
                        clock = _CLOCK.search(s.folded)
                        found.time = clock.group(0) if clock else None
                    found.date_source = source
                    return


def _timezone(value: str) -> str | None:
    match = re.search(r"([+-])(\d{2}):?(\d{2})\s*$", value.strip())
    return f"{match.group(1)}{match.group(2)}:{match.group(3)}" if match else None


def _meta_value(s: _Scored, pattern: re.Pattern) -> str | None:
    match = pattern.search(s.folded)
    if not match:
        return None
    return _same_span(s.block.text, s.folded, match, "value").strip() or None


def _outlet_author_editor(found: Located, parsed: Parsed, before: list[_Scored], after: list[_Scored],
                          rules: Rules) -> None:
    meta = parsed.meta
    for key in ("author", "article:author"):
        if key in meta and meta[key][0].strip() and not meta[key][0].startswith("http"):
            found.author = meta[key][0].strip()
    for key in ("source", "contentsource", "article:source"):
        if key in meta and meta[key][0].strip():
            found.outlet = meta[key][0].strip()
            break
    nearby = before[-TITLE_SEARCH_BLOCKS:] + after
    for s in nearby:
        if len(s.block.text) > 120:
            continue
        found.outlet = found.outlet or _meta_value(s, rules.meta["source"]) or _meta_value(s, rules.meta["source_inline"])
        found.editor = found.editor or _meta_value(s, rules.meta["editor"])
        if s.label in ("meta", "short", "chrome", "date"):
            author = _meta_value(s, rules.meta["author"]) or _meta_value(s, rules.meta["author_inline"])
            found.author = found.author or (_NAME_SEPARATORS.sub("、", author) if author else None)
    # an outlet line can also close the body: "（文章来源：新华日报）"
    if found.body:
        last = found.body[-1]
        folded = to_simplified(last.text)
        match = rules.meta["source"].search(folded) if len(last.text) <= 40 else None
        if match:
            found.outlet = found.outlet or _same_span(last.text, folded, match, "value").strip()
            found.body.pop()


def _signature(found: Located, rules: Rules) -> None:
    """A dateline "新华社上海2月20日电（记者 周琳）" names the authors and stays in the text;
    a signature "(朱潔)" closing the last paragraph is moved into `author`."""
    if not found.body:
        return
    first = found.body[0]
    folded = to_simplified(first.text)
    dateline = rules.meta["dateline"].search(folded)
    if dateline:
        if not found.author:
            found.author = _NAME_SEPARATORS.sub("、", _same_span(first.text, folded, dateline, "value").strip())
        if not found.outlet and dateline.group("agency") not in ("本报", "本刊"):
            found.outlet = _same_span(first.text, folded, dateline, "agency")
        if dateline.group("month") and dateline.group("day"):
            found.dateline_day = (int(dateline.group("month")), int(dateline.group("day")))
    last = found.body[-1]
    folded = to_simplified(last.text)
    match = rules.meta["signature"].search(folded)
    if not match:
        return
    value = _same_span(last.text, folded, match, "value").strip()
    found.author = found.author or value
    last.text = last.text[:match.start()].rstrip() if len(last.text) == len(folded) else folded[:match.start()].rstrip()


def _via(found: Located, parsed: Parsed, after: list[_Scored]) -> None:
    if found.via:
        return
    for key in ("og:site_name", "sitename", "application-name"):
        if key in parsed.meta:
            found.via = parsed.meta[key][0].strip()
            return
    footer = " ".join(s.block.text for s in after)
    home = _HOME_LINK.search(footer)
    if home:
        found.via = urlsplit(home.group(2) if "//" in home.group(2) else "//" + home.group(2)).hostname
        return
    hosts = [m.group(1).lower() for m in _URL.finditer(footer)]
    if hosts:
        found.via = max(sorted(set(hosts)), key=hosts.count)
