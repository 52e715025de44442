"""Failed authentications on the dossier routes: audited, counted, and a burst slowed down.

Every dossier request without a valid token (none, not a token, unknown, revoked) gets a
``denied`` audit row (:func:`api.db.audit_failed_authentication`: the reason and at most the
first 8 hex digits of the SHA-256 of what was sent, never the token). Per client address, a
sliding window counts the failures: from the :attr:`FailedLogins.limit`-th failure within
:attr:`FailedLogins.window_s` seconds on, a request from that address that does not
authenticate gets 429 with ``Retry-After`` instead of 401. The block is audited once (not every
refused request, so a flood cannot fill the audit table), and it lasts while the failures go
on.

Requests with a valid token are never slowed down, not even from a blocked address (a
colleague behind the same NAT keeps working; a token is 256 random bits, so the block is not
what protects it from guessing -- it bounds the noise a prober makes).

In-process and per worker: each worker process keeps its own window, so with ``--workers N``
one address may fail up to N × :attr:`~FailedLogins.limit` times per window before every worker
refuses it. Kept simple on purpose (no shared store); ``docs/service.md`` says so.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NoReturn

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session

from api import db
from api.http.errors import problem

log = logging.getLogger(__name__)

#: Failures per client address per window before the 429.
DEFAULT_LIMIT = 20
#: The window [s].
DEFAULT_WINDOW_S = 60.0
#: Addresses kept at most; beyond it, addresses without a failure in the window are forgotten.
MAX_CLIENTS = 10_000


@dataclass
class Verdict:
    """What to do with one failed authentication."""

    #: seconds the client should wait (the 429's ``Retry-After``); None: answer 401
    retry_after: int | None
    #: write an audit row for this failure (every 401, and the first 429 of a block)
    audit: bool


@dataclass
class FailedLogins:
    """The per-worker sliding window of failed authentications per client address.

    >>> clock = [0.0]
    >>> guard = FailedLogins(limit=2, window_s=10, clock=lambda: clock[0])
    >>> [guard.failed("1.2.3.4").retry_after for _ in range(3)]
    [None, None, 10]
    >>> guard.failed("5.6.7.8").retry_after is None  # another address is not affected
    True
    >>> clock[0] = 25.0
    >>> guard.failed("1.2.3.4").retry_after is None  # the window has passed
    True
    """

    limit: int = DEFAULT_LIMIT
    window_s: float = DEFAULT_WINDOW_S
    clock: Callable[[], float] = time.monotonic
    #: failed authentications seen by this worker (every one, 401 or 429)
    failures: int = 0
    #: of which answered 429
    refused: int = 0
    _recent: dict[str, deque[float]] = field(default_factory=dict, repr=False)
    _blocked: set[str] = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def failed(self, client: str) -> Verdict:
        """Count one failed authentication of ``client``; say whether to answer 429."""
        with self._lock:
            now = self.clock()
            self.failures += 1
            recent = self._recent.get(client)
            if recent is None:
                if len(self._recent) >= MAX_CLIENTS:
                    self._forget_quiet(now)
                recent = self._recent[client] = deque(maxlen=self.limit)
            while recent and recent[0] <= now - self.window_s:
                recent.popleft()
            blocked = len(recent) >= self.limit
            # every failure counts, refused ones too: a prober who keeps going stays blocked
            recent.append(now)
            if not blocked:
                self._blocked.discard(client)
                return Verdict(retry_after=None, audit=True)
            self.refused += 1
            first = client not in self._blocked
            self._blocked.add(client)
            wait = recent[0] + self.window_s - now
            return Verdict(retry_after=max(1, math.ceil(wait)), audit=first)

    def _forget_quiet(self, now: float) -> None:
        quiet = [c for c, d in self._recent.items() if not d or d[-1] <= now - self.window_s]
        for c in quiet:
            del self._recent[c]
            self._blocked.discard(c)


_MAKE_LOCK = threading.Lock()


def failed_logins(state: object) -> FailedLogins:
    """The app's :class:`FailedLogins` (``app.state.failed_logins``), made on first use with the
    defaults; a test may set its own before the first request."""
    guard = getattr(state, "failed_logins", None)
    if guard is None:
        with _MAKE_LOCK:
            guard = getattr(state, "failed_logins", None)
            if guard is None:
                guard = FailedLogins()
                state.failed_logins = guard  # type: ignore[attr-defined]
    return guard


def _attempted(request: Request) -> db.models.AuditAction:
    """The dossier action a request was after, as the audit log names it."""
    method = request.method.upper()
    if method == "POST":
        return "create"
    if method == "PATCH":
        return "update"
    if method == "DELETE":
        return "delete"
    if "dossier_id" not in request.path_params:
        return "list"
    return "export" if request.url.path.endswith("/export") else "read"


def refuse(request: Request, session: Session, auth: db.Authentication) -> NoReturn:
    """Answer a request that did not authenticate: audit it, count it, raise 401 or 429.

    The 401 says what to send; the 429 (a burst of failures from this address, see
    :class:`FailedLogins`) says how long to wait, also in ``Retry-After``.
    """
    client = request.client.host if request.client else "onbekend"
    verdict = failed_logins(request.app.state).failed(client)
    if verdict.audit:
        reason = auth.reason + (f" (sha256 {auth.hash_prefix})" if auth.hash_prefix else "")
        if verdict.retry_after is not None:
            reason = f"te veel mislukte aanmeldingen, {reason}: 429 voor {verdict.retry_after} s"
            log.warning(
                "dossier routes: %s failed authentications from %s within %g s; answering 429",
                failed_logins(request.app.state).limit,
                client,
                failed_logins(request.app.state).window_s,
            )
        db.audit_failed_authentication(
            session,
            _attempted(request),
            reason,
            token_id=auth.token_id,
            dossier_id=request.path_params.get("dossier_id"),
        )
    if verdict.retry_after is not None:
        raise HTTPException(
            429,
            [
                problem(
                    "Authorization",
                    "te veel mislukte aanmeldingen vanaf uw adres. Wacht "
                    f"{verdict.retry_after} seconden en probeer opnieuw met een geldig token "
                    "(Authorization: Bearer wijk_...).",
                )
            ],
            headers={"Retry-After": str(verdict.retry_after), "WWW-Authenticate": "Bearer"},
        )
    message = (
        "token ontbreekt: stuur 'Authorization: Bearer <token>'"
        if auth.reason == "geen token"
        else "token ongeldig of ingetrokken"
    )
    raise HTTPException(
        401, [problem("Authorization", message)], headers={"WWW-Authenticate": "Bearer"}
    )


__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_WINDOW_S",
    "FailedLogins",
    "Verdict",
    "failed_logins",
    "refuse",
]
