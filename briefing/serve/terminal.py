"""The terminal line printed for each rebuild (and the error lines that follow a failure).

    14:03:07 content/articles/2021-06-02-3b4e7031.md → 9 written · 20012 unchanged · 0 removed · 84 ms
    14:03:12 seeds/017_a1b2.txt → ingested 1 → 11 written · 20010 unchanged · 0 removed · 231 ms
    14:03:19 templates/base.html → FAILED (1 error) · last good site kept · 12 ms
      templates/base.html:14: unexpected '}'
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from briefing.serve.rebuild import RebuildResult


def display_path(path: Path, cwd: Path | None = None) -> str:
    cwd = cwd or Path.cwd()
    try:
        shown = os.path.relpath(Path(path).absolute(), cwd)
    except ValueError:
        shown = str(path)
    if shown.startswith(".." + os.sep + ".."):
        shown = str(path)
    return shown.replace(os.sep, "/")


def describe_trigger(result: RebuildResult, cwd: Path | None = None) -> str:
    if not result.trigger:
        return "full build" if result.full else "no input"
    first = result.trigger[0]
    shown = display_path(first, cwd)
    if not first.exists():
        shown += " (deleted)"
    more = len(result.trigger) - 1
    if more:
        kinds = ", ".join(f"{n} {kind.value}" for kind, n in sorted(
            result.kinds.items(), key=lambda item: item[0].value))
        shown += f" +{more} more ({kinds})"
    if result.full:
        shown += " [full build]"
    return shown


def rebuild_line(result: RebuildResult, *, now: float | None = None,
                 cwd: Path | None = None) -> str:
    stamp = time.strftime("%H:%M:%S", time.localtime(now if now is not None else time.time()))
    parts = [f"{stamp} {describe_trigger(result, cwd)}"]
    if result.ingested or result.rejected:
        ingest = f"ingested {len(result.ingested)}"
        if result.rejected:
            ingest += f", rejected {len(result.rejected)}"
        parts.append(ingest)
    milliseconds = f"{result.seconds * 1000:.0f} ms"
    if result.ok:
        counts = (f"{len(result.written)} written · {len(result.unchanged)} unchanged · "
                  f"{len(result.removed)} removed · {milliseconds}")
        parts.append(counts)
    else:
        n = len(result.errors)
        parts.append(f"FAILED ({n} error{'s' if n != 1 else ''}) · last good site kept · "
                     f"{milliseconds}")
    return " → ".join(parts)


def problem_lines(result: RebuildResult) -> list[str]:
    """The lines printed under a rebuild line: every error and rejected seed, indented."""
    lines = [f"  {error}" for error in result.errors]
    lines += [f"  {name}: rejected: {reason}" for name, reason in result.rejected]
    if result.details:
        lines += ["  " + line for line in result.details.rstrip().splitlines()]
    return lines
