"""The dossier database on a real PostgreSQL server (a throwaway one, started for these tests).

The same migrations, tokens, dossier services and HTTP routes as on SQLite (``test_db.py``,
``test_app.py``), by URL: ``postgresql+psycopg://...``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api import db, service
from api.http import create_app
from api.schemas import DossierIn, DossierUpdate
from sim.errors import InputError


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its programs as the ``postgres`` user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "PostgreSQL is missing: `make test` installs it (tools/ensure_test_services.sh)"
    bindir = Path(found[-1]).parent
    # not under pytest's private (0700, root's) temporary folder: the server's user must reach it
    root = Path(tempfile.mkdtemp(prefix="wijk-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    subprocess.run(
        _as_postgres(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "wijk",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-instructions",
            ]
        ),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        _as_postgres(
            [
                str(bindir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-k",
                str(sock),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=on",
            ]
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        admin = db.make_engine(f"postgresql+psycopg://wijk@127.0.0.1:{port}/postgres")
        for _ in range(100):
            try:
                with admin.connect() as c:
                    c.execute(text("SELECT 1"))
                break
            except Exception:
                time.sleep(0.2)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("CREATE DATABASE wijk"))
        admin.dispose()
        yield f"postgresql+psycopg://wijk@127.0.0.1:{port}/wijk"
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


def test_migrations_tokens_and_dossiers_on_postgresql(pg_url: str) -> None:
    engine = db.make_engine(pg_url)
    assert engine.dialect.name == "postgresql"
    db.migrate(engine)
    db.migrate(engine)  # idempotent
    assert db.current_revision(engine) == db.head_revision()
    with db.session_scope(engine) as s:
        secret = db.create_token(s, "Fien", "facilitator", ["36011"])
        other = db.create_token(s, "Olaf", "facilitator", ["44021"])
    with db.session_scope(engine) as s:
        fien, olaf = db.authenticate(s, secret), db.authenticate(s, other)
        assert fien is not None and olaf is not None
        made = db.create_dossier(
            s,
            fien,
            DossierIn(
                municipality_nis="36011",
                dwelling_id="3000013/2002834",
                address_text="Beekstraat 111, 8810",
                overrides={"u_roof_w_m2k": 0.24, "dak": True, "verwarming": "gas"},
                chosen_steps=["cavity_wall_fill", "glazing_hr"],
                notes="dak geïsoleerd in 2012 – “ok”",
            ),
        )
    with db.session_scope(engine) as s:
        got = db.get_dossier(s, fien, made.id)
        assert got.overrides == {"u_roof_w_m2k": 0.24, "dak": True, "verwarming": "gas"}
        assert got.notes == "dak geïsoleerd in 2012 – “ok”"
        with pytest.raises(db.DossierNotFound):
            db.get_dossier(s, olaf, made.id)  # another municipality: as if it did not exist
    with db.session_scope(engine) as s:
        db.update_dossier(s, fien, made.id, DossierUpdate(notes="na"), expected_version=1)
    with db.session_scope(engine) as s, pytest.raises(db.DossierConflict):
        db.update_dossier(s, fien, made.id, DossierUpdate(notes="oud"), expected_version=1)
    with db.session_scope(engine) as s:
        assert db.get_dossier(s, fien, made.id).notes == "na"
        assert db.count_klimaattafel_dossiers(s, "36011") == 0
        exported = db.export_dossier(s, fien, made.id)
        actions = [a["action"] for a in exported["audit_log"]]
        assert actions[0] == "create" and "update" in actions
    with db.session_scope(engine) as s:
        db.delete_dossier(s, fien, made.id)
    with db.session_scope(engine) as s, pytest.raises(db.DossierNotFound):
        db.get_dossier(s, fien, made.id)
    engine.dispose()


def test_the_service_by_postgresql_url(pg_url: str, demo_twin: gpd.GeoDataFrame) -> None:
    app = create_app(service.load_state(demo_twin.iloc[:300]), db_url=pg_url)
    engine = db.make_engine(pg_url)
    with TestClient(app) as client:
        with db.session_scope(engine) as s:
            token = db.create_token(s, "Ann", "facilitator", ["36011"])
        head = {"Authorization": f"Bearer {token}"}
        body = {
            "municipality_nis": "36011",
            "dwelling_id": "x/1",
            "klimaattafel_date": "2026-11-20",
        }
        made = client.post("/api/v1/dossiers", json=body, headers=head)
        assert made.status_code == 201, made.text
        one = client.get(f"/api/v1/dossiers/{made.json()['id']}", headers=head)
        assert one.status_code == 200 and one.json()["klimaattafel_date"] == "2026-11-20"
        assert client.get(f"/api/v1/dossiers/{made.json()['id']}").status_code == 401
        lekp = client.get("/api/v1/municipalities/36011/lekp").json()
        assert lekp["klimaattafel_dossiers"] >= 1
    engine.dispose()


def test_a_nul_in_a_dossier_is_a_dutch_422_on_postgresql_and_the_dossier_is_kept(
    pg_url: str, demo_twin: gpd.GeoDataFrame
) -> None:
    """Issue 13 row 3: ``notes: "a\\u0000b"`` gave a 500 on PostgreSQL (text cannot hold NUL)
    and the dossier was not saved. Now: a Dutch 422, over HTTP and from the service functions,
    as on SQLite (``tests/api/test_dossier_hardening.py``); the list audit and the If-Match
    rule on this server too."""
    app = create_app(service.load_state(demo_twin.iloc[:300]), db_url=pg_url)
    engine = db.make_engine(pg_url)
    with TestClient(app) as client:
        with db.session_scope(engine) as s:
            token = db.create_token(s, "Nul", "facilitator", ["36011"])
        with db.session_scope(engine) as s:
            who = db.authenticate(s, token)
        assert who is not None
        head = {"Authorization": f"Bearer {token}"}
        body = {"municipality_nis": "36011", "dwelling_id": "x/2", "notes": "a\u0000b"}
        refused = client.post("/api/v1/dossiers", json=body, headers=head)
        assert refused.status_code == 422, refused.text
        assert "NUL" in refused.json()["detail"][0]["message"]
        made = client.post("/api/v1/dossiers", json={**body, "notes": "ab"}, headers=head)
        assert made.status_code == 201, made.text
        one = f"/api/v1/dossiers/{made.json()['id']}"
        for change in ({"notes": "a\u0000b"}, {"address_text": "\u0000"}):
            r = client.patch(one, json=change, headers={**head, "If-Match": "1"})
            assert r.status_code == 422, r.text
        # the service functions refuse it too, whatever the input model let through
        with db.session_scope(engine) as s, pytest.raises(InputError):
            db.update_dossier(
                s,
                who,
                made.json()["id"],
                DossierUpdate.model_construct(notes="a\u0000b", _fields_set={"notes"}),
                expected_version=1,
            )
        # the dossier is intact and still served
        got = client.get(one, headers=head)
        assert got.status_code == 200 and got.json()["notes"] == "ab"
        assert got.json()["version"] == 1
        # If-Match is required here as well, and a list is audited per dossier
        assert client.patch(one, json={"notes": "c"}, headers=head).status_code == 428
        listed = client.get("/api/v1/dossiers", headers=head).json()
        export = client.get(f"{one}/export", headers=head).json()
        assert made.json()["id"] in [d["id"] for d in listed]
        assert [a["action"] for a in export["audit_log"]].count("list") == 1
    engine.dispose()
