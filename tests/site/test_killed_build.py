"""A build killed with SIGKILL while writing leaves whole files only, and the next build
repairs the site: it ends byte-identical to a build that was never interrupted."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing.site import stamp, writer

from .conftest import FIXTURE_CONTENT, ROOT

COPIES = 80
THEME_BASE = ROOT / "briefing" / "theme" / "templates" / "base.html"


def _content(root: Path) -> Path:
    content = root / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    source = (FIXTURE_CONTENT / "articles/2022-03-09-sunan.md").read_text(encoding="utf-8")
    for i in range(COPIES):
        (content / "articles" / f"copy-{i:03d}.md").write_text(
            source.replace("slug: 2022-03-09-sunan", f"slug: copy-{i:03d}"), encoding="utf-8")
    return content


def _command(content: Path, out: Path, cache: Path, templates: Path) -> list[str]:
    return [sys.executable, "-m", "briefing.commands.build", "--content", str(content), "--out", str(out),
            "--cache", str(cache), "--templates", str(templates), "--no-search", "--quiet"]


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr


def _kill_when(cmd: list[str], ready) -> bool:
    """Start a build, SIGKILL it (and its workers) once ``ready()``; False if it finished first."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            if ready():
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                return True
            time.sleep(0.002)
        raise AssertionError("the build neither reached the point to kill nor finished")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _pages(out: Path) -> list[Path]:
    return [p for p in out.rglob("index.html") if not p.name.startswith(".")]


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _assert_whole(out: Path) -> None:
    for page in _pages(out):
        assert page.read_bytes().endswith(b"</html>\n"), page


@pytest.mark.parametrize("moment", ["first build", "rewrite of every page"])
def test_a_killed_build_leaves_whole_files_and_the_next_build_repairs_it(tmp_path, moment):
    content = _content(tmp_path)
    out, cache, templates = tmp_path / "site", tmp_path / "cache", tmp_path / "templates"
    templates.mkdir()
    cmd = _command(content, out, cache, templates)
    if moment == "first build":
        ready = lambda: out.is_dir() and len(_pages(out)) >= 20  # noqa: E731
    else:
        _run(cmd)
        marker = "<!-- killed-build test -->"
        (templates / "base.html").write_text(THEME_BASE.read_text(encoding="utf-8").replace(
            "</body>", marker + "\n</body>"), encoding="utf-8")
        pages = _pages(out)

        def ready() -> bool:  # the build has started moving new pages in
            return any(marker.encode() in p.read_bytes() for p in pages[:: max(1, len(pages) // 50)])

    if not _kill_when(cmd, ready):
        pytest.skip("the build finished before it could be killed")
    assert stamp.stamp_path(cache) is not None and not stamp.stamp_path(cache).exists()
    _assert_whole(out)

    _run(cmd)                      # the next build repairs it
    _assert_whole(out)
    clean = tmp_path / "clean"
    _run(_command(content, clean, tmp_path / "clean-cache", templates))
    mine, theirs = _tree(out), _tree(clean)
    assert sorted(mine) == sorted(theirs)
    assert [p for p in mine if mine[p] != theirs[p]] == []
    assert not list(tmp_path.glob(".site.staging-*"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="zombies are read from /proc")
def test_staging_left_by_a_killed_build_is_removed_even_before_its_process_is_reaped(tmp_path):
    """A build killed with its parent is re-parented and stays a zombie until the system reaps
    it: its staging folder is abandoned all the same. A running build's is left alone."""
    out = tmp_path / "site"
    out.mkdir()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0] == b"Z":
            assert time.monotonic() < deadline, "the child never ended"
            time.sleep(0.005)
        abandoned = tmp_path / f".site.staging-{pid}"
        running = tmp_path / f".site.staging-{os.getppid()}"
        abandoned.mkdir()
        running.mkdir()
        writer.clean_abandoned_staging(out)
        assert not abandoned.exists() and running.exists()
    finally:
        os.waitpid(pid, 0)
