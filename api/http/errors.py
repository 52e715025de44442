"""Every 4xx answer of the service in one JSON shape, in Dutch:
``{"detail": [{"field": ..., "message": ...}]}``; bad input never gives a 500 and never a
partial write."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import db, service
from scenarios.io_yaml import pydantic_message_nl
from sim.errors import InputError

#: Largest request body accepted [bytes]; larger ones get 413 before they are read.
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
        "description": "Fout in het verzoek: ongeldige invoer (422), geen of ongeldig token (401), "
        "niet toegestaan (403), niet gevonden (404), gewijzigd door iemand anders (409), te groot "
        "(413).",
    }
}


def problem(field: str, message: str) -> dict[str, str]:
    """One item of an error answer's ``detail``."""
    return {"field": field, "message": message}


def install_error_handlers(app: FastAPI) -> None:
    """The body-size limit and the handlers that give every error the one shape."""

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Any) -> Any:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return JSONResponse(
                status_code=413,
                content={"detail": [problem("body", f"verzoek groter dan {MAX_BODY_BYTES} bytes")]},
            )
        return await call_next(request)

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
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Starlette's own errors (a body that is not JSON, an unknown path or method) carry a
        # string detail: answer them in the same shape as every other error.
        detail = exc.detail if isinstance(exc.detail, list) else [problem("request", exc.detail)]
        return JSONResponse(
            status_code=exc.status_code, content={"detail": detail}, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            status_code=422,
            content={
                "detail": [
                    problem(".".join(str(x) for x in e["loc"]), pydantic_message_nl(e))
                    for e in exc.errors()
                ]
            },
        )


__all__ = [
    "ERROR_RESPONSES",
    "MAX_BODY_BYTES",
    "ErrorOut",
    "Problem",
    "install_error_handlers",
    "problem",
]
