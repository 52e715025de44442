"""The climate-table dossiers: personal data, a token of the dossier's municipality required;
every read and write is audited (:mod:`api.db`).

A change or a deletion needs the version the client read, as ``If-Match`` (the dossier's
``version``, bare or as the quoted ``ETag`` that reads and writes return): without it the answer
is 428 and nothing happens, with a stale one 409. So two editors cannot overwrite each other,
not even when the second read the dossier before the first saved it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response

from api import db
from api.http.deps import DossierId, S, Who
from api.http.errors import problem
from api.schemas import DossierExport, DossierIn, DossierOut, DossierUpdate

router = APIRouter(prefix="/api/v1", tags=["dossiers"])

#: ``If-Match``: the version read, bare (``3``) or as the ETag (``"3"``).
IF_MATCH = re.compile(r'^\s*(?:"(\d{1,9})"|(\d{1,9}))\s*$')

#: The ``If-Match`` header in the OpenAPI schema: required for update and delete. Documented by
#: hand, because the route answers its absence with 428, not with FastAPI's 422.
IF_MATCH_DOC: dict[str, Any] = {
    "parameters": [
        {
            "name": "If-Match",
            "in": "header",
            "required": True,
            "description": "De versie van het dossier die u las (veld version, of de ETag).",
            "schema": {"type": "string", "pattern": r'^(\d{1,9}|"\d{1,9}")$'},
        }
    ]
}


def _expected_version(request: Request) -> int:
    """The version in ``If-Match``; 428 without the header, 422 when it is not a version."""
    raw = request.headers.get("if-match")
    if raw is None:
        raise HTTPException(
            428,
            [
                problem(
                    "If-Match",
                    "wijzigen of verwijderen kan alleen met de versie die u las: stuur "
                    "'If-Match: <version>' (het veld version van het dossier, of de ETag). Zo "
                    "overschrijft u geen wijziging van iemand anders. Er is niets gewijzigd.",
                )
            ],
        )
    match = IF_MATCH.match(raw)
    if match is None:
        raise HTTPException(
            422,
            [
                problem(
                    "If-Match",
                    "moet de versie van het dossier zijn (een geheel getal, bv. 'If-Match: 3' "
                    "of 'If-Match: \"3\"'). Er is niets gewijzigd.",
                )
            ],
        )
    return int(match.group(1) or match.group(2))


def _etag(response: Response, out: DossierOut) -> DossierOut:
    response.headers["ETag"] = f'"{out.version}"'
    return out


@router.post("/dossiers", status_code=201)
def create_dossier(body: DossierIn, who: Who, s: S, response: Response) -> DossierOut:
    """Save a resident's dossier (committed before the answer: it survives a crash)."""
    return _etag(response, db.create_dossier(s, who, body))


@router.get("/dossiers")
def list_dossiers(
    who: Who, s: S, municipality: Annotated[str | None, Query(pattern=r"^\d{5}$")] = None
) -> list[DossierOut]:
    """Dossiers the token may see (its municipalities); each one listed is audited."""
    return db.list_dossiers(s, who, municipality)


@router.get("/dossiers/{dossier_id}")
def get_dossier(dossier_id: DossierId, who: Who, s: S, response: Response) -> DossierOut:
    """One dossier; its version is also the ``ETag``."""
    return _etag(response, db.get_dossier(s, who, dossier_id))


@router.patch("/dossiers/{dossier_id}", openapi_extra=IF_MATCH_DOC)
def update_dossier(
    dossier_id: DossierId,
    body: DossierUpdate,
    who: Who,
    s: S,
    request: Request,
    response: Response,
) -> DossierOut:
    """Change a dossier, only if nobody changed it since the version in ``If-Match`` (required:
    428 without, 409 when stale)."""
    version = _expected_version(request)
    return _etag(response, db.update_dossier(s, who, dossier_id, body, expected_version=version))


@router.delete("/dossiers/{dossier_id}", status_code=204, openapi_extra=IF_MATCH_DOC)
def delete_dossier(dossier_id: DossierId, who: Who, s: S, request: Request) -> None:
    """Delete a dossier and its personal data (GDPR), only at the version in ``If-Match``
    (required: 428 without, 409 when stale)."""
    db.delete_dossier(s, who, dossier_id, expected_version=_expected_version(request))


@router.get("/dossiers/{dossier_id}/export", response_model=DossierExport)
def export_dossier(dossier_id: DossierId, who: Who, s: S) -> dict[str, Any]:
    """Everything stored about a dossier, with its audit trail (GDPR access)."""
    return db.export_dossier(s, who, dossier_id)
