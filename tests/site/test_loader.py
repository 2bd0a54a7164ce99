"""The content loader kept between builds: told which files changed, it reads only those and
keeps the articles in file-name order however files come and go."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.site.load import ContentLoader, keyword_pairs, pack_keywords

from .conftest import FIXTURE_CONTENT


def _names(articles) -> list[str]:
    return [Path(a.path).name for a in articles]


def test_hinted_refreshes_keep_file_name_order_as_files_are_edited_added_and_removed(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    folder = content / "articles"
    loader = ContentLoader(content, tmp_path / "cache", workers=1)
    articles, _ = loader.refresh()
    names = _names(articles)
    assert names == sorted(names) and len(names) >= 3

    edited = folder / names[1]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
    articles, changed = loader.refresh({edited}, persist=False)
    assert _names(articles) == names and changed == {str(edited)}
    assert "补充一句" in "".join(str(b) for b in articles[1].blocks)

    added = folder / ("0000-" + names[1])   # sorts first
    shutil.copyfile(folder / names[0], added)
    gone = folder / names[-1]
    gone.unlink()
    articles, changed = loader.refresh({added, gone})
    assert _names(articles) == sorted([added.name] + names[:-1])
    assert changed == {str(added), str(gone)}

    fresh = ContentLoader(content, tmp_path / "cache", workers=1)   # what a new process finds
    assert _names(fresh.refresh()[0]) == _names(articles)


def test_articles_read_from_the_cache_share_recurring_records_and_pack_their_keywords(tmp_path):
    ContentLoader(FIXTURE_CONTENT, tmp_path / "cache", workers=1).refresh()
    articles, _ = ContentLoader(FIXTURE_CONTENT, tmp_path / "cache", workers=1).refresh()  # from the cache
    by_id: dict = {}
    for art in articles:
        for ref in art.regions:
            by_id.setdefault((ref.id, ref.mentions, ref.main), []).append(ref)
    recurring = [refs for refs in by_id.values() if len(refs) > 1]
    assert recurring, "the fixture articles must name a region alike twice"
    assert all(ref is refs[0] for refs in recurring for ref in refs)

    art = max(articles, key=lambda a: len(a.keyword_counts))
    pairs = keyword_pairs(art)
    assert len(pairs) == len(art.keyword_counts) > 0 and all(len(word) == 2 for word, _ in pairs)
    assert [c for _, c in pairs] == sorted((c for _, c in pairs), reverse=True)
    assert pack_keywords(pairs) == (art.keywords, art.keyword_counts)
    assert keyword_pairs(SimpleNamespace(**dict(zip(("keywords", "keyword_counts"),
                                                    pack_keywords([("长三", 300), ("三角", 2)]))))) \
        == [("长三", 255), ("三角", 2)]   # a count past 255 is kept as 255 (features stop at 8)


def test_a_folder_named_another_way_is_read_from_the_cache_not_parsed_again(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    monkeypatch.chdir(tmp_path)
    first, _ = ContentLoader("content", tmp_path / "cache", workers=1).refresh()   # relative
    assert all(not Path(a.path).is_absolute() for a in first)

    from briefing.site import load
    parsed: list[str] = []
    real_parse = load.parse_article
    monkeypatch.setattr(load, "parse_article", lambda path, *rest: (parsed.append(path), real_parse(path, *rest))[1])
    for _ in range(2):   # the absolute name, then the same again in a new process
        articles, _ = ContentLoader(content, tmp_path / "cache", workers=1).refresh()
        assert parsed == []
        assert [a.path for a in articles] == [str(content / "articles" / Path(a.path).name) for a in first]
        assert [a.content_hash for a in articles] == [a.content_hash for a in first]
    articles, _ = ContentLoader("content", tmp_path / "cache", workers=1).refresh()   # and back
    assert parsed == [] and [a.path for a in articles] == [a.path for a in first]


def test_a_new_process_reads_only_the_pack_frames_it_needs_and_a_damaged_pack_is_parsed_again(tmp_path):
    from briefing.site.load import LoadCache

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    cache_dir = tmp_path / "cache"
    articles, _ = ContentLoader(content, cache_dir, workers=1).refresh()   # the first frame: every article
    edited = content / "articles" / _names(articles)[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
    again, _ = ContentLoader(content, cache_dir, workers=1).refresh()      # appends a frame of one
    new = again[0]

    cache = LoadCache(cache_dir)
    assert cache.frames == 2 and cache.read_frames == set()
    assert cache.get(new.content_hash) == new
    assert len(cache.read_frames) == 1 and 0 not in cache.read_frames    # the small frame only
    assert cache.get(again[1].content_hash) == again[1] and 0 in cache.read_frames

    pack = next(cache_dir.glob("articles-*.pack"))
    pack.write_bytes(pack.read_bytes()[:50])       # cut short
    damaged = LoadCache(cache_dir)
    assert damaged.get(new.content_hash) is None and not pack.exists()
    assert _names(ContentLoader(content, cache_dir, workers=1).refresh()[0]) == _names(again)


def test_an_articles_blocks_are_kept_packed_and_read_as_the_blocks_parsed(tmp_path):
    """Blocks are kept as one pickled string an article (a saved state restores thousands of
    articles, of which an edit renders one); read, they are the blocks the body parses to."""
    import io
    import pickle

    from briefing.site.body import Block, PackedBlocks, parse_body
    from briefing.site.load import split_front_matter

    loader = ContentLoader(FIXTURE_CONTENT, tmp_path / "cache", workers=1)
    articles, _ = loader.refresh()
    src = articles[0]
    assert isinstance(src.blocks, PackedBlocks)
    _, body, _ = split_front_matter(Path(src.path).read_text(encoding="utf-8"))
    parsed, _ = parse_body(body)
    kept = [(b.kind, b.html, b.number, b.section, b.level, b.line) for b in parsed]
    assert [(b.kind, b.html, b.number, b.section, b.level, b.line) for b in src.blocks] == kept
    assert all(isinstance(b, Block) for b in src.blocks) and len(src.blocks) == len(parsed) > 2

    restored = pickle.loads(pickle.dumps(src))
    assert restored == src and restored.blocks.data == src.blocks.data
    classes: list[str] = []

    class Recording(pickle.Unpickler):
        def find_class(self, module, name):
            classes.append(name)
            return super().find_class(module, name)

    Recording(io.BytesIO(pickle.dumps(src.blocks))).load()
    assert classes == ["PackedBlocks"]   # restoring them makes no Block


def _keywords_one_run_at_a_time(title: str, texts: list[str]) -> list[tuple[str, int]]:
    """The plain reference: count the bigrams of each Han run, take the most frequent."""
    import re
    from collections import Counter

    from briefing.site.load import KEYWORDS_PER_ARTICLE
    from briefing.text.script import to_simplified

    counts: Counter = Counter()
    for run in re.findall(r"[\u4e00-\u9fff]{2,}", to_simplified(title + "\n" + "\n".join(texts))):
        counts.update(run[i:i + 2] for i in range(len(run) - 1))
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:KEYWORDS_PER_ARTICLE]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="长三角科创合作共同体,。 a1無錫\n", max_size=30),
       st.lists(st.text(alphabet="长三角科创合作共同体区域一体化,。 ab12無錫蘇州\n", max_size=80), max_size=6))
def test_an_articles_keywords_are_its_most_frequent_han_bigrams(title, texts):
    from briefing.site.body import Block
    from briefing.site.load import _keywords

    blocks = tuple(Block("p", "", text, i + 1, 0, 0, i + 1) for i, text in enumerate(texts))
    assert list(_keywords(title, blocks)) == _keywords_one_run_at_a_time(title, texts)
