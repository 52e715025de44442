"""``GET /api/v1/health``: whether the service runs, and what it holds."""

from __future__ import annotations

from fastapi import APIRouter

from api.http.deps import Ctx
from api.schemas import Health

router = APIRouter(prefix="/api/v1", tags=["dienst"])


@router.get("/health")
def health(ctx: Ctx) -> Health:
    """Whether the service runs, and what it holds."""
    return Health(
        status="ok", dwellings=len(ctx.state.twin), municipalities=ctx.state.municipalities
    )
