"""Editors win: the store's three-way merge and its byte-for-byte idempotence."""

import os

import pytest

from briefing.errors import BriefingError
from briefing.frontmatter import parse_document, render_document
from briefing.ingest.store import ContentStore


def front(**overrides):
    value = {"title": "标题", "slug": "2021-06-02-abcdef12", "date": "2021-06-02", "seed": "a.txt",
             "regions": [{"id": "wuxi", "mentions": 3, "main": True}]}
    value.update(overrides)
    return value


@pytest.fixture
def store(tmp_path):
    return ContentStore(tmp_path / "content")


def test_first_write_then_unchanged_keeps_mtime(store):
    assert store.store("2021-06-02-abcdef12", front(), "正文。").status == "ingested"
    path = store.article_path("2021-06-02-abcdef12")
    os.utime(path, (1, 1))
    assert store.store("2021-06-02-abcdef12", front(), "正文。").status == "unchanged"
    assert path.stat().st_mtime == 1


def test_unedited_file_takes_new_extraction(store):
    store.store("s", front(), "正文。")
    result = store.store("s", front(title="新标题"), "正文。")
    assert result.status == "ingested"
    assert parse_document(store.article_path("s").read_text(), "x")[0]["title"] == "新标题"


def test_editor_values_survive_reingest_and_others_update(store):
    store.store("s", front(), "正文。")
    path = store.article_path("s")
    edited = front(regions=[{"id": "suzhou", "mentions": 1, "main": True}])  # editor replaced a region
    path.write_text(render_document(edited, "正文，编辑改过。"), encoding="utf-8")
    result = store.store("s", front(title="新标题"), "正文。")
    assert result.status == "kept-edited" and set(result.kept) == {"regions", "body"}
    merged, body, _ = parse_document(path.read_text(), "x")
    assert merged["regions"] == [{"id": "suzhou", "mentions": 1, "main": True}]
    assert merged["title"] == "新标题"
    assert body.strip() == "正文，编辑改过。"


def test_key_deleted_by_editor_stays_deleted(store):
    store.store("s", front(author="朱洁"), "正文。")
    path = store.article_path("s")
    text = path.read_text().replace("author: 朱洁\n", "")
    path.write_text(text)
    store.store("s", front(author="朱洁"), "正文。")
    assert "author" not in parse_document(path.read_text(), "x")[0]


def test_force_regenerates(store):
    store.store("s", front(), "正文。")
    store.article_path("s").write_text(render_document(front(title="编辑"), "正文。"))
    assert store.store("s", front(), "正文。", force=True).status == "ingested"
    assert parse_document(store.article_path("s").read_text(), "x")[0]["title"] == "标题"


def test_article_deleted_by_editor_is_not_recreated(store):
    store.store("s", front(), "正文。")
    store.article_path("s").unlink()
    assert store.store("s", front(), "正文。").status == "kept-deleted"
    assert not store.article_path("s").exists()


def test_hand_written_file_with_the_same_slug_is_never_clobbered(store):
    path = store.article_path("s")
    path.parent.mkdir(parents=True)
    path.write_text("---\ntitle: 手写\n---\n\n正文\n")
    assert store.store("s", front(), "正文。").status == "kept-edited"
    assert "手写" in path.read_text()


def test_editor_broken_yaml_is_an_error_naming_the_line_and_file_is_kept(store):
    store.store("s", front(), "正文。")
    path = store.article_path("s")
    path.write_text("---\ntitle: 标题\nregions: [wuxi\n---\n\n正文。\n")
    with pytest.raises(BriefingError) as caught:
        store.store("s", front(), "正文。")
    assert caught.value.line is not None and str(path) in str(caught.value)
    assert "regions: [wuxi" in path.read_text()


@pytest.mark.parametrize("slug", ["../../x", "a/b", ".hidden", ""])
def test_unsafe_slugs_cannot_escape_content(store, slug):
    with pytest.raises(BriefingError):
        store.article_path(slug)
