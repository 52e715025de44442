#!/usr/bin/env bash
# System packages the test suite uses for real (never stubs), installed by `make test` when missing:
#   - Debian's Chromium: tests/api/test_browser.py drives it with Playwright (Playwright cannot
#     download its own browser here: only package registries are reachable);
#   - PostgreSQL: tests/api/test_postgres.py starts a throwaway server for the dossier database.
# Needs root (as in CI) or sudo for apt-get.
set -euo pipefail
CHROMIUM="${WIJK_CHROMIUM:-/usr/bin/chromium}"
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Ontbreekt voor de tests: ${missing[*]}, en apt-get is er niet: installeer ze zelf." >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    SUDO="sudo"
fi
echo "Installeren voor de tests (Debian-pakketten): ${missing[*]}..."
$SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
    $SUDO apt-get update >/dev/null 2>&1
    $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
}
