#!/usr/bin/env bash
# Install what the site's browser and HTML-validity tests need, where missing (idempotent):
#   - Debian packages: chromium (driven by Playwright) and fonts-wqy-microhei (CJK glyphs)
#   - npm vnu-jar (the Nu Html Checker; runs on the machine's Java) into .cache/tools/
# Nothing else. Safe to run again: each step is skipped when its tool is already there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.cache/tools"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || need_apt+=(fonts-wqy-microhei)
if ((${#need_apt[@]})); then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  # refresh the package lists only when they are missing or the install cannot find a package
  if ! $SUDO apt-get install -y --no-install-recommends "${need_apt[@]}"; then
    $SUDO apt-get update
    $SUDO apt-get install -y --no-install-recommends "${need_apt[@]}"
  fi
fi

if ! command -v java >/dev/null 2>&1; then
  echo "install-test-tools: java is needed for the Nu Html Checker (apt-get install default-jre-headless)" >&2
  exit 1
fi

VNU="$TOOLS/node_modules/vnu-jar/build/dist/vnu.jar"
if [ ! -f "$VNU" ]; then
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund --no-save --silent vnu-jar
fi
test -f "$VNU"
echo "install-test-tools: chromium $(command -v chromium), vnu $VNU"
