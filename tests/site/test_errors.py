"""Bad content and broken templates: every problem reported at once, the previous site untouched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefing.errors import BriefingError, BriefingErrors
from briefing.site.builder import build_site

from .conftest import FIXTURE_CONTENT, ROOT

GOOD = (FIXTURE_CONTENT / "articles" / "2022-03-09-sunan.md").read_text(encoding="utf-8")


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def built(tmp_path, vocab):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    out = tmp_path / "site"
    build_site(content, out, vocab=vocab, cache_dir=tmp_path / "cache", quiet=True, search=False)
    return content, out


def _write(content: Path, name: str, text: str) -> None:
    (content / "articles" / name).write_text(text, encoding="utf-8")


def test_every_bad_file_is_reported_with_file_and_line_and_the_site_is_left_alone(built, tmp_path):
    content, out = built
    before = _snapshot(out)
    _write(content, "bad-yaml.md", "---\ntitle: ok\nslug: 'unclosed\ndate: '2021-01-01'\n---\n\nbody\n")
    _write(content, "bad-fields.md", GOOD.replace("slug: 2022-03-09-sunan", "slug: other-slug")
           .replace("date: '2022-03-09'", "date: '2022-13-40'").replace("title: 苏南国家自主创新示范区联动协同\n", ""))
    _write(content, "no-front.md", "just text\n")
    _write(content, "bad-event.md", GOOD.replace("slug: 2022-03-09-sunan", "slug: third").replace("paragraph: 3\n  sentence: 2021年", "paragraph: 9\n  sentence: 2021年"))
    proc = subprocess.run([sys.executable, "-m", "briefing.commands.build", "--content", str(content), "--out", str(out),
                           "--cache", str(tmp_path / "cache"), "--no-search"],
                          capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 1, proc.stderr
    err = proc.stderr
    lines = {line.split(": ", 2)[1] for line in err.splitlines() if line.startswith("error: ")}
    assert f"{content}/articles/bad-yaml.md:4" in lines            # the YAML parser's line
    assert f"{content}/articles/no-front.md:1" in lines
    assert any(l.startswith(f"{content}/articles/bad-fields.md:") for l in lines)
    bad_event_line = GOOD.split("\n").index("  paragraph: 3", GOOD.split("\n").index("- date: '2021'")) + 1
    assert f"{content}/articles/bad-event.md:{bad_event_line}" in lines
    assert "'date' must be an ISO date" in err and "'title' is missing" in err
    assert "paragraph 9 does not exist" in err
    assert _snapshot(out) == before


def test_unknown_vocabulary_id_is_reported_at_its_line(built, vocab):
    content, out = built
    before = _snapshot(out)
    text = GOOD.replace("- {id: nanjing, mentions: 1, main: false}", "- {id: atlantis, mentions: 1, main: false}")
    _write(content, "2022-03-09-sunan.md", text)
    with pytest.raises(BriefingErrors) as exc:
        build_site(content, out, vocab=vocab, quiet=True, search=False)
    (error,) = exc.value.errors
    assert "unknown region id 'atlantis'" in error.message
    assert error.line == text.split("\n").index("- {id: atlantis, mentions: 1, main: false}") + 1
    assert _snapshot(out) == before


def test_template_error_names_template_line_and_page(built, tmp_path, vocab):
    content, out = built
    before = _snapshot(out)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "person.html").write_text(
        '{% extends "base.html" %}\n{% block title %}x{% endblock %}\n{% block main %}\n<p>{{ h.no_such_thing() }}</p>\n{% endblock %}\n',
        encoding="utf-8")
    with pytest.raises(BriefingErrors) as exc:
        build_site(content, out, vocab=vocab, templates_dir=templates, quiet=True, search=False)
    first = exc.value.errors[0]
    assert str(first.path).endswith("person.html")
    assert first.line == 4
    assert "people/" in first.message and "index.html" in first.message
    assert _snapshot(out) == before


def test_template_syntax_error_is_reported_too(built, tmp_path, vocab):
    content, out = built
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "about.html").write_text('{% extends "base.html" %}\n{% block main %}\n{% if %}\n{% endblock %}\n',
                                          encoding="utf-8")
    with pytest.raises(BriefingErrors) as exc:
        build_site(content, out, vocab=vocab, templates_dir=templates, quiet=True, search=False)
    assert any(str(e.path).endswith("about.html") and e.line == 3 and "about/index.html" in e.message
               for e in exc.value.errors)


def test_refuses_to_take_over_a_folder_it_did_not_make(tmp_path, vocab):
    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(BriefingError):
        build_site(FIXTURE_CONTENT, foreign, vocab=vocab, quiet=True, search=False)
    assert (foreign / "notes.txt").read_text() == "mine"
