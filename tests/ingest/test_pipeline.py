"""The whole ingest on the shipped seeds: idempotent, editors win, nothing lost."""

import shutil
from pathlib import Path

import pytest

from briefing.frontmatter import parse_document, render_document
from briefing.ingest.pipeline import ingest

SEEDS = Path(__file__).parent.parent.parent / "seeds"


@pytest.fixture
def workspace(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    return seeds, tmp_path / "content"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_reingest_of_unchanged_seeds_rewrites_nothing(workspace):
    seeds, content = workspace
    first = ingest(seeds, content)
    assert len(first.ingested) == 5 and not first.rejected
    before = snapshot(content)
    second = ingest(seeds, content)
    assert len(second.unchanged) == 5 and not second.ingested
    assert snapshot(content) == before  # bytes and mtimes


def test_editor_corrections_survive_reingest(workspace):
    seeds, content = workspace
    ingest(seeds, content)
    path = sorted((content / "articles").glob("*.md"))[0]
    front, body, _ = parse_document(path.read_text(), str(path))
    front["regions"] = [r for r in front["regions"] if r["id"] != front["regions"][0]["id"]]  # editor removes one
    front["title"] = "编辑修订的标题"
    if front["events"]:
        front["events"][0]["date"] = "1999-01-01"  # editor corrects an event date
    path.write_text(render_document(front, body))
    report = ingest(seeds, content)
    assert [slug for slug, _keys in report.kept_edited] == [path.stem]
    after, _, _ = parse_document(path.read_text(), str(path))
    assert after["title"] == "编辑修订的标题"
    assert after["regions"] == front["regions"]
    assert after["events"] == front["events"]
    assert ingest(seeds, content).kept_edited  # and again: still kept, still said


def test_force_regenerates_edited_files(workspace):
    seeds, content = workspace
    ingest(seeds, content)
    path = sorted((content / "articles").glob("*.md"))[0]
    original = path.read_text()
    path.write_text(original.replace("title:", "title: 改", 1))
    ingest(seeds, content, force=True)
    assert path.read_text() == original


def test_a_seed_that_disappears_does_not_delete_its_article(workspace):
    seeds, content = workspace
    ingest(seeds, content)
    gone = sorted(seeds.iterdir())[0]
    gone.unlink()
    report = ingest(seeds, content)
    assert len(report.orphaned) == 1
    assert len(list((content / "articles").glob("*.md"))) == 5


def test_slugs_are_ascii_date_plus_id_and_stable(workspace):
    seeds, content = workspace
    ingest(seeds, content)
    slugs = sorted(p.stem for p in (content / "articles").glob("*.md"))
    assert all(s.isascii() and s[:6].isdigit() for s in slugs)
    assert "202303-" in " ".join(slugs)  # a month-precision date reads as a month
    shutil.rmtree(content)
    ingest(seeds, content)
    assert sorted(p.stem for p in (content / "articles").glob("*.md")) == slugs


def test_the_same_story_from_two_sites_becomes_one_article(workspace, tmp_path):
    seeds, content = workspace
    original = (seeds / "001_25b1ee6b0da575a9.txt").read_text()
    syndicated = "转载 | 科技日报\n" + original.replace("江苏无锡:", "无锡:") + "\n(来源:科技日报)\n"
    (seeds / "zz_syndicated.txt").write_text(syndicated)
    report = ingest(seeds, content)
    assert report.merged == [("zz_syndicated.txt", "001_25b1ee6b0da575a9.txt")]
    articles = list((content / "articles").glob("*.md"))
    assert len(articles) == 5
    merged = [parse_document(p.read_text(), str(p))[0] for p in articles]
    hosts = [f for f in merged if f["also_reported_by"]]
    assert len(hosts) == 1 and hosts[0]["also_reported_by"][0]["seed"] == "zz_syndicated.txt"


def test_unchanged_seeds_come_from_the_extraction_cache(workspace, tmp_path, monkeypatch):
    import briefing.ingest.pipeline as pipeline

    seeds, content = workspace
    cache = tmp_path / "cache"
    ingest(seeds, content, cache_dir=cache)
    calls = []
    real = pipeline.process_seed
    monkeypatch.setattr(pipeline, "process_seed", lambda path, slugs=None: calls.append(path.name) or real(path, slugs))
    assert len(ingest(seeds, content, cache_dir=cache).unchanged) == 5
    assert calls == []  # nothing re-extracted
    edited = seeds / "001_25b1ee6b0da575a9.txt"
    edited.write_text(edited.read_text().replace("太湖湾风起逐新浪", "太湖湾风起逐浪高"))
    report = ingest(seeds, content, cache_dir=cache)
    assert calls == ["001_25b1ee6b0da575a9.txt"] and len(report.ingested) == 1
    pipeline.ingest_version.cache_clear()
    monkeypatch.setattr(pipeline, "ingest_version", lambda: "another-code-version")
    calls.clear()
    ingest(seeds, content, cache_dir=cache)
    assert len(calls) == 5  # new code or vocabularies: everything is extracted again
