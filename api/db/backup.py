"""Back-up and restore of an SQLite dossier database (``wijk db backup`` / ``wijk db restore``).

A back-up is made with SQLite's online backup API (:meth:`sqlite3.Connection.backup`), not by
copying the file: the service keeps committed dossiers in the write-ahead log (``-wal``) until
a checkpoint, so a plain copy of ``wijk.sqlite`` can miss acknowledged dossiers or be torn. The
backup API reads one consistent snapshot -- every transaction committed before it started, none
that commits while it runs -- while the service goes on writing. The copy is written beside the
target under a temporary name, checked (``PRAGMA integrity_check``, the schema version, the
tables) and only then renamed into place, as a single file (journal mode DELETE, no ``-wal``).

A restore checks the file first (an SQLite file, the three tables, a schema version this code
knows, integrity) and copies it into the target with the same API, so that a target in WAL
mode is rewritten consistently (a stale ``-wal`` of the old database cannot be replayed onto
the restored one, as it could after a plain file copy).

PostgreSQL databases are backed up with ``pg_dump``; :func:`sqlite_file` refuses them with
that advice.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from api.db.errors import SchemaMismatch
from api.db.models import DEFAULT_DB
from sim.errors import InputError, Problems

#: The tables a dossier database has (besides ``alembic_version``).
TABLES = ("tokens", "dossiers", "audit_log")
_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class BackupInfo:
    """What a back-up file (or a restored database) holds."""

    path: Path
    revision: str
    dossiers: int
    tokens: int
    audit_rows: int
    size_bytes: int
    seconds: float = 0.0
    #: dossiers erased (GDPR) after the back-up was made, erased again after the restore
    erased_again: tuple[str, ...] = ()
    #: False when the database that was replaced could not be read for its erasures
    erasures_checked: bool = True


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(ongeldige URL)"


def pg_dump_advice(url: str) -> str:
    """The Dutch advice for a PostgreSQL database: back it up with ``pg_dump``."""
    try:
        plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=True)
    except ArgumentError:
        plain = "postgresql://gebruiker@server/databank"
    return (
        f"de databank {_shown(url)} is een PostgreSQL-databank; wijk db backup/restore werkt "
        "alleen voor SQLite. Maak de back-up met pg_dump, bv.: pg_dump --format=custom "
        f"--file=wijk-$(date +%F).dump '{plain}' en zet ze terug met pg_restore --clean "
        f"--dbname='{plain}' wijk-DATUM.dump (het wachtwoord via ~/.pgpass of PGPASSWORD). "
        "Zie docs/service.md, 'Back-ups'."
    )


def sqlite_file(url: str | None, *, must_exist: bool = True) -> Path:
    """The SQLite file of ``url`` (default :data:`DEFAULT_DB`).

    Raises
    ------
    InputError
        A PostgreSQL URL (with the pg_dump advice), an in-memory database, another system, or
        (``must_exist``) a file that does not exist.
    """
    raw = DEFAULT_DB if url is None else url
    problems = Problems(what=f"de databank {_shown(raw)}")
    try:
        parsed = make_url(raw)
    except ArgumentError:
        problems.add("--db", "is geen geldige databank-URL (bv. sqlite:///wijk.sqlite).")
        problems.raise_if_any()
        raise AssertionError("unreachable") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        problems.add("--db", pg_dump_advice(raw))
        problems.raise_if_any()
    if backend != "sqlite":
        problems.add("--db", f"databanksysteem '{backend}' wordt niet ondersteund.")
        problems.raise_if_any()
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        problems.add("--db", "een databank in het geheugen heeft geen bestand om te bewaren.")
        problems.raise_if_any()
    path = Path(database).expanduser().resolve()
    if must_exist and not path.is_file():
        problems.add(
            "--db",
            f"het bestand {path} bestaat niet. Controleer --db (of WIJK_DB_URL) en de map.",
        )
        problems.raise_if_any()
    return path


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        return sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=30)
    return sqlite3.connect(path, timeout=30)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from api.db.engine import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def check_backup(path: Path) -> BackupInfo:
    """What the back-up at ``path`` holds, after checking it is a dossier database.

    Raises
    ------
    InputError
        Not a file, not an SQLite database, a database without the dossier tables, damaged
        (``integrity_check``); :class:`SchemaMismatch` for a schema version this code does not
        know. Every message is Dutch and names the file.
    """
    problems = Problems(what=f"het back-upbestand {path}")
    if not path.is_file():
        problems.add("FILE", "bestaat niet of is geen bestand. Controleer het pad.")
        problems.raise_if_any()
    with path.open("rb") as f:
        magic = f.read(len(_MAGIC))
    if magic != _MAGIC:
        problems.add(
            "FILE",
            "is geen SQLite-databank (en dus geen back-up van wijk db backup). Kies het "
            "bestand dat wijk db backup schreef.",
        )
        problems.raise_if_any()
    try:
        conn = _connect(path, read_only=True)
    except sqlite3.Error as exc:
        problems.add("FILE", f"kan niet geopend worden: {exc}.")
        problems.raise_if_any()
        raise AssertionError("unreachable") from None
    try:
        try:
            tables = {
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            missing = [t for t in ("alembic_version", *TABLES) if t not in tables]
            if missing:
                problems.add(
                    "FILE",
                    f"is geen dossierdatabank van de wijkrenovatietool: de tabellen "
                    f"{', '.join(missing)} ontbreken.",
                )
                problems.raise_if_any()
            revisions = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
            known = _known_revisions()
            if len(revisions) != 1 or revisions[0] not in known:
                schema = Problems(what=f"het back-upbestand {path}")
                schema.add(
                    "schema",
                    f"heeft schemaversie {', '.join(revisions) or '(geen)'}, die deze versie "
                    f"van de wijkrenovatietool niet kent (gekend: {', '.join(sorted(known))}). "
                    "Zet de back-up terug met de versie die ze maakte, of een nieuwere.",
                )
                schema.raise_if_any(SchemaMismatch)
            check = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if check != ["ok"]:
                problems.add(
                    "FILE",
                    f"is beschadigd (integrity_check: {'; '.join(check[:3])}). Neem een "
                    "andere back-up.",
                )
                problems.raise_if_any()
            counts = [
                int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # TABLES: fixed names
                for t in TABLES
            ]
        except sqlite3.DatabaseError as exc:
            problems.add("FILE", f"is geen leesbare SQLite-databank: {exc}.")
            problems.raise_if_any()
            raise AssertionError("unreachable") from None
    finally:
        conn.close()
    return BackupInfo(
        path=path,
        revision=revisions[0],
        tokens=counts[0],
        dossiers=counts[1],
        audit_rows=counts[2],
        size_bytes=path.stat().st_size,
    )


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def backup_sqlite(url: str | None, target: Path, *, force: bool = False) -> BackupInfo:
    """A consistent copy of the SQLite dossier database at ``url`` in ``target``.

    Safe while the service runs and writes: the copy holds every dossier committed before the
    backup started (see the module docstring).

    Raises
    ------
    InputError
        A PostgreSQL URL (use pg_dump), a missing database, ``target`` exists (without
        ``force``) or is the database itself, or its folder does not exist.
    """
    source = sqlite_file(url)
    target = target.expanduser().resolve()
    problems = Problems(what=f"de back-up naar {target}")
    if target == source:
        problems.add("FILE", "is de databank zelf; kies een ander bestand voor de back-up.")
    elif target.exists() and not force:
        problems.add(
            "FILE",
            "bestaat al. Kies een nieuwe naam (bv. met de datum) of overschrijf met --force.",
        )
    if not target.parent.is_dir():
        problems.add("FILE", f"de map {target.parent} bestaat niet; maak ze eerst aan.")
    problems.raise_if_any()
    started = time.perf_counter()
    partial = target.with_name(f".{target.name}.{os.getpid()}.onvolledig")
    partial.unlink(missing_ok=True)
    src = _connect(source)
    try:
        dst = _connect(partial)
        try:
            # pages=-1 (the default): one step, one read transaction: one snapshot
            src.backup(dst)
            # a single self-contained file: no -wal beside it
            dst.execute("PRAGMA journal_mode=DELETE")
            dst.commit()
        finally:
            dst.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        problems.add("--db", f"de back-up mislukte: {exc}. Er is geen back-up geschreven.")
        problems.raise_if_any()
    finally:
        src.close()
    try:
        info = check_backup(partial)
    except InputError as exc:  # the source is not a (known) dossier database
        partial.unlink(missing_ok=True)
        raise type(exc)(problems=exc.problems, what=f"de databank {source}") from None
    _fsync(partial)
    os.replace(partial, target)
    _fsync(target.parent)
    return BackupInfo(
        path=target,
        revision=info.revision,
        dossiers=info.dossiers,
        tokens=info.tokens,
        audit_rows=info.audit_rows,
        size_bytes=target.stat().st_size,
        seconds=time.perf_counter() - started,
    )


def _erasures(path: Path) -> list[str] | None:
    """The ids of the dossiers erased in the dossier database at ``path`` (its ``delete``
    audit rows); None when there is no readable dossier database there."""
    if not path.is_file() or path.stat().st_size == 0:
        return []
    try:
        conn = _connect(path, read_only=True)
        try:
            rows = conn.execute(
                "SELECT DISTINCT dossier_id FROM audit_log "
                "WHERE action = 'delete' AND dossier_id IS NOT NULL"
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return [str(r[0]) for r in rows]


def _erase_again(conn: sqlite3.Connection, ids: list[str]) -> tuple[str, ...]:
    """Delete the dossiers ``ids`` that the restored database holds again, each with an audit
    row; secure_delete and a checkpoint as :func:`api.db.delete_dossier` does."""
    conn.execute("PRAGMA secure_delete=ON")
    at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    done = []
    for dossier_id in ids:
        row = conn.execute(
            "SELECT municipality_nis FROM dossiers WHERE id = ?", (dossier_id,)
        ).fetchone()
        if row is None:
            continue
        conn.execute("DELETE FROM dossiers WHERE id = ?", (dossier_id,))
        conn.execute(
            "INSERT INTO audit_log (at, token_id, role, action, dossier_id, municipality_nis, "
            "detail) VALUES (?, NULL, 'system', 'delete', ?, ?, ?)",
            (
                at,
                dossier_id,
                row[0],
                "opnieuw gewist na het terugzetten van een back-up (was al gewist)",
            ),
        )
        done.append(dossier_id)
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return tuple(done)


def restore_sqlite(backup: Path, url: str | None, *, force: bool = False) -> BackupInfo:
    """Put the back-up ``backup`` in place as the SQLite dossier database at ``url``.

    Stop the service first: a restore replaces every dossier, token and audit row; requests
    during it wait (the target is locked) and see the restored data afterwards.

    GDPR: a dossier erased after the back-up was made is in the back-up again. When the
    database being replaced can be read, its ``delete`` audit rows name those dossiers and they
    are erased again right after the restore (``erased_again``); otherwise
    ``erasures_checked`` is False and the caller must say so.

    Raises
    ------
    InputError
        The back-up is not a dossier database of a known schema version (nothing is changed), a
        PostgreSQL URL (use pg_restore), or the target exists and ``force`` is not given.
    """
    backup = backup.expanduser().resolve()
    info = check_backup(backup)
    target = sqlite_file(url, must_exist=False)
    problems = Problems(what=f"het terugzetten naar {target}")
    if target == backup:
        problems.add("FILE", "is de databank zelf; er valt niets terug te zetten.")
    elif target.exists() and target.stat().st_size > 0 and not force:
        problems.add(
            "--force",
            f"de databank {target} bestaat al. Terugzetten vervangt alle dossiers, tokens en "
            "auditregels door die van de back-up (wat nadien bewaard werd, gaat verloren). "
            "Stop eerst de dienst, en bevestig met --force.",
        )
    if not target.parent.is_dir():
        problems.add("--db", f"de map {target.parent} bestaat niet; maak ze eerst aan.")
    problems.raise_if_any()
    started = time.perf_counter()
    erased = _erasures(target)
    erased_again: tuple[str, ...] = ()
    src = _connect(backup, read_only=True)
    try:
        dst = _connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")  # the service's mode (api.db.engine)
            dst.commit()
            erased_again = _erase_again(dst, erased or [])
        finally:
            dst.close()
    except sqlite3.Error as exc:
        problems.add(
            "--db",
            f"terugzetten mislukte: {exc}. Draait de dienst nog? Stop ze en probeer opnieuw.",
        )
        problems.raise_if_any()
    finally:
        src.close()
    restored = check_backup(target)
    return BackupInfo(
        path=target,
        revision=restored.revision,
        dossiers=restored.dossiers,
        tokens=restored.tokens,
        audit_rows=restored.audit_rows,
        size_bytes=info.size_bytes,
        seconds=time.perf_counter() - started,
        erased_again=erased_again,
        erasures_checked=erased is not None,
    )


__all__ = [
    "TABLES",
    "BackupInfo",
    "backup_sqlite",
    "check_backup",
    "pg_dump_advice",
    "restore_sqlite",
    "sqlite_file",
]
