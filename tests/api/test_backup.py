"""``wijk db backup`` and ``wijk db restore`` on real SQLite files, through the command line.

The main test takes a back-up while another thread keeps saving dossiers (each one committed,
i.e. acknowledged, before the next), restores it into a new file and finds every dossier that
was acknowledged before the back-up started, with its audit row -- and a consistent database
(every dossier it holds has its ``create`` row). The others check the refusals: an existing
file without ``--force``, a PostgreSQL URL (pg_dump advice, no traceback), a file that is not a
dossier database or has a schema version this code does not know; and that a restore erases
again the dossiers erased (GDPR) after the back-up was made.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from api import db
from api.cli import app
from api.db.backup import check_backup
from api.schemas import DossierIn

runner = CliRunner()
NIS = "36011"


def _cli(*args: str) -> Any:
    return runner.invoke(app, list(args))


def _said(result: Any) -> str:
    """The command's output with the console's line wrapping undone."""
    return " ".join(result.output.split())


def _engine(path: Path) -> Engine:
    engine = db.make_engine(f"sqlite:///{path}")
    db.migrate(engine)
    return engine


def _admin(engine: Engine) -> db.Principal:
    with db.session_scope(engine) as s:
        secret = db.create_token(s, "Beheer", "admin", [])
    with db.session_scope(engine) as s:
        who = db.authenticate(s, secret)
    assert who is not None
    return who


def _dossier(n: int) -> DossierIn:
    return DossierIn(
        municipality_nis=NIS,
        dwelling_id=f"W-{n}",
        address_text=f"Kerkstraat {n}, 8800 Roeselare",
        overrides={"u_roof_w_m2k": 0.24},
        notes=f"dossier {n}: " + "x" * 400,
    )


def _stored(path: Path) -> tuple[dict[str, str], set[str]]:
    """The restored file's dossiers (id -> notes) and the ids with a ``create`` audit row."""
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        with db.session_scope(engine) as s:
            notes = {d.id: d.notes for d in s.scalars(select(db.Dossier))}
            created = set(
                s.scalars(select(db.AuditEntry.dossier_id).where(db.AuditEntry.action == "create"))
            )
    finally:
        engine.dispose()
    return notes, {str(c) for c in created}


def test_a_backup_taken_while_dossiers_are_saved_restores_every_acknowledged_one(
    tmp_path: Path,
) -> None:
    live = tmp_path / "wijk.sqlite"
    engine = _engine(live)
    who = _admin(engine)
    acked: list[tuple[str, str]] = []  # (id, notes), appended once create_dossier returned
    lock = threading.Lock()
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        n = 0
        try:
            while not stop.is_set():
                with db.session_scope(engine) as s:
                    out = db.create_dossier(s, who, _dossier(n))  # committed: acknowledged
                with lock:
                    acked.append((out.id, out.notes))
                n += 1
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while len(acked) < 150 and time.monotonic() < deadline:
            time.sleep(0.01)
        with lock:
            before = list(acked)  # acknowledged before the back-up starts
        backup_file = tmp_path / "back-up" / "wijk-2026-12-04.sqlite"
        backup_file.parent.mkdir()
        result = _cli("db", "backup", str(backup_file), "--db", f"sqlite:///{live}")
        with lock:
            during = len(acked) - len(before)
        # the writer goes on after the back-up, too
        end = len(acked) + 20
        while len(acked) < end and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not errors, errors
    assert result.exit_code == 0, result.output
    assert "Back-up geschreven" in result.output
    assert len(before) >= 150, "the writer did not get going"
    # a single self-contained file: no -wal or -shm beside it, no temporary left behind
    assert sorted(p.name for p in backup_file.parent.iterdir()) == [backup_file.name]
    with sqlite3.connect(backup_file) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"

    restored = tmp_path / "teruggezet.sqlite"
    back = _cli("db", "restore", str(backup_file), "--db", f"sqlite:///{restored}")
    assert back.exit_code == 0, back.output
    notes, created = _stored(restored)
    # every dossier acknowledged before the back-up started is there, unchanged, with its row
    missing = [i for i, _ in before if i not in notes]
    assert missing == [], f"{len(missing)} acknowledged dossiers missing from the back-up"
    assert all(notes[i] == n for i, n in before)
    # the snapshot is consistent: each dossier in it has its create row, and nothing is in it
    # that was never acknowledged
    assert set(notes) <= created
    assert set(notes) <= {i for i, _ in acked}
    print(
        f"back-up: {len(before)} dossiers before, {during} saved while it ran, {len(notes)} in it"
    )
    # the restored database serves: the service functions read it
    eng = db.make_engine(f"sqlite:///{restored}")
    with db.session_scope(eng) as s:
        assert db.get_dossier(s, who, before[0][0]).notes == before[0][1]
    eng.dispose()
    engine.dispose()


def test_backup_refuses_an_existing_file_and_postgresql_in_dutch(tmp_path: Path) -> None:
    live = tmp_path / "wijk.sqlite"
    _engine(live).dispose()
    target = tmp_path / "b.sqlite"
    target.write_bytes(b"oud")
    r = _cli("db", "backup", str(target), "--db", f"sqlite:///{live}")
    assert r.exit_code == 2 and "bestaat al" in _said(r) and "--force" in _said(r)
    assert target.read_bytes() == b"oud"
    ok = _cli("db", "backup", str(target), "--db", f"sqlite:///{live}", "--force")
    assert ok.exit_code == 0, ok.output
    assert check_backup(target).revision == db.head_revision()
    # the database itself is not a back-up target
    same = _cli("db", "backup", str(live), "--db", f"sqlite:///{live}", "--force")
    assert same.exit_code == 2 and "de databank zelf" in _said(same)
    # a database that does not exist
    gone = _cli(
        "db", "backup", str(tmp_path / "c.sqlite"), "--db", f"sqlite:///{tmp_path}/x.sqlite"
    )
    assert gone.exit_code == 2 and "bestaat niet" in _said(gone)
    # PostgreSQL: the pg_dump advice, without the password, no traceback
    pg = _cli(
        "db",
        "backup",
        str(tmp_path / "d.sqlite"),
        "--db",
        "postgresql+psycopg://wijk:geheim@db/wijk",
    )
    assert pg.exit_code == 2
    assert "pg_dump" in _said(pg) and "pg_restore" in _said(pg) and "geheim" not in _said(pg)
    assert "Traceback" not in pg.output and isinstance(pg.exception, SystemExit)
    restore_pg = _cli("db", "restore", str(target), "--db", "postgresql://wijk@db/wijk")
    assert restore_pg.exit_code == 2 and "pg_dump" in _said(restore_pg)


def test_restore_checks_the_file_and_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    live = tmp_path / "wijk.sqlite"
    engine = _engine(live)
    who = _admin(engine)
    with db.session_scope(engine) as s:
        first = db.create_dossier(s, who, _dossier(1)).id
    backup_file = tmp_path / "b.sqlite"
    assert _cli("db", "backup", str(backup_file), "--db", f"sqlite:///{live}").exit_code == 0
    with db.session_scope(engine) as s:
        later = db.create_dossier(s, who, _dossier(2)).id
    engine.dispose()

    # not a database, another SQLite database, a schema version this code does not know
    text = tmp_path / "notities.txt"
    text.write_text("geen databank\n")
    other = tmp_path / "ander.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE iets (x)")
    newer = tmp_path / "nieuwer.sqlite"
    newer.write_bytes(backup_file.read_bytes())
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    for bad, says in (
        (text, "geen SQLite-databank"),
        (other, "tabellen alembic_version, tokens, dossiers, audit_log ontbreken"),
        (newer, "schemaversie 9999"),
        (tmp_path / "nergens.sqlite", "bestaat niet"),
    ):
        r = _cli("db", "restore", str(bad), "--db", f"sqlite:///{tmp_path}/nieuw.sqlite")
        assert r.exit_code == 2 and says in _said(r), (bad, r.output)
        assert not (tmp_path / "nieuw.sqlite").exists()

    # an existing database is not overwritten without --force
    r = _cli("db", "restore", str(backup_file), "--db", f"sqlite:///{live}")
    assert r.exit_code == 2 and "--force" in _said(r)
    assert set(_stored(live)[0]) == {first, later}
    r = _cli("db", "restore", str(backup_file), "--db", f"sqlite:///{live}", "--force")
    assert r.exit_code == 0, r.output
    assert set(_stored(live)[0]) == {first}  # the state of the back-up


def test_a_restore_erases_again_what_was_erased_after_the_backup(tmp_path: Path) -> None:
    live = tmp_path / "wijk.sqlite"
    engine = _engine(live)
    who = _admin(engine)
    with db.session_scope(engine) as s:
        keep = db.create_dossier(s, who, _dossier(1)).id
        erase = db.create_dossier(s, who, _dossier(2)).id
    backup_file = tmp_path / "b.sqlite"
    assert _cli("db", "backup", str(backup_file), "--db", f"sqlite:///{live}").exit_code == 0
    with db.session_scope(engine) as s:
        db.delete_dossier(s, who, erase, expected_version=1)  # a GDPR erasure request
    engine.dispose()
    r = _cli("db", "restore", str(backup_file), "--db", f"sqlite:///{live}", "--force")
    assert r.exit_code == 0, r.output
    assert "opnieuw gewist" in _said(r)
    assert set(_stored(live)[0]) == {keep}
    engine = db.make_engine(f"sqlite:///{live}")
    with db.session_scope(engine) as s:
        rows = list(s.scalars(select(db.AuditEntry).where(db.AuditEntry.dossier_id == erase)))
    engine.dispose()
    assert [a.action for a in rows] == ["create", "delete"]
    assert rows[-1].role == "system" and "opnieuw gewist" in rows[-1].detail
    # the erased dossier's notes are not in the file any more
    assert b"dossier 2: " not in live.read_bytes()
    # the back-up itself still holds it: that is what docs/service.md warns about
    assert b"dossier 2: " in backup_file.read_bytes()


@pytest.mark.parametrize("name", ["met spatie en #.sqlite", "gewoon.sqlite"])
def test_backup_and_restore_of_paths_with_odd_characters(tmp_path: Path, name: str) -> None:
    live = tmp_path / name
    engine = _engine(live)
    who = _admin(engine)
    with db.session_scope(engine) as s:
        one = db.create_dossier(s, who, _dossier(7)).id
    engine.dispose()
    backup_file = tmp_path / f"b {name}"
    assert _cli("db", "backup", str(backup_file), "--db", f"sqlite:///{live}").exit_code == 0
    restored = tmp_path / f"r {name}"
    r = _cli("db", "restore", str(backup_file), "--db", f"sqlite:///{restored}")
    assert r.exit_code == 0, r.output
    assert set(_stored(restored)[0]) == {one}
