"""The map: neighbourhoods (``/sectors``), collective-renovation clusters (``/clusters``) and a
municipality with its LEKP goals (``/municipalities/{nis}``, ``.../lekp``)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import geopandas as gpd
from fastapi import APIRouter, Query

from api import db, service
from api.http.deps import Ctx, Nis, S
from api.schemas import Feature, FeatureCollection, LekpOut

router = APIRouter(prefix="/api/v1", tags=["kaart"])

#: Answer when the service holds no scenario results.
NO_RESULTS_NL = (
    "de dienst heeft geen scenarioresultaten; start hem met --results MAP (de uitvoer van "
    "wijk scenario run)"
)


@router.get("/sectors", response_model=FeatureCollection)
def sectors(
    ctx: Ctx, year: Annotated[int | None, Query(ge=1900, le=2200)] = None
) -> dict[str, Any]:
    """Neighbourhoods as GeoJSON (EPSG:4326) with current-state indicators and, when the
    service holds scenario results, the scenario's median of ``scenario_*`` indicators in
    ``year`` (default: the end of the LEKP period of the scenario's policy, else its last
    year)."""
    data = service.sectors_geojson(ctx.state)
    results = ctx.results
    if results is None:
        if year is not None:
            raise service.NotFound(NO_RESULTS_NL)
        return data
    when = results.default_year() if year is None else year
    if when not in results.years:
        raise service.NotFound(f"geen scenarioresultaten voor {when}; jaren: {results.years}")
    values = results.sector_values(when)
    for feature in data["features"]:
        props = feature["properties"]
        props.update(values.get(str(props["sector_id"]), {}))
        props["scenario_year"] = when
    return data


@router.get("/clusters", response_model=FeatureCollection)
def clusters(ctx: Ctx, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    """The best collective-renovation clusters as GeoJSON (EPSG:4326), ranked."""
    if "clusters" not in ctx.cache:
        ctx.cache["clusters"] = service.clusters_geojson(ctx.state)
    data = ctx.cache["clusters"]
    return {**data, "features": data["features"][:limit]}


@router.get("/municipalities/{nis}/lekp")
def lekp(ctx: Ctx, nis: Nis, s: S) -> LekpOut:
    """LEKP goals of the municipality and the klimaattafel dossiers counted so far
    (a non-personal aggregate)."""
    state = ctx.state
    if nis not in state.municipalities:
        raise service.NotFound(f"gemeente {nis} zit niet in de tweeling")
    units = int((state.twin["municipality_nis"].astype(str) == nis).sum())
    return LekpOut(
        municipality_nis=nis,
        housing_units=units,
        targets=state.policy.lekp_targets(units),
        klimaattafel_dossiers=db.count_klimaattafel_dossiers(s, nis),
    )


@router.get("/municipalities/{nis}", response_model=Feature)
def municipality(ctx: Ctx, nis: Nis, s: S) -> dict[str, Any]:
    """The municipality as a GeoJSON Feature (EPSG:4326; the union of its neighbourhoods)
    with its current-state totals, LEKP goals, klimaattafel dossiers and, with scenario
    results, the scenario's medians in its default year."""
    state, results = ctx.state, ctx.results
    if nis not in state.municipalities:
        raise service.NotFound(f"gemeente {nis} zit niet in de tweeling")
    rows = state.twin[state.twin["municipality_nis"].astype(str) == nis]
    cur = state.current.loc[rows.index]
    ids = set(rows["sector_id"].astype(str))
    polygons = state.sectors[state.sectors["sector_id"].astype(str).isin(ids)]
    units = len(rows)
    props: dict[str, Any] = {
        "municipality_nis": nis,
        "municipality": str(rows["municipality"].iloc[0]) if "municipality" in rows else nis,
        "dwellings": units,
        "share_label_a_or_better": float(cur["label"].isin(["A+", "A"]).mean()),
        "share_label_e_or_f": float(cur["label"].isin(["E", "F"]).mean()),
        "co2_t": float(cur["co2_kg"].sum()) / 1000.0,
        "energy_cost_eur": float(cur["energy_cost_eur"].sum()),
        "lekp_targets": state.policy.lekp_targets(units),
        "klimaattafel_dossiers": db.count_klimaattafel_dossiers(s, nis),
    }
    if results is not None:
        year = results.default_year()
        props["scenario_year"] = year
        for name in ("share_label_a_or_better", "lekp_collective_progress", "co2_kg"):
            series = results.municipality(name)
            at = series[series["year"] == year]
            if not at.empty:
                props[f"scenario_{name}"] = float(at["central"].iloc[0])
    geometry = polygons.geometry.union_all()
    return {
        "type": "Feature",
        "properties": props,
        "geometry": json.loads(gpd.GeoSeries([geometry], crs=polygons.crs).to_json())["features"][
            0
        ]["geometry"],
    }
