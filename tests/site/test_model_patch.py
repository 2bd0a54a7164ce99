"""An edit of an article's body patches the kept model; the patch equals a full build."""

from __future__ import annotations

import dataclasses

from briefing.site import load, model

from tests.site.conftest import FIXTURE_CONTENT


def _edited_body(src: load.ArticleSource, keywords) -> load.ArticleSource:
    words, counts = load.pack_keywords(keywords)
    return dataclasses.replace(src, content_hash="edited", keywords=words, keyword_counts=counts,
                               blocks=src.blocks[:-1])


def test_a_body_edit_patches_the_model_to_exactly_what_a_full_build_makes(vocab):
    sources = load.load_articles(FIXTURE_CONTENT)
    site = model.build_site(sources, vocab)
    target = max(sources, key=lambda s: len(s.keywords))
    pairs = load.keyword_pairs(target)
    for keywords in (pairs, [("石墨", 9)] + pairs[1:]):  # same words; new words
        edited = _edited_body(target, keywords)
        patched = model.patch_site(site, [edited])
        full = model.build_site([edited if s is target else s for s in sources], vocab)
        assert patched is not None
        assert dict(patched.fingerprints) == dict(full.fingerprints)
        assert dict(patched.related) == dict(full.related)
        assert patched.articles == full.articles and dict(patched.by_slug) == dict(full.by_slug)
        assert patched.related_cache[0] == full.related_cache[0]
        assert patched.by_slug[target.slug].src is edited


def test_front_matter_edits_and_new_articles_need_a_full_build(vocab):
    sources = load.load_articles(FIXTURE_CONTENT)
    site = model.build_site(sources, vocab)
    assert model.patch_site(site, [dataclasses.replace(sources[0], front_hash="changed")]) is None
    assert model.patch_site(site, [dataclasses.replace(sources[0], slug="a-new-one")]) is None
