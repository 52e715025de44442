"""API tokens: who may do what for which municipalities (the secret is stored hashed)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.models import (
    _NIS,
    ALL_MUNICIPALITIES,
    TOKEN_PREFIX,
    Role,
    Token,
    _now,
)
from sim.errors import Problems


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


@dataclass(frozen=True)
class Authentication:
    """What :func:`check_token` found: the principal, or why there is none (Dutch, for the
    audit log: ``geen token``, ``misvormd token``, ``onbekend token``, ``ingetrokken token``).

    ``token_id`` names a revoked token; ``hash_prefix`` is the first 8 hex digits of the SHA-256
    of what was presented (enough to see the same wrong token come back, useless for finding a
    token), empty when nothing was presented.
    """

    principal: Principal | None
    reason: str = ""
    token_id: int | None = None
    hash_prefix: str = ""


def check_token(session: Session, secret: str) -> Authentication:
    """Authenticate ``secret``; on failure say why, without keeping the secret.

    The lookup is by the SHA-256 of the secret, so the database never compares secrets, and the
    stored hash is compared again in constant time.
    """
    if not secret:
        return Authentication(None, "geen token")
    digest = _hash_secret(secret[:1000])
    short = digest[:8]
    if len(secret) > 200 or not secret.startswith(f"{TOKEN_PREFIX}_"):
        return Authentication(None, "misvormd token", hash_prefix=short)
    row = session.scalar(select(Token).where(Token.token_hash == digest))
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return Authentication(None, "onbekend token", hash_prefix=short)
    if row.revoked_at is not None:
        return Authentication(None, "ingetrokken token", token_id=row.id, hash_prefix=short)
    return Authentication(
        Principal(
            token_id=row.id,
            name=row.name,
            role=Role(row.role),
            municipalities=frozenset(row.municipalities),
        )
    )


def authenticate(session: Session, secret: str) -> Principal | None:
    """The principal of ``secret``; None for an unknown, malformed or revoked token
    (:func:`check_token` says which)."""
    return check_token(session, secret).principal


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
