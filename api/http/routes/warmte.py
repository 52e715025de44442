"""The heat plan (``wijk warmte``): zones with their advice and cabins with their loading, as
GeoJSON for the map (``/warmte``, ``/warmte/zones``, ``/warmte/cabines``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from api import service
from api.http.deps import Ctx
from api.schemas import FeatureCollection, HeatPlanInfo
from scenarios.heat.results import HeatResults

router = APIRouter(prefix="/api/v1", tags=["warmte"])

#: Answer when the service holds no heat plan.
NO_HEAT_PLAN_NL = (
    "de dienst heeft geen warmteplan; start hem met --warmte MAP (de uitvoer van wijk warmte)"
)


def _heat(ctx: Ctx) -> HeatResults:
    if ctx.heat is None:
        raise service.NotFound(NO_HEAT_PLAN_NL)
    return ctx.heat


def _year(heat: HeatResults, year: int | None) -> int:
    when = heat.years[0] if year is None else year
    if when not in heat.years:
        raise service.NotFound(f"geen warmteplan voor {when}; jaren: {heat.years}")
    return when


@router.get("/warmte")
def warmte(ctx: Ctx) -> HeatPlanInfo:
    """The heat plan the service holds: its kinds of zones, years and whether it has cabins."""
    heat = _heat(ctx)
    return HeatPlanInfo(layers=list(heat.layers), years=heat.years, cabins=heat.cabins is not None)


@router.get("/warmte/zones", response_model=FeatureCollection)
def zones(
    ctx: Ctx,
    layer: Annotated[Literal["sector", "grid", "street"], Query()] = "sector",
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
) -> dict[str, Any]:
    """Heat zones of one kind in one year (default the first, today) as GeoJSON (EPSG:4326):
    heat demand and density, the levelised cost of heat per strategy (P10/P50/P90), the advice
    with its probability and the design-day peak load of the heat pumps."""
    heat = _heat(ctx)
    if layer not in heat.layers:
        raise service.NotFound(
            f"het warmteplan heeft geen laag {layer}; lagen: {list(heat.layers)}"
        )
    key = f"warmte:{layer}:{_year(heat, year)}"
    if key not in ctx.cache:
        ctx.cache[key] = heat.geojson(layer, _year(heat, year))
    data: dict[str, Any] = ctx.cache[key]
    return data


@router.get("/warmte/cabines", response_model=FeatureCollection)
def cabins(ctx: Ctx, year: Annotated[int | None, Query(ge=1900, le=2200)] = None) -> dict[str, Any]:
    """Distribution cabins in one year as GeoJSON (EPSG:4326) with their peak load, capacity
    and loading (empty when the plan was made without cabins)."""
    heat = _heat(ctx)
    key = f"warmte:cabines:{_year(heat, year)}"
    if key not in ctx.cache:
        ctx.cache[key] = heat.cabins_geojson(_year(heat, year))
    data: dict[str, Any] = ctx.cache[key]
    return data
