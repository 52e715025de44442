"""The scenario whose results the service holds (``/scenario``, ``/scenario/indicators``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from api import service
from api.http.deps import Ctx
from api.http.routes.municipalities import NO_RESULTS_NL
from api.schemas import IndicatorRow, ScenarioInfo

router = APIRouter(prefix="/api/v1", tags=["scenario"])


@router.get("/scenario")
def scenario(ctx: Ctx) -> ScenarioInfo:
    """The scenario whose results the service holds: name, years, indicators."""
    results = ctx.results
    if results is None:
        raise service.NotFound(NO_RESULTS_NL)
    return ScenarioInfo(
        name=results.name,
        years=results.years,
        indicators=sorted(str(x) for x in results.indicators["indicator"].unique()),
    )


@router.get("/scenario/indicators", response_model=list[IndicatorRow])
def scenario_indicators(
    ctx: Ctx,
    level: Annotated[Literal["gemeente", "sector"] | None, Query()] = None,
    area_id: Annotated[str | None, Query(max_length=40)] = None,
    indicator: Annotated[str | None, Query(max_length=60)] = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
) -> list[dict[str, Any]]:
    """Indicator rows of the scenario (the central estimate, i.e. the median of the runs,
    and P10/P50/P90), filtered; at most 5,000 rows."""
    if ctx.results is None:
        raise service.NotFound(NO_RESULTS_NL)
    return ctx.results.rows(level, area_id, indicator, year)
