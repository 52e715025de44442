"""The tables of the dossier database (SQLAlchemy 2): tokens, dossiers and the audit log; the
schema itself is made only by the migrations (``api/db/migrations``)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    mapped_column,
    relationship,
)
from sqlalchemy.types import TypeDecorator

DEFAULT_DB = "sqlite:///wijk.sqlite"
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
