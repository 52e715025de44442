#!/usr/bin/env bash
# System packages the test suite uses for real (never stubs), installed by `make test` when missing:
#   - Debian's Chromium: tests/api/test_browser.py drives it with Playwright (Playwright cannot
#     download its own browser here: only package registries are reachable);
#   - PostgreSQL: tests/api/test_postgres.py starts a throwaway server for the dossier database.
# Needs root (as in CI) or sudo for apt-get.
#
# When another apt or dpkg run holds its lock (unattended-upgrades, a second `make test`, an
# administrator), this waits for it, up to WIJK_APT_LOCK_WAIT seconds (default 600), instead of
# failing at once: `apt-get install` waits for the dpkg lock itself with DPkg::Lock::Timeout, and
# every apt-get call gets that option; `apt-get update` does not apply it to the lock of the
# package lists (apt 2.6), so an update that finds that lock held is tried again every
# WIJK_APT_LOCK_POLL seconds (default 5) until the same deadline.
# tests/test_ensure_test_services.py runs this script against a held lock.
set -euo pipefail
CHROMIUM="${WIJK_CHROMIUM:-/usr/bin/chromium}"
LOCK_WAIT="${WIJK_APT_LOCK_WAIT:-600}"
LOCK_POLL="${WIJK_APT_LOCK_POLL:-5}"
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
SUDO=()
if [ "$(id -u)" != "0" ]; then
    SUDO=(sudo)
fi
# English messages from apt (the lock is recognised by its text), and the wait for the dpkg lock
APT_GET=("${SUDO[@]}" env LC_ALL=C apt-get -o "DPkg::Lock::Timeout=$LOCK_WAIT")

apt_update() {
    local deadline=$((SECONDS + LOCK_WAIT)) out said=""
    while true; do
        if out=$("${APT_GET[@]}" update 2>&1); then
            return 0
        fi
        if [[ $out != *"Could not get lock"* ]] || ((SECONDS >= deadline)); then
            printf '%s\n' "$out" >&2
            return 1
        fi
        if [ -z "$said" ]; then
            echo "Een andere apt- of dpkg-installatie houdt de pakketlijsten vast; wachten" \
                "(hoogstens $LOCK_WAIT s)..."
            said=1
        fi
        sleep "$LOCK_POLL"
    done
}

failed() {
    echo "Kon ${missing[*]} niet installeren voor de tests (zie de melding van apt-get" \
        "hierboven). Houdt een andere installatie apt langer dan $LOCK_WAIT s vast, probeer" \
        "dan later opnieuw, of installeer ze zelf: apt-get install ${missing[*]}" >&2
    exit 1
}

echo "Installeren voor de tests (Debian-pakketten): ${missing[*]}" \
    "(wacht hoogstens $LOCK_WAIT s als een andere apt- of dpkg-installatie bezig is)..."
"${APT_GET[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
    apt_update || failed
    "${APT_GET[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null || failed
}
