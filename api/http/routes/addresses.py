"""``GET /api/v1/addresses``: the address autocomplete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.http.deps import context
from api.schemas import AddressHit

router = APIRouter(prefix="/api/v1", tags=["adressen"])


@router.get("/addresses", response_model=list[AddressHit])
async def addresses(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Any:
    """Autocomplete: addresses starting with ``q`` (street, number, bus; accents ignored).

    Runs on the event loop (a binary search, microseconds), not in the thread pool, so it
    stays quick while trajectories are computed.
    """
    return context(request).state.index.search(q, limit)
