#!/usr/bin/env python3
"""Thin entry point: `python build.py [ingest|build|serve] ...` (see `--help`)."""
import sys

from briefing.cli import main

if __name__ == "__main__":
    sys.exit(main())
