"""The builder's state saved between processes (``snapshot``): a build that starts from it
makes exactly the site a build from scratch makes, patches the model instead of building it
where only bodies changed, and never trusts a state that is damaged or another code's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefing import records
from briefing.site import model, snapshot, urls
from briefing.site.builder import SiteBuilder, build_site

from .conftest import FIXTURE_CONTENT

ARTICLE = "2024-10-31-jiakuntai"


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _builder(root: Path) -> SiteBuilder:
    """What a new ``build`` process makes: nothing in memory, the state on disk."""
    return SiteBuilder(root / "content", root / "site", templates_dir=root / "templates", cache_dir=root / "cache",
                       search=False, quiet=True, keep_state=True)


def _assert_same_as_cold(root: Path) -> None:
    cold = root / "cold"
    build_site(root / "content", cold, templates_dir=root / "templates", search=False, quiet=True)
    mine, theirs = _tree(root / "site"), _tree(cold)
    assert sorted(mine) == sorted(theirs)
    assert [p for p in mine if mine[p] != theirs[p]] == []
    shutil.rmtree(cold)


@pytest.fixture
def root(tmp_path):
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    (tmp_path / "templates").mkdir()
    first = _builder(tmp_path).build()
    assert first.written and "state" in first.timings
    assert (tmp_path / "cache" / "site" / snapshot.SNAPSHOT_NAME).is_file()
    return tmp_path


def _edit(root: Path, old: str, new: str) -> None:
    path = root / "content" / "articles" / f"{ARTICLE}.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_body_edit_starts_from_the_saved_state_and_patches_the_model(root, monkeypatch):
    _edit(root, "陳立的團隊也在太倉落戶。", "陳立的團隊也在太倉落戶，二期啟動。")
    state = root / "cache" / "site" / snapshot.SNAPSHOT_NAME
    saved = state.stat().st_mtime_ns
    made: list[int] = []
    real_build_site = model.build_site
    monkeypatch.setattr(model, "build_site", lambda *a, **k: (made.append(1), real_build_site(*a, **k))[1])
    builder = _builder(root)
    report = builder.build()
    assert made == []   # the saved model, patched
    # the articles' figures and events came back packed; the edit read only its article's
    packs = [art.events._pack for art in builder._site.articles if isinstance(art.events, records.PackedTuple)]
    assert len(packs) >= 5   # every article with figures or events, but the edited one (read anew)
    read = [p for p in packs if p._values is not None]
    assert len(read) <= 1, (len(read), len(packs))
    assert report.written == sorted([urls.article(urls.HANS, ARTICLE), urls.article(urls.HANT, ARTICLE),
                                     urls.feed(urls.HANS), urls.feed(urls.HANT)])
    assert state.stat().st_mtime_ns == saved and "state" not in report.timings   # one article off: kept
    monkeypatch.setattr(model, "build_site", real_build_site)
    _assert_same_as_cold(root)


def test_a_front_matter_edit_remodels_the_saved_model_and_keeps_the_state(root, monkeypatch):
    path = root / "content" / "articles" / f"{ARTICLE}.md"
    text = path.read_text(encoding="utf-8")
    assert "\ntitle: " in text
    path.write_text(text.replace("\ntitle: ", "\ntitle: 新标题 ", 1), encoding="utf-8")

    def no_full_model(*args, **kwargs):
        raise AssertionError("the model was built from scratch")

    monkeypatch.setattr(model, "build_site", no_full_model)
    for _ in range(2):   # and again in a later process, from the same saved state
        report = _builder(root).build()
        assert "state" not in report.timings
    assert "新标题" in (root / "site" / urls.article(urls.HANS, ARTICLE)).read_text(encoding="utf-8")
    monkeypatch.undo()
    _assert_same_as_cold(root)
    assert _builder(root).build().written == []


def test_a_damaged_state_or_one_of_other_code_is_not_used(root, monkeypatch):
    state = root / "cache" / "site" / snapshot.SNAPSHOT_NAME
    assert snapshot.load(state) is not None
    monkeypatch.setattr(snapshot, "code_key", lambda: "other code")
    assert snapshot.load(state) is None
    monkeypatch.undo()

    state.write_bytes(state.read_bytes()[: state.stat().st_size // 2])   # cut short
    assert snapshot.load(state) is None
    _edit(root, "陳立的團隊也在太倉落戶。", "陳立的團隊落戶。")
    report = _builder(root).build()
    assert urls.article(urls.HANS, ARTICLE) in report.written and "state" in report.timings   # made again
    _assert_same_as_cold(root)


def test_a_state_saved_for_another_content_folder_is_not_used(root):
    other = root / "other"
    shutil.copytree(root / "content", other / "content")
    (other / "templates").mkdir()
    shutil.copytree(root / "cache", other / "cache")   # the first project's state
    _edit(other, "陳立的團隊也在太倉落戶。", "陳立的團隊落戶。")
    builder = _builder(other)
    builder.build()
    assert builder._state_sources is not None
    assert all(Path(src.path).is_relative_to(other / "content") for src in builder._state_sources.values())
    _assert_same_as_cold(other)


def test_related_articles_ranked_ahead_from_the_saved_state_are_used_when_they_fit(root, monkeypatch):
    """The CLI's parent process ranks an edit's related articles from the saved state while
    the child restores it (``ahead``): the child uses that ranking, and only when its digest
    is that of the corpus the child loaded; a ranking that does not fit is ranked again."""
    from briefing.site import ahead

    state = root / "cache" / "site" / snapshot.SNAPSHOT_NAME
    assert ahead.rank(state, root / "content") is None          # nothing changed since it was saved
    _edit(root, "陳立的團隊也在太倉落戶。", "陳立的團隊也在太倉落戶。" + "量子芯片封裝測試，" * 6)
    ranked = ahead.rank(state, root / "content")
    assert ranked is not None and ARTICLE in ranked[1]

    real_ranking = model.related_articles

    def not_here(*args, **kwargs):
        raise AssertionError("ranked again though the ranking ahead fitted")

    monkeypatch.setattr(model, "related_articles", not_here)
    asked: list[int] = []
    report = _builder(root).build(related_ahead=lambda: (asked.append(1), ranked)[1])
    assert asked and report.written
    monkeypatch.setattr(model, "related_articles", real_ranking)
    _assert_same_as_cold(root)

    # a ranking of another corpus is not used: the build ranks again, and the site is the same
    _edit(root, "量子芯片封裝測試，", "量子芯片封裝，")
    wrong = (ranked[0], {slug: () for slug in ranked[1]})
    _builder(root).build(related_ahead=lambda: wrong)
    _assert_same_as_cold(root)


def test_a_build_given_its_ranking_ahead_never_imports_numpy(root, tmp_path):
    """The child of a CLI edit whose related articles the parent ranked does without numpy
    (~70 ms of its start): neither the builder's modules nor the saved state need it."""
    import pickle
    import subprocess
    import sys

    from briefing.site import ahead

    _edit(root, "陳立的團隊也在太倉落戶。", "陳立的團隊也在太倉落戶。" + "量子芯片封裝測試，" * 6)
    ranked = ahead.rank(root / "cache" / "site" / snapshot.SNAPSHOT_NAME, root / "content")
    assert ranked is not None
    (tmp_path / "ranked.pickle").write_bytes(pickle.dumps(ranked))
    child = f"""
import pickle, sys
from pathlib import Path
from briefing.site.builder import SiteBuilder
ranked = pickle.loads(Path({str(tmp_path / "ranked.pickle")!r}).read_bytes())
root = Path({str(root)!r})
report = SiteBuilder(root / "content", root / "site", templates_dir=root / "templates", cache_dir=root / "cache",
                     search=False, quiet=True, keep_state=True).build(related_ahead=lambda: ranked)
print(len(report.written), "numpy" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    written, numpy_imported = done.stdout.split()
    assert int(written) > 0 and numpy_imported == "False"
    _assert_same_as_cold(root)


def test_the_ranking_ahead_scores_again_only_what_the_edit_can_change(root, monkeypatch):
    """The saved state holds the saved corpus's ranking: the parent starts from it, and its
    result is the full ranking's."""
    from briefing.site import ahead, related

    found: list = []
    real = related._rescored
    monkeypatch.setattr(related, "_rescored", lambda *a: (lambda r: (found.append(r), r)[1])(real(*a)))
    _edit(root, "陳立的團隊也在太倉落戶。", "陳立的團隊也在太倉落戶。" + "量子芯片封裝測試，" * 6)
    digest, ranked = ahead.rank(root / "cache" / "site" / snapshot.SNAPSHOT_NAME, root / "content")
    assert found and found[0] is not None
    monkeypatch.setattr(related, "_rescored", lambda *a: None)
    assert ranked == ahead.rank(root / "cache" / "site" / snapshot.SNAPSHOT_NAME, root / "content")[1]


def test_nothing_is_ranked_ahead_when_files_came_or_went(root):
    from briefing.site import ahead

    state = root / "cache" / "site" / snapshot.SNAPSHOT_NAME
    source = root / "content" / "articles" / f"{ARTICLE}.md"
    shutil.copyfile(source, source.with_name("zz-copy.md"))
    assert ahead.rank(state, root / "content") is None
    assert ahead.rank(state, root / "elsewhere") is None


def test_an_edit_that_leaves_every_articles_features_alone_is_not_ranked_ahead(root, tmp_path):
    """A body edit whose keywords stay the same changes no ranking: the ranking process
    says so without reading the feature tables, so without importing numpy (~0.13 s)."""
    import subprocess
    import sys

    source = root / "content" / "articles" / f"{ARTICLE}.md"
    source.write_text(source.read_text(encoding="utf-8").rstrip("\n") + " (2021)\n", encoding="utf-8")
    child = f"""
import sys
from pathlib import Path
from briefing.site import ahead
print(ahead.rank(Path({str(root / "cache" / "site" / snapshot.SNAPSHOT_NAME)!r}), Path({str(root / "content")!r})),
      "numpy" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["None", "False"]
    _edit(root, "陳立的團隊也在太倉落戶。", "陳立的團隊也在太倉落戶。" + "量子芯片封裝測試，" * 6)
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "True"   # keywords changed: ranked, with numpy


def test_a_builder_started_without_the_state_adopts_its_related_features(root, monkeypatch):
    """serve's builder does not restore the saved state; when its model's related articles
    come from the manifest's cache, it still takes the saved features, so its first edit
    that moves keywords works out the features of that article only."""
    from briefing.site import related

    monkeypatch.setattr(related, "_FEATURES", {})      # a new process
    monkeypatch.setattr(related, "_FEATURE_IDS", {})
    monkeypatch.setattr(related, "_ADOPTED", [])
    made: list[str] = []
    real_features = related.article_features
    monkeypatch.setattr(related, "article_features", lambda src: (made.append(src.slug), real_features(src))[1])
    monkeypatch.chdir(root)   # the content folder named otherwise than when the state was saved
    builder = SiteBuilder(Path("content"), root / "site", templates_dir=root / "templates",
                          cache_dir=root / "cache", search=False, quiet=True)
    builder.build()
    assert made == []                                  # related articles from the manifest's cache
    _edit(root, "陳立的團隊也在太倉落戶。", "陳立的團隊也在太倉落戶。" + "量子芯片封裝測試，" * 6)
    builder.build({root / "content" / "articles" / f"{ARTICLE}.md"})
    assert made == [ARTICLE]
    _assert_same_as_cold(root)


def test_a_model_made_from_scratch_ranks_in_a_process_of_its_own_and_saves_its_features(tmp_path, monkeypatch):
    """A model made from scratch has its related articles ranked by a forked process while
    it makes the rest: the ranking is the one ranking here gives, the process's feature
    tables are what the saved state holds (this process never works features out), and a
    ranking given ahead that fits is used instead, the process stopped."""
    import os

    from briefing.site import builder as builder_mod
    from briefing.site import load, related

    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    (tmp_path / "templates").mkdir()
    log = tmp_path / "pids.log"

    def logged(name, real):
        def call(*args, **kwargs):
            with open(log, "a", encoding="utf-8") as fh:   # appends from both processes
                fh.write(f"{name} {os.getpid()}\n")
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(builder_mod, "RANK_APART_MIN", 1)
    monkeypatch.setattr(builder_mod, "_rank", logged("rank", builder_mod._rank))
    monkeypatch.setattr(related, "article_features", logged("features", related.article_features))
    for name, empty in (("_FEATURE_IDS", {}), ("_FEATURES", {}), ("_ADOPTED", [])):   # a new process's tables
        monkeypatch.setattr(related, name, empty)
    builder = SiteBuilder(tmp_path / "content", tmp_path / "site", templates_dir=tmp_path / "templates",
                          cache_dir=tmp_path / "cache", search=False, quiet=True, keep_state=True, workers=2)
    builder.build()
    calls = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    here = str(os.getpid())
    assert ["rank"] == sorted({name for name, pid in calls if pid != here} - {"features"})
    assert not [name for name, pid in calls if pid == here]   # neither ranked nor made features here
    sources = load.load_articles(tmp_path / "content")
    newest = sorted(sources, key=model.article_sort_key, reverse=True)
    assert dict(builder._site.related) == related.related_articles(newest)
    state = snapshot.load_ahead(tmp_path / "cache" / "site" / snapshot.SNAPSHOT_NAME)
    ids, features = __import__("pickle").loads(state["features"])
    assert sorted(k[0] for k in features) == sorted(s.slug for s in sources)
    _assert_same_as_cold(tmp_path)

    # given a ranking of this corpus ahead, that one is used, not the forked process's
    monkeypatch.setattr(builder_mod, "_rank", lambda newest: ({s.slug: () for s in newest}, b""))
    ranking = (related.inputs_digest(newest), related.related_articles(newest))
    shutil.rmtree(tmp_path / "cache")
    again = SiteBuilder(tmp_path / "content", tmp_path / "site", templates_dir=tmp_path / "templates",
                        cache_dir=tmp_path / "cache", search=False, quiet=True, workers=2)
    again.build(related_ahead=lambda: ranking)
    assert dict(again._site.related) == ranking[1]
    # and one of another corpus is not: the process's is
    shutil.rmtree(tmp_path / "cache")
    again = SiteBuilder(tmp_path / "content", tmp_path / "site", templates_dir=tmp_path / "templates",
                        cache_dir=tmp_path / "cache", search=False, quiet=True, workers=2)
    again.build(related_ahead=lambda: ("another corpus", ranking[1]))
    assert dict(again._site.related) == {s.slug: () for s in newest}
