"""The climate-table dossiers: personal data, a token of the dossier's municipality required;
every read and write is audited (:mod:`api.db`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query

from api import db
from api.http.deps import DossierId, S, Who
from api.schemas import DossierExport, DossierIn, DossierOut, DossierUpdate

router = APIRouter(prefix="/api/v1", tags=["dossiers"])


@router.post("/dossiers", status_code=201)
def create_dossier(body: DossierIn, who: Who, s: S) -> DossierOut:
    """Save a resident's dossier (committed before the answer: it survives a crash)."""
    return db.create_dossier(s, who, body)


@router.get("/dossiers")
def list_dossiers(
    who: Who, s: S, municipality: Annotated[str | None, Query(pattern=r"^\d{5}$")] = None
) -> list[DossierOut]:
    """Dossiers the token may see (its municipalities)."""
    return db.list_dossiers(s, who, municipality)


@router.get("/dossiers/{dossier_id}")
def get_dossier(dossier_id: DossierId, who: Who, s: S) -> DossierOut:
    """One dossier."""
    return db.get_dossier(s, who, dossier_id)


@router.patch("/dossiers/{dossier_id}")
def update_dossier(
    dossier_id: DossierId,
    body: DossierUpdate,
    who: Who,
    s: S,
    if_match: Annotated[str | None, Header(pattern=r"^\d{1,9}$")] = None,
) -> DossierOut:
    """Change a dossier; with ``If-Match: <version>`` only if nobody changed it meanwhile."""
    version = int(if_match) if if_match is not None else None
    return db.update_dossier(s, who, dossier_id, body, expected_version=version)


@router.delete("/dossiers/{dossier_id}", status_code=204)
def delete_dossier(dossier_id: DossierId, who: Who, s: S) -> None:
    """Delete a dossier and its personal data (GDPR)."""
    db.delete_dossier(s, who, dossier_id)


@router.get("/dossiers/{dossier_id}/export", response_model=DossierExport)
def export_dossier(dossier_id: DossierId, who: Who, s: S) -> dict[str, Any]:
    """Everything stored about a dossier, with its audit trail (GDPR access)."""
    return db.export_dossier(s, who, dossier_id)
