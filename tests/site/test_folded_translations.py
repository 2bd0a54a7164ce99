"""A template's UI strings on literals are compiled into each script's environment: the
page reads the same as when ``_`` is called at render time, without the call."""

from __future__ import annotations

from briefing.site import render, urls
from briefing.site.variants import ui

SOURCE = ("{{ _('文章') }}|{{ _(\"关于本站与数据\") ~ '·' }}|{{ _(word) }}|{{ h._('地区') }}|"
          "{{ _('第') }}{{ n }}{{ _('段') }}|{% set t = _('时间线') %}{{ t }}|{{ _('a<b') }}")


class Helper:
    def __init__(self, variant, calls):
        self.variant, self.calls = variant, calls

    def _(self, text):
        self.calls.append(text)
        return ui(text, self.variant)


def _render(env, variant):
    calls: list[str] = []
    h = Helper(variant, calls)
    html = env.from_string(SOURCE).render(h=h, _=h._, word="人物", n=3)
    return html, calls


def test_each_script_shows_what_calling_would_and_calls_only_for_what_is_not_literal(tmp_path):
    env = render.make_environment(cache_dir=tmp_path)
    for variant in urls.VARIANTS:
        called, all_calls = _render(env, variant)
        folded, calls = _render(render.script_environment(env, variant), variant)
        assert folded == called
        assert len(all_calls) == 8 and calls == ["人物", "地区"]   # _(word) and h._(…) stay calls
    hant, _ = _render(render.script_environment(env, urls.HANT), urls.HANT)
    assert hant.startswith("文章|關於本站與數據·|人物|地區|第3段|時間線|a&lt;b")
    assert render.script_environment(env, urls.HANT) is render.script_environment(env, urls.HANT)


def test_each_scripts_compiled_templates_are_kept_apart(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("<p>{{ _('时间线') }}</p>", encoding="utf-8")
    cache = tmp_path / "cache"
    first = render.make_environment(templates, cache)
    assert render.script_environment(first, urls.HANT).get_template("page.html").render(_=None) == "<p>時間線</p>"
    assert render.script_environment(first, urls.HANS).get_template("page.html").render(_=None) == "<p>时间线</p>"
    assert len(list((cache / "templates").iterdir())) == 2
    again = render.make_environment(templates, cache)    # a later process: from the bytecode cache
    assert render.script_environment(again, urls.HANS).get_template("page.html").render(_=None) == "<p>时间线</p>"
    assert render.script_environment(again, urls.HANT).get_template("page.html").render(_=None) == "<p>時間線</p>"
