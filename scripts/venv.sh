# Sourced by the other scripts: make .venv with Python >= 3.11 (installing Debian's venv
# support when a fresh machine lacks it) and install the project into it.
#   usage: . scripts/venv.sh [extra]     e.g. ". scripts/venv.sh test"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "briefing needs Python 3.11 or newer (found $("$PYTHON" --version 2>&1))" >&2; exit 2
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    echo "installing Debian's python3-venv (needed to create .venv)" >&2
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -q && $SUDO apt-get install -y -q python3-venv
    "$PYTHON" -m venv .venv
  fi
fi
EXTRA=${1:-}
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${EXTRA:+[$EXTRA]}"
