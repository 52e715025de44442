"""The climate-table dossier database: tables, migrations, API tokens and the dossier services.

A facilitator saves a resident's dossier (overrides, chosen steps, notes, date of the
klimaattafel); the municipality counts dossiers toward its LEKP klimaattafel goal. The data
lives in a real database through SQLAlchemy: an SQLite file by default (embedded, zero set-up),
PostgreSQL by URL. The schema is created and upgraded only by the Alembic migrations shipped in
``api/migrations`` (:func:`migrate`), never by ``create_all``.

Every dossier service function takes ``(session, principal, ...)``, checks what the principal
may do, and writes exactly one row into ``audit_log`` in the same transaction as the data change,
so a dossier is never saved without its audit row or the reverse. Rules (see ``docs/service.md``):

- a dossier of another municipality behaves exactly like one that does not exist
  (:class:`DossierNotFound`), so nobody learns which ids exist elsewhere (OWASP API1);
- analysts may read, list and count, not create, update, delete or export;
- facilitators read and write the dossiers of their own municipalities; admins everything;
- without a principal (no token) nothing but the non-personal count is available.

Each dossier service function is its own unit of work: it commits before it returns, so a
dossier acknowledged as saved is on disk whatever the caller does next (FastAPI, for one, runs
the teardown of a ``yield`` dependency only after the response has been sent). A denied attempt
is audited the same way: the ``denied`` row is committed before the exception is raised, so the
caller's rollback cannot erase it. Do not batch other writes in the same session before calling
one; a :class:`DossierConflict` rolls the session back.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
)
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from api.schemas import DossierIn, DossierOut, DossierUpdate
from sim.errors import InputError, Problems

DEFAULT_DB = "sqlite:///wijk.sqlite"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ALL_MUNICIPALITIES = "*"
TOKEN_PREFIX = "wijk"

AuditAction = Literal["read", "create", "update", "delete", "export", "list", "denied"]
AUDIT_ACTIONS: tuple[AuditAction, ...] = (
    "read",
    "create",
    "update",
    "delete",
    "export",
    "list",
    "denied",
)
_NIS = re.compile(r"^\d{5}$")


# --------------------------------------------------------------------------- errors


class DossierError(Exception):
    """A dossier request that cannot be served; ``message`` is Dutch, for the person asking."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DossierNotFound(DossierError):
    """No such dossier -- or one of a municipality the principal has no access to (same answer)."""

    def __init__(self, dossier_id: str) -> None:
        super().__init__(
            f"Dossier {dossier_id[:40]} bestaat niet of u heeft er geen toegang toe. "
            "Controleer de dossier-id en de gemeente van uw token."
        )
        self.dossier_id = dossier_id


class DossierForbidden(DossierError):
    """The principal's role (or the lack of a token) does not allow this action at all.

    ``anonymous`` is true when there was no principal (HTTP 401 rather than 403).
    """

    def __init__(self, message: str, *, anonymous: bool = False) -> None:
        super().__init__(message)
        self.anonymous = anonymous


class DossierConflict(DossierError):
    """The dossier changed since the version the client read (optimistic concurrency)."""

    def __init__(self, dossier_id: str, expected: int | None, actual: int | None) -> None:
        seen = f"u had versie {expected}" if expected is not None else "u had een oudere versie"
        now = f"versie {actual}" if actual is not None else "een nieuwere versie"
        super().__init__(
            f"Dossier {dossier_id} is intussen door iemand anders gewijzigd ({now}; {seen}). "
            "Er is niets bewaard: laad het dossier opnieuw en breng uw wijzigingen opnieuw aan."
        )
        self.dossier_id = dossier_id
        self.expected = expected
        self.actual = actual


class SchemaMismatch(InputError):
    """The database's schema revision is one this version of the code does not know."""


# --------------------------------------------------------------------------- tables


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every backend.

    SQLite has no timezone type: values are stored as UTC without offset and read back as
    aware UTC. Naive datetimes are refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


# constraint names fixed here and in the migration, so later migrations can address them
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of the dossier database."""

    metadata = MetaData(naming_convention=NAMING)


class Role(StrEnum):
    """What a token may do; see the table in ``docs/service.md``."""

    FACILITATOR = "facilitator"
    ANALYST = "analyst"
    ADMIN = "admin"


class Token(Base):
    """An API token. Only the SHA-256 of the secret is stored, never the secret itself."""

    __tablename__ = "tokens"
    __table_args__ = (CheckConstraint("role IN ('facilitator', 'analyst', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    municipalities: Mapped[list[str]] = mapped_column(JSON)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Dossier(Base):
    """A resident's climate-table dossier. ``version`` is bumped by every UPDATE (optimistic lock)."""

    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_municipality_date", "municipality_nis", "klimaattafel_date"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    municipality_nis: Mapped[str] = mapped_column(String(5))
    dwelling_id: Mapped[str] = mapped_column(String(64))
    address_id: Mapped[str] = mapped_column(String(64))
    address_text: Mapped[str] = mapped_column(String(200))
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON)
    chosen_steps: Mapped[list[str]] = mapped_column(JSON)
    notes: Mapped[str] = mapped_column(Text)
    klimaattafel_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("tokens.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)

    creator: Mapped[Token] = relationship(lazy="joined")

    # UPDATE ... WHERE id = :id AND version = :seen; 0 rows -> StaleDataError -> DossierConflict.
    # This catches lost updates between concurrent sessions even without an expected version.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class AuditEntry(Base):
    """One dossier read or write, or a denied attempt.

    No personal data: ``detail`` names fields and counts, never their values, so the rows can be
    kept after the dossier itself has been deleted. ``dossier_id`` is deliberately not a foreign
    key, for the same reason.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(
            "action IN ('read', 'create', 'update', 'delete', 'export', 'list', 'denied')",
            name="action",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"), nullable=True)
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    dossier_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    municipality_nis: Mapped[str | None] = mapped_column(String(5), nullable=True)
    detail: Mapped[str] = mapped_column(String(500))


# --------------------------------------------------------------------------- engine, migrations


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
    """The newest schema revision this code knows (the head of ``api/migrations/versions``)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package ships its migrations
        raise RuntimeError("no migrations found in api/migrations/versions")
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
    ``api/migrations/versions`` and are written by hand.

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


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Principal:
    """Who is asking: the holder of an authenticated, unrevoked token."""

    token_id: int
    name: str
    role: Role
    municipalities: frozenset[str]

    def can_access(self, nis: str) -> bool:
        """True when this principal may see dossiers of municipality ``nis``."""
        return self.role is Role.ADMIN or nis in self.municipalities


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed: everything except its hash."""

    id: int
    prefix: str
    name: str
    role: Role
    municipalities: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None


def _hash_secret(secret: str) -> str:
    # SHA-256, not bcrypt/argon2: a token is 256 random bits, not a password a person chose, so
    # there is no dictionary to slow down and a slow hash would only cost time on every request.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _token_info(row: Token) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        prefix=row.prefix,
        name=row.name,
        role=Role(row.role),
        municipalities=tuple(row.municipalities),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


def _check_municipalities(
    role: Role, municipalities: Sequence[str], problems: Problems
) -> list[str]:
    given = list(dict.fromkeys(m.strip() for m in municipalities))
    if role is Role.ADMIN:
        if given and given != [ALL_MUNICIPALITIES]:
            problems.add(
                "--municipality",
                "een admin-token geldt voor alle gemeenten; laat --municipality weg.",
            )
        return [ALL_MUNICIPALITIES]
    if not given:
        problems.add(
            "--municipality",
            f"een {role.value}-token moet minstens één gemeente krijgen (NIS-code van 5 cijfers, "
            "bv. --municipality 36015).",
        )
    bad = [m for m in given if not _NIS.match(m)]
    if bad:
        problems.add(
            "--municipality",
            f"{', '.join(repr(m) for m in bad)} is geen NIS-code van 5 cijfers (bv. 44021 voor Gent).",
        )
    return given


def create_token(
    session: Session, name: str, role: Role | str, municipalities: Sequence[str]
) -> str:
    """Create a token and return its secret -- the only time the secret is ever available.

    Parameters
    ----------
    name : str
        Who holds the token (person or system), 1-100 characters.
    role : Role or str
        ``facilitator``, ``analyst`` or ``admin``.
    municipalities : sequence of str
        NIS codes the token gives access to; at least one for facilitators and analysts. An
        admin token is stored with ``["*"]`` (all municipalities).

    Returns
    -------
    str
        ``wijk_<prefix>_<rest>``: ``prefix`` (8 hex characters) identifies the token in lists
        and for revocation, ``rest`` is 32 random bytes, URL-safe base64.

    Raises
    ------
    InputError
        Every problem with the name, role and municipalities at once.
    """
    problems = Problems(what="het nieuwe token")
    name = name.strip()
    if not 1 <= len(name) <= 100:
        problems.add("--name", "geef een naam van 1 tot 100 tekens (wie het token gebruikt).")
    try:
        role = Role(role)
    except ValueError:
        problems.add(
            "--role",
            f"rol '{role}' bestaat niet; kies facilitator, analyst of admin.",
        )
        problems.raise_if_any()
        raise AssertionError("unreachable") from None
    stored = _check_municipalities(role, municipalities, problems)
    problems.raise_if_any()
    while True:  # 2^32 prefixes: a collision is rare, but the column is unique
        prefix = secrets.token_hex(4)
        if session.scalar(select(Token.id).where(Token.prefix == prefix)) is None:
            break
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    session.add(
        Token(
            name=name,
            role=role.value,
            municipalities=stored,
            token_hash=_hash_secret(secret),
            prefix=prefix,
            created_at=_now(),
        )
    )
    session.flush()
    return secret


def authenticate(session: Session, secret: str) -> Principal | None:
    """The principal of ``secret``; None for an unknown, malformed or revoked token.

    The lookup is by the SHA-256 of the secret, so the database never compares secrets, and the
    stored hash is compared again in constant time.
    """
    if not secret or len(secret) > 200 or not secret.startswith(f"{TOKEN_PREFIX}_"):
        return None
    digest = _hash_secret(secret)
    row = session.scalar(select(Token).where(Token.token_hash == digest))
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if row.revoked_at is not None:
        return None
    return Principal(
        token_id=row.id,
        name=row.name,
        role=Role(row.role),
        municipalities=frozenset(row.municipalities),
    )


def revoke_token(session: Session, prefix: str) -> TokenInfo | None:
    """Revoke the token with ``prefix`` from now on; None when there is no such token.

    Revoking twice keeps the first revocation time.
    """
    row = session.scalar(select(Token).where(Token.prefix == prefix.strip()))
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = _now()
        session.flush()
    return _token_info(row)


def list_tokens(session: Session) -> list[TokenInfo]:
    """Every token, oldest first, without hashes."""
    return [_token_info(t) for t in session.scalars(select(Token).order_by(Token.id))]


# --------------------------------------------------------------------------- dossiers


def _audit(
    session: Session,
    principal: Principal | None,
    action: AuditAction,
    *,
    dossier_id: str | None,
    municipality_nis: str | None,
    detail: str,
) -> None:
    session.add(
        AuditEntry(
            at=_now(),
            token_id=principal.token_id if principal else None,
            role=principal.role.value if principal else "anonymous",
            action=action,
            dossier_id=dossier_id,
            municipality_nis=municipality_nis,
            detail=detail[:500],
        )
    )


def _deny(
    session: Session,
    principal: Principal | None,
    error: DossierError,
    *,
    attempted: str,
    dossier_id: str | None = None,
    municipality_nis: str | None = None,
    reason: str,
) -> DossierError:
    """Commit a ``denied`` audit row now (the caller's rollback must not erase it), return ``error``."""
    _audit(
        session,
        principal,
        "denied",
        dossier_id=dossier_id,
        municipality_nis=municipality_nis,
        detail=f"{attempted}: {reason}",
    )
    session.commit()
    return error


_ROLE_NL = {Role.FACILITATOR: "facilitator", Role.ANALYST: "analist", Role.ADMIN: "beheerder"}
_WRITE_ROLES = frozenset({Role.FACILITATOR, Role.ADMIN})
_READ_ROLES = frozenset({Role.FACILITATOR, Role.ANALYST, Role.ADMIN})


def _require_role(
    session: Session,
    principal: Principal | None,
    allowed: frozenset[Role],
    attempted: AuditAction,
    what_nl: str,
    dossier_id: str | None = None,
) -> Principal:
    if principal is None:
        raise _deny(
            session,
            None,
            DossierForbidden(
                f"Aanmelden is nodig om {what_nl}: stuur een API-token mee "
                "(Authorization: Bearer wijk_...). Vraag een token aan uw gemeente.",
                anonymous=True,
            ),
            attempted=attempted,
            dossier_id=dossier_id,
            reason="geen token",
        )
    if principal.role not in allowed:
        raise _deny(
            session,
            principal,
            DossierForbidden(
                f"Als {_ROLE_NL[principal.role]} mag u geen {what_nl}; dat mag een facilitator "
                "van de gemeente of een beheerder."
            ),
            attempted=attempted,
            dossier_id=dossier_id,
            reason=f"rol {principal.role.value}",
        )
    return principal


def _normalise_id(dossier_id: str) -> str | None:
    try:
        return str(uuid.UUID(str(dossier_id)))
    except (ValueError, TypeError, AttributeError):
        return None


def _load(
    session: Session, principal: Principal, dossier_id: str, attempted: AuditAction
) -> Dossier:
    """The dossier, if it exists and the principal may see it; otherwise DossierNotFound."""
    key = _normalise_id(dossier_id)
    # populate_existing: always read the stored row, never a stale copy from the identity map
    row = session.get(Dossier, key, populate_existing=True) if key is not None else None
    if row is None or not principal.can_access(row.municipality_nis):
        raise _deny(
            session,
            principal,
            DossierNotFound(str(dossier_id)),
            attempted=attempted,
            dossier_id=key,
            # the audit log (for admins) may say which: it is not shown to the requester
            municipality_nis=row.municipality_nis if row is not None else None,
            reason="andere gemeente" if row is not None else "bestaat niet",
        )
    return row


def _authorised_dossier(
    session: Session,
    principal: Principal | None,
    allowed: frozenset[Role],
    attempted: AuditAction,
    what_nl: str,
    dossier_id: str,
) -> tuple[Principal, Dossier]:
    """The caller and the dossier, after the role check and the municipality check (each
    refusal audited and raised as :func:`_require_role` and :func:`_load` do)."""
    who = _require_role(session, principal, allowed, attempted, what_nl, _normalise_id(dossier_id))
    return who, _load(session, who, dossier_id, attempted)


def _out(row: Dossier) -> DossierOut:
    return DossierOut(
        id=row.id,
        municipality_nis=row.municipality_nis,
        dwelling_id=row.dwelling_id,
        address_id=row.address_id,
        address_text=row.address_text,
        overrides=dict(row.overrides),
        chosen_steps=list(row.chosen_steps),
        notes=row.notes,
        klimaattafel_date=row.klimaattafel_date,
        created_by=row.creator.name,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


def create_dossier(session: Session, principal: Principal | None, data: DossierIn) -> DossierOut:
    """Save a new dossier in ``data.municipality_nis`` (facilitator of that municipality, admin).

    Raises
    ------
    DossierForbidden
        No token, an analyst, or a facilitator of another municipality.
    """
    who = _require_role(session, principal, _WRITE_ROLES, "create", "dossiers aanmaken")
    if not who.can_access(data.municipality_nis):
        raise _deny(
            session,
            who,
            DossierForbidden(
                f"U mag geen dossiers aanmaken in gemeente {data.municipality_nis}: uw token "
                f"geldt voor {', '.join(sorted(who.municipalities))}."
            ),
            attempted="create",
            municipality_nis=data.municipality_nis,
            reason="andere gemeente",
        )
    now = _now()
    row = Dossier(
        id=str(uuid.uuid4()),
        municipality_nis=data.municipality_nis,
        dwelling_id=data.dwelling_id,
        address_id=data.address_id,
        address_text=data.address_text,
        overrides=dict(data.overrides),
        chosen_steps=list(data.chosen_steps),
        notes=data.notes,
        klimaattafel_date=data.klimaattafel_date,
        created_by=who.token_id,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    _audit(
        session,
        who,
        "create",
        dossier_id=row.id,
        municipality_nis=row.municipality_nis,
        detail="aangemaakt",
    )
    session.flush()
    session.refresh(row)
    out = _out(row)
    session.commit()
    return out


def get_dossier(session: Session, principal: Principal | None, dossier_id: str) -> DossierOut:
    """One dossier (facilitator or analyst of its municipality, admin).

    Raises
    ------
    DossierNotFound
        No such dossier, or one of a municipality outside the token's.
    DossierForbidden
        No token.
    """
    who, row = _authorised_dossier(
        session, principal, _READ_ROLES, "read", "dossiers bekijken", dossier_id
    )
    _audit(
        session,
        who,
        "read",
        dossier_id=row.id,
        municipality_nis=row.municipality_nis,
        detail="gelezen",
    )
    out = _out(row)
    session.commit()
    return out


def list_dossiers(
    session: Session, principal: Principal | None, municipality_nis: str | None = None
) -> list[DossierOut]:
    """The dossiers the principal may see, newest change first, optionally of one municipality.

    Raises
    ------
    DossierForbidden
        No token, or ``municipality_nis`` outside the token's municipalities.
    """
    who = _require_role(session, principal, _READ_ROLES, "list", "dossiers bekijken")
    query = select(Dossier).order_by(Dossier.updated_at.desc(), Dossier.id)
    if municipality_nis is not None:
        if not who.can_access(municipality_nis):
            raise _deny(
                session,
                who,
                DossierForbidden(
                    f"U mag de dossiers van gemeente {municipality_nis[:10]} niet bekijken: uw "
                    f"token geldt voor {', '.join(sorted(who.municipalities))}."
                ),
                attempted="list",
                municipality_nis=municipality_nis[:5],
                reason="andere gemeente",
            )
        query = query.where(Dossier.municipality_nis == municipality_nis)
    elif who.role is not Role.ADMIN:
        query = query.where(Dossier.municipality_nis.in_(sorted(who.municipalities)))
    rows = list(session.scalars(query).unique())
    _audit(
        session,
        who,
        "list",
        dossier_id=None,
        municipality_nis=municipality_nis,
        detail=f"{len(rows)} dossiers",
    )
    out = [_out(r) for r in rows]
    session.commit()
    return out


def update_dossier(
    session: Session,
    principal: Principal | None,
    dossier_id: str,
    data: DossierUpdate,
    expected_version: int | None = None,
) -> DossierOut:
    """Change the fields sent in ``data`` (facilitator of the dossier's municipality, admin).

    Parameters
    ----------
    expected_version : int, optional
        The version the client read; when the stored version differs, nothing is changed. Even
        without it, a concurrent update between this function's read and write is detected.

    Raises
    ------
    DossierConflict
        The dossier changed since ``expected_version`` (or concurrently). Nothing is written,
        not even an audit row; the session is rolled back.
    DossierNotFound, DossierForbidden
        As for :func:`get_dossier`; analysts may not update.
    """
    who, row = _authorised_dossier(
        session, principal, _WRITE_ROLES, "update", "dossiers wijzigen", dossier_id
    )
    if expected_version is not None and row.version != expected_version:
        session.rollback()
        raise DossierConflict(row.id, expected_version, row.version)
    changes = data.changes()
    for name, value in changes.items():
        if name == "overrides":
            value = dict(value)
        elif name == "chosen_steps":
            value = list(value)
        setattr(row, name, value)
    row.updated_at = _now()
    _audit(
        session,
        who,
        "update",
        dossier_id=row.id,
        municipality_nis=row.municipality_nis,
        detail="velden: " + (", ".join(changes) or "geen"),
    )
    seen = row.version
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise DossierConflict(str(dossier_id), expected_version or seen, None) from None
    out = _out(row)
    session.commit()
    return out


def delete_dossier(session: Session, principal: Principal | None, dossier_id: str) -> None:
    """Delete a dossier and its personal data for good (GDPR erasure).

    The row is removed; on SQLite ``secure_delete`` overwrites the freed bytes and a WAL
    checkpoint after the commit moves the overwritten pages into the file and empties the log
    (best effort: a long-running reader elsewhere can keep old log frames until the next
    checkpoint). The audit rows stay, as they hold only the id, the municipality and what was
    done.

    Raises
    ------
    DossierNotFound, DossierForbidden
        As for :func:`update_dossier`.
    """
    who, row = _authorised_dossier(
        session, principal, _WRITE_ROLES, "delete", "dossiers verwijderen", dossier_id
    )
    _audit(
        session,
        who,
        "delete",
        dossier_id=row.id,
        municipality_nis=row.municipality_nis,
        detail="verwijderd (persoonsgegevens gewist)",
    )
    session.delete(row)
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise DossierConflict(str(dossier_id), None, None) from None
    session.commit()
    if session.get_bind().dialect.name == "sqlite":
        # The deleted row's old versions also sit in the write-ahead log until a checkpoint;
        # copy the zeroed pages into the file and empty the log now (best effort: a long
        # reader elsewhere can keep old frames until the next checkpoint).
        session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        session.commit()


def export_dossier(
    session: Session, principal: Principal | None, dossier_id: str
) -> dict[str, Any]:
    """Everything stored about one dossier, as JSON-ready data (GDPR right of access).

    The dossier itself and every audit row about it (including this export), oldest first.
    Facilitator of the dossier's municipality or admin.

    Raises
    ------
    DossierNotFound, DossierForbidden
        As for :func:`update_dossier`.
    """
    who, row = _authorised_dossier(
        session, principal, _WRITE_ROLES, "export", "dossiers exporteren", dossier_id
    )
    _audit(
        session,
        who,
        "export",
        dossier_id=row.id,
        municipality_nis=row.municipality_nis,
        detail="GDPR-export",
    )
    session.flush()
    audit = session.scalars(
        select(AuditEntry).where(AuditEntry.dossier_id == row.id).order_by(AuditEntry.id)
    )
    export = {
        "format": "wijkrenovatietool-dossier-export/1",
        "exported_at": _now().isoformat(),
        "dossier": _out(row).model_dump(mode="json"),
        "audit_log": [
            {
                "at": a.at.isoformat(),
                "action": a.action,
                "role": a.role,
                "token_id": a.token_id,
                "detail": a.detail,
            }
            for a in audit
        ],
    }
    session.commit()
    return export


def count_klimaattafel_dossiers(
    session: Session, municipality_nis: str, year: int | None = None
) -> int:
    """Number of dossiers of ``municipality_nis`` with a klimaattafel date, in ``year`` if given.

    A non-personal aggregate (the LEKP klimaattafel goal): no principal needed, no audit row.
    """
    query = select(func.count(Dossier.id)).where(
        Dossier.municipality_nis == municipality_nis, Dossier.klimaattafel_date.is_not(None)
    )
    if year is not None:
        query = query.where(
            Dossier.klimaattafel_date >= date(year, 1, 1),
            Dossier.klimaattafel_date <= date(year, 12, 31),
        )
    return int(session.scalar(query) or 0)


__all__ = [
    "AUDIT_ACTIONS",
    "DEFAULT_DB",
    "AuditEntry",
    "Base",
    "Dossier",
    "DossierConflict",
    "DossierError",
    "DossierForbidden",
    "DossierNotFound",
    "Principal",
    "Role",
    "SchemaMismatch",
    "Token",
    "TokenInfo",
    "authenticate",
    "count_klimaattafel_dossiers",
    "create_dossier",
    "create_token",
    "current_revision",
    "delete_dossier",
    "export_dossier",
    "get_dossier",
    "head_revision",
    "list_dossiers",
    "list_tokens",
    "make_engine",
    "migrate",
    "revoke_token",
    "session_scope",
    "update_dossier",
]
