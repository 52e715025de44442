"""Every error answer of the service in one JSON shape, in Dutch:
``{"detail": [{"field": ..., "message": ...}]}``; bad input never gives a 500 and never a
partial write.

The mechanism, not each route, keeps hostile input out:

- :class:`BodyGuard` (pure ASGI) counts the bytes of a request body as they arrive, whatever
  the framing (``Content-Length``, chunked, a ``Content-Length`` that lies), and answers 413 as
  soon as more than :data:`MAX_BODY_BYTES` have come in -- the rest is never read, the
  connection is closed. It also refuses ``NaN`` and ``Infinity`` in a JSON body (Python's
  ``json`` reads them, JSON has no such numbers) with a 422 naming the field.
- :class:`HeadAsGet` answers ``HEAD`` on every ``GET`` route (headers only).
- The handlers of :func:`install_error_handlers` give Starlette's and FastAPI's own errors
  (an unknown path, a method the path does not have -- with an ``Allow`` header listing the
  methods it has --, a body that is not JSON) and pydantic's validation errors the one shape,
  in Dutch.
"""

from __future__ import annotations

import functools
import json
import typing
from collections.abc import Awaitable, Callable, MutableMapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic_core.core_schema import ErrorType
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api import db, service
from scenarios.io_yaml import pydantic_message_nl
from sim.errors import InputError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Largest request body accepted [bytes]; a larger one gets 413 as soon as its first
#: ``MAX_BODY_BYTES + 1`` bytes have arrived (or at once, if its ``Content-Length`` says so).
MAX_BODY_BYTES = 64 * 1024


class Problem(BaseModel):
    """One thing wrong with a request: where (``query.q``, ``body.notes``, ``Authorization``,
    ``dossier`` ...) and what to do about it, in Dutch."""

    field: str
    message: str


class ErrorOut(BaseModel):
    """The body of every 4xx answer of the service."""

    detail: list[Problem]


#: Documented for every route, so the OpenAPI schema describes the errors the service really
#: sends (FastAPI would otherwise document its own 422 shape, ``loc``/``msg``/``type``).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {
        "model": ErrorOut,
        "description": "Fout in het verzoek: onleesbare inhoud (400), ongeldige invoer (422), "
        "geen of ongeldig token (401), niet toegestaan (403), niet gevonden (404), methode niet "
        "toegestaan (405, met Allow), gewijzigd door iemand anders (409), te groot (413), "
        "If-Match ontbreekt (428), te veel mislukte aanmeldingen (429).",
    }
}


def problem(field: str, message: str) -> dict[str, str]:
    """One item of an error answer's ``detail``."""
    return {"field": field, "message": message}


def _error_body(*problems: dict[str, str]) -> bytes:
    return json.dumps({"detail": list(problems)}, ensure_ascii=False).encode("utf-8")


# ---------------------------------------------------------------------- the body guard
_TOO_LARGE = problem(
    "body",
    f"verzoek te groot: hoogstens {MAX_BODY_BYTES} bytes ({MAX_BODY_BYTES // 1024} kB); "
    "stuur minder",
)
_NON_FINITE_MESSAGE = "moet een eindig getal zijn: NaN en Infinity bestaan niet in JSON"


class BodyTooLarge(HTTPException):
    """More than :data:`MAX_BODY_BYTES` of body have arrived. An :class:`HTTPException`, so that
    FastAPI's body reader lets it through (any other error there becomes a 400)."""

    def __init__(self) -> None:
        super().__init__(413, [_TOO_LARGE], headers={"Connection": "close"})


class NonFiniteNumber(HTTPException):
    """A JSON body holds ``NaN``, ``Infinity`` or ``-Infinity`` (at ``field``)."""

    def __init__(self, field: str) -> None:
        super().__init__(422, [problem(field, _NON_FINITE_MESSAGE)])


class _Constant:
    """What the scan of :func:`non_finite_field` reads ``NaN`` / ``Infinity`` as."""


_CONSTANT = _Constant()


def non_finite_field(body: bytes) -> str | None:
    """The field (``body.overrides.construction_year``) of the first ``NaN``, ``Infinity`` or
    ``-Infinity`` in a JSON body; None if there is none, or if the body is not JSON (the
    route's parser then says what is wrong with it).

    >>> non_finite_field(b'{"overrides": {"construction_year": NaN}}')
    'body.overrides.construction_year'
    >>> non_finite_field(b'{"order": ["x", -Infinity]}')
    'body.order.1'
    >>> non_finite_field(b'{"notes": "NaN"}') is None
    True
    """
    if b"NaN" not in body and b"Infinity" not in body:  # the common case: no parse at all
        return None
    try:
        data = json.loads(body, parse_constant=lambda _: _CONSTANT)
    except (ValueError, RecursionError):
        return None
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ("body",))]
    while stack:  # iterative: a deeply nested body must not exhaust the stack here
        value, path = stack.pop()
        if value is _CONSTANT:
            return ".".join(path)
        if isinstance(value, dict):
            stack.extend((v, (*path, str(k))) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((v, (*path, str(i))) for i, v in reversed(list(enumerate(value))))
    return None


def _content_length(scope: Scope) -> int | None:
    """The declared ``Content-Length``; -1 if it is not a number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else -1
    return None


class BodyGuard:
    """Pure ASGI middleware: the request body's limit, counted as the bytes arrive, and the
    refusal of non-finite numbers in a JSON body.

    A declared ``Content-Length`` above the limit (or not a number) is refused before anything
    is read. Otherwise ``receive`` is wrapped: every chunk is counted, and the chunk that takes
    the total past ``max_bytes`` raises :class:`BodyTooLarge` in the reader -- chunked bodies,
    bodies without a length and bodies longer than their ``Content-Length`` alike. The 413 says
    ``Connection: close``, so the server stops reading the connection.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and not 0 <= declared <= self.max_bytes:
            await _send_too_large(send)
            return
        limit = self.max_bytes
        chunks: list[bytes] = []
        size = 0
        started = False

        async def guarded_receive() -> Message:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise BodyTooLarge()
                if chunk:
                    chunks.append(chunk)
                if not message.get("more_body", False) and chunks:
                    field = non_finite_field(b"".join(chunks))
                    if field is not None:
                        raise NonFiniteNumber(field)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, tracked_send)
        except (BodyTooLarge, NonFiniteNumber) as exc:
            # raised where no exception handler runs (a middleware reading the body): answer here
            if started:
                raise
            if isinstance(exc, BodyTooLarge):
                await _send_too_large(send)
            else:
                await _send_json(send, 422, _error_body(*exc.detail))


async def _send_json(send: Send, status: int, body: bytes, close: bool = False) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_too_large(send: Send) -> None:
    await _send_json(send, 413, _error_body(_TOO_LARGE), close=True)


class HeadAsGet:
    """Pure ASGI middleware: ``HEAD`` is answered as ``GET`` without the body (RFC 9110: the
    same headers), on every route that has ``GET`` -- FastAPI's routes have no ``HEAD`` of
    their own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


# ---------------------------------------------------------------------- messages in Dutch
#: pydantic's own error types: one of these without a Dutch text gets a Dutch generic message;
#: any other type is the project's own check (PydanticCustomError), already in Dutch.
_PYDANTIC_TYPES = frozenset(typing.get_args(ErrorType))
#: Texts of the service for types the shared table (scenarios.io_yaml) does not hold.
_MORE_NL = {
    "int_parsing_size": "is een te groot getal",
    "float_parsing": "moet een getal zijn",
    "string_unicode": "moet geldige tekst (UTF-8) zijn",
    "uuid_parsing": "moet een UUID zijn",
    "is_instance_of": "heeft niet het verwachte type",
}


def validation_message_nl(error: MutableMapping[str, Any]) -> str:
    """One pydantic error of a request, in Dutch (never pydantic's English).

    >>> validation_message_nl({"type": "literal_error", "msg": "...",
    ...                        "ctx": {"expected": "'A' or 'B'"}})
    "moet een van 'A' of 'B' zijn"
    >>> validation_message_nl({"type": "no_such_attribute", "msg": "Object has no attribute"})
    'ongeldige waarde'
    """
    kind = error["type"]
    if kind in _MORE_NL:
        return _MORE_NL[kind]
    ctx = error.get("ctx")
    if kind == "literal_error" and ctx and isinstance(ctx.get("expected"), str):
        # pydantic joins the last two choices with an English "or"
        head, sep, tail = ctx["expected"].rpartition(" or ")
        error = {**error, "ctx": {**ctx, "expected": f"{head} of {tail}" if sep else tail}}
    if kind in _PYDANTIC_TYPES and not _has_dutch_text(kind):
        return "ongeldige waarde"  # a type without a Dutch text: never pydantic's English
    return pydantic_message_nl(error)


@functools.cache
def _has_dutch_text(kind: str) -> bool:
    """True if the shared table (``scenarios.io_yaml``) has a Dutch text for this type."""
    probe = "\x00probe"
    try:
        return pydantic_message_nl({"type": kind, "msg": probe}) != probe
    except (KeyError, IndexError):  # a text that needs its context: there is one
        return True


#: Starlette's and FastAPI's own texts, per status, in Dutch: (field, message).
_STATUS_NL: dict[int, tuple[str, str]] = {
    400: ("body", "de inhoud van het verzoek kon niet gelezen worden; stuur geldige JSON (UTF-8)"),
    401: ("Authorization", "niet aangemeld: stuur een geldig token"),
    403: ("request", "niet toegestaan"),
    404: ("path", "niet gevonden: dit adres bestaat niet in de dienst (zie /docs)"),
    406: ("Accept", "dit antwoordformaat kan de dienst niet geven; vraag application/json"),
    409: ("request", "conflict met de huidige toestand; haal de gegevens opnieuw op"),
    413: ("body", _TOO_LARGE["message"]),
    415: ("Content-Type", "dit formaat wordt niet aanvaard; stuur application/json"),
    422: ("body", "ongeldige invoer"),
    429: ("request", "te veel verzoeken; probeer het later opnieuw"),
}
#: English details of the frameworks that are not a status phrase.
_FRAMEWORK_DETAILS = frozenset({"There was an error parsing the body"})
#: The order of methods in ``Allow``.
_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """The methods some route answers on the request's path (``HEAD`` wherever ``GET`` is):
    each method is tried against the app's routes, as the router itself would match it."""
    routes = request.app.router.routes
    allowed = []
    for method in _METHOD_ORDER:
        scope = {**request.scope, "method": "GET" if method == "HEAD" else method}
        if any(route.matches(scope)[0] is Match.FULL for route in routes):
            allowed.append(method)
    return allowed


def _framework_detail(exc: StarletteHTTPException) -> bool:
    """True if the detail is Starlette's or FastAPI's own (English) text."""
    if not isinstance(exc.detail, str):
        return False
    try:
        phrase = HTTPStatus(exc.status_code).phrase
    except ValueError:
        phrase = None
    return exc.detail == phrase or exc.detail in _FRAMEWORK_DETAILS


def install_error_handlers(app: FastAPI) -> None:
    """The body guard, ``HEAD``, and the handlers that give every error the one shape."""
    app.add_middleware(BodyGuard)
    app.add_middleware(HeadAsGet)

    @app.exception_handler(Exception)
    async def server_error(_: Request, exc: Exception) -> JSONResponse:
        # A bug, not bad input: Starlette still logs the traceback (it re-raises after this
        # answer); the client gets the one shape in Dutch, never a traceback.
        return JSONResponse(
            status_code=500,
            content={
                "detail": [
                    problem(
                        "request",
                        "interne fout van de dienst; probeer het later opnieuw of meld het aan "
                        "de beheerder",
                    )
                ]
            },
        )

    @app.exception_handler(InputError)
    async def input_error(_: Request, exc: InputError) -> JSONResponse:
        return JSONResponse(
            status_code=422,
            content={"detail": [problem(p.field, p.message) for p in exc.problems]},
        )

    @app.exception_handler(service.NotFound)
    async def not_found(_: Request, exc: service.NotFound) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": [problem("id", str(exc))]})

    @app.exception_handler(db.DossierError)
    async def dossier_error(_: Request, exc: db.DossierError) -> JSONResponse:
        code = {db.DossierNotFound: 404, db.DossierForbidden: 403, db.DossierConflict: 409}
        return JSONResponse(
            status_code=code.get(type(exc), 400),
            content={"detail": [problem("dossier", exc.message)]},
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Starlette's and FastAPI's own errors (an unknown path or method, a body that cannot
        # be read) carry an English string: answer them in Dutch, in the shape of every error.
        headers = dict(exc.headers or {})
        if isinstance(exc.detail, list):
            detail = exc.detail
        elif exc.status_code == 405:
            allow = allowed_methods(request)
            headers["Allow"] = ", ".join(allow)
            detail = [
                problem(
                    "method",
                    f"methode {request.method} is niet toegestaan op dit adres; "
                    f"toegestaan: {', '.join(allow)}",
                )
            ]
        elif _framework_detail(exc):
            field, message = _STATUS_NL.get(
                exc.status_code, ("request", f"verzoek geweigerd (HTTP {exc.status_code})")
            )
            detail = [problem(field, message)]
        else:  # a text of the project itself (Dutch)
            detail = [problem("request", str(exc.detail))]
        return JSONResponse(
            status_code=exc.status_code, content={"detail": detail}, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = []
        for e in exc.errors():
            if e["type"] == "json_invalid":  # loc is ("body", <character position>)
                position = e["loc"][-1] if len(e["loc"]) > 1 else "?"
                detail.append(problem("body", f"is geen geldige JSON (fout bij teken {position})"))
            else:
                detail.append(problem(".".join(str(x) for x in e["loc"]), validation_message_nl(e)))
        return JSONResponse(status_code=422, content={"detail": detail})


__all__ = [
    "ERROR_RESPONSES",
    "MAX_BODY_BYTES",
    "BodyGuard",
    "BodyTooLarge",
    "ErrorOut",
    "HeadAsGet",
    "NonFiniteNumber",
    "Problem",
    "allowed_methods",
    "install_error_handlers",
    "non_finite_field",
    "problem",
    "validation_message_nl",
]
