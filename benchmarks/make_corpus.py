#!/usr/bin/env python3
"""Generate a synthetic seed corpus from the real seeds' paragraphs (deterministic).

    python benchmarks/make_corpus.py --count 1000 [--out benchmarks/out/corpus-1000] [--seed 1]

Every body paragraph of every seed in seeds/ (long prose lines, found by shape: length,
share of Han characters, sentence-final punctuation; navigation, footers and link lists
fall out) is folded to Simplified and pooled. Each generated article draws 4-12 of them,
swaps the place names among the Yangtze-delta cities of corpus_data.yaml (one mapping
per article, so the article stays coherent), perturbs amounts, gets a title made from
one of its clauses, a date between 2018 and 2025, an outlet and an author, and is
dressed as one of:

* a plain-text page dump with navigation and footer boilerplate (.txt),
* an HTML fragment (.html; some GBK ones declare a lying ``charset=utf-8``),
* a Jekyll post, YAML front matter over an HTML body (.md),
* a headline-first plain text, a bare date line under it (.txt);

about a quarter are converted to Traditional (OpenCC s2t), and some are encoded GBK
(Simplified) or Big5 (Traditional) instead of UTF-8. Output: ``<out>/seeds/`` (file
names ``NNNNN_<sha256 prefix>.ext`` like the real seeds) and ``<out>/manifest.jsonl``
(title, date, place ids, topic ids, format, encoding, paragraphs per article: what the
Hugo and Pelican side of the benchmark renders when our ingest is not run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import html
import json
import random
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import opencc  # noqa: E402

from briefing.text.script import to_simplified  # noqa: E402

DATA = Path(__file__).with_name("corpus_data.yaml")
HAN = re.compile(r"[\u4e00-\u9fff]")
SENTENCE_END = tuple("。！？”」』）)…")
SPACES = re.compile(r"[\s\u00a0\u3000]+")
TAG = re.compile(r"<[^>]+>")
BLOCK_END = re.compile(r"</p>|<br\s*/?>|</div>|</h\d>|</li>", re.I)
AMOUNT = re.compile(r"\d+(?:\.\d+)?(?=[亿万千百家个项%％公吨])")
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)


@lru_cache(maxsize=None)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_variant(text: str, variant: str) -> str:
    """Simplified text in a script variant: "hans", or OpenCC's "s2t", "s2tw", "s2hk"."""
    return text if variant == "hans" else _converter(variant).convert(text)


@lru_cache(maxsize=1)
def corpus_data() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


# --- harvesting the seeds --------------------------------------------------------------

def _lines(raw: bytes) -> list[str]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")
    text = FRONT_MATTER.sub("", text)
    text = BLOCK_END.sub("\n", text)
    text = html.unescape(TAG.sub("", text))
    return [SPACES.sub(" ", line).strip() for line in text.splitlines()]


def _han_share(line: str) -> float:
    return len(HAN.findall(line)) / max(len(line), 1)


def is_body_paragraph(line: str) -> bool:
    return (len(line) >= 40 and _han_share(line) >= 0.6 and line.endswith(SENTENCE_END)
            and line.count("|") <= 1 and "http" not in line and "www." not in line)


def is_heading(line: str) -> bool:
    return (8 <= len(line) <= 24 and " " not in line and _han_share(line) >= 0.75
            and not line.endswith(SENTENCE_END + tuple("，。：:；;、"))
            and not any(c in line for c in ":：/") and not line.startswith(tuple("·•-*")))


@dataclass
class Pool:
    paragraphs: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)


def harvest(seeds_dir: Path) -> Pool:
    pool = Pool()
    seen: set[str] = set()
    for path in sorted(seeds_dir.iterdir()):
        if not path.is_file():
            continue
        for line in _lines(path.read_bytes()):
            simplified = to_simplified(line)
            if simplified in seen:
                continue
            if is_body_paragraph(simplified):
                pool.paragraphs.append(simplified)
                seen.add(simplified)
            elif is_heading(simplified):
                pool.headings.append(simplified)
                seen.add(simplified)
    if len(pool.paragraphs) < 12:
        raise SystemExit(f"only {len(pool.paragraphs)} body paragraphs found in {seeds_dir}")
    if not pool.headings:
        pool.headings = list(corpus_data()["headings_fallback"])
    return pool


# --- one article ---------------------------------------------------------------------------

@dataclass
class Article:
    number: int
    title: str
    date: dt.datetime
    outlet: str
    author: str
    editor: str
    blocks: list[tuple[str, str]]  # ("p" | "h", text), Simplified
    places: list[str]
    topics: list[str]
    form: str = "plain"
    script: str = "zh-Hans"
    encoding: str = "utf-8"
    variant: str = "hans"  # hans | s2t (OpenCC standard) | s2tw (Taiwan, Big5) | s2hk


@lru_cache(maxsize=1)
def _place_pattern() -> re.Pattern:
    names = sorted(corpus_data()["places"], key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


def swap_places(text: str, mapping: dict[str, str], rng: random.Random) -> str:
    places = list(corpus_data()["places"])

    def replace(match: re.Match) -> str:
        name = match.group(0)
        if name not in mapping:
            mapping[name] = rng.choice(places)
        return mapping[name]

    return _place_pattern().sub(replace, text)


def perturb_amounts(text: str, rng: random.Random) -> str:
    def replace(match: re.Match) -> str:
        if rng.random() < 0.5:
            return match.group(0)
        digits = match.group(0).split(".")[0]
        low = 10 ** (len(digits) - 1) if len(digits) > 1 else 1
        return str(rng.randint(low, 10 ** len(digits) - 1))

    return AMOUNT.sub(replace, text)


def _title(blocks: list[tuple[str, str]], places: list[str], rng: random.Random) -> str:
    clauses = [c for _, text in blocks if _ == "p"
               for c in re.split(r"[，。：；！？,:;]", text) if 8 <= len(c) <= 24]
    clause = rng.choice(clauses) if clauses else blocks[0][1][:20]
    clause = clause.strip("“”\"' ")
    if places and rng.random() < 0.6:
        return f"{places[0]}：{clause}"
    return clause


def _name(rng: random.Random) -> str:
    data = corpus_data()
    return rng.choice(data["surnames"]) + rng.choice(data["given"])


def make_article(number: int, pool: Pool, rng: random.Random) -> Article:
    data = corpus_data()
    mapping: dict[str, str] = {}
    chosen = rng.sample(pool.paragraphs, rng.randint(4, min(12, len(pool.paragraphs))))
    blocks: list[tuple[str, str]] = []
    for index, paragraph in enumerate(chosen):
        if index and rng.random() < 0.15:
            blocks.append(("h", swap_places(rng.choice(pool.headings), mapping, rng)))
        blocks.append(("p", perturb_amounts(swap_places(paragraph, mapping, rng), rng)))
    text = "".join(t for _, t in blocks)
    counts = {name: text.count(name) for name in set(mapping.values())}
    places = sorted(counts, key=lambda n: (-counts[n], n))
    topics = sorted({topic for word, topic in data["topics"].items() if word in text})
    start = dt.datetime(2018, 1, 1)
    date = start + dt.timedelta(minutes=rng.randrange(0, 8 * 365 * 24 * 60))
    article = Article(number, _title(blocks, places, rng), date, rng.choice(data["outlets"]),
                      _name(rng), _name(rng), blocks, places, topics)
    article.form = rng.choices(["plain", "html", "jekyll", "headline"], [40, 25, 20, 15])[0]
    article.script = "zh-Hant" if rng.random() < 0.25 else "zh-Hans"
    roll = rng.random()
    if article.script == "zh-Hans" and roll < 0.12:
        article.encoding = "gbk"
    elif article.script == "zh-Hant" and roll < 0.25:
        article.encoding, article.variant = "big5", "s2tw"  # Big5 is the Taiwan encoding
    elif article.script == "zh-Hant":
        article.variant = "s2hk" if roll < 0.55 else "s2t"
    return article


# --- dressing ------------------------------------------------------------------------------

def _furniture(lines: list[str], article: Article, rng: random.Random) -> list[str]:
    return [line.format(editor=article.editor, outlet=article.outlet, year=article.date.year,
                        number=rng.randint(10_000_000, 99_999_999))
            for line in lines]


def render(article: Article, others: list[str], rng: random.Random) -> tuple[str, str]:
    """The article's text in its format (Simplified here) and its file suffix."""
    data = corpus_data()
    stamp = article.date.strftime("%Y-%m-%d %H:%M")
    nav = _furniture(rng.sample(data["navigation"], rng.randint(2, 4)), article, rng)
    footer = _furniture(data["footer"], article, rng)
    related = rng.sample(others, min(len(others), rng.randint(0, 5)))
    body_blocks = list(article.blocks)
    if article.form == "plain":
        lines = nav + ["", article.title, "",
                       f"发布时间：{stamp}  来源：{article.outlet}  浏览次数：{rng.randint(1, 9999)}",
                       ""]
        for kind, text in body_blocks:
            lines += [("　　" if kind == "p" else "") + text, ""]
        lines[-2] = lines[-2] + f"（{article.author}）"
        lines += footer + related
        return "\n".join(lines) + "\n", ".txt"
    if article.form == "html":
        # honest, or the common lie: a utf-8 template serving GBK/Big5 bytes
        declared = "utf-8" if article.encoding == "utf-8" or rng.random() < 0.5 \
            else article.encoding
        parts = [f'<meta charset="{declared}">',
                 "<ul class=\"nav\">" + "".join(f"<li>{html.escape(n)}</li>" for n in nav)
                 + "</ul>",
                 f"<div class=\"article\"><h1>{html.escape(article.title)}</h1>",
                 f"<div class=\"info\">{stamp} 来源：{html.escape(article.outlet)} "
                 f"作者：{html.escape(article.author)}</div>"]
        for kind, text in body_blocks:
            tag = "p" if kind == "p" else "h3"
            parts.append(f"<{tag}>{html.escape(text)}</{tag}>")
        parts.append("</div><div class=\"footer\">" + "".join(
            f"<p>{html.escape(line)}</p>" for line in footer + related) + "</div>")
        return "\n".join(parts) + "\n", ".html"
    if article.form == "jekyll":
        date = article.date.strftime("%Y-%m-%d %H:%M:%S +0800")
        front = yaml.safe_dump({"layout": "post", "title": article.title, "date": date,
                                "categories": "news", "tags": article.outlet},
                               allow_unicode=True, sort_keys=False)
        body = []
        for kind, text in body_blocks:
            body.append(f"<p>{html.escape(text)}</p>" if kind == "p"
                        else f"<p><strong>{html.escape(text)}</strong></p>")
        body.append(f"<p>（文章来源：{html.escape(article.outlet)}）</p>")
        return f"---\n{front}---\n" + "".join(body) + "\n", ".md"
    date_line = article.date.strftime("%Y年%m月%d日 %H:%M")
    lines = [article.title, date_line] + [text for _, text in body_blocks]
    return "\n".join(lines) + "\n", ".txt"


def encode(text: str, article: Article) -> bytes:
    text = to_variant(text, article.variant)
    for encoding in {"gbk": ("gbk", "gb18030"), "big5": ("big5", "big5hkscs", "cp950")}.get(
            article.encoding, ()):
        try:
            data = text.encode(encoding)
            article.encoding = encoding
            return data
        except UnicodeEncodeError:
            continue
    article.encoding = "utf-8"
    return text.encode("utf-8")


# --- the corpus ----------------------------------------------------------------------------

def generate(count: int, out: Path, *, seeds_dir: Path, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    pool = harvest(seeds_dir)
    seeds_out = out / "seeds"
    seeds_out.mkdir(parents=True, exist_ok=True)
    for stale in seeds_out.iterdir():
        stale.unlink()
    data = corpus_data()
    titles: list[str] = []
    manifest = []
    width = max(5, len(str(count)))
    for number in range(count):
        article = make_article(number, pool, rng)
        text, suffix = render(article, titles[-50:], rng)
        titles.append(article.title)
        raw = encode(text, article)
        name = f"{number:0{width}d}_{hashlib.sha256(raw).hexdigest()[:16]}{suffix}"
        (seeds_out / name).write_bytes(raw)
        manifest.append({
            "seed": name,
            "title": to_variant(article.title, article.variant),
            "date": article.date.strftime("%Y-%m-%dT%H:%M:00+08:00"),
            "regions": [data["places"][p] for p in article.places],
            "topics": article.topics,
            "format": article.form,
            "script": article.script,
            "encoding": article.encoding,
            "places": article.places,
            "blocks": [[kind, to_variant(t, article.variant)] for kind, t in article.blocks],
            "blocks_hans": [[kind, t] for kind, t in article.blocks],
        })
    with open(out / "manifest.jsonl", "w", encoding="utf-8") as handle:
        for row in manifest:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: benchmarks/out/corpus-<count>)")
    parser.add_argument("--seeds", type=Path, default=REPO / "seeds")
    parser.add_argument("--seed", type=int, default=1, help="random seed (deterministic output)")
    args = parser.parse_args(argv)
    out = args.out or REPO / "benchmarks" / "out" / f"corpus-{args.count}"
    manifest = generate(args.count, out, seeds_dir=args.seeds, seed=args.seed)
    forms: dict[str, int] = {}
    for row in manifest:
        key = f"{row['format']}/{row['script']}/{row['encoding']}"
        forms[key] = forms.get(key, 0) + 1
    print(f"{len(manifest)} seeds in {out / 'seeds'}")
    for key, n in sorted(forms.items()):
        print(f"  {key:<28}{n:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
