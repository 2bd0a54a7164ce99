"""Command line: `python build.py [ingest|build|serve]`. One module per command in briefing.commands.

Exit codes: 0 success, 1 some input was rejected or the build failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "ingest": "normalise seeds/ into content/articles/*.md",
    "build": "render content/ into site/",
    "serve": "build, serve on localhost and rebuild on every change (live reload)",
}


def _command(name: str):
    return importlib.import_module(f"briefing.commands.{name}")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="briefing: scraped Chinese news articles → a cross-referenced briefing site. "
                    "Without a command: ingest, then build.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        module = _command(name)
        command_parser = sub.add_parser(name, help=help_text, description=module.__doc__)
        module.add_arguments(command_parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)  # argparse exits with 2 on usage errors
    if args.command is None:
        ingest_args = parser.parse_args(["ingest", *(["--quiet"] if False else [])])
        status = _command("ingest").run(ingest_args)
        build_args = parser.parse_args(["build"])
        return max(status, _command("build").run(build_args))
    return _command(args.command).run(args)


if __name__ == "__main__":
    sys.exit(main())
