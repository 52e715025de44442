"""The dossier services and their audit log: see the rules in :mod:`api.db`."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import (
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from api.db.errors import (
    DossierConflict,
    DossierError,
    DossierForbidden,
    DossierNotFound,
)
from api.db.models import (
    AuditAction,
    AuditEntry,
    Dossier,
    Role,
    _now,
)
from api.db.tokens import Principal
from api.schemas import DossierIn, DossierOut, DossierUpdate
from sim.errors import Problems


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


def _nul_fields(value: Any, where: str) -> list[str]:
    """The places in ``value`` (strings, mapping keys and values, list items) holding a NUL."""
    if isinstance(value, str):
        return [where] if "\x00" in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                found.append(where)
            found += _nul_fields(item, f"{where}.{key!s}".replace("\x00", "\\u0000"))
        return found
    if isinstance(value, list | tuple):
        return [f for i, item in enumerate(value) for f in _nul_fields(item, f"{where}.{i}")]
    return []


def _reject_nul(fields: dict[str, Any]) -> None:
    """Refuse text with a NUL character (``\\u0000``), on every database alike.

    PostgreSQL cannot store NUL in text at all (the INSERT fails and the dossier would be lost
    with a 500); SQLite could, but a dossier must not depend on the database it happens to be
    saved in. The message is Dutch and names the field (422 over HTTP).
    """
    problems = Problems(what="het dossier")
    for name, value in fields.items():
        for where in dict.fromkeys(_nul_fields(value, f"body.{name}")):
            problems.add(
                where,
                "bevat een NUL-teken (\\u0000), dat niet bewaard kan worden. Verwijder het teken "
                "(het komt meestal mee bij kopiëren en plakken) en bewaar opnieuw.",
            )
    problems.raise_if_any()


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
    InputError
        A text holds a NUL character (nothing is written).
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
    _reject_nul(data.model_dump())
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
    # One audit row per dossier returned, with its id, so that the dossier's GDPR export shows
    # every list that disclosed it; one row without a dossier id for an empty list. Written in
    # the same transaction as the read, in one executemany.
    at = _now()
    detail = f"in lijst van {len(rows)} dossiers" + (
        f" (gemeente {municipality_nis})" if municipality_nis else ""
    )
    entries: list[dict[str, Any]] = [
        {
            "at": at,
            "token_id": who.token_id,
            "role": who.role.value,
            "action": "list",
            "dossier_id": r.id,
            "municipality_nis": r.municipality_nis,
            "detail": detail,
        }
        for r in rows
    ] or [
        {
            "at": at,
            "token_id": who.token_id,
            "role": who.role.value,
            "action": "list",
            "dossier_id": None,
            "municipality_nis": municipality_nis,
            "detail": "0 dossiers",
        }
    ]
    session.execute(insert(AuditEntry), entries)
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
        without it, a concurrent update between this function's read and write is detected --
        but not an edit made between the client's read and this call: the HTTP service
        therefore requires it (``If-Match``, 428 without).

    Raises
    ------
    DossierConflict
        The dossier changed since ``expected_version`` (or concurrently). Nothing is written,
        not even an audit row; the session is rolled back.
    DossierNotFound, DossierForbidden
        As for :func:`get_dossier`; analysts may not update.
    InputError
        A text holds a NUL character (nothing is written).
    """
    who, row = _authorised_dossier(
        session, principal, _WRITE_ROLES, "update", "dossiers wijzigen", dossier_id
    )
    if expected_version is not None and row.version != expected_version:
        session.rollback()
        raise DossierConflict(row.id, expected_version, row.version)
    changes = data.changes()
    _reject_nul(changes)
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


def delete_dossier(
    session: Session,
    principal: Principal | None,
    dossier_id: str,
    expected_version: int | None = None,
) -> None:
    """Delete a dossier and its personal data for good (GDPR erasure).

    The row is removed; on SQLite ``secure_delete`` overwrites the freed bytes and a WAL
    checkpoint after the commit moves the overwritten pages into the file and empties the log
    (best effort: a long-running reader elsewhere can keep old log frames until the next
    checkpoint). The audit rows stay, as they hold only the id, the municipality and what was
    done.

    Parameters
    ----------
    expected_version : int, optional
        The version the client read; when the stored version differs, nothing is deleted (a
        dossier someone else just changed is not erased unseen). The HTTP service requires it.

    Raises
    ------
    DossierConflict
        The dossier changed since ``expected_version`` (or concurrently); nothing is written.
    DossierNotFound, DossierForbidden
        As for :func:`update_dossier`.
    """
    who, row = _authorised_dossier(
        session, principal, _WRITE_ROLES, "delete", "dossiers verwijderen", dossier_id
    )
    if expected_version is not None and row.version != expected_version:
        session.rollback()
        raise DossierConflict(row.id, expected_version, row.version)
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


def audit_failed_authentication(
    session: Session,
    attempted: AuditAction,
    reason: str,
    *,
    token_id: int | None = None,
    dossier_id: str | None = None,
) -> None:
    """Commit a ``denied`` audit row for a dossier request without a valid token.

    ``reason`` says what was wrong (``geen token``, ``onbekend token (sha256 1a2b3c4d)``, ...),
    never the token itself. ``dossier_id`` is the id the request named, if it is one; the row
    then shows in that dossier's GDPR export. Committed at once: the request fails afterwards.
    """
    session.add(
        AuditEntry(
            at=_now(),
            token_id=token_id,  # a revoked token's id: who held it is worth knowing
            role="anonymous",
            action="denied",
            dossier_id=_normalise_id(dossier_id) if dossier_id else None,
            municipality_nis=None,
            detail=f"{attempted}: {reason}"[:500],
        )
    )
    session.commit()


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
