"""Durability of the dossiers through the real server: ``wijk serve`` in its own process.

"A dossier acknowledged as saved survives a ``kill -9`` of the server": the test starts
``python -m api.cli serve`` on an SQLite file, saves dossiers over HTTP, kills the server with
SIGKILL the moment it has answered 201 -- no shutdown, no flush, no handler runs -- starts it
again on the same file and reads the dossiers back. And a request the service refuses (422)
leaves no row behind: validation happens before anything is written, never a partial write.

:mod:`tests.api.test_db` kills a Python process that called the service function directly;
here the whole stack is in the way (uvicorn, FastAPI, the session dependency that commits after
the answer has gone out), which is where an acknowledgement could run ahead of the commit.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx
import pytest
from sqlalchemy import func, select

from api import db
from buildings.twin import TwinResult, write_twin

#: Longest wait for a server to answer /health [s]: a hung server fails, it does not hang CI.
STARTUP_TIMEOUT_S = 120.0
MUNICIPALITY = "36011"


class Server:
    """A ``wijk serve`` subprocess on a free port of 127.0.0.1."""

    def __init__(self, twin: Path, db_url: str, folder: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"server-{self.port}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "api.cli",
                    "serve",
                    "--twin",
                    str(twin),
                    "--db",
                    db_url,
                    "--port",
                    str(self.port),
                    "--workers",
                    "1",
                ],
                cwd=folder,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so it can be ended as a whole
            )

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server stopped with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        pytest.fail(f"no answer on /api/v1/health within {STARTUP_TIMEOUT_S} s:\n{self.output()}")

    def kill_9(self) -> None:
        """SIGKILL, as a crash or the OOM killer would: nothing runs on the way out."""
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait(timeout=30) == -signal.SIGKILL

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture(scope="module")
def twin_path(demo_twin: gpd.GeoDataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("durability_twin") / "twin.parquet"
    empty = demo_twin.iloc[:0][["dwelling_id"]]
    write_twin(TwinResult(dwellings=demo_twin, rejects=empty, accounting=empty), path)
    return path


@pytest.fixture
def database(tmp_path: Path) -> tuple[str, str]:
    """A migrated SQLite file with a facilitator token of 36011: (URL, token)."""
    return _migrated_database(tmp_path)


def _migrated_database(folder: Path) -> tuple[str, str]:
    url = f"sqlite:///{folder / 'd.sqlite'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    with db.session_scope(engine) as s:
        token = db.create_token(s, "Fien", "facilitator", [MUNICIPALITY])
    engine.dispose()
    return url, token


@pytest.fixture
def start_server(twin_path: Path, tmp_path: Path) -> Iterator[Callable[[str], Server]]:
    """Start servers on a database URL; every one of them is killed at the end, whatever happens."""
    started: list[Server] = []

    def start(db_url: str) -> Server:
        server = Server(twin_path, db_url, tmp_path)
        started.append(server)
        server.wait_until_healthy()
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()


@pytest.fixture(scope="module")
def refusing(twin_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One server for all the refused requests: (server, URL, token, an existing dossier)."""
    folder = tmp_path_factory.mktemp("refused")
    url, token = _migrated_database(folder)
    server = Server(twin_path, url, folder)
    try:
        server.wait_until_healthy()
        r = httpx.post(
            f"{server.url}/api/v1/dossiers",
            json=_dossier(7),
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert r.status_code == 201, r.text
        yield server, url, token, r.json()
    finally:
        server.stop()


def _dossier(n: int) -> dict[str, Any]:
    return {
        "municipality_nis": MUNICIPALITY,
        "dwelling_id": f"W-KILL-{n}",
        "address_id": f"A-{n}",
        "address_text": f"Kerkstraat {n}, 8810 Lichtervelde",
        "overrides": {"u_roof_w_m2k": 0.24, "heating_system": "gas_condensing", "pv": True},
        "chosen_steps": ["roof_insulation", "heat_pump_air"],
        "notes": f"Bewoner {n} wil eerst het dak doen.",
        "klimaattafel_date": "2026-11-20",
    }


def _counts(db_url: str) -> tuple[int, int]:
    """(dossiers, audit rows) in the database file, read directly."""
    engine = db.make_engine(db_url)
    try:
        with db.session_scope(engine) as s:
            dossiers = s.scalar(select(func.count(db.Dossier.id)))
            audit = s.scalar(select(func.count(db.AuditEntry.id)))
        return int(dossiers or 0), int(audit or 0)
    finally:
        engine.dispose()


def test_an_acknowledged_dossier_survives_kill_9_of_the_server(
    database: tuple[str, str], start_server: Callable[[str], Server]
) -> None:
    url, token = database
    auth = {"Authorization": f"Bearer {token}"}
    server = start_server(url)
    r = httpx.post(f"{server.url}/api/v1/dossiers", json=_dossier(1), headers=auth, timeout=30)
    assert r.status_code == 201, r.text
    server.kill_9()  # right after the acknowledgement
    saved = r.json()

    again = start_server(url)
    back = httpx.get(f"{again.url}/api/v1/dossiers/{saved['id']}", headers=auth, timeout=30)
    assert back.status_code == 200, back.text
    assert back.json() == saved  # every field, the version and the timestamps included
    for key, value in _dossier(1).items():
        assert back.json()[key] == value


def test_every_acknowledged_dossier_survives_a_kill_9_amid_concurrent_writes(
    database: tuple[str, str], start_server: Callable[[str], Server]
) -> None:
    url, token = database
    auth = {"Authorization": f"Bearer {token}"}
    server = start_server(url)
    acknowledged: list[dict[str, Any]] = []
    lock = threading.Lock()
    enough = threading.Event()
    errors: list[str] = []

    def writer(k: int) -> None:
        with httpx.Client(base_url=server.url, headers=auth, timeout=30) as client:
            for n in range(k * 1000, k * 1000 + 200):
                try:
                    r = client.post("/api/v1/dossiers", json=_dossier(n))
                except httpx.HTTPError:
                    return  # the server is gone: this request was never acknowledged
                if r.status_code != 201:
                    errors.append(f"{r.status_code}: {r.text}")
                    return
                with lock:
                    acknowledged.append(r.json())
                    if len(acknowledged) >= 20:
                        enough.set()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    try:
        assert enough.wait(timeout=120), "the server did not acknowledge 20 dossiers in 120 s"
        server.kill_9()  # with requests of the other writers still in flight
    finally:
        server.stop()
        for t in threads:
            t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert not errors
    with lock:
        saved = {d["id"]: d for d in acknowledged}

    again = start_server(url)
    listed = httpx.get(f"{again.url}/api/v1/dossiers", headers=auth, timeout=30)
    assert listed.status_code == 200
    stored = {d["id"]: d for d in listed.json()}
    missing = set(saved) - set(stored)
    assert not missing, f"{len(missing)} acknowledged dossiers lost"
    assert all(stored[i] == saved[i] for i in saved)
    # whatever was written but not yet acknowledged is whole too: each row has its audit row
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as s:
            created = set(
                s.scalars(select(db.AuditEntry.dossier_id).where(db.AuditEntry.action == "create"))
            )
    finally:
        engine.dispose()
    assert set(stored) == created


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("post", {**_dossier(0), "unknown_field": 1}),
        ("post", {**_dossier(0), "municipality_nis": "3601"}),
        ("post", {**_dossier(0), "notes": "x" * 5001}),
        ("post", {**_dossier(0), "chosen_steps": ["roof_insulation"] * 31}),
        ("post", {**_dossier(0), "overrides": {"nested": {"a": 1}}}),
        ("post", {**_dossier(0), "klimaattafel_date": "2026-02-30"}),
        ("post", '{"municipality_nis": "36011", "dwelling_id": "W-1", "overrides": {"u": NaN}}'),
        ("post", '{"municipality_nis": "36011", "dwelling_id": "W-1", '),
        ("patch", {"notes": "nieuw", "municipality_nis": "44021"}),
        ("patch", {"notes": "nieuw", "dwelling_id": None}),
        ("patch", {"notes": "x" * 5001}),
    ],
    ids=[
        "unknown-field",
        "bad-nis",
        "notes-too-long",
        "too-many-steps",
        "nested-override",
        "impossible-date",
        "nan",
        "truncated-json",
        "move-municipality",
        "null-dwelling",
        "patch-notes-too-long",
    ],
)
def test_a_refused_request_writes_nothing(
    refusing: tuple[Server, str, str, dict[str, Any]], method: str, body: dict[str, Any] | str
) -> None:
    server, url, token, existing = refusing
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    before = _counts(url)
    content = body if isinstance(body, str) else json.dumps(body)
    target = "/api/v1/dossiers" + (f"/{existing['id']}" if method == "patch" else "")
    with httpx.Client(base_url=server.url, headers=auth, timeout=30) as client:
        r = client.request(method.upper(), target, content=content)
        assert r.status_code == 422, r.text
        assert r.json()["detail"] and all(d["message"] for d in r.json()["detail"])
        assert _counts(url) == before  # no dossier, no audit row: nothing at all
        assert client.get(f"/api/v1/dossiers/{existing['id']}").json() == existing
