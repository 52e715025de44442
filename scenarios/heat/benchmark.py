"""Heat-plan benchmark: a region's stock through the whole heat zoning on the 100 m grid.

``wijk warmte-bench --dwellings 3300000`` (the size of the Flemish stock) builds a synthetic stock
(:func:`scenarios.benchmark.synthetic_stock`: the core's synthetic dwellings with the twin's
descriptive columns) placed in towns over the extent of Flanders
(:func:`scenarios.heat.zones_benchmark.synthetic_heat_frame`), gives each dwelling a renovation
state in three scenario years (cumulative measures of the catalogue, drawn), and times the heat
plan on the 100 m grid: the core on every state (demand), the grid and its sums, the levelised
cost of heat with its Monte Carlo and the advice, the design-day peak; then writing the grid
layer to a GeoPackage. Figures go into the README; nothing here asserts a time.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from scenarios.benchmark import synthetic_stock
from scenarios.catalogue import load_catalogue
from scenarios.heat.plan import HeatPlanInputs, heat_plan
from scenarios.heat.zones_benchmark import synthetic_heat_frame
from sim.benchmark import peak_rss_mb

#: Cumulative renovation states drawn for the scenario years (what a dwelling has done by then).
STATES: tuple[str, ...] = (
    "",
    "roof_insulation",
    "roof_insulation+glazing_hr",
    "roof_insulation+exterior_wall_insulation",
    "roof_insulation+exterior_wall_insulation+heat_pump_hybrid",
    "roof_insulation+exterior_wall_insulation+low_temperature_emitters+heat_pump_air_water",
)
#: The scenario years (today is the catalogue's price year).
YEARS: tuple[int, ...] = (2030, 2040, 2050)


def synthetic_heat_twin(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` synthetic dwellings with the twin's columns and a point in a town of Flanders."""
    stock = synthetic_stock(n, seed=seed)
    where = synthetic_heat_frame(n, years=(0,), seed=seed + 1)
    stock["building_id"] = "b" + where["building_id"].to_numpy(dtype=object)
    points = shapely.points(where["x"].to_numpy(), where["y"].to_numpy())
    return gpd.GeoDataFrame(stock, geometry=points, crs="EPSG:31370")


def synthetic_states(n: int, seed: int = 0) -> dict[int, list[str]]:
    """Per scenario year each dwelling's measures by then: a state that only moves forward."""
    rng = np.random.default_rng(seed)
    level = np.zeros(n, dtype=np.int64)
    out: dict[int, list[str]] = {}
    for year in YEARS:
        level = np.minimum(level + rng.integers(0, 3, n), len(STATES) - 1)
        out[year] = np.asarray(STATES, dtype=object)[level].tolist()
    return out


def run_heat_benchmark(n: int, runs: int = 200) -> dict[str, Any]:
    """Time the heat plan on ``n`` synthetic dwellings x (today + 3 scenario years)."""
    t0 = time.perf_counter()
    twin = synthetic_heat_twin(n)
    states = synthetic_states(n)
    prepared = time.perf_counter() - t0
    timings: dict[str, float] = {}
    t1 = time.perf_counter()
    plan = heat_plan(
        HeatPlanInputs(
            twin=twin,
            sectors=gpd.GeoDataFrame(geometry=[], crs="EPSG:31370"),
            catalogue=load_catalogue(),
            today=int(load_catalogue().price_year),
            states=states,
            runs=runs,
            layers=("grid",),
        ),
        timings,
    )
    computed = time.perf_counter() - t1
    grid = plan.layers["grid"]
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        grid.to_file(Path(tmp) / "warmtezones.gpkg", layer="grid", driver="GPKG")
    written = time.perf_counter() - t2
    advice = grid.groupby("year")["advice"].value_counts().unstack(fill_value=0)
    return {
        "dwellings": n,
        "years": plan.years,
        "runs": runs,
        "grid_cells": int(grid["zone_id"].nunique()),
        "zone_years": len(grid),
        "prepare_s": round(prepared, 1),
        "stages_s": {k: round(v, 1) for k, v in timings.items()},
        "heat_plan_s": round(computed, 1),
        "write_gpkg_s": round(written, 1),
        "peak_rss_mb": round(peak_rss_mb()),
        "advice_cells": {
            int(y): {str(k): int(v) for k, v in r.items()} for y, r in advice.iterrows()
        },
    }


__all__ = ["run_heat_benchmark", "synthetic_heat_twin", "synthetic_states"]
