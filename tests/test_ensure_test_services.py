"""tools/ensure_test_services.sh waits for another apt or dpkg run instead of failing at once
(issue 13, row 11: `make test` stopped when unattended-upgrades held the dpkg lock).

Two kinds of test: the script against the real apt-get and a really held dpkg lock (as root,
where Chromium and PostgreSQL are installed, so the install it runs changes nothing), and the
script against a recording apt-get on PATH, for what cannot be replayed without the network
(an ``apt-get update`` that finds the package lists locked, a lock that is never freed).
"""

from __future__ import annotations

import fcntl
import glob
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "tools" / "ensure_test_services.sh"
TIMEOUT = "DPkg::Lock::Timeout=600"

# A stand-in for apt-get: records its arguments; `update` finds the package lists locked (as
# apt 2.6 says it, exit code 100) while $FAKE_LOCK exists, which it removes at the second attempt
# (the other process is done);
# the first `install` fails as without package lists, so the script takes its update path.
FAKE_APT_GET = """#!/usr/bin/env bash
echo "LC_ALL=$LC_ALL $*" >> "$FAKE_LOG"
case " $* " in
  *" update "*)
    n=$(grep -c ' update' "$FAKE_LOG")
    [ "$n" -ge "${FAKE_FREE_AT:-2}" ] && rm -f "$FAKE_LOCK"
    if [ -e "$FAKE_LOCK" ]; then
      echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" >&2
      echo "E: Unable to lock directory /var/lib/apt/lists/" >&2
      exit 100
    fi
    exit 0 ;;
  *" install "*)
    if [ "$(grep -c ' install' "$FAKE_LOG")" -eq 1 ]; then
      echo "E: Unable to locate package chromium" >&2
      exit 100
    fi
    exit 0 ;;
esac
exit 1
"""


def _fake_apt(tmp_path: Path, locked: bool, **env: str) -> tuple[dict[str, str], Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "apt-get"
    fake.write_text(FAKE_APT_GET, encoding="utf-8")
    fake.chmod(0o755)
    log = tmp_path / "apt.log"
    lock = tmp_path / "lists.lock"
    if locked:
        lock.touch()
    return {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "WIJK_CHROMIUM": str(tmp_path / "geen-chromium"),  # always something to install
        "FAKE_LOG": str(log),
        "FAKE_LOCK": str(lock),
        "WIJK_APT_LOCK_POLL": "0.2",
        **env,
    }, log


@pytest.mark.skipif(os.geteuid() != 0, reason="the script's sudo would ask for a password")
def test_every_apt_get_call_waits_and_a_locked_update_is_tried_again(tmp_path: Path) -> None:
    env, log = _fake_apt(tmp_path, locked=True)
    done = subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    calls = log.read_text(encoding="utf-8").splitlines()
    verbs = [c.split()[-1] if "update" in c else "install" for c in calls]
    assert verbs == ["install", "update", "update", "install"], calls
    assert all(f"-o {TIMEOUT} " in c and c.startswith("LC_ALL=C ") for c in calls), calls
    assert "chromium" in calls[-1] and "install -y --no-install-recommends" in calls[-1]
    assert "Installeren voor de tests (Debian-pakketten): chromium" in done.stdout
    assert "wacht hoogstens 600 s als een andere apt- of dpkg-installatie bezig is" in done.stdout
    assert "Een andere apt- of dpkg-installatie houdt de pakketlijsten vast; wachten" in done.stdout
    assert "Could not get lock" not in done.stdout + done.stderr  # apt's own text stays hidden


@pytest.mark.skipif(os.geteuid() != 0, reason="the script's sudo would ask for a password")
def test_a_lock_that_is_never_freed_ends_in_dutch_after_the_wait(tmp_path: Path) -> None:
    env, log = _fake_apt(tmp_path, locked=True, FAKE_FREE_AT="1000", WIJK_APT_LOCK_WAIT="3")
    start = time.monotonic()
    done = subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    waited = time.monotonic() - start
    assert done.returncode == 1
    # waited for the deadline (bash counts whole seconds: 2-3 s), then stopped
    assert 2 <= waited < 20, waited
    calls = log.read_text(encoding="utf-8").splitlines()
    assert sum(" update" in c for c in calls) >= 3 and all(
        "DPkg::Lock::Timeout=3 " in c for c in calls
    )
    assert "Kon chromium niet installeren voor de tests" in done.stderr
    assert "installeer ze zelf: apt-get install chromium" in done.stderr


def _installed(package: str) -> bool:
    if shutil.which("dpkg-query") is None:
        return False
    out = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
    )
    return out.stdout.strip() == "install ok installed"


REAL = (
    os.geteuid() == 0
    and shutil.which("apt-get") is not None
    and _installed("chromium")
    and bool(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
)


@pytest.mark.skipif(not REAL, reason="needs root, apt-get and Debian's chromium installed")
def test_the_real_script_waits_for_a_held_dpkg_lock(tmp_path: Path) -> None:
    """The attack as it happened: another process holds the dpkg frontend lock (apt takes it
    with fcntl, as here) while `make test` wants to install. With its Chromium path pointed
    elsewhere the script runs the real `apt-get install chromium`, a no-op on this machine: it
    must wait for the lock, then succeed. Without the lock timeout apt-get fails in 50 ms
    ("Could not get lock /var/lib/dpkg/lock-frontend") and so did the script."""
    hold = 3.0
    with open("/var/lib/dpkg/lock-frontend", "w") as lock:
        fcntl.lockf(lock, fcntl.LOCK_EX)
        release = threading.Timer(hold, lambda: fcntl.lockf(lock, fcntl.LOCK_UN))
        start = time.monotonic()
        release.start()
        try:
            done = subprocess.run(
                ["bash", str(SCRIPT)],
                env={**os.environ, "WIJK_CHROMIUM": str(tmp_path / "geen-chromium")},
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        finally:
            release.cancel()
            release.join()
        waited = time.monotonic() - start
    assert done.returncode == 0, done.stdout + done.stderr
    assert waited >= hold - 0.5, waited  # it waited for the lock instead of failing at once
    assert "Installeren voor de tests (Debian-pakketten): chromium" in done.stdout
