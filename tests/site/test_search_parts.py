"""A search index in parts: each part is its own Pagefind bundle (memory stays bounded at any
corpus size), the search page merges them; an edit is indexed alone into a small delta bundle
whose pages hide their stale results in the parts, and a delta grown too big is folded back
into the parts it belongs to."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from briefing.site import search, urls
from briefing.site.builder import SiteBuilder

from tests.site.conftest import FIXTURE_CONTENT, search_results, serve_folder

WUXI_ARTICLES = {"2021-06-02-wuxi-kechuang", "2021-07-28-gongtongti", "2022-03-09-sunan", "2023-03-wuxi-shenzhen"}


@pytest.fixture(scope="module")
def parted(tmp_path_factory, vocab):
    root = tmp_path_factory.mktemp("parted")
    content = root / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    with pytest.MonkeyPatch.context() as mp:   # only while it builds: other modules' sites are not in parts
        mp.setattr(search, "PART_PAGES", 17)
        mp.setattr(search, "FOLD_PAGES", 0)   # parts this small would be indexed again, not given a delta
        builder = SiteBuilder(content, root / "briefing", cache_dir=root / "cache", vocab=vocab, quiet=True)
        report = builder.build()
    return root, builder, report


def test_the_index_is_split_into_parts_listed_for_the_search_page(parted):
    _, builder, report = parted
    out = builder.out_path
    listed = json.loads((out / "pagefind" / search.PARTS_FILE).read_text(encoding="utf-8"))["bundles"]
    assert len(listed) == 3  # 50 documents (6 articles, 44 entities; 100 marked pages, both scripts), 17 a part
    for n, rel in enumerate(listed):
        assert (out / search.part_prefix(n) / "pagefind-entry.json").is_file(), rel
    assert report.search_indexed


SLUG = "2024-10-31-jiakuntai"
OLD_SENTENCE, NEW_SENTENCE = "陳立的團隊也在太倉落戶。", "陳立的團隊研發石墨烯。"


def _listing(out):
    return json.loads((out / "pagefind" / search.PARTS_FILE).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def edited(parted):
    """The parted site after one article's text changed: (report, listing before, listing after)."""
    root, builder, _ = parted
    before = _listing(builder.out_path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(search, "PART_PAGES", 17)
        mp.setattr(search, "FOLD_PAGES", 0)
        path = builder.content_dir / "articles" / f"{SLUG}.md"
        path.write_text(path.read_text(encoding="utf-8").replace(OLD_SENTENCE, NEW_SENTENCE), encoding="utf-8")
        report = builder.build({path})
    return report, before, _listing(builder.out_path)


def test_an_edit_is_indexed_alone_into_the_delta(parted, edited):
    _, builder, _ = parted
    report, before, after = edited
    touched = {p for p in report.written + report.removed if p.startswith("pagefind/")}
    assert touched and "pagefind/parts.json" in touched
    for p in touched - {"pagefind/parts.json"}:
        assert p.startswith("pagefind/delta/"), p          # no part was indexed again
    assert after["bundles"] == before["bundles"] + ["../pagefind/delta/"]
    assert [url for _, url in after["stale"]] == [f"/articles/{SLUG}/"]   # one document, both scripts
    fragments = {f.name for f in (builder.out_path / "pagefind").rglob("*.pf_fragment")
                 if "delta" not in f.parts}
    assert {f"{fid}.pf_fragment" for fid, _ in after["stale"]} <= fragments  # ids of results that exist


def test_a_delta_grown_too_big_is_folded_into_its_parts(tmp_path, vocab):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(search, "PART_PAGES", 17)
        mp.setattr(search, "DELTA_PAGES", 1)
        mp.setattr(search, "FOLD_PAGES", 0)
        builder = SiteBuilder(content, tmp_path / "site", cache_dir=tmp_path / "cache", vocab=vocab, quiet=True)
        builder.build()
        path = content / "articles" / f"{SLUG}.md"
        path.write_text(path.read_text(encoding="utf-8").replace(OLD_SENTENCE, NEW_SENTENCE), encoding="utf-8")
        report = builder.build({path})
    listing = _listing(builder.out_path)
    assert listing["stale"] == [] and "../pagefind/delta/" not in listing["bundles"]
    assert not (builder.out_path / "pagefind" / "delta").exists()
    prefix = search.part_prefix(search.part_of(urls.article(urls.HANS, SLUG), 3)) + "/"
    touched = {p for p in report.written if p.startswith("pagefind/") and p != "pagefind/parts.json"}
    assert touched and all(p.startswith(prefix) for p in touched), touched


@pytest.fixture(scope="module")
def parted_server(parted, edited):
    with serve_folder(parted[0]) as origin:
        yield f"{origin}/briefing/"


@pytest.mark.browser
def test_search_finds_articles_in_every_part_in_both_scripts(page, parted_server):
    for url in (parted_server + "search/?q=无锡", parted_server + "hant/search/?q=無錫"):
        found, hrefs = search_results(page, url, WUXI_ARTICLES)
        assert found >= WUXI_ARTICLES, (url, hrefs)
    assert page.errors == []


@pytest.mark.browser
def test_search_shows_the_edited_text_and_hides_the_stale_result(page, parted_server, edited):
    found, hrefs = search_results(page, parted_server + "hant/search/?q=石墨烯", {SLUG})
    assert found == {SLUG} and len(hrefs) == 1, hrefs             # from the delta, once
    page.goto(parted_server + "search/?q=落户")                  # only in the sentence the edit removed
    page.wait_for_selector("#search[data-state=done]")
    hrefs = page.eval_on_selector_all(".search-result-link", "els => els.map(e => e.href)")
    assert hrefs == [], hrefs                                    # its stale text in the part is not shown
    raw = page.evaluate("""async () => {
      const pf = await import(new URL('../pagefind/pagefind.js', location.href).href);
      return (await pf.search('落户')).results.map(r => r.id); }""")
    stale = {fid for fid, _ in edited[2]["stale"]}
    assert stale & set(raw), (stale, raw)                        # though the index still returns it
    assert page.errors == []


def test_a_build_after_serves_background_indexer_reuses_its_parts(tmp_path, vocab):
    from briefing.site.builder import index_search

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(search, "PART_PAGES", 17)
        serving = SiteBuilder(content, tmp_path / "site", cache_dir=tmp_path / "cache", vocab=vocab, quiet=True,
                              search=False)
        serving.build()                                  # serve writes pages without the index...
        first = index_search(tmp_path / "site", tmp_path / "cache")   # ...and indexes them apart
        assert any(p.endswith("pagefind-entry.json") for p in first.written)
        report = SiteBuilder(content, tmp_path / "site", cache_dir=tmp_path / "cache", vocab=vocab,
                             quiet=True).build()
    assert report.search_indexed
    assert [p for p in report.written + report.removed if p.startswith("pagefind/")] == []


def test_parts_indexed_two_at_once_give_the_same_bundles(parted, tmp_path):
    """The CLI's search step runs two Pagefind runs at once: the parts are mirrored in part
    order whichever ends first, so the bundles are byte for byte those of one run at a time."""
    _, builder, _ = parted
    out = builder.out_path
    bundles = {}
    for runs in (1, 2):
        site = tmp_path / f"site-{runs}"
        shutil.copytree(out, site, ignore=shutil.ignore_patterns("pagefind"))
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(search, "PART_PAGES", 17)
            search.build_search_index(site, None, {}, runs=runs)
        bundles[runs] = {p.relative_to(site).as_posix(): p.read_bytes()
                         for p in sorted((site / "pagefind").rglob("*")) if p.is_file()}
    assert len([p for p in bundles[1] if p.endswith("pagefind-entry.json")]) == 3
    assert bundles[2] == bundles[1]


def _bundles(site) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted((site / "pagefind").rglob("*")) if p.is_file()}


@pytest.mark.parametrize("asked", [True, False], ids=["folded-when-asked", "small-parts-folded-at-once"])
def test_an_index_without_a_delta_is_byte_for_byte_a_cold_builds(tmp_path, vocab, asked):
    """A delta is folded into its parts when asked (serve, once the site is quiet) or when the
    parts holding the changed pages are small: the bundles are then a cold build's."""
    from briefing.site.builder import index_search

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(search, "PART_PAGES", 17)
        mp.setattr(search, "FOLD_PAGES", 0 if asked else 100)
        builder = SiteBuilder(content, tmp_path / "site", cache_dir=tmp_path / "cache", vocab=vocab, quiet=True)
        builder.build()
        path = content / "articles" / f"{SLUG}.md"
        path.write_text(path.read_text(encoding="utf-8").replace(OLD_SENTENCE, NEW_SENTENCE), encoding="utf-8")
        builder.build({path})
        assert (builder.out_path / "pagefind" / "delta").is_dir() == asked
        if asked:
            folded = index_search(builder.out_path, tmp_path / "cache", fold=True)
            assert not (builder.out_path / "pagefind" / "delta").exists()
            touched = {p for p in folded.written if p != "pagefind/parts.json"}
            prefix = search.part_prefix(search.part_of(urls.article(urls.HANS, SLUG), 3)) + "/"
            assert touched and all(p.startswith(prefix) for p in touched), touched   # its part only
        cold = SiteBuilder(content, tmp_path / "cold", cache_dir=tmp_path / "cold-cache", vocab=vocab,
                           quiet=True).build()
    assert cold.search_indexed
    assert _bundles(builder.out_path) == _bundles(tmp_path / "cold")


def _files(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_warm_pagefind_service_writes_the_bundle_the_command_writes(site_dir, tmp_path, monkeypatch):
    exe = search.pagefind_executable()
    marked = search.marked_pages(site_dir)
    pages = search._documents(sorted(marked)[:6], marked)
    by_command, command_fragments = search._index_bundle(exe, site_dir, pages, tmp_path / "command", "p")

    search.warm_up()
    real_run = search.subprocess.run

    def no_command(*args, **kwargs):
        raise AssertionError("the command ran: the warm service was not used")

    monkeypatch.setattr(search.subprocess, "run", no_command)
    by_service, service_fragments = search._index_bundle(exe, site_dir, pages, tmp_path / "service", "p")
    assert search._warm_service() is None   # used once, and closed
    assert _files(by_service) == _files(by_command) and service_fragments == command_fragments

    # a service that died is replaced by the command, with the same result
    monkeypatch.setattr(search.subprocess, "run", real_run)
    search.warm_up()
    search._WARM[0].proc.kill()
    again, fragments = search._index_bundle(exe, site_dir, pages, tmp_path / "fallback", "p")
    assert _files(again) == _files(by_command) and fragments == command_fragments
    search.cool_down()   # nothing left running


def test_pagefind_given_only_the_indexed_element_writes_the_bundle_of_the_whole_pages(site_dir, tmp_path):
    """Pagefind is handed each page cut to its ``<html>`` tag and the element it indexes
    (~10% less of its time): the bundle is byte for byte the one the whole pages give (each
    carrying its Traditional counterpart's title and text alike)."""
    exe = search.pagefind_executable()
    marked = search.marked_pages(site_dir)
    documents = search._documents(sorted(marked), marked)
    assert documents and all(not p.startswith("hant/") and other == "hant/" + p for p, other in documents.items())
    whole = tmp_path / "whole"
    for page, other in documents.items():
        dest = whole.joinpath(*page.split("/"))
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(search.with_counterpart(site_dir.joinpath(*page.split("/")).read_bytes(),
                                                 site_dir.joinpath(*other.split("/")).read_bytes()))
    assert search._run_pagefind(exe, whole, tmp_path / "from-whole") is None
    cut, _ = search._index_bundle(exe, site_dir, documents, tmp_path / "work", "p")
    first = next(iter(documents))
    sent = search.indexed_document(site_dir.joinpath(*first.split("/")).read_bytes())
    assert len(sent) < site_dir.joinpath(*first.split("/")).stat().st_size / 2   # it was cut
    search._normalise_entry(tmp_path / "from-whole" / "pagefind-entry.json")
    assert _files(cut) == _files(tmp_path / "from-whole")


def test_a_page_that_speaks_to_pagefind_outside_the_element_is_handed_whole():
    page = (b'<!DOCTYPE html><html lang="zh-Hans"><head><title>t</title></head><body><nav>menu</nav>'
            b'<main data-pagefind-body><h1>\xe6\x97\xa0\xe9\x94\xa1</h1><div><p>a</p></div></main>'
            b'<footer>f</footer></body></html>')
    assert search.indexed_document(page) == (b'<!DOCTYPE html><html lang="zh-Hans"><body><main data-pagefind-body>'
                                             b'<h1>\xe6\x97\xa0\xe9\x94\xa1</h1><div><p>a</p></div></main></body></html>')
    assert search.indexed_digest(search.indexed_document(page)) == search.indexed_digest(page)
    with_meta = page.replace(b"<footer>", b'<footer data-pagefind-meta="author">')
    assert search.indexed_document(with_meta) == with_meta
    assert search.indexed_document(b"<html><body><p>none</p></body></html>") == b"<html><body><p>none</p></body></html>"


def test_a_fragments_url_is_read_from_its_beginning_and_anything_else_whole(parted):
    """Pagefind's own fragments give the URL their whole JSON gives; a fragment whose URL runs
    past the unpacked beginning, or that does not begin with it, is read whole."""
    import gzip

    root, _, _ = parted
    files = sorted((root / "briefing" / "pagefind").rglob("*.pf_fragment"))
    assert len(files) > 10
    for file in files:
        data = file.read_bytes()
        whole = json.loads(gzip.decompress(data).removeprefix(search.FRAGMENT_SIGNATURE))
        assert search.fragment_url(data) == whole["url"]

    def fragment(record: dict) -> bytes:
        return gzip.compress(search.FRAGMENT_SIGNATURE + json.dumps(record, ensure_ascii=False).encode())

    long_url = "/articles/" + "长" * 600 + "/"     # 1,800 bytes: cut inside the URL
    assert search.fragment_url(fragment({"url": long_url, "content": "x"})) == long_url
    assert search.fragment_url(fragment({"content": "长三角" * 500, "url": "/later/"})) == "/later/"
    assert search.fragment_url(gzip.compress(b'{"url":"/no-signature/"}')) == "/no-signature/"
    assert search.fragment_url(fragment({"url": 7})) == ""


def test_a_mirrored_folder_is_moved_into_place_and_unchanged_files_keep_their_mtime(tmp_path):
    from briefing.site.writer import sync_folder

    out = tmp_path / "site"
    out.mkdir()
    made = tmp_path / "made"
    (made / "index").mkdir(parents=True)
    (made / "a.json").write_bytes(b"a")
    (made / "index" / "b.pf").write_bytes(b"b")
    states: dict = {}
    written, unchanged, removed = sync_folder(made, out, "pagefind", {}, states)
    assert (written, unchanged, removed) == (["pagefind/a.json", "pagefind/index/b.pf"], [], [])
    assert (out / "pagefind" / "index" / "b.pf").read_bytes() == b"b"
    assert not (made / "a.json").exists() and not (made / "index" / "b.pf").exists()   # moved, not copied
    kept_mtime = (out / "pagefind" / "a.json").stat().st_mtime_ns
    assert states["pagefind/a.json"].mtime_ns == kept_mtime

    (made / "index").mkdir(exist_ok=True)
    (made / "a.json").write_bytes(b"a")            # the same bytes
    (made / "index" / "c.pf").write_bytes(b"c")    # new; b.pf is gone
    previous = dict(states)
    written, unchanged, removed = sync_folder(made, out, "pagefind", previous, states)
    assert (written, unchanged, removed) == (["pagefind/index/c.pf"], ["pagefind/a.json"], ["pagefind/index/b.pf"])
    assert (out / "pagefind" / "a.json").stat().st_mtime_ns == kept_mtime
    assert (made / "a.json").exists()              # unchanged: left where it was made
    assert sorted(states) == ["pagefind/a.json", "pagefind/index/c.pf"]


def test_documents_are_written_to_a_memory_folder_and_gone_after_the_run(site_dir, tmp_path, monkeypatch):
    """Pagefind's documents go to a memory-backed folder where there is one (making folders
    and files on disk costs kernel CPU); a killed build's folder there is removed by the next
    run, a running one's kept; without a memory folder, or when writing there fails, they go
    beside the output folder. The bundle is the same either way."""
    out = tmp_path / "site"
    shutil.copytree(site_dir, out)
    memory = tmp_path / "shm"
    memory.mkdir()
    monkeypatch.setattr(search, "MEMORY_FOLDER", memory)
    dead = memory / f"{search.DOCUMENTS_PREFIX}999999999"   # no such process
    alive = memory / f"{search.DOCUMENTS_PREFIX}{os.getppid()}"
    for folder in (dead, alive):
        (folder / "site-0").mkdir(parents=True)
    read_from = []
    real_run = search._run_pagefind

    def recording_run(exe, docs, bundle):
        read_from.append((docs, sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.html"))))
        return real_run(exe, docs, bundle)

    monkeypatch.setattr(search, "_run_pagefind", recording_run)
    search.build_search_index(out, None, {}, state_path=None)
    (docs, listed), = read_from
    assert docs.parent == memory / f"{search.DOCUMENTS_PREFIX}{os.getpid()}", docs
    assert listed and all(not p.startswith("hant/") for p in listed)
    assert sorted(p.name for p in memory.iterdir()) == [alive.name]   # its own and the dead one's gone
    bundle = _files(out / "pagefind")

    monkeypatch.setattr(search, "MEMORY_FOLDER", tmp_path / "none")
    shutil.rmtree(out / "pagefind")
    search.build_search_index(out, None, {}, state_path=None)
    assert read_from[-1][0].parent == tmp_path / f".site.staging-search-{os.getpid()}"
    assert _files(out / "pagefind") == bundle

    monkeypatch.setattr(search, "MEMORY_FOLDER", memory)
    real_write = search._write_documents

    def full_memory(site, out_dir, documents):
        if memory in site.parents:
            (site / "x").mkdir(parents=True)
            raise OSError(28, "No space left on device")
        real_write(site, out_dir, documents)

    monkeypatch.setattr(search, "_write_documents", full_memory)
    shutil.rmtree(out / "pagefind")
    search.build_search_index(out, None, {}, state_path=None)
    assert read_from[-1][0].parent == tmp_path / f".site.staging-search-{os.getpid()}"
    assert _files(out / "pagefind") == bundle
    assert sorted(p.name for p in memory.iterdir()) == [alive.name]
    assert not list(tmp_path.glob(".site.staging-*"))


def test_a_search_step_handed_over_early_is_run_early_only_when_it_is_a_delta(tmp_path, vocab):
    """A build that hands its search step over (``on_search_job``, the CLI's child as soon
    as its pages are in place) leaves it out of its report; ``run_search(only_delta=True)``
    (what the CLI's parent runs while the child ends) does nothing when parts would be
    indexed (a cold index: that waits until the child has ended) and makes an edit's delta;
    ``finish_search`` completes either."""
    from briefing.site import stamp
    from briefing.site.builder import finish_search, run_search

    content, out, cache = tmp_path / "content", tmp_path / "site", tmp_path / "cache"
    shutil.copytree(FIXTURE_CONTENT, content)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(search, "PART_PAGES", 17)
        mp.setattr(search, "FOLD_PAGES", 0)
        builder = SiteBuilder(content, out, cache_dir=cache, vocab=vocab, quiet=True)
        builder.defer_search = True
        handed = []
        first = builder.build(on_search_job=handed.append)
        assert first.search_job is None and len(handed) == 1
        assert run_search(handed[0], only_delta=True) is None
        assert not (out / "pagefind").exists()           # nothing was made of it
        assert finish_search(first, handed[0]).search_indexed and stamp.completed(cache, out)

        path = content / "articles" / f"{SLUG}.md"
        path.write_text(path.read_text(encoding="utf-8").replace(OLD_SENTENCE, NEW_SENTENCE), encoding="utf-8")
        handed.clear()
        second = builder.build({path}, on_search_job=handed.append)
        assert second.search_job is None and not stamp.completed(cache, out)
        early = run_search(handed[0], only_delta=True)
        assert early is not None and early.written
        assert all(p.startswith("pagefind/delta/") or p == "pagefind/parts.json" for p in early.written), early.written
        finished = finish_search(second, handed[0], early)
    assert finished.search_indexed and stamp.completed(cache, out)
    assert set(early.written) <= set(finished.written)
    assert "../pagefind/delta/" in _listing(out)["bundles"]
    again = SiteBuilder(content, out, cache_dir=cache, vocab=vocab, quiet=True).build()
    assert again.written == [] and again.removed == []   # the manifest knows the search files as they are
