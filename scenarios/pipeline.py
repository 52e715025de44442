"""From a scenario file to written results (``wijk scenario run``, the notebooks).

This is where the twin (:mod:`buildings`) meets the scenario engine: the one module of
``scenarios`` that reads the twin through ``buildings`` (the layers of ``tests/test_layers.py``).

Everything that can be wrong with the inputs is checked before any computation
(:func:`scenarios.scenario.load_scenario`, :func:`scenarios.scenario.check_scenario`), and the
results only replace an earlier run once they are completely written.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scenarios.catalogue import load_catalogue
from scenarios.outputs import ScenarioInputs, indicators_of, write_outputs
from scenarios.policy import load_policy
from scenarios.run import ScenarioResult, run_scenario
from scenarios.scenario import REQUIRED_TWIN_COLUMNS, Scenario, check_scenario, load_scenario
from sim.errors import InputError, Problems

Progress = Callable[[str], None]


@dataclass
class ScenarioRun:
    """A finished run: the scenario, its inputs, the result and the indicator table."""

    scenario: Scenario
    inputs: ScenarioInputs
    result: ScenarioResult
    indicators: pd.DataFrame
    out_dir: Path | None = None

    def report_years(self) -> list[int]:
        """The years a summary shows: the first (the current state), the end of the policy's
        LEKP period, the scenario's output years and the last, those the run has, in order."""
        have = {int(y) for y in self.result.years}
        wanted = [
            int(self.result.years[0]),
            int(self.inputs.policy.lekp.period.to_year),
            *self.scenario.output.years,
            int(self.result.years[-1]),
        ]
        return sorted({y for y in wanted if y in have})


def year_draws_of(twin: pd.DataFrame) -> Callable[[pd.DataFrame, int], NDArray[np.float64]] | None:
    """Where the twin's construction years are drawn (``construction_year_source`` ``drawn``,
    :mod:`buildings.years`), the function that draws them again for a Monte Carlo run; None
    where every year is known (or the twin predates the drawn years)."""
    from buildings import years
    from buildings.parameters import twin_parameters

    need = ("construction_year_source", "party_row_key", "building_id", "attachment")
    if any(c not in twin for c in need):
        return None
    if not (twin["construction_year_source"].astype(str) == years.DRAWN).any():
        return None
    share = twin_parameters()["year_independent_share"]

    def draws(frame: pd.DataFrame, run: int) -> NDArray[np.float64]:
        return years.redraw_years(frame, run, share)

    return draws


def read_scenario_twin(path: Path, scenario_name: str) -> gpd.GeoDataFrame:
    """The twin file a scenario names under ``twin:``, read with :func:`buildings.twin.read_twin`.

    Whatever the file is, the answer is the twin or an :class:`InputError` at ``twin`` naming
    the file, in Dutch: a missing path, a directory or device, a file that is not Parquet (a
    system text file), a Parquet file that is not a GeoParquet twin of this version, and one
    without the columns a run needs. :func:`scenarios.scenario.load_scenario` checks most of
    this when it reads the scenario; this is the check for a scenario built in memory
    (:func:`scenarios.scenario.parse_scenario`) and for a file changed since.
    """
    import pyarrow as pa

    from buildings.twin import read_twin

    problems = Problems(f"scenario '{scenario_name}'")
    not_a_twin = (
        f"geen leesbaar tweelingbestand: {path}; verwacht het GeoParquet-bestand van "
        "`wijk twin build`"
    )
    twin: gpd.GeoDataFrame | None = None
    if not path.exists():
        problems.add("twin", f"bestand niet gevonden: {path}")
    elif not path.is_file():
        problems.add("twin", f"is geen gewoon bestand (een map of apparaat): {path}")
    else:
        try:
            twin = read_twin(path)
        except InputError as exc:  # the file's own problems (e.g. its schema version)
            for problem in exc.problems:
                problems.add("twin", f"{exc.what}: {problem}")
        except (pa.ArrowException, OSError, ValueError):  # not Parquet, or not GeoParquet
            problems.add("twin", not_a_twin)
    if twin is not None:
        missing = [c for c in REQUIRED_TWIN_COLUMNS if c not in twin.columns]
        if missing:
            problems.add(
                "twin",
                f"de digitale tweeling {path} mist kolom(men) {', '.join(missing)}; maak de "
                "tweeling met `wijk twin build` (zie docs/twin_schema.md)",
            )
    problems.raise_if_any()
    if twin is None:  # pragma: no cover - a problem was raised
        raise RuntimeError("twin not read without problems")
    return twin


def load_inputs(
    scenario: Scenario,
    twin: gpd.GeoDataFrame | None = None,
    sectors: gpd.GeoDataFrame | None = None,
) -> ScenarioInputs:
    """The twin, neighbourhoods, catalogue and policy a scenario names.

    ``twin: demo`` builds the embedded demo town (about 4,200 dwellings) in a temporary folder.
    ``twin`` and ``sectors`` (polygons with ``sector_id``, ``sector_name``) given here replace
    what the scenario names. The neighbourhood polygons are, first found: ``sectors`` given
    here, the scenario's ``sectors:`` file, those stored with the twin file
    (:func:`buildings.twin.read_twin_sectors`) or the demo's; a sector without any polygon gets
    the convex hull of its buildings, labelled in ``outline_source``
    (:func:`buildings.sectors.sector_outlines`).
    """
    from buildings.io import read_sectors
    from buildings.sectors import OUTLINE_HULL_NOTE_NL, has_hulls, sector_outlines
    from buildings.twin import read_twin_sectors

    if twin is None:
        if scenario.twin == "demo":
            from buildings.demo import demo_sources
            from buildings.twin import build_twin

            with tempfile.TemporaryDirectory() as tmp:
                src = demo_sources(Path(tmp))
                twin = build_twin(src).dwellings
                if sectors is None and scenario.sectors is None and src.sectors is not None:
                    sectors = read_sectors(src.sectors).frame
        else:
            twin = read_scenario_twin(Path(scenario.twin), scenario.name)
            if sectors is None and scenario.sectors is None:
                sectors = read_twin_sectors(Path(scenario.twin))
    if sectors is None and scenario.sectors is not None:
        sectors = read_sectors(scenario.sectors, id_field=scenario.sector_id_field).frame
    outlines = sector_outlines(twin, sectors)
    catalogue = load_catalogue(scenario.catalogue)
    policy = load_policy(scenario.policy)
    nis = str(twin["municipality_nis"].mode().iloc[0]) if "municipality_nis" in twin else ""
    name = str(twin["municipality"].mode().iloc[0]) if "municipality" in twin else "gemeente"
    note = OUTLINE_HULL_NOTE_NL if has_hulls(outlines) else ""
    return ScenarioInputs(twin, outlines, catalogue, policy, (nis, name), outline_note=note)


def cluster_members(scenario: Scenario, inputs: ScenarioInputs) -> dict[int, NDArray[np.bool_]]:
    """Dwellings of the N best collective-renovation clusters, per programme with ``clusters``."""
    wanted = {p: prog.clusters for p, prog in enumerate(scenario.collective_programmes)}
    wanted = {p: n for p, n in wanted.items() if n is not None}
    if not wanted:
        return {}
    from scenarios.clusters import find_clusters

    found = find_clusters(
        inputs.twin,
        inputs.catalogue,
        inputs.policy,
        year=scenario.horizon.start,
    )
    ranked = found.membership.merge(
        found.clusters[["cluster_id", "rank"]], on="cluster_id", how="left"
    )
    out = {}
    building = inputs.twin["building_id"].astype(str)
    for p, n in wanted.items():
        top = ranked.loc[ranked["rank"] <= n, "building_id"].astype(str)
        out[p] = building.isin(set(top)).to_numpy()
    return out


def prepare(
    path: str | Path | None = None,
    scenario: Scenario | None = None,
    twin: gpd.GeoDataFrame | None = None,
    progress: Progress | None = None,
    sectors: gpd.GeoDataFrame | None = None,
) -> tuple[Scenario, ScenarioInputs]:
    """Load and check a scenario and its inputs (every problem in one InputError)."""
    step = progress or (lambda _: None)
    if scenario is None:
        if path is None:
            raise ValueError("give a scenario file or a Scenario")
        step("scenario lezen")
        scenario = load_scenario(path)
    step("tweeling laden" if scenario.twin != "demo" else "voorbeeldgemeente opbouwen")
    inputs = load_inputs(scenario, twin=twin, sectors=sectors)
    check_scenario(
        scenario,
        list(inputs.twin.columns),
        sorted(inputs.twin["sector_id"].astype(str).unique()) if "sector_id" in inputs.twin else [],
        inputs.catalogue,
        inputs.policy,
    )
    return scenario, inputs


def run_file(
    path: str | Path | None = None,
    out: Path | None = None,
    *,
    scenario: Scenario | None = None,
    twin: gpd.GeoDataFrame | None = None,
    sectors: gpd.GeoDataFrame | None = None,
    scheduler: str | None = None,
    partition_dwellings: int = 250_000,
    progress: Progress | None = None,
) -> ScenarioRun:
    """Check, run and (with ``out``) write a scenario.

    Parameters
    ----------
    path : str or Path, optional
        Scenario YAML (``docs/scenario_schema.md``); or give ``scenario``.
    out : Path, optional
        Folder for the results; replaced only when the new results are completely written.
    twin, sectors : GeoDataFrame, optional
        Use this twin and these neighbourhood polygons instead of those the scenario names.
    scheduler : str, optional
        ``None`` (this process), ``"local"`` (Dask LocalCluster) or ``"tcp://HOST:PORT"``.
    """
    step = progress or (lambda _: None)
    scenario, inputs = prepare(path, scenario, twin, step, sectors)
    members = cluster_members(scenario, inputs)
    result = run_scenario(
        scenario,
        inputs.twin,
        inputs.catalogue,
        inputs.policy,
        cluster_members=members,
        scheduler=scheduler,
        partition_dwellings=partition_dwellings,
        progress=step,
        year_draws=year_draws_of(inputs.twin),
    )
    indicators = indicators_of(result, inputs)
    run = ScenarioRun(scenario, inputs, result, indicators)
    if out is not None:
        step("resultaten wegschrijven")
        run.out_dir = write_outputs(
            result, indicators, inputs, scenario, out, Path(path) if path is not None else None
        )
    return run


__all__ = [
    "ScenarioRun",
    "cluster_members",
    "load_inputs",
    "prepare",
    "read_scenario_twin",
    "run_file",
]
