#!/usr/bin/env bash
# Install briefing into .venv, ingest seeds/ into content/, build site/, then preview it with
# live reload on http://127.0.0.1:8000/ (Ctrl-C stops).
set -euo pipefail
. "$(dirname "$0")/venv.sh"
.venv/bin/python build.py
exec .venv/bin/python build.py serve "$@"
