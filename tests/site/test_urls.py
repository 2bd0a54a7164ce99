"""The one module that decides paths and links."""

from __future__ import annotations

import pytest

from briefing.errors import BriefingError
from briefing.site import urls
from briefing.site.writer import sanitised_join


def test_pretty_paths_per_variant():
    assert urls.article("hans", "2021-06-02-abc") == "articles/2021-06-02-abc/index.html"
    assert urls.article("hant", "2021-06-02-abc") == "hant/articles/2021-06-02-abc/index.html"
    assert urls.home("hans") == "index.html"
    assert urls.home("hant") == "hant/index.html"
    assert urls.timeline_year("hans", 2021) == "timeline/2021/index.html"


def test_links_are_relative_to_the_page_and_drop_index_html():
    page = urls.article("hans", "a")
    assert urls.href(page, urls.region("hans", "wuxi")) == "../../regions/wuxi/"
    assert urls.href(page, urls.home("hans")) == "../../"
    assert urls.href(urls.home("hans"), urls.home("hans")) == "./"
    assert urls.href(page, urls.timeline_year("hans", 2021), "e-x") == "../../timeline/2021/#e-x"
    assert urls.href(urls.article("hant", "a"), urls.static("style.css")) == "../../../static/style.css"


def test_counterpart_switches_script_on_the_same_page():
    page = urls.region("hans", "wuxi")
    assert urls.counterpart(page) == "hant/regions/wuxi/index.html"
    assert urls.counterpart(urls.counterpart(page)) == page


@pytest.mark.parametrize("raw", ["../../x", "..", "/etc/passwd", "a/b", "无锡", "a b", "C:\\x", ".hidden", ""])
def test_segments_are_ascii_and_cannot_climb(raw):
    seg = urls.segment(raw)
    assert seg and seg.isascii()
    assert "/" not in seg and "\\" not in seg and not seg.startswith(".")
    assert seg not in (".", "..")


def test_distinct_raw_slugs_never_share_a_segment():
    assert urls.segment("../../x") != urls.segment("x")
    assert urls.segment("a b") != urls.segment("a-b")
    assert urls.segment("2021-06-02-abc") == "2021-06-02-abc"


def test_base_url_gives_absolute_canonical_and_path():
    assert urls.absolute("https://example.org/briefing/", "regions/wuxi/index.html") == \
        "https://example.org/briefing/regions/wuxi/"
    assert urls.absolute(None, "index.html") is None
    assert urls.base_path("https://example.org/briefing") == "/briefing/"
    assert urls.base_path("https://example.org") == "/"


@pytest.mark.parametrize("bad", ["../x", "a/../../x", "/abs", "a\\b", "", ".", "a//b", "./a"])
def test_sanitised_join_refuses_paths_that_leave_the_output(tmp_path, bad):
    with pytest.raises(BriefingError):
        sanitised_join(tmp_path, bad)


def test_sanitised_join_refuses_symlinked_escape(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "link").symlink_to(tmp_path)
    with pytest.raises(BriefingError):
        sanitised_join(out, "link/evil.html")
    assert sanitised_join(out, "a/b.html") == out / "a" / "b.html"
    (out / "a").mkdir()
    (out / "a" / "deeper").symlink_to(tmp_path)          # a link further down, to outside
    with pytest.raises(BriefingError):
        sanitised_join(out, "a/deeper/evil.html")
    (out / "a" / "inside").symlink_to(out / "a")          # a link that stays inside is fine
    assert sanitised_join(out, "a/inside/ok.html") == out / "a" / "inside" / "ok.html"
    assert sanitised_join(out, "new/folder/page.html") == out / "new" / "folder" / "page.html"


def test_a_folder_found_plain_is_looked_at_again_by_the_next_build(tmp_path):
    from briefing.site import writer

    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    writer.forget_folders()
    assert sanitised_join(out, "a/x.html") == out / "a" / "x.html"
    assert str(out / "a") in writer._PLAIN_FOLDERS          # the next file there needs no lstat
    (out / "a").rmdir()
    (out / "a").symlink_to(tmp_path)
    writer.forget_folders()                                  # what each build does first
    with pytest.raises(BriefingError):
        sanitised_join(out, "a/y.html")
    assert str(out / "a") not in writer._PLAIN_FOLDERS


def test_a_first_build_makes_each_folder_once_and_writes_whole_files(tmp_path):
    from briefing.site import writer

    out = tmp_path / "out"
    writer.forget_folders()
    for name in ("one", "two"):
        status, state = writer.prepare(out, tmp_path / "staging", f"deep/er/{name}.html", name.encode(), None,
                                       direct=True)
        assert status == "staged" and state.size == len(name)
    assert sorted(p.name for p in (out / "deep" / "er").iterdir()) == ["one.html", "two.html"]  # no temp files left
    assert (out / "deep" / "er" / "two.html").read_bytes() == b"two"
    assert str(out / "deep" / "er") in writer._PLAIN_FOLDERS
