"""serve's background search indexer: it indexes after the pages, and once nothing has asked
for an index for a while, folds the delta bundle into its parts (the served site then ends
as a cold build makes it)."""

from __future__ import annotations

import shutil
import threading

from briefing.serve.search import SearchIndexer
from briefing.serve.stages import Stages


def _fake_site(tmp_path):
    out = tmp_path / "site"
    delta = out / "pagefind" / "delta"
    calls: list[str] = []
    folded = threading.Event()

    def index(site):
        calls.append("index")
        delta.mkdir(parents=True, exist_ok=True)   # an edit: indexed into a delta

    def fold(site):
        calls.append("fold")
        shutil.rmtree(delta)
        folded.set()

    return out, delta, calls, folded, index, fold


def test_the_delta_is_folded_once_the_site_has_been_quiet(tmp_path):
    out, delta, calls, folded, index, fold = _fake_site(tmp_path)
    indexer = SearchIndexer(index, out, delay=0.01, fold=fold, fold_after=0.3)
    indexer.start()
    try:
        indexer.request()
        assert folded.wait(10)
        assert calls == ["index", "fold"] and not delta.exists()
        folded.clear()
        indexer.request()
        indexer.request()
        assert folded.wait(10)
        assert calls == ["index", "fold", "index", "fold"]
        assert indexer.runs == 2 and indexer.folds == 2 and indexer.failures == 0
    finally:
        indexer.stop()


def test_a_fold_that_fails_is_reported_and_not_retried_before_the_next_index(tmp_path):
    out, delta, calls, folded, index, _ = _fake_site(tmp_path)
    lines: list[str] = []
    tried = threading.Event()

    def failing_fold(site):
        calls.append("fold")
        tried.set()
        raise RuntimeError("pagefind exploded")

    indexer = SearchIndexer(index, out, delay=0.01, fold=failing_fold, fold_after=0.05, report=lines.append)
    indexer.start()
    try:
        indexer.request()
        assert tried.wait(10)
        tried.clear()
        assert not tried.wait(0.5)          # ten times the quiet time: no retry came
        indexer.request()                   # an index after the failure: one more try
        assert tried.wait(10)
        assert calls == ["index", "fold", "index", "fold"] and indexer.failures == 2
        assert any("search index not folded: RuntimeError: pagefind exploded" in line for line in lines)
    finally:
        indexer.stop()


def test_the_fold_is_offered_only_by_an_indexer_that_takes_it(tmp_path):
    def index(out_dir, cache_dir=None, *, fold=False):
        return (out_dir, cache_dir, fold)

    stages = Stages(build_site=lambda *a, **k: None, search_index=index)
    assert stages.search_index_with(tmp_path)(tmp_path / "site") == (tmp_path / "site", tmp_path, False)
    assert stages.search_index_with(tmp_path, fold=True)(tmp_path / "site") == (tmp_path / "site", tmp_path, True)
    assert Stages(build_site=lambda *a, **k: None, search_index=lambda out_dir: None).search_index_with(
        tmp_path, fold=True) is None


def test_the_reindex_child_takes_fold_from_its_command_line(tmp_path, monkeypatch):
    from briefing.serve import reindex

    calls = []
    monkeypatch.setattr(reindex, "reindex", lambda out, cache=None, *, fold=False: calls.append((out, cache, fold)))
    assert reindex.main([str(tmp_path / "site"), str(tmp_path / "cache"), "--fold"]) == 0
    assert reindex.main([str(tmp_path / "site")]) == 0
    assert calls == [((tmp_path / "site").resolve(), (tmp_path / "cache").resolve(), True),
                     ((tmp_path / "site").resolve(), None, False)]
    assert reindex.main([str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "c")]) == 2


def test_no_fold_is_started_when_it_does_not_fit_beside_serve(tmp_path):
    out, delta, calls, folded, index, fold = _fake_site(tmp_path)
    fits = {"now": False}
    indexer = SearchIndexer(index, out, delay=0.01, fold=fold, fold_after=0.05, fold_fits=lambda: fits["now"])
    indexer.start()
    try:
        indexer.request()
        assert indexer.wait_idle(10)
        assert not folded.wait(0.5)          # ten times the quiet time: no fold started
        assert calls == ["index"] and delta.exists()
        fits["now"] = True                   # memory freed: the next quiet time folds
        indexer.request()
        assert folded.wait(10) and calls == ["index", "index", "fold"]
    finally:
        indexer.stop()


def test_a_fold_due_is_not_started_when_memory_was_taken_meanwhile(tmp_path):
    """Memory is looked at again when the quiet time is over (a rebuild may have started)."""
    out, delta, calls, folded, index, fold = _fake_site(tmp_path)
    answers = iter([True])               # fits as the quiet time after the first index starts
    fits = {"later": False}              # ... and no more once it is over
    indexer = SearchIndexer(index, out, delay=0.01, fold=fold, fold_after=0.05,
                            fold_fits=lambda: next(answers, fits["later"]))
    indexer.start()
    try:
        indexer.request()
        assert indexer.wait_idle(10)
        assert not folded.wait(0.5)
        assert calls == ["index"] and delta.exists()
        fits["later"] = True
        indexer.request()
        assert folded.wait(10) and calls == ["index", "index", "fold"]
    finally:
        indexer.stop()


def test_serves_memory_budget_leaves_room_for_a_fold_at_2k_and_not_at_10k(monkeypatch):
    """The fold's memory is one part's Pagefind run and the indexer (measured: 286 MB for a
    part of 650 documents; 121 MB for the indexer at 10k); serve held 246 MB at 2k, 709 at 10k
    after edits and ~450 MB fresh, and a render worker forked by a rebuild meanwhile can
    come to hold as much as serve."""
    from briefing.serve import session
    from briefing.site import search

    assert 400 <= search.fold_memory_mb() <= 430
    monkeypatch.setattr(session, "resident_mb", lambda: 246.0)
    assert session.fold_fits_memory()
    for held in (450.0, 709.0):
        monkeypatch.setattr(session, "resident_mb", lambda held=held: held)
        assert not session.fold_fits_memory()
    monkeypatch.setattr(session, "resident_mb", lambda: None)   # cannot tell: no fold
    assert not session.fold_fits_memory()
