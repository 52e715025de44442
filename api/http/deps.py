"""What a route may ask for: the loaded service (:class:`Context`), a database session, the
token's principal; and the path parameters' patterns."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

import anyio
from fastapi import Depends, Header, Path, Request
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from api import db, service
from api.http.ratelimit import refuse
from api.schemas import ID_PATTERN
from scenarios.heat.results import HeatResults
from scenarios.results import ScenarioResults

#: Threads per worker process that compute corrected household plans (see
#: :mod:`api.http.routes.dwellings`).
COMPUTE_THREADS = 1


@dataclass
class Context:
    """What one worker process serves: the loaded twin and its plans, the dossier database,
    the scenario results (if any) and what it keeps between requests."""

    state: service.ServiceState
    engine: Engine
    results: ScenarioResults | None
    #: the heat plan (``wijk warmte``), if the service was started with one
    heat: HeatResults | None = None
    #: answers computed once (the clusters' GeoJSON)
    cache: dict[str, Any] = field(default_factory=dict)
    #: the computing thread's limiter, made on the event loop at the first corrected plan
    limiter: list[anyio.CapacityLimiter] = field(default_factory=list)

    def compute_limiter(self) -> anyio.CapacityLimiter:
        """The limiter of the computing threads (:data:`COMPUTE_THREADS`)."""
        if not self.limiter:
            self.limiter.append(anyio.CapacityLimiter(COMPUTE_THREADS))
        return self.limiter[0]


def context(request: Request) -> Context:
    """The worker's :class:`Context` (set by :func:`api.http.app.create_app`).

    The routes asked most (addresses, a dwelling's card and plan) call this on their
    ``Request`` instead of declaring it a dependency: FastAPI's solving of a dependency per
    request cost a quarter of the autocomplete's throughput (``wijk serve-bench``).
    """
    ctx: Context = request.app.state.context
    return ctx


Ctx = Annotated[Context, Depends(context)]


def session(ctx: Ctx) -> Iterator[Session]:
    """A database session, committed when the route returns (:func:`api.db.session_scope`)."""
    with db.session_scope(ctx.engine) as s:
        yield s


S = Annotated[Session, Depends(session)]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; the scheme's name is
    case-insensitive (RFC 9110, section 11.1), so ``bearer`` and ``BEARER`` work too. None
    without a header, with another scheme or without a token.

    >>> bearer_token("bearer wijk_abc ")
    'wijk_abc'
    >>> bearer_token("Basic d2lqaw==") is None
    True
    """
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def principal(
    request: Request, s: S, authorization: Annotated[str | None, Header()] = None
) -> db.Principal:
    """Who the bearer token belongs to; 401 without a valid one, 429 after a burst of failures
    from one address. Every failure is audited and counted (:func:`api.http.ratelimit.refuse`)."""
    token = bearer_token(authorization)
    if token is None:
        refuse(request, s, db.Authentication(None, "geen token"))
    auth = db.check_token(s, token)
    if auth.principal is None:
        refuse(request, s, auth)
    return auth.principal


Who = Annotated[db.Principal, Depends(principal)]
DwellingId = Annotated[str, Path(pattern=ID_PATTERN)]
DossierId = Annotated[str, Path(pattern=r"^[0-9a-f\-]{36}$")]
Nis = Annotated[str, Path(pattern=r"^\d{5}$")]

__all__ = [
    "COMPUTE_THREADS",
    "Context",
    "Ctx",
    "DossierId",
    "DwellingId",
    "Nis",
    "S",
    "Who",
    "context",
    "principal",
    "session",
]
