"""Incremental builds with a kept SiteBuilder: the right pages, and only those, are written;
the result is always what a cold build of the same inputs makes; the CLI's no-change path."""

from __future__ import annotations

import json

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefing.site import urls
from briefing.site.builder import SiteBuilder, build_site

from .conftest import FIXTURE_CONTENT, ROOT

ARTICLE = "2024-10-31-jiakuntai"
THEME_TEMPLATES = ROOT / "briefing" / "theme" / "templates"


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path, vocab):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    templates = tmp_path / "templates"
    templates.mkdir()
    builder = SiteBuilder(content, tmp_path / "site", templates_dir=templates, cache_dir=tmp_path / "cache",
                          vocab=vocab, search=False, quiet=True)
    first = builder.build()
    assert first.written and first.removed == []
    return builder, content, templates, tmp_path


def _same_as_cold(builder: SiteBuilder, tmp_path: Path, vocab) -> None:
    """The incrementally kept site equals a cold build of the same inputs, byte for byte."""
    cold = tmp_path / "cold"
    build_site(builder.content_dir, cold, templates_dir=builder.templates_dir, vocab=vocab, search=False, quiet=True)
    mine, theirs = _tree(builder.out_path), _tree(cold)
    assert sorted(mine) == sorted(theirs)
    assert [p for p in mine if mine[p] != theirs[p]] == []
    shutil.rmtree(cold)


def test_nothing_changed_writes_nothing(project):
    builder, content, _, _ = project
    report = builder.build({content / "articles" / f"{ARTICLE}.md"})
    assert (report.written, report.removed, report.rendered) == ([], [], 0)
    report = builder.build()
    assert (report.written, report.removed, report.rendered) == ([], [], 0)


def test_body_edit_writes_its_pages_and_feeds_only(project, vocab):
    builder, content, _, tmp_path = project
    path = content / "articles" / f"{ARTICLE}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("陳立的團隊也在太倉落戶。", "陳立的團隊也在太倉落戶，二期啟動。"),
                    encoding="utf-8")
    report = builder.build({path})
    assert report.written == sorted([urls.article(urls.HANS, ARTICLE), urls.article(urls.HANT, ARTICLE),
                                     urls.feed(urls.HANS), urls.feed(urls.HANT)])
    assert report.removed == []
    assert "二期啟動" in (builder.out_path / urls.article(urls.HANT, ARTICLE)).read_text(encoding="utf-8")
    _same_as_cold(builder, tmp_path, vocab)


def test_regions_edit_updates_the_region_it_left_and_nothing_unrelated(project, vocab):
    builder, content, _, tmp_path = project
    path = content / "articles" / "2023-03-wuxi-shenzhen.md"
    path.write_text(path.read_text(encoding="utf-8").replace("- {id: jiangyin, mentions: 1, main: false}\n", ""),
                    encoding="utf-8")
    report = builder.build({path})
    written = set(report.written)
    for v in urls.VARIANTS:
        assert urls.article(v, "2023-03-wuxi-shenzhen") in written
        assert urls.region(v, "jiangyin") in written or urls.region(v, "jiangyin") in report.removed
        assert urls.article(v, "2022-03-09-sunan") not in written       # shares no changed key
        assert urls.about(v) not in written
    assert "data/articles.json" in written and "data/regions.json" in written
    _same_as_cold(builder, tmp_path, vocab)


def test_deleting_an_article_removes_its_pages_and_every_listing(project, vocab):
    builder, content, _, tmp_path = project
    path = content / "articles" / f"{ARTICLE}.md"
    path.unlink()
    report = builder.build({path})
    for v in urls.VARIANTS:
        assert urls.article(v, ARTICLE) in report.removed
    assert not any(ARTICLE in p for p in report.written)
    for page in report.written:
        if page.endswith((".html", ".xml", ".json", ".csv")):
            assert ARTICLE not in (builder.out_path / page).read_text(encoding="utf-8"), page
    _same_as_cold(builder, tmp_path, vocab)


def test_renaming_a_file_changes_nothing_and_renaming_a_slug_moves_the_pages(project, vocab):
    builder, content, _, tmp_path = project
    old = content / "articles" / f"{ARTICLE}.md"
    new = content / "articles" / "renamed.md"
    old.rename(new)
    report = builder.build({old, new})
    assert (report.written, report.removed) == ([], [])
    new.write_text(new.read_text(encoding="utf-8").replace(f"slug: {ARTICLE}", "slug: 2024-10-31-moved"),
                   encoding="utf-8")
    report = builder.build({new})
    for v in urls.VARIANTS:
        assert urls.article(v, ARTICLE) in report.removed
        assert urls.article(v, "2024-10-31-moved") in report.written
    _same_as_cold(builder, tmp_path, vocab)


def test_template_edit_rerenders_only_the_pages_using_it(project, vocab):
    builder, _, templates, tmp_path = project
    text = (THEME_TEMPLATES / "topic.html").read_text(encoding="utf-8")
    assert "{% block main %}" in text
    (templates / "topic.html").write_text(text.replace("{% block main %}", '{% block main %}<p class="edited"></p>'),
                                          encoding="utf-8")
    report = builder.build({templates / "topic.html"})
    topics = {p for p in report.written if "/topics/" in "/" + p and p.count("/") >= 2}
    assert report.written and set(report.written) == topics
    assert report.rendered == len(report.written)
    _same_as_cold(builder, tmp_path, vocab)


def test_a_broken_edit_keeps_the_site_and_the_next_good_one_recovers(project):
    builder, content, _, _ = project
    before = _tree(builder.out_path)
    path = content / "articles" / f"{ARTICLE}.md"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("slug:", "slug: [unclosed\nx:"), encoding="utf-8")
    with pytest.raises(Exception):
        builder.build({path})
    assert _tree(builder.out_path) == before
    path.write_text(good.replace("陳立的團隊也在太倉落戶。", "恢復。"), encoding="utf-8")
    report = builder.build({path})
    assert urls.article(urls.HANT, ARTICLE) in report.written


def test_a_changed_or_deleted_output_file_is_repaired(project):
    builder, _, _, _ = project
    page = builder.out_path / urls.region(urls.HANS, "wuxi")
    good = page.read_bytes()
    page.write_bytes(b"tampered")
    (builder.out_path / urls.about(urls.HANT)).unlink()
    report = builder.build()   # no hint: every output is checked
    assert sorted(report.written) == sorted([urls.region(urls.HANS, "wuxi"), urls.about(urls.HANT)])
    assert page.read_bytes() == good


# --- the CLI ---------------------------------------------------------------------------------

def _cli(content: Path, out: Path, cache: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "briefing.commands.build", "--content", str(content), "--out", str(out),
                           "--cache", str(cache), "--templates", str(out.parent / "no-templates"), "--no-search",
                           *extra], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_cli_no_change_build_is_a_stamp_check_and_any_change_is_seen(tmp_path):
    content, out, cache = tmp_path / "content", tmp_path / "site", tmp_path / "cache"
    shutil.copytree(FIXTURE_CONTENT, content)
    first = _cli(content, out, cache)
    assert first.returncode == 0, first.stderr
    assert "up to date" not in first.stdout
    again = _cli(content, out, cache)
    assert again.returncode == 0 and "up to date" in again.stdout
    # a content edit is seen
    path = content / "articles" / f"{ARTICLE}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("陳立的團隊也在太倉落戶。", "陳立的團隊落戶。"), encoding="utf-8")
    edited = _cli(content, out, cache)
    assert edited.returncode == 0 and "up to date" not in edited.stdout and " 4 written" in edited.stdout
    assert "的團隊落戶。" in (out / urls.article(urls.HANT, ARTICLE)).read_text(encoding="utf-8")
    # a deleted output file is seen and put back
    (out / urls.about(urls.HANS)).unlink()
    repaired = _cli(content, out, cache)
    assert repaired.returncode == 0 and "up to date" not in repaired.stdout
    assert (out / urls.about(urls.HANS)).is_file()
    assert "up to date" in _cli(content, out, cache).stdout
    # with an edit besides, the files are looked at by the parent process while the child
    # loads: a tampered page is still put back
    page = out / urls.region(urls.HANS, "wuxi")
    good = page.read_bytes()
    page.write_bytes(b"tampered")
    path.write_text(path.read_text(encoding="utf-8").replace("的團隊落戶。", "的團隊落戶太倉。"), encoding="utf-8")
    both = _cli(content, out, cache)
    assert both.returncode == 0 and " 5 written" in both.stdout, both.stdout
    assert page.read_bytes() == good
    assert "的團隊落戶太倉。" in (out / urls.article(urls.HANT, ARTICLE)).read_text(encoding="utf-8")
    # another option is another site
    assert "up to date" not in _cli(content, out, cache, "--base-url", "https://example.org/").stdout


# --- the watcher's fast first pass -------------------------------------------------------------

def test_preview_writes_the_edited_article_at_once_and_build_completes_it(project, vocab):
    builder, content, _, tmp_path = project
    path = content / "articles" / f"{ARTICLE}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("陳立的團隊也在太倉落戶。", "陳立的團隊也在太倉落戶，三期。"),
                    encoding="utf-8")
    preview = builder.preview({path})
    assert preview is not None
    assert preview.written == sorted([urls.article(urls.HANS, ARTICLE), urls.article(urls.HANT, ARTICLE)])
    assert "三期" in (builder.out_path / urls.article(urls.HANT, ARTICLE)).read_text(encoding="utf-8")
    assert "三期" not in (builder.out_path / urls.feed(urls.HANT)).read_text(encoding="utf-8")
    report = builder.build({path})
    assert report.written == sorted([urls.feed(urls.HANS), urls.feed(urls.HANT)])  # the pages were already right
    _same_as_cold(builder, tmp_path, vocab)


def test_after_a_template_edit_preview_writes_the_open_pages_at_once_and_build_completes_it(project, vocab):
    builder, _, templates, tmp_path = project
    base = templates / "base.html"
    base.write_text((THEME_TEMPLATES / "base.html").read_text(encoding="utf-8").replace(
        "</body>", "<!-- template lead -->\n</body>"), encoding="utf-8")
    open_page, other = urls.article(urls.HANS, ARTICLE), urls.article(urls.HANT, ARTICLE)
    preview = builder.preview({base}, first=[open_page, "no/such/page.html"])
    assert preview is not None and preview.written == [open_page]
    assert "template lead" in (builder.out_path / open_page).read_text(encoding="utf-8")
    assert "template lead" not in (builder.out_path / other).read_text(encoding="utf-8")   # the build's
    assert builder.preview({base}) is None   # no open page: nothing to show first
    report = builder.build({base})
    assert open_page not in report.written and other in report.written   # it was already right
    _same_as_cold(builder, tmp_path, vocab)


def test_preview_declines_what_only_a_build_can_do(project):
    builder, content, templates, _ = project
    new = content / "articles" / "new.md"
    new.write_text((content / "articles" / f"{ARTICLE}.md").read_text(encoding="utf-8")
                   .replace(f"slug: {ARTICLE}", "slug: brand-new"), encoding="utf-8")
    assert builder.preview({new}) is None                       # not a known article
    assert builder.preview({templates / "base.html"}) is None   # not content
    bad = content / "articles" / f"{ARTICLE}.md"
    bad.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    assert builder.preview({bad}) is None                       # bad content: build() reports it
    with pytest.raises(Exception):
        builder.build({new, bad})


def _saved_state(manifest):
    return (manifest.global_fp, manifest.fps, manifest.pages,
            {k: (v.digest, v.size, v.mtime_ns) for k, v in manifest.files.items()}, manifest.related)


def test_the_manifest_journal_replays_to_what_the_builder_holds(project, vocab):
    from briefing.site import builder as builder_module

    builder, content, _, tmp_path = project
    manifest_path = builder.cache_path / "manifest.pickle"
    journal = manifest_path.with_name(manifest_path.name + ".journal")
    path = content / "articles" / f"{ARTICLE}.md"
    for n in range(2):
        path.write_text(path.read_text(encoding="utf-8").replace("陳立", f"陳立{n}", 1), encoding="utf-8")
        builder.build({path})
    assert journal.stat().st_size > 0 and journal.stat().st_size < manifest_path.stat().st_size / 2
    reloaded = builder_module._Manifest.load(manifest_path)
    assert _saved_state(reloaded) == _saved_state(builder._manifest)
    # a record cut short by a killed build is left out: the state of the build before it
    before_last = journal.read_bytes()
    path.write_text(path.read_text(encoding="utf-8").replace("陳立", "陳立x", 1), encoding="utf-8")
    builder.build({path})
    journal.write_bytes(journal.read_bytes()[:-10])
    stale = builder_module._Manifest.load(manifest_path)
    journal.write_bytes(before_last)
    assert _saved_state(stale) == _saved_state(builder_module._Manifest.load(manifest_path))
    # and a new builder repairs what the lost record described
    fresh = SiteBuilder(content, builder.out_path, templates_dir=builder.templates_dir, cache_dir=tmp_path / "cache",
                        vocab=vocab, search=False, quiet=True)
    fresh.build()
    _same_as_cold(fresh, tmp_path, vocab)


def test_a_change_bigger_than_the_manifest_writes_it_whole_instead_of_a_journal_record(project, vocab):
    """A template edit re-renders every page: its record would be bigger than the manifest,
    and every later build would replay it. The manifest is written whole instead."""
    from briefing.site import builder as builder_module

    builder, content, templates, _ = project
    manifest_path = builder.cache_path / "manifest.pickle"
    journal = manifest_path.with_name(manifest_path.name + ".journal")
    path = content / "articles" / f"{ARTICLE}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("陳立", "陳立甲", 1), encoding="utf-8")
    builder.build({path})
    assert 0 < journal.stat().st_size < manifest_path.stat().st_size / 2   # a small change: a record
    (templates / "base.html").write_text((THEME_TEMPLATES / "base.html").read_text(encoding="utf-8")
                                         + "<!-- edited -->\n", encoding="utf-8")
    assert builder.build().rendered > 50
    assert not journal.exists()
    reloaded = builder_module._Manifest.load(manifest_path)
    assert _saved_state(reloaded) == _saved_state(builder._manifest)


def test_pages_open_in_a_browser_are_rendered_and_placed_before_the_rest(project, vocab):
    builder, _, templates, tmp_path = project
    text = (THEME_TEMPLATES / "base.html").read_text(encoding="utf-8")
    (templates / "base.html").write_text(text.replace("</body>", "<!-- edited --></body>"), encoding="utf-8")
    page, other = urls.article(urls.HANS, ARTICLE), urls.home(urls.HANS)
    seen = {}

    def on_first(report):  # called while every other page is still as it was
        seen.update(written=report.written, mine="edited" in (builder.out_path / page).read_text(encoding="utf-8"),
                    other="edited" in (builder.out_path / other).read_text(encoding="utf-8"))

    report = builder.build({templates / "base.html"}, first=[page, "no/such/page.html"], on_first=on_first)
    assert seen == {"written": [page], "mine": True, "other": False}
    assert {page, other} <= set(report.written)
    _same_as_cold(builder, tmp_path, vocab)


def test_a_parallel_render_leaves_a_frozen_heap_frozen(project, monkeypatch):
    """serve freezes what survives a rebuild; the render pool freezes to fork and must not
    thaw serve's objects when it is done (their collection would stall the next edit)."""
    import gc

    from briefing import heap
    from briefing.site import builder as builder_mod

    builder, _, templates, _ = project
    monkeypatch.setattr(builder_mod, "PARALLEL_THRESHOLD", 2)
    builder.workers = 2
    (templates / "base.html").write_text((THEME_TEMPLATES / "base.html").read_text(encoding="utf-8")
                                         + "<!-- edited -->\n", encoding="utf-8")
    gc.freeze()
    try:
        report = builder.build()
        assert report.rendered > 2 and heap.frozen()
    finally:
        gc.unfreeze()
    report = builder.build()   # nothing frozen before: nothing frozen after
    assert not heap.frozen()


def test_a_kept_builder_told_what_changed_leaves_a_stamp_the_cli_trusts(tmp_path, vocab):
    """serve's builds are told which file changed and take the content's stats from the
    loader: the stamp they leave must still match a fresh look, or miss nothing."""
    from briefing.site import stamp

    content, out, cache = tmp_path / "content", tmp_path / "site", tmp_path / "cache"
    shutil.copytree(FIXTURE_CONTENT, content)
    templates = out.parent / "no-templates"
    builder = SiteBuilder(content, out, templates_dir=templates, cache_dir=cache, search=False, quiet=True)
    builder.build()
    path = content / "articles" / f"{ARTICLE}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n补充。\n", encoding="utf-8")
    assert builder.build({path}).written
    options = {"base_url": None, "title": builder.config["title"], "search": False}
    assert stamp.is_current(cache, out, content, options, templates)
    assert "up to date" in _cli(content, out, cache).stdout
    other = content / "articles" / sorted(p.name for p in (content / "articles").glob("*.md"))[0]
    other.write_text(other.read_text(encoding="utf-8") + "\n再补充。\n", encoding="utf-8")   # no one told
    assert not stamp.is_current(cache, out, content, options, templates)


def test_a_parallel_render_keeps_each_dependency_list_once(project, monkeypatch):
    """The two scripts of a page depend on the same keys: the manifest holds one tuple of
    interned strings for both, whether the page was rendered here or in a worker."""
    import sys

    from briefing.site import builder as builder_mod

    builder, _, templates, _ = project
    monkeypatch.setattr(builder_mod, "PARALLEL_THRESHOLD", 2)
    builder.workers = 2
    (templates / "base.html").write_text((THEME_TEMPLATES / "base.html").read_text(encoding="utf-8")
                                         + "<!-- edited -->\n", encoding="utf-8")
    assert builder.build().rendered > 2
    pages = builder._manifest.pages
    twins = [(p, urls.counterpart(p)) for p in pages if urls.variant_of(p) == urls.HANS and urls.counterpart(p) in pages]
    assert len(twins) > 10
    for hans, hant in twins:
        if pages[hans][1] == pages[hant][1]:
            assert pages[hans][1] is pages[hant][1]
    assert all(sys.intern(k) is k for v in pages.values() for k in v[1])


def test_a_search_step_left_to_the_caller_completes_the_same_build(tmp_path, vocab):
    """The CLI renders in a child process and runs the search step after it has ended: the
    site, the manifest and the stamp are what one build in one process leaves."""
    from briefing.site import stamp
    from briefing.site.builder import _Manifest, finish_search

    whole = build_site(FIXTURE_CONTENT, tmp_path / "whole", vocab=vocab, cache_dir=tmp_path / "c1", quiet=True)
    apart = build_site(FIXTURE_CONTENT, tmp_path / "apart", vocab=vocab, cache_dir=tmp_path / "c2", quiet=True,
                       defer_search=True)
    assert apart.search_job is not None and not apart.search_indexed
    assert not (tmp_path / "apart" / urls.SEARCH_BUNDLE_DIR).exists()
    assert not stamp.completed(tmp_path / "c2", tmp_path / "apart")   # not complete before its search step
    done = finish_search(apart)
    assert done.search_indexed and done.search_job is None
    assert (done.written, done.unchanged, done.removed) == (whole.written, whole.unchanged, whole.removed)
    assert _tree(tmp_path / "apart") == _tree(tmp_path / "whole")
    assert stamp.completed(tmp_path / "c2", tmp_path / "apart")
    # the manifest, read back with the search files recorded apart, is the one-process one's
    again = SiteBuilder(FIXTURE_CONTENT, tmp_path / "apart", vocab=vocab, cache_dir=tmp_path / "c2", quiet=True)
    report = again.build()
    assert report.written == [] and report.removed == [] and not report.search_indexed
    files = {name: {k: (v.digest, v.size) for k, v in _Manifest.load(tmp_path / name / "site" / "manifest.pickle").files.items()}
             for name in ("c1", "c2")}
    assert files["c1"] == files["c2"] and any(k.startswith(urls.SEARCH_BUNDLE_DIR + "/") for k in files["c2"])


def test_a_build_whose_search_step_never_ran_gets_its_index_from_the_next_build(tmp_path, vocab):
    """Pages written, search step not run (it failed, or its process was killed): the build
    is not stamped complete, and the next one indexes what changed, though no page does."""
    from briefing.site import stamp

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    site, cache = tmp_path / "site", tmp_path / "cache"
    SiteBuilder(content, site, vocab=vocab, cache_dir=cache, quiet=True).build()
    edited = content / "articles" / f"{ARTICLE}.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n新增一段：量子计算联合实验室揭牌。\n", encoding="utf-8")
    apart = SiteBuilder(content, site, vocab=vocab, cache_dir=cache, quiet=True, defer_search=True).build()
    assert apart.search_job is not None and not stamp.completed(cache, site)
    report = SiteBuilder(content, site, vocab=vocab, cache_dir=cache, quiet=True).build()
    assert report.rendered == 0 and report.search_indexed
    assert any(p.startswith(f"{urls.SEARCH_BUNDLE_DIR}/") and not p.endswith("/parts.json") for p in report.written)
    assert stamp.completed(cache, site)


def test_render_rounds_end_in_small_batches_and_few_of_a_kind_go_first():
    """Each round of a parallel render holds its pages once, in order, and ends in batches
    small enough that no renderer is left waiting long for another's last one; pages of
    templates that make few pages (the indexes, each listing much) are rendered first."""
    from types import SimpleNamespace

    from briefing.site import builder as builder_mod

    items = list(range(10_000))
    rounds = builder_mod._rounds(items, 2, 3000)
    assert [len(sum(r, [])) for r in rounds] == [3000, 3000, 3000, 1000]
    assert sum((sum(r, []) for r in rounds), []) == items
    for r in rounds:
        assert max(map(len, r)) == 128 and max(map(len, r[-10:])) == 128 // builder_mod.TAIL_SPLIT
    assert builder_mod._rounds([1, 2, 3], 2, 3000) == [[[1], [2], [3]]]

    outputs = [SimpleNamespace(kind="page", template="article.html")] * 5 + \
        [SimpleNamespace(kind="page", template="home.html"), SimpleNamespace(kind="feed", template=None)] + \
        [SimpleNamespace(kind="page", template="region.html")] * 2
    assert builder_mod._few_of_a_kind_first(list(range(9)), outputs) == [5, 6, 7, 8, 0, 1, 2, 3, 4]


def test_a_parallel_render_forks_fresh_workers_in_rounds_and_makes_the_same_site(project, vocab, monkeypatch):
    """A render worker is replaced by a fresh fork every ROUND_PAGES pages (one kept for a
    whole render came to hold a private copy of the model), and the outputs that read the
    whole corpus are made before any worker is forked. The site is the one a single
    process makes."""
    import os

    from briefing.site import builder as builder_mod

    builder, _, templates, tmp_path = project
    monkeypatch.setattr(builder_mod, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(builder_mod, "ROUND_PAGES", 20)
    log = tmp_path / "renderers.log"
    produce = builder_mod._produce

    def logged(out):
        with open(log, "a", encoding="utf-8") as fh:   # appends from several processes
            fh.write(f"{os.getpid()} {out.kind}\n")
        return produce(out)

    monkeypatch.setattr(builder_mod, "_produce", logged)
    builder = SiteBuilder(builder.content_dir, tmp_path / "site-in-rounds", templates_dir=templates,
                          cache_dir=tmp_path / "cache-in-rounds", vocab=vocab, search=False, quiet=True, workers=2)
    report = builder.build()   # a cold build: every output, the heavy ones too
    rendered = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    assert len(rendered) == report.rendered > 100
    here = str(os.getpid())
    assert {pid for pid, kind in rendered if kind in builder_mod.WHOLE_CORPUS_KINDS} == {here}
    assert any(kind in builder_mod.WHOLE_CORPUS_KINDS for _, kind in rendered)
    workers = {pid for pid, _ in rendered} - {here}
    assert len(workers) >= report.rendered // (2 * 20)   # a new one each round
    monkeypatch.setattr(builder_mod, "PARALLEL_THRESHOLD", 10**9)   # the cold build in one process
    _same_as_cold(builder, tmp_path, vocab)


def test_a_small_render_stays_in_one_process_whatever_exports_it_makes(project, vocab, monkeypatch):
    """Whether to fork render workers depends on the pages to render: the exports an edit
    makes again are made before any fork, so they do not make a small render parallel."""
    import os

    from briefing.site import builder as builder_mod

    builder, content, _, tmp_path = project
    monkeypatch.setattr(builder_mod, "PARALLEL_THRESHOLD", 60)
    produce = builder_mod._produce
    log = tmp_path / "renderers.log"

    def logged(out):
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {out.kind}\n")
        return produce(out)

    monkeypatch.setattr(builder_mod, "_produce", logged)
    path = content / "articles" / f"{ARTICLE}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\ntitle: ", "\ntitle: 新标题 ", 1), encoding="utf-8")
    report = builder.build({path})
    rendered = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    pages_made = [kind for _, kind in rendered if kind not in builder_mod.WHOLE_CORPUS_KINDS]
    assert any(kind == "export" for _, kind in rendered) and 10 < len(pages_made) < 60
    assert {pid for pid, _ in rendered} == {str(os.getpid())} and len(rendered) == report.rendered


def test_output_files_looked_at_elsewhere_are_trusted_only_for_the_stamp_read_here(tmp_path, vocab):
    """``outputs_changed`` (the CLI's parent process stats the site while the child loads):
    the files it names are rendered again and no other file is looked at, provided it read
    the stamp this build reads."""
    from briefing.site import stamp

    content, out, cache = tmp_path / "content", tmp_path / "site", tmp_path / "cache"
    shutil.copytree(FIXTURE_CONTENT, content)
    build_site(content, out, cache_dir=cache, vocab=vocab, search=False, quiet=True)
    named, unnamed = out / urls.region(urls.HANS, "wuxi"), out / urls.about(urls.HANT)
    named.write_bytes(b"tampered")
    unnamed.write_bytes(b"tampered too")
    found = stamp.outputs_changed(cache, out)
    assert found is not None and found[1] == {urls.region(urls.HANS, "wuxi"), urls.about(urls.HANT)}

    told = (found[0], {urls.region(urls.HANS, "wuxi")})
    fresh = SiteBuilder(content, out, cache_dir=cache, vocab=vocab, search=False, quiet=True)
    report = fresh.build(outputs_changed=lambda: told)
    assert report.written == [urls.region(urls.HANS, "wuxi")]   # the other file was not looked at
    assert unnamed.read_bytes() == b"tampered too"

    stale = (("another stamp", 0, 0), set())
    report = SiteBuilder(content, out, cache_dir=cache, vocab=vocab, search=False, quiet=True).build(
        outputs_changed=lambda: stale)
    assert report.written == [urls.about(urls.HANT)]   # looked at file by file


def test_the_articles_export_makes_again_only_the_records_whose_keys_changed(project, vocab, monkeypatch):
    """``data/articles.json`` is re-made when any article's record changes; the records of the
    others are taken from the file the last build wrote, while it is as that build left it."""
    from briefing.site import export

    builder, content, _, tmp_path = project
    made: list[str] = []
    real_line = export._line
    def line(record):   # an article's record, or another export's (no slug)
        if "slug" in record:
            made.append(record["slug"])
        return real_line(record)

    monkeypatch.setattr(export, "_line", line)
    path = content / "articles" / f"{ARTICLE}.md"
    text = path.read_text(encoding="utf-8")
    assert "\ntitle: " in text
    path.write_text(text.replace("\ntitle: ", "\ntitle: 新标题 ", 1), encoding="utf-8")
    report = builder.build({path})
    assert urls.data("articles.json") in report.written
    assert made == [ARTICLE]          # its own record; every other one as written before
    _same_as_cold(builder, tmp_path, vocab)

    # the same articles in the same order: its line is replaced in place, the rest of the
    # file is not even split into records
    monkeypatch.setattr(export, "article_lines", None)
    path.write_text(text.replace("\ntitle: ", "\ntitle: 又一新标题 ", 1), encoding="utf-8")
    made.clear()
    report = builder.build({path})
    assert urls.data("articles.json") in report.written and made == [ARTICLE]
    _same_as_cold(builder, tmp_path, vocab)
    monkeypatch.undo()
    monkeypatch.setattr(export, "_line", line)

    # an article more: its record is made, and those of the articles it is related to; the
    # others are taken from the file's records
    copy = content / "articles" / "copy.md"
    copy.write_text(text.replace(f"slug: {ARTICLE}", "slug: copy-article"), encoding="utf-8")
    made.clear()
    builder.build({copy})
    related = json.loads((builder.out_path / urls.data("articles.json")).read_text(encoding="utf-8"))
    near = {r["slug"] for r in related if "copy-article" in r["related"]}
    assert set(made) == {"copy-article"} | near and len(made) < len(related)
    _same_as_cold(builder, tmp_path, vocab)
    copy.unlink()
    builder.build({copy})

    # a file changed by hand since is not trusted: every record is made again
    export_file = builder.out_path / urls.data("articles.json")
    export_file.write_bytes(export_file.read_bytes().replace(b'"slug":"', b'"slug": "'))
    made.clear()
    path.write_text(text, encoding="utf-8")
    builder.build({path})
    assert len(made) == len(list((content / "articles").glob("*.md")))
    _same_as_cold(builder, tmp_path, vocab)


def test_a_damaged_stamp_is_no_stamp_and_the_next_build_writes_a_good_one(tmp_path, vocab):
    """The stamp cut short anywhere (in its length, its record or the files after it) is
    read as no stamp: nothing is trusted, and a build puts a whole one back."""
    from briefing.site import stamp

    content, out, cache = tmp_path / "content", tmp_path / "site", tmp_path / "cache"
    shutil.copytree(FIXTURE_CONTENT, content)
    options = {"base_url": None, "title": "t", "search": False}
    build_site(content, out, cache_dir=cache, vocab=vocab, search=False, quiet=True)
    path = stamp.stamp_path(cache)
    whole = path.read_bytes()
    assert stamp.outputs_changed(cache, out)[1] == set()
    record_end = 8 + int.from_bytes(whole[:8], "little")
    for cut in (0, 5, 8 + 3, record_end - 1, record_end, record_end + 7, len(whole) - 1):
        path.write_bytes(whole[:cut])
        assert stamp.outputs_changed(cache, out) is None, cut
        assert not stamp.is_current(cache, out, content, options, None), cut
        assert not stamp.completed(cache, out) or cut >= record_end, cut
    build_site(content, out, cache_dir=cache, vocab=vocab, search=False, quiet=True)
    assert path.read_bytes() == whole
    assert stamp.outputs_changed(cache, out)[1] == set()
