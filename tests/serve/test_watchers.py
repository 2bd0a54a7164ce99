"""Both stdlib watchers see writes, atomic saves, creations, deletions and renames."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from briefing.serve.inotify import inotify_available
from briefing.serve.sources import Kind, WatchRoot
from briefing.serve.watch import make_watcher

KINDS = ["poll", pytest.param("inotify", marks=pytest.mark.skipif(
    not inotify_available(), reason="no inotify on this system"))]


class Collector:
    def __init__(self):
        self.batches: list[set[Path]] = []
        self.lock = threading.Lock()

    def __call__(self, paths: set[Path]) -> None:
        with self.lock:
            self.batches.append(set(paths))

    def seen(self) -> set[Path]:
        with self.lock:
            return set().union(*self.batches) if self.batches else set()

    def clear(self) -> None:
        with self.lock:
            self.batches.clear()


@pytest.fixture(params=KINDS)
def watched(request, tmp_path: Path):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "articles" / "a.md").write_text("a")
    (content / "articles" / "b.md").write_text("b")
    out = content / "site"
    out.mkdir()
    config = tmp_path / "briefing.yaml"
    config.write_text("x: 1\n")
    (tmp_path / "unwatched.yaml").write_text("x: 1\n")
    roots = [WatchRoot(content, Kind.CONTENT, (".md",)), WatchRoot(config, Kind.CONFIG)]
    watcher = make_watcher(roots, kind=request.param, excluded=[out], poll_interval=30)
    sink = Collector()
    watcher.start(sink)
    yield tmp_path, watcher, sink
    watcher.stop()


def test_writes_creations_and_deletions_are_reported(watched):
    root, watcher, sink = watched
    articles = root / "content" / "articles"
    (articles / "a.md").write_text("a changed")
    (articles / "c.md").write_text("new")
    (articles / "b.md").unlink()
    watcher.sync()
    assert {articles / "a.md", articles / "c.md", articles / "b.md"} <= sink.seen()


def test_atomic_rename_over_saves_and_renames_are_reported(watched):
    root, watcher, sink = watched
    articles = root / "content" / "articles"
    tmp = articles / ".a.md.tmp"
    tmp.write_text("saved atomically")
    os.replace(tmp, articles / "a.md")
    os.rename(articles / "b.md", articles / "renamed.md")
    watcher.sync()
    seen = sink.seen()
    assert {articles / "a.md", articles / "b.md", articles / "renamed.md"} <= seen
    assert tmp not in seen


def test_litter_other_suffixes_excluded_folders_and_unwatched_files_are_ignored(watched):
    root, watcher, sink = watched
    articles = root / "content" / "articles"
    (articles / ".a.md.swp").write_text("vim")
    (articles / "notes.txt").write_text("not content")
    (root / "content" / "site" / "index.md").write_text("output")
    (root / "unwatched.yaml").write_text("x: 2\n")
    watcher.sync()
    assert sink.seen() == set()


def test_a_single_watched_file_is_reported(watched):
    root, watcher, sink = watched
    (root / "briefing.yaml").write_text("x: 22\n")
    watcher.sync()
    assert sink.seen() == {root / "briefing.yaml"}


def test_files_in_a_new_folder_are_reported_and_then_watched(watched):
    root, watcher, sink = watched
    folder = root / "content" / "pages"
    folder.mkdir()
    (folder / "about.md").write_text("about")
    watcher.sync()
    assert folder / "about.md" in sink.seen()
    sink.clear()
    (folder / "about.md").write_text("about, edited")
    watcher.sync()
    assert folder / "about.md" in sink.seen()
