"""``wijk warmte``: read the files, compute the heat plan, write it.

Every file is read and checked before anything is computed, and the output folder is written
only when the whole plan is (``scenarios.heat.io_plan``), so a mistake in any input leaves
nothing half-written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq

from buildings.sectors import sector_outlines
from buildings.twin import read_twin, read_twin_sectors
from scenarios.catalogue import load_catalogue
from scenarios.heat.costs import shipped_parameters
from scenarios.heat.demand import states_from_results
from scenarios.heat.io_plan import write_heat_plan
from scenarios.heat.plan import HeatPlan, HeatPlanInputs, heat_plan
from scenarios.results import load_results
from sim.errors import Problems


@dataclass
class HeatPlanDone:
    """A written heat plan."""

    plan: HeatPlan
    out_dir: Path
    title: str


def run_heat_plan(
    twin_path: Path,
    out: Path,
    results: Path | None = None,
    streets: Path | None = None,
    cabins: Path | None = None,
    zones_fixed: Path | None = None,
    costs: Path | None = None,
    heat_sources: Path | None = None,
    runs: int = 200,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    twin: gpd.GeoDataFrame | None = None,
) -> HeatPlanDone:
    """Read, compute and write a heat plan (see the module notes).

    ``today`` is the first year of the scenario run of ``results``, else the catalogue's price
    year (the year of the prices the costs use). ``twin`` may be given already read.
    ``costs`` is a file of the user's changes to the cost parameters
    (:func:`scenarios.heat.io_costs.read_cost_overrides`); ``warmteplan.md`` shows each change.
    ``heat_sources`` is a file of heat sources (:func:`scenarios.heat.sources.read_heat_sources`):
    each network area then pays for a transmission pipe from its nearest source.

    Raises
    ------
    InputError, SourceFileError
        Any input that cannot be used, in Dutch, naming the file (nothing is written).
    """
    step = progress or (lambda _: None)
    step("tweeling lezen")
    dwellings = read_twin(twin_path) if twin is None else twin
    # the given neighbourhood polygons, a hull of its buildings for a sector without one
    sectors = sector_outlines(dwellings, read_twin_sectors(twin_path))
    catalogue = load_catalogue()
    states = None
    today = int(catalogue.price_year)
    sources = [f"Tweeling: {twin_path}."]
    if results is not None:
        step("scenarioresultaten lezen")
        run = load_results(results)
        table = results / "woningen.parquet"
        if not table.is_file():
            problems = Problems(f"scenarioresultaten {results}")
            problems.add("woningen.parquet", "ontbreekt; geef de map van wijk scenario run")
            problems.raise_if_any()
        # only what the states need: the ids and each scenario year's measures
        wanted = [
            c
            for c in pq.read_schema(table).names
            if c == "dwelling_id" or c.startswith("measures_")
        ]
        states = states_from_results(pd.read_parquet(table, columns=wanted), dwellings)
        today = run.years[0]
        sources.append(f"Renovatietrajecten: scenario '{run.name}' ({results}), centrale run.")
    else:
        sources.append("Zonder scenario (--results): enkel de huidige toestand.")
    street_frame = cabin_frame = fixed_frame = source_frame = None
    rejects: dict[str, pd.DataFrame] = {}
    if streets is not None:
        from buildings.streets import read_streets

        step("straatassen lezen")
        read = read_streets(streets)
        street_frame = read.frame
        rejects["straten"] = read.rejects
        sources.append(
            f"Straatassen: {streets} ({len(street_frame)} segmenten die een leiding kan volgen; "
            f"{len(read.rejects)} andere weggelaten, met hun reden in weggelaten_straten.csv)."
        )
        sources.extend(f"Straatassen: {note}" for note in read.notes)
    if cabins is not None:
        from scenarios.heat.cabins import read_cabins

        step("cabines lezen")
        cabin_frame = read_cabins(cabins)
        sources.append(f"Cabines: {cabins} ({len(cabin_frame)}).")
    if zones_fixed is not None:
        from scenarios.heat.io_zones import read_fixed_zones

        step("vastgelegde zones lezen")
        fixed_frame = read_fixed_zones(zones_fixed)
        sources.append(f"Vastgelegde zones: {zones_fixed} ({len(fixed_frame)}).")
    if heat_sources is not None:
        from scenarios.heat.sources import read_heat_sources

        step("warmtebronnen lezen")
        source_frame = read_heat_sources(heat_sources)
        sources.append(f"Warmtebronnen: {heat_sources} ({len(source_frame)}).")
    params = shipped_parameters()
    if costs is not None:
        from scenarios.heat.io_costs import read_cost_overrides

        step("kostenaanpassingen lezen")
        overrides = read_cost_overrides(costs)
        params = params.with_overrides(overrides)
        sources.append(
            f"Kostenaanpassingen: {costs} ({len(overrides.parameters)} parameter(s) aangepast; "
            "zie Aannames en bronnen)."
        )
    step("warmteplan berekenen")
    plan = heat_plan(
        HeatPlanInputs(
            twin=dwellings,
            sectors=sectors,
            catalogue=catalogue,
            today=today,
            states=states,
            streets=street_frame,
            cabins=cabin_frame,
            fixed=fixed_frame,
            sources=source_frame,
            runs=runs,
            seed=seed,
            cost_parameters=params,
        )
    )
    step("warmteplan schrijven")
    title = (
        str(dwellings["municipality"].iloc[0])
        if "municipality" in dwellings and len(dwellings)
        else twin_path.stem
    )
    out_dir = write_heat_plan(
        plan, out, title=title, sources_nl=sources, cost_parameters=params, input_rejects=rejects
    )
    return HeatPlanDone(plan=plan, out_dir=out_dir, title=title)


@dataclass
class DemoHeatInputs:
    """The files the demo town's heat plan uses where a municipality gives its own."""

    cabins: Path
    heat_sources: Path


def demo_heat_inputs(twin: gpd.GeoDataFrame, folder: Path) -> DemoHeatInputs:
    """Synthetic cabins (:func:`demo_cabins`) and one stand-in heat source at the town's east
    edge (:func:`scenarios.heat.sources.demo_heat_sources`) for the demo town, written to
    ``folder`` (``cabines.gpkg``, ``warmtebronnen.gpkg``): what ``wijk demo`` and the demo
    service give ``wijk warmte`` as ``--cabins`` and ``--bronnen``."""
    from scenarios.heat.sources import demo_heat_sources, write_heat_sources

    folder.mkdir(parents=True, exist_ok=True)
    centre = twin.geometry.centroid
    return DemoHeatInputs(
        cabins=demo_cabins(twin, folder / "cabines.gpkg"),
        heat_sources=write_heat_sources(
            demo_heat_sources(centre.x.to_numpy(), centre.y.to_numpy()),
            folder / "warmtebronnen.gpkg",
        ),
    )


def run_demo_heat_plan(
    twin: gpd.GeoDataFrame,
    twin_path: Path,
    out: Path,
    inputs_folder: Path,
    results: Path | None = None,
    streets: Path | None = None,
    runs: int = 200,
    progress: Callable[[str], None] | None = None,
) -> HeatPlanDone:
    """The demo town's heat plan: :func:`demo_heat_inputs` written to ``inputs_folder``, then
    :func:`run_heat_plan` with them (what ``wijk demo``, the demo service and the browser test
    run)."""
    given = demo_heat_inputs(twin, inputs_folder)
    return run_heat_plan(
        twin_path,
        out,
        results,
        streets=streets,
        cabins=given.cabins,
        heat_sources=given.heat_sources,
        runs=runs,
        progress=progress,
        twin=twin,
    )


def demo_cabins(twin: gpd.GeoDataFrame, out: Path) -> Path:
    """Distribution cabins for the demo town, written to ``out`` (a GeoPackage): the demo has no
    cabin file, so :func:`scenarios.heat.cabins.synthetic_cabins` places them, sized for
    today's load (households and today's electric heating)."""
    from scenarios.heat.cabins import synthetic_cabins, write_cabins
    from scenarios.heat.demand import dwelling_heat
    from scenarios.heat.gridload import dwelling_electric_peak_w

    today = dwelling_heat(twin, load_catalogue(), int(load_catalogue().price_year))
    cabins = synthetic_cabins(
        today["x"].to_numpy(), today["y"].to_numpy(), today_peak_w=dwelling_electric_peak_w(today)
    )
    return write_cabins(cabins, out)


__all__ = [
    "DemoHeatInputs",
    "HeatPlanDone",
    "demo_cabins",
    "demo_heat_inputs",
    "run_demo_heat_plan",
    "run_heat_plan",
]
