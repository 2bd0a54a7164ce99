#!/usr/bin/env python3
"""Thin entry point: `python build.py [ingest|build|serve] ...` (see `--help`)."""
import os
import sys

from briefing.cli import main

if __name__ == "__main__":
    status = main()
    # Every file is written and closed by now: leave without tearing down the site model
    # object by object (seconds at 10,000 articles).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
