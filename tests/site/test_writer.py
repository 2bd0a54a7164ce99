"""The writer's clean-up of an output folder: files no build produced are removed, and the
folders they leave empty, and nothing else."""

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
