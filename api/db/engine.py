"""The database engine (SQLite by default, PostgreSQL by URL), its migrations (Alembic, shipped
in ``api/db/migrations``) and the unit-of-work session."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    create_engine,
    event,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from api.db.errors import SchemaMismatch
from api.db.models import DEFAULT_DB
from sim.errors import Problems

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _redact(url: str) -> str:
    """``url`` without its password, also when SQLAlchemy cannot parse it."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL + synchronous=FULL: a COMMIT returns only after the WAL is fsynced, so an acknowledged
    # dossier survives kill -9 and a power cut. secure_delete overwrites deleted rows with
    # zeros, so a GDPR-deleted dossier does not linger in free pages of the file.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
    finally:
        cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """Engine for the dossier database at ``url`` (default :data:`DEFAULT_DB`).

    Parameters
    ----------
    url : str, optional
        ``sqlite:///path/to/file.sqlite`` (an embedded file, created on first use),
        ``sqlite://`` (in memory, one shared connection; for tests) or
        ``postgresql+psycopg://user:password@host/db`` (``postgresql://`` is read as psycopg 3;
        install the ``postgres`` extra).

    Raises
    ------
    InputError
        The URL cannot be parsed, names another database system, a missing driver, or an
        SQLite file in a folder that does not exist. The message names the URL without password.

    Examples
    --------
    >>> make_engine("sqlite://").dialect.name
    'sqlite'
    """
    raw = DEFAULT_DB if url is None else url
    problems = Problems(what=f"de databank-URL {_redact(raw)}")
    try:
        parsed: URL = make_url(raw)
    except ArgumentError:
        problems.add(
            "--db",
            "is geen geldige databank-URL. Gebruik sqlite:///pad/naar/wijk.sqlite of "
            "postgresql+psycopg://gebruiker:wachtwoord@server/databank.",
        )
        problems.raise_if_any()
        raise AssertionError("unreachable") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        problems.add(
            "--db",
            f"databanksysteem '{backend}' wordt niet ondersteund; gebruik SQLite "
            "(sqlite:///pad/naar/wijk.sqlite) of PostgreSQL (postgresql+psycopg://...).",
        )
        problems.raise_if_any()
    kwargs: dict[str, Any] = {}
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        kwargs["pool_pre_ping"] = True
    else:
        database = parsed.database or ""
        in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
        if in_memory:
            # one shared connection, otherwise every pooled connection is a new empty database
            kwargs["poolclass"] = StaticPool
        else:
            folder = Path(database).expanduser().resolve().parent
            if not folder.is_dir():
                problems.add(
                    "--db",
                    f"de map {folder} bestaat niet; maak ze aan of kies een ander pad voor het "
                    "SQLite-bestand.",
                )
                problems.raise_if_any()
        # timeout: wait up to 30 s for another writer instead of failing with 'database is locked'
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    try:
        engine = create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ImportError) as exc:
        problems.add(
            "--db",
            f"het stuurprogramma voor deze URL ontbreekt ({exc}). Voor PostgreSQL: "
            "pip install 'wijkrenovatietool[postgres]'.",
        )
        problems.raise_if_any()
        raise AssertionError("unreachable") from None
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _alembic_config(connection: Any | None = None) -> Any:
    from alembic.config import Config

    config = Config()
    # configparser interpolation: a '%' in the install path must be doubled
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest schema revision this code knows (the head of ``api/db/migrations/versions``)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package ships its migrations
        raise RuntimeError("no migrations found in api/db/migrations/versions")
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database at ``engine``; None when it has no schema yet."""
    from alembic.runtime.migration import MigrationContext

    with _connect(engine) as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _connect(engine: Engine) -> Iterator[Any]:
    try:
        with engine.connect() as connection:
            yield connection
    except OperationalError as exc:
        problems = Problems(what=f"de databank {engine.url.render_as_string(hide_password=True)}")
        problems.add(
            "--db",
            f"kan de databank niet openen: {exc.orig}. Controleer de URL, het pad of de server.",
        )
        problems.raise_if_any()


def migrate(engine: Engine) -> None:
    """Bring the database at ``engine`` to the newest schema (Alembic ``upgrade head``).

    Creates the tables in a new database; a database already at the head is left untouched, so
    calling it twice is a no-op. The migration scripts ship with the package in
    ``api/db/migrations/versions`` and are written by hand.

    Raises
    ------
    SchemaMismatch
        The database carries a revision this code does not know: it was upgraded by a newer
        version of the tool. Nothing is changed.
    """
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = _alembic_config()
    script = ScriptDirectory.from_config(config)
    known = {rev.revision for rev in script.walk_revisions()}
    with _connect(engine) as connection:
        current = MigrationContext.configure(connection).get_current_heads()
        unknown = [rev for rev in current if rev not in known]
        if unknown:
            where = engine.url.render_as_string(hide_password=True)
            problems = Problems(what=f"de databank {where}")
            problems.add(
                "schema",
                f"heeft schemaversie {', '.join(unknown)}, die deze versie van de wijkrenovatietool "
                f"niet kent (nieuwste gekende versie: {script.get_current_head()}). De databank "
                "werd bijgewerkt door een nieuwere versie: installeer die versie. Er is niets gewijzigd.",
            )
            problems.raise_if_any(SchemaMismatch)
        connection.commit()  # end the implicit read transaction before Alembic begins its own
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back on any exception."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
