"""Helpers of the serve tests: a stand-in build and ingest, session set-up, waiting.

The stand-in build follows the `build_site` contract (changed=, BuildReport fields,
BriefingErrors with file:line on bad YAML, previous site left untouched on error, atomic
writes, unchanged bytes not rewritten) with a trivial renderer, so the serve machinery
(watching, debouncing, gating, overlay, reload) is tested on its own and fast. The
real ingest and site build are driven in test_real_pipeline.py.
"""

from __future__ import annotations

import html
import io
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from briefing.errors import BriefingError, BriefingErrors
from briefing.serve.session import PreviewSession, ServeOptions
from briefing.serve.sources import ProjectSources
from briefing.serve.stages import Stages


@dataclass
class StandInReport:
    written: list[str]
    unchanged: list[str]
    removed: list[str]
    seconds: float
    pages: int


def _atomic_write(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def article_markdown(title: str, body: str, slug: str) -> str:
    return (f"---\ntitle: {title}\nslug: {slug}\ndate: '2021-06-02'\nscript: zh-Hans\n"
            f"regions: []\n---\n\n{body}\n")


@dataclass
class StandInBuild:
    """Renders content/articles/*.md as one page each plus an index (see module doc)."""

    calls: list[set | None] = field(default_factory=list)
    hold: threading.Event | None = None  # when set up, a build waits for it
    entered: threading.Event = field(default_factory=threading.Event)

    def __call__(self, content_dir: Path, out_dir: Path, *, changed=None, **_ignored):
        self.calls.append(None if changed is None else set(changed))
        self.entered.set()
        if self.hold is not None:
            assert self.hold.wait(30), "test never released the build"
        started = time.perf_counter()
        pages: dict[str, bytes] = {}
        errors: list[BriefingError] = []
        titles = []
        for source in sorted((content_dir / "articles").glob("*.md")):
            text = source.read_text(encoding="utf-8")
            try:
                _, front, body = text.split("---\n", 2)
                meta = yaml.safe_load(front)
            except ValueError:
                errors.append(BriefingError(source, "no front matter", 1))
                continue
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = mark.line + 2 if mark is not None else 1
                errors.append(BriefingError(source, f"bad YAML: {exc}".splitlines()[0], line))
                continue
            slug = meta["slug"]
            paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n") if p.strip())
            pages[f"articles/{slug}/index.html"] = (
                f"<!doctype html><html lang=zh-Hans><head><meta charset=utf-8>"
                f"<title>{html.escape(meta['title'])}</title></head><body>"
                f"<h1>{html.escape(meta['title'])}</h1>{paragraphs}</body></html>").encode()
            titles.append((slug, meta["title"]))
        if errors:
            raise BriefingErrors(errors)
        items = "".join(f'<li><a href="articles/{s}/">{html.escape(t)}</a></li>' for s, t in titles)
        pages["index.html"] = (f"<!doctype html><html><head><title>home</title></head>"
                               f"<body><ul>{items}</ul></body></html>").encode()
        pages["static/site.css"] = b"body{font-family:sans-serif}"
        written, unchanged = [], []
        for name, data in sorted(pages.items()):
            (written if _atomic_write(out_dir / name, data) else unchanged).append(name)
        removed = []
        for old in sorted(out_dir.rglob("index.html")):
            name = old.relative_to(out_dir).as_posix()
            if name not in pages:
                old.unlink()
                removed.append(name)
        return StandInReport(written, unchanged, removed, time.perf_counter() - started,
                             len(pages))


@dataclass
class StandInIngest:
    """Ingest stand-in: a seed `<slug>.txt` (title line, then body) → content/articles."""

    calls: list = field(default_factory=list)

    def __call__(self, seeds_dir: Path, content_dir: Path, *, only=None, force=False, cache_dir=None,
                 quiet=False):
        self.calls.append(None if only is None else set(only))
        report = type("Report", (), {})()
        report.ingested, report.unchanged, report.kept_edited, report.rejected = [], [], [], []
        for seed in sorted(seeds_dir.glob("*.txt")):
            if only is not None and seed not in only:
                continue
            lines = seed.read_text(encoding="utf-8").splitlines()
            if not lines:
                report.rejected.append((str(seed), "empty file"))
                continue
            slug = seed.stem
            text = article_markdown(lines[0], "\n\n".join(lines[1:]), slug)
            target = content_dir / "articles" / f"{slug}.md"
            if _atomic_write(target, text.encode()):
                report.ingested.append(slug)
            else:
                report.unchanged.append(slug)
        return report


def sources_for(root: Path, **extra) -> ProjectSources:
    return ProjectSources(
        content=root / "content",
        out=root / "site",
        seeds=root / "seeds",
        templates=root / "templates",
        theme=root / "theme",  # a theme of its own: edits to the real one never leak in
        vocabularies=root / "vocab",
        rules=root / "rules",
        **extra,
    )


class SessionFactory:
    def __init__(self):
        self.sessions: list[PreviewSession] = []

    def __call__(self, root: Path, stages: Stages, **options) -> PreviewSession:
        options.setdefault("port", 0)
        options.setdefault("debounce", 0.05)
        options.setdefault("watcher", "auto")
        session = PreviewSession(sources_for(root), stages, ServeOptions(**options),
                                 out=io.StringIO())
        session.start()
        self.sessions.append(session)
        return session

    def close(self):
        for session in self.sessions:
            session.stop()




def wait_until(condition, timeout: float = 10.0, what: str = "condition") -> None:
    """Poll `condition` until it holds (fails after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)
