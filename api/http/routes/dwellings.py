"""A dwelling: its card (``GET .../card``) and its household plan (``POST .../trajectory``)."""

from __future__ import annotations

import functools
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request

from api import service
from api.http.deps import DwellingId, context
from api.schemas import DwellingCard, TrajectoryAnswer, TrajectoryRequest

router = APIRouter(prefix="/api/v1", tags=["woningen"])


# CPU-bound and short (milliseconds, no I/O): run on the event loop rather than in the thread
# pool, where many threads would contend for the GIL (measured: fewer slow outliers)
@router.get(
    "/dwellings/{dwelling_id:path}/card",
    response_model=DwellingCard,
    response_model_exclude_unset=True,
)
async def card(request: Request, dwelling_id: DwellingId) -> dict[str, Any]:
    """Known facts with provenance and the estimated current state (label with uncertainty)."""
    return service.dwelling_card(context(request).state, dwelling_id)


# A question without corrections is read from the plans computed at start-up (a lookup, on
# the event loop); with corrections the plan simulates every combination of the measures
# (milliseconds of CPU): that runs on one computing thread per worker process
# (deps.COMPUTE_THREADS), so that address search, cards and health answer meanwhile on the
# event loop. One thread, not the pool's forty: the work holds the GIL, and forty threads taking
# turns with the event loop made every address lookup wait behind them (p95 64 ms, measured
# with ``wijk serve-bench --corrected``); waiting questions queue on the limiter instead.
@router.post(
    "/dwellings/{dwelling_id:path}/trajectory",
    response_model=TrajectoryAnswer,
    response_model_exclude_unset=True,
)
async def trajectory(
    request: Request, dwelling_id: DwellingId, body: TrajectoryRequest
) -> dict[str, Any]:
    """Stappenplan after the resident's corrections, with the optimiser's choices."""
    ctx = context(request)
    kwargs: dict[str, Any] = {
        "overrides": dict(body.overrides),
        "measured": {str(k): v for k, v in body.measured_kwh.items()},
        "order": body.order,
        "target_label": body.target_label,
        "budget_eur": body.budget_eur,
        "income_category": body.income_category,
    }
    if service.is_lookup(**kwargs):
        return service.trajectory(ctx.state, dwelling_id, **kwargs)
    return await anyio.to_thread.run_sync(
        functools.partial(service.trajectory, ctx.state, dwelling_id, **kwargs),
        limiter=ctx.compute_limiter(),
    )
