#!/usr/bin/env bash
# The browser test (tests/api/test_browser.py) drives Debian's Chromium with Playwright; the
# browser cannot be downloaded by Playwright here (only package registries are reachable), so
# `make test` installs Debian's package when it is missing. Needs root (as in CI) or sudo.
set -euo pipefail
CHROMIUM="${WIJK_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Chromium ontbreekt ($CHROMIUM) en apt-get is er niet: installeer Chromium en zet WIJK_CHROMIUM op het pad." >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    SUDO="sudo"
fi
echo "Chromium installeren (Debian-pakket chromium) voor de browsertest..."
$SUDO apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || {
    $SUDO apt-get update >/dev/null 2>&1
    $SUDO apt-get install -y --no-install-recommends chromium >/dev/null
}
