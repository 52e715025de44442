"""``GET /api/v1/health``: whether the service runs, and what it holds."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.http.deps import context
from api.schemas import Health

router = APIRouter(prefix="/api/v1", tags=["dienst"])


@router.get("/health")
def health(request: Request) -> Health:
    """Whether the service runs, and what it holds."""
    ctx = context(request)
    return Health(
        status="ok", dwellings=len(ctx.state.twin), municipalities=ctx.state.municipalities
    )
