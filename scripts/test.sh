#!/usr/bin/env bash
# Install what the tests need (Python test extras; Debian chromium + a CJK font; the Nu Html
# Checker) and run the whole suite, browser tests included.
set -euo pipefail
. "$(dirname "$0")/venv.sh" test
bash scripts/install-test-tools.sh
exec .venv/bin/python -m pytest "$@"
