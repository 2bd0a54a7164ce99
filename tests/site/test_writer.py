"""The writer: files no build produced are removed, and the folders they leave empty, and
nothing else; files are moved into place whatever stood in their way."""

from __future__ import annotations

from briefing.site import urls, writer


def _touch(root, rel):
    path = root.joinpath(*rel.split("/"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(rel, encoding="utf-8")


def test_stale_files_go_and_the_folders_they_leave_empty_with_them(tmp_path):
    out = tmp_path / "site"
    produced = {"index.html", "articles/a/index.html", "regions/wuxi/index.html"}
    stale = ["articles/b/index.html", "old/deep/er/page.html", "regions/wuxi/old.html"]
    kept_apart = ["pagefind/parts/1/x.pf_fragment", "pagefind/pagefind.js"]
    for rel in [*produced, *stale, *kept_apart, urls.MARKER]:
        _touch(out, rel)
    (out / "left" / "empty" / "by-a-killed-build").mkdir(parents=True)
    (out / "pagefind" / "empty").mkdir()

    removed = writer.remove_stale(out, produced, keep_prefixes=("pagefind/",))

    assert removed == sorted(stale)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == sorted([*produced, *kept_apart, urls.MARKER])
    folders = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_dir())
    # the folders left empty went, deepest first, parents with them; a kept prefix's are not looked at
    assert folders == ["articles", "articles/a", "pagefind", "pagefind/empty", "pagefind/parts", "pagefind/parts/1",
                       "regions", "regions/wuxi"]


def test_a_file_goes_in_where_a_folder_or_a_file_stood_in_its_way(tmp_path):
    """Moving files into place: a folder where a file goes is replaced by the file, a file
    where a folder goes by the folder; each recorded state is the file's as it now is."""
    out = tmp_path / "site"
    (out / "a" / "page.html" / "old").mkdir(parents=True)      # a folder where a file goes
    (out / "b").write_bytes(b"a file where a folder goes")
    made = tmp_path / "made"
    (made / "a").mkdir(parents=True)
    (made / "b").mkdir()
    (made / "a" / "page.html").write_bytes(b"page")
    (made / "b" / "index.html").write_bytes(b"index")
    states: dict = {}
    written, unchanged, _ = writer.sync_folder(made, tmp_path, "site", {}, states)   # into tmp_path/site
    assert written == ["site/a/page.html", "site/b/index.html"] and not unchanged
    assert (out / "a" / "page.html").read_bytes() == b"page" and (out / "b" / "index.html").read_bytes() == b"index"
    for rel in written:
        st = (tmp_path / rel).stat()
        assert (states[rel].size, states[rel].mtime_ns) == (st.st_size, st.st_mtime_ns)
        assert states[rel].digest == writer.digest((tmp_path / rel).read_bytes())
