"""Heat demand and design heat load of every dwelling, today and in the years of a scenario.

The heat zoning starts from each dwelling's own state in each year: today the twin as it is; in a
scenario year the twin with the measures the scenario's central run did by then
(``measures_<year>`` of ``woningen.parquet``, ``scenarios.run``). Each state is simulated by the
core (``sim.core.simulate``), so the figures are the ones the rest of the tool shows:

* ``heat_demand_kwh``: the heat the dwelling takes in a year, for space heating and hot water,
  at its **expected** use: (``heating_need_kwh`` + ``dhw_need_kwh``) x ``expected_use_ratio``
  (``sim.expected_use``: the prebound relation and the household's own measured use where the
  twin has it). This is what a heat network would sell; not the EPC method's standard use,
  which overstates old houses' use about threefold (``validatie.md``).
* ``design_heat_load_w``: the design heat load (EN 12831-1, single zone) of that state, what a
  heat pump or a network connection is sized for;
* ``hp_supply_temp_c``: the supply temperature its emitters need on the design day.

``hp_ready_cost_eur``, what it costs to make an air/water heat pump possible in that state, is
the catalogue's own rule and price: the heat pump applies where the emitters need at most its
``hp_supply_temp_c_max`` (55 °C); where they need more, new low-temperature emitters
(``low_temperature_emitters``) at the catalogue's price for the dwelling. (The household plan
may find insulation that does the same and also saves energy; for the comparison of heat
strategies the emitters are the cheapest sure way, so this is an upper bound of what readiness
costs -- said in ``warmteplan.md``.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scenarios.catalogue import Catalogue
from sim.core import SimulationResult, simulate
from sim.errors import Problems
from sim.stock import DwellingArrays

#: The measure that makes a heat pump possible where the emitters need too hot a supply.
READINESS_MEASURE = "low_temperature_emitters"
#: The heat pump whose rule says when a dwelling is ready.
HEAT_PUMP_MEASURE = "heat_pump_air_water"

#: Columns of :func:`dwelling_heat` (``docs/nomenclature.md``, "Heat zoning").
DEMAND_COLUMNS: tuple[str, ...] = (
    "dwelling_id",
    "building_id",
    "sector_id",
    "year",
    "x",
    "y",
    "attachment",
    "is_apartment",
    "floor_area_m2",
    "heating_system",
    "dhw_system",
    "heat_demand_kwh",
    "design_heat_load_w",
    "hp_supply_temp_c",
    "hp_ready_cost_eur",
    "expected_use_ratio",
)


def dwelling_heat(
    twin: pd.DataFrame,
    catalogue: Catalogue,
    today: int,
    states: Mapping[int, Sequence[str]] | None = None,
    xy: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
) -> pd.DataFrame:
    """Heat demand, design load and heat-pump readiness of every dwelling in every year.

    Parameters
    ----------
    twin : DataFrame
        The dwellings (``docs/twin_schema.md``); a GeoDataFrame's geometry gives ``x``, ``y``
        (the centroid of the building's footprint, EPSG:31370) unless ``xy`` is given.
    catalogue : Catalogue
        The measures (their effects, the heat pump's rule, the emitters' price).
    today : int
        The year of the twin as it is.
    states : mapping of int to sequence of str, optional
        Per scenario year, the measures each dwelling has done by then, in the twin's row order,
        as ``woningen.parquet`` writes them (ids joined by ``+``; "" for none).
    xy : tuple of ndarray, optional
        Coordinates [m, EPSG:31370] per dwelling.

    Returns
    -------
    DataFrame
        One row per dwelling and year (``today`` first, then the years of ``states`` in
        order), columns :data:`DEMAND_COLUMNS`.

    Raises
    ------
    InputError
        A measure of ``states`` that the catalogue does not know, or a state list of the wrong
        length (in Dutch, naming the year).
    """
    n = len(twin)
    x, y = _coordinates(twin) if xy is None else xy
    arrays = DwellingArrays.from_frame(twin)
    years = {int(today): [""] * n, **{int(k): list(v) for k, v in (states or {}).items()}}
    _check_states(years, n, catalogue)
    ready_limit = float(catalogue.measure(HEAT_PUMP_MEASURE).applies_if["hp_supply_temp_c_max"])
    emitters_cost = catalogue.costs(twin, [READINESS_MEASURE])[:, 0]
    attachment = twin["attachment"].astype(str).to_numpy()
    frames = []
    for year, done in years.items():
        heat, load, supply, ratio, heating, dhw = _simulate_states(arrays, catalogue, done)
        frames.append(
            pd.DataFrame(
                {
                    "dwelling_id": twin["dwelling_id"].astype(str).to_numpy(),
                    "building_id": twin["building_id"].astype(str).to_numpy(),
                    "sector_id": twin["sector_id"].astype(str).to_numpy(),
                    "year": np.full(n, year, dtype=np.int64),
                    "x": x,
                    "y": y,
                    "attachment": attachment,
                    "is_apartment": attachment == "apartment",
                    "floor_area_m2": arrays.floor_area_m2,
                    "heating_system": heating,
                    "dhw_system": dhw,
                    "heat_demand_kwh": heat,
                    "design_heat_load_w": load,
                    "hp_supply_temp_c": supply,
                    "hp_ready_cost_eur": np.where(supply > ready_limit, emitters_cost, 0.0),
                    "expected_use_ratio": ratio,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _coordinates(twin: pd.DataFrame) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Centroid of each dwelling's footprint [m, EPSG:31370]."""
    if "geometry" not in twin:
        problems = Problems("tweeling")
        problems.add("geometry", "de tweeling heeft geen geometrie; lees ze met wijk twin build")
        problems.raise_if_any()
    if twin.crs is None or twin.crs.to_epsg() != 31370:
        problems = Problems("tweeling")
        problems.add("geometry", f"verwacht EPSG:31370 (Lambert 72), kreeg {twin.crs}")
        problems.raise_if_any()
    c = twin.geometry.centroid
    return c.x.to_numpy(np.float64), c.y.to_numpy(np.float64)


def _check_states(years: dict[int, list[str]], n: int, catalogue: Catalogue) -> None:
    problems = Problems("scenarioresultaten")
    known = set(catalogue.ids)
    for year, done in years.items():
        if len(done) != n:
            problems.add(f"measures_{year}", f"{len(done)} woningen, de tweeling heeft er {n}")
            continue
        unknown = sorted({m for s in set(done) if s for m in str(s).split("+")} - known)
        if unknown:
            problems.add(
                f"measures_{year}",
                f"onbekende maatregel(en) {unknown}; gebruik de catalogus van de scenariorun",
            )
    problems.raise_if_any()


class _StateHeat(NamedTuple):
    heat_demand_kwh: NDArray[np.float64]
    design_heat_load_w: NDArray[np.float64]
    hp_supply_temp_c: NDArray[np.float64]
    expected_use_ratio: NDArray[np.float64]
    heating_system: NDArray[np.int64]
    dhw_system: NDArray[np.int64]


def _simulate_states(
    arrays: DwellingArrays, catalogue: Catalogue, done: Sequence[str]
) -> _StateHeat:
    """Per dwelling, its state's heat demand [kWh/a], design load [W], supply temperature
    [°C], expected-use ratio and heating and hot-water systems: one core call per distinct
    set of measures (a town has a few hundred)."""
    n = arrays.n
    heat = np.empty(n)
    load = np.empty(n)
    supply = np.empty(n)
    ratio = np.empty(n)
    heating = arrays.heating_system.copy()
    dhw = arrays.dhw_system.copy()
    combos, inverse = np.unique(np.asarray(done, dtype=object).astype(str), return_inverse=True)
    for k, combo in enumerate(combos):
        rows = np.flatnonzero(inverse == k)
        part = arrays.take(rows)
        measures = [m for m in combo.split("+") if m]
        variant = catalogue.variants([measures], names=["state"]) if measures else None
        res: SimulationResult = simulate(part, variant)
        p = 0
        if variant is not None and variant.name[0] != "state":
            p = list(variant.name).index("state")
        heat[rows] = (res.heating_need_kwh[:, p] + part.dhw_need_kwh) * res.expected_use_ratio[:, p]
        load[rows] = res.design_heat_load_w[:, p]
        supply[rows] = res.hp_supply_temp_c[:, p]
        ratio[rows] = res.expected_use_ratio[:, p]
        if variant is not None:
            if variant.heating_system[p] >= 0:
                heating[rows] = variant.heating_system[p]
            if variant.dhw_system[p] >= 0:
                dhw[rows] = variant.dhw_system[p]
    return _StateHeat(heat, load, supply, ratio, heating, dhw)


def states_from_results(dwellings: pd.DataFrame, twin: pd.DataFrame) -> dict[int, list[str]]:
    """The measures per scenario year of ``woningen.parquet`` (``measures_<year>``), in the
    twin's row order (matched on ``dwelling_id``; a dwelling of the twin missing from the
    results, or the reverse, is an error naming them)."""
    ids = twin["dwelling_id"].astype(str)
    res = dwellings.assign(dwelling_id=dwellings["dwelling_id"].astype(str)).set_index(
        "dwelling_id"
    )
    missing = ids[~ids.isin(res.index)].tolist()
    extra = sorted(set(res.index) - set(ids))
    problems = Problems("scenarioresultaten")
    if missing:
        problems.add("dwelling_id", f"woningen van de tweeling zonder resultaat: {missing[:10]}")
    if extra:
        problems.add(
            "dwelling_id", f"resultaten van woningen die de tweeling niet kent: {extra[:10]}"
        )
    problems.raise_if_any()
    res = res.reindex(ids.tolist())
    out: dict[int, list[str]] = {}
    for col in res.columns:
        if col.startswith("measures_") and col[9:].isdigit():
            out[int(col[9:])] = res[col].fillna("").astype(str).tolist()
    return out


__all__ = ["DEMAND_COLUMNS", "dwelling_heat", "states_from_results"]
