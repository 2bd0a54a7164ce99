"""Edits inside a running `python build.py serve`: save → page written → browser reloaded.

The real serve runs as a child process; Debian chromium (Playwright) has the edited
article's page open. For each edit: the wall clock at the save; the mtime of the
article's page once the rebuild is over (save → page written, from the file system's
own clock); the rebuild's own line; and the new document's DOMContentLoaded in the
browser (``performance.timeOrigin`` + navigation timing: save → browser reloaded).
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import edits
from edits import Edit
from measure import TreeSampler, tree_memory_bytes

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--disable-gpu"]
SERVING = re.compile(r" at (http://\S+/) ")


class ServeProcess:
    def __init__(self, project: Path, content: Path, out: Path, *, timeout: float):
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        command = [sys.executable, str(REPO / "build.py"), "serve", "--content", str(content),
                   "--out", str(out), "--port", "0", "--no-ingest"]
        self.proc = subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self._wait_for_url(timeout)

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def _wait_for_url(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            self.log.append(line)
            match = SERVING.search(line)
            if match:
                return match.group(1)
        raise RuntimeError("serve did not start:\n" + "\n".join(self.log[-20:]))

    def status(self) -> dict:
        with urllib.request.urlopen(self.url + "__briefing__/status", timeout=10) as response:
            return json.load(response)

    def wait_status(self, predicate: Callable[[dict], bool], timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status()
            if predicate(status):
                return status
            time.sleep(0.005)
        return None

    def pss_mb(self) -> float:
        return tree_memory_bytes(self.proc.pid)[1] / 2**20   # PSS: the memory really held

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        while not self.lines.empty():
            self.log.append(self.lines.get())


def article_page(out: Path, slug: str) -> Path:
    sys.path.insert(0, str(REPO))
    from briefing.site import urls

    return out / urls.article(urls.HANS, slug)


def measure_edits(project: Path, content: Path, out: Path, edits: list[Callable[[], Edit | None]],
                  *, watch_slug: str, browser: bool = True, timeout: float = 600) -> dict:
    """Run serve, make each edit, and time it; returns a JSON-able dict. An edit maker with a
    ``page_slug`` callable gets the browser on that article's page before it saves (only
    browsers whose page changed reload); others are timed on the page the browser is on."""
    serve = ServeProcess(project, content, out, timeout=timeout)
    results: dict = {"url": serve.url, "edits": []}
    page_path = article_page(out, watch_slug)
    playwright = chromium = page = None
    # the serve process tree's peak over the edits: its search indexer runs apart and comes
    # and goes, so one reading afterwards catches it or not
    sampler = TreeSampler(serve.proc.pid).__enter__()
    try:
        if browser:
            from playwright.sync_api import sync_playwright

            playwright = sync_playwright().start()
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = chromium.new_page()
            page.goto(serve.url + page_path.relative_to(out).parent.as_posix() + "/")
        for make_edit in edits:
            shows = getattr(make_edit, "page_slug", None)   # the browser watches the edited page
            if page is not None and shows is not None:
                page_path = article_page(out, shows())
                page.goto(serve.url + page_path.relative_to(out).parent.as_posix() + "/")
            # only browsers showing a changed page reload: wait until serve knows this one's page
            shown = page_path.relative_to(out).as_posix()
            if page is not None and serve.wait_status(lambda s: shown in s.get("viewing", ()), 30) is None:
                raise RuntimeError(f"the browser on {shown} did not connect to livereload")
            before = serve.status()
            record: dict = {}
            t_save = time.time()
            if page is not None:
                try:
                    # the first reload after the save (a first pass may reload before the build ends)
                    with page.expect_navigation(wait_until="domcontentloaded", timeout=60_000):
                        edit = make_edit()
                        t_save = edit.saved_at if edit is not None and edit.saved_at else time.time()
                    loaded = page.evaluate(
                        "performance.timeOrigin + "
                        "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
                    record["save_to_browser_reloaded_ms"] = round(loaded - t_save * 1000, 1)
                    done = _wait_rebuilt(serve, before, timeout)
                    _absorb_late_reload(page)
                except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
                    record["browser_error"] = f"{type(exc).__name__}: {exc}".splitlines()[0]
                    edit = locals().get("edit")
                    done = serve.status()
            else:
                edit = make_edit()
                t_save = edit.saved_at if edit is not None and edit.saved_at else t_save
                done = _wait_rebuilt(serve, before, timeout)
            if edit is None:
                continue
            record.update(kind=edit.kind, file=str(edit.path.relative_to(project)),
                          serve_line=done.get("last_line") if done else None,
                          rebuild_error=done.get("error") if done else "timed out")
            edited_page = article_page(out, edit.slug) if edit.slug else page_path   # else: the open page
            if edit.marker:  # raw bytes: a browser's DOM drops comments after </html>
                with urllib.request.urlopen(serve.url + edited_page.relative_to(out).as_posix(),
                                            timeout=30) as response:
                    record["marker_in_page"] = edit.marker in response.read().decode("utf-8")
            try:
                written = os.stat(edited_page).st_mtime_ns / 1e9
                record["save_to_page_written_ms"] = round((written - t_save) * 1000, 1) \
                    if written >= t_save - 0.01 else None
            except FileNotFoundError:
                record["save_to_page_written_ms"] = None
            match = re.search(r"· (\d+) ms$", record.get("serve_line") or "")
            record["rebuild_ms"] = int(match.group(1)) if match else None
            results["edits"].append(record)
        results["serve_pss_mb"] = round(serve.pss_mb(), 1)
    finally:
        sampler.__exit__(None, None, None)
        results["serve_peak_pss_mb"] = round(sampler.peak_pss / 2**20, 1)
        if chromium is not None:
            chromium.close()
        if playwright is not None:
            playwright.stop()
        serve.stop()
        results["log_tail"] = serve.log[-20:]
    return results


def _absorb_late_reload(page, seconds: float = 3.0) -> None:
    """The build that follows a first pass may reload the page once more when it ends: let
    that happen now, so the next edit's timing does not start with a reload already on its way."""
    try:
        with page.expect_navigation(wait_until="domcontentloaded", timeout=seconds * 1000):
            pass
    except Exception:  # noqa: BLE001 - no late reload: nothing to absorb
        pass


def _wait_rebuilt(serve: ServeProcess, before: dict, timeout: float) -> dict | None:
    return serve.wait_status(lambda s: s["generation"] > before["generation"]
                             and not s["building"], timeout)


def edit_makers(work: Path, plan: list[tuple[str, int]]) -> list[Callable[[], Edit | None]]:
    """The edits of ``plan`` ((kind, number): body, regions, template) for ``measure_edits``;
    an article edit has the browser on the edited article's page."""
    makers: list[Callable[[], Edit | None]] = []
    for kind, number in plan:
        if kind == "template":
            makers.append(lambda number=number: edits.template_edit(work, number))
            continue
        make = {"body": edits.body_edit, "regions": edits.regions_edit}[kind]
        maker = (lambda make=make, number=number: make(work / "content", number))
        maker.page_slug = (lambda kind=kind: edits._slug(edits.edited_article(work / "content", kind)))
        makers.append(maker)
    return makers


def main(argv: list[str] | None = None) -> int:
    """Edits in serve on a work folder a ``run.py`` run left (``benchmarks/out/work-<size>``)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("work", type=Path)
    parser.add_argument("--edits", default="body,regions,template",
                        help="comma-separated kinds, in order (default: body,regions,template)")
    parser.add_argument("--number", type=int, default=500, help="first edit number (each edit's text differs)")
    args = parser.parse_args(argv)
    work = args.work.resolve()
    plan = [(kind, args.number + i) for i, kind in enumerate(args.edits.split(","))]
    files = edits.articles_in(work / "content")
    result = measure_edits(work, work / "content", work / "site", edit_makers(work, plan),
                           watch_slug=edits._slug(files[len(files) // 2]), timeout=3600)
    for e in result["edits"]:
        print(f"{e.get('kind')}: page written {e.get('save_to_page_written_ms')} ms, browser reloaded "
              f"{e.get('save_to_browser_reloaded_ms')} ms, whole rebuild {e.get('rebuild_ms')} ms"
              + (f", {e['browser_error']}" if e.get("browser_error") else ""))
    print(f"serve memory (PSS): peak {result.get('serve_peak_pss_mb')} MB, after {result.get('serve_pss_mb')} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
