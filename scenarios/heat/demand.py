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
the catalogue's own rule and price: the heat pump (the heat-cost parameters' measure of the role
``individual_heat_pump``, ``heat_pump_air_water`` in the shipped ``heat_costs.yaml``) applies
where the emitters need at most its ``hp_supply_temp_c_max`` (55 °C); where they need more, the
measure of the role ``heat_pump_readiness`` (new low-temperature emitters,
``low_temperature_emitters``) at the catalogue's price for the dwelling. The roles are the ones
``scenarios.heat.costs`` prices the strategies with, so both read the same measures. (The household plan
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
from scenarios.heat.costs import shipped_parameters
from sim.core import SimulationResult, simulate
from sim.errors import Problems
from sim.stock import DwellingArrays

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
    measures: Mapping[str, str] | None = None,
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
    measures : mapping of str to str, optional
        Catalogue measure id by role (``HeatCostParameters.measures``): the heat pump whose rule
        says when a dwelling is ready (``individual_heat_pump``) and the measure that makes it
        ready where the emitters need too hot a supply (``heat_pump_readiness``). Default the
        shipped heat-cost parameters' (``scenarios.heat.costs.shipped_parameters``).

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
    roles = shipped_parameters().measures if measures is None else measures
    heat_pump = catalogue.measure(roles["individual_heat_pump"])
    ready_limit = float(heat_pump.applies_if["hp_supply_temp_c_max"])
    emitters_cost = catalogue.costs(twin, [roles["heat_pump_readiness"]])[:, 0]
    state = _simulate_paths(arrays, catalogue, list(years.values()))
    k = len(years)
    attachment = twin["attachment"].astype(str).to_numpy(dtype=object)
    supply = state.hp_supply_temp_c.reshape(-1)
    return pd.DataFrame(
        {
            "dwelling_id": _strings(twin["dwelling_id"], k),
            "building_id": _strings(twin["building_id"], k),
            "sector_id": _strings(twin["sector_id"], k),
            "year": np.repeat(np.fromiter(years, dtype=np.int64, count=k), n),
            "x": np.tile(np.asarray(x, dtype=np.float64), k),
            "y": np.tile(np.asarray(y, dtype=np.float64), k),
            "attachment": _strings(twin["attachment"], k),
            "is_apartment": np.tile(attachment == "apartment", k),
            "floor_area_m2": np.tile(arrays.floor_area_m2, k),
            "heating_system": state.heating_system.reshape(-1),
            "dhw_system": state.dhw_system.reshape(-1),
            "heat_demand_kwh": state.heat_demand_kwh.reshape(-1),
            "design_heat_load_w": state.design_heat_load_w.reshape(-1),
            "hp_supply_temp_c": supply,
            "hp_ready_cost_eur": np.where(supply > ready_limit, np.tile(emitters_cost, k), 0.0),
            "expected_use_ratio": state.expected_use_ratio.reshape(-1),
        }
    )


def _strings(column: pd.Series, k: int) -> pd.Categorical:
    """A text column repeated for ``k`` years, as a categorical (the text once, codes per
    row: 3.3 M dwellings x 4 years of ids would be 13 M strings)."""
    codes, uniques = pd.factorize(column.astype(str), sort=True)  # sorts as the text does
    return pd.Categorical.from_codes(np.tile(codes, k), categories=pd.Index(uniques, dtype=str))


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
    """Per year (rows) and dwelling (columns), arrays of shape (Y, N)."""

    heat_demand_kwh: NDArray[np.float64]
    design_heat_load_w: NDArray[np.float64]
    hp_supply_temp_c: NDArray[np.float64]
    expected_use_ratio: NDArray[np.float64]
    heating_system: NDArray[np.int64]
    dhw_system: NDArray[np.int64]


def _simulate_paths(
    arrays: DwellingArrays, catalogue: Catalogue, done: list[Sequence[str]]
) -> _StateHeat:
    """Every dwelling's state in every year (``done[y][i]``: the measures dwelling i has done
    by year y), simulated by the core: one call per distinct path of states through the years,
    with that path's distinct states as variants (a town has a few hundred paths; Flanders'
    stock, drawn from a handful of states, some dozens)."""
    n, k = arrays.n, len(done)
    codes = np.empty((k, n), dtype=np.int64)
    names: list[NDArray[np.object_]] = []
    for y, states in enumerate(done):
        codes[y], uniques = pd.factorize(np.asarray(states, dtype=object))
        names.append(np.asarray(uniques, dtype=object))
    # one integer per dwelling for its path (mixed radix over the years' codes)
    key = np.zeros(n, dtype=np.int64)
    for y in range(k):
        key = key * max(len(names[y]), 1) + codes[y]
    path_of, uniques = pd.factorize(key)
    first_row = np.empty(len(uniques), dtype=np.int64)
    first_row[path_of[::-1]] = np.arange(n - 1, -1, -1)  # each path's first dwelling
    paths = codes[:, first_row].T
    out = _StateHeat(
        np.empty((k, n)),
        np.empty((k, n)),
        np.empty((k, n)),
        np.empty((k, n)),
        np.tile(arrays.heating_system, (k, 1)),
        np.tile(arrays.dhw_system, (k, 1)),
    )
    order = np.argsort(path_of, kind="stable")
    bounds = np.searchsorted(path_of[order], np.arange(len(paths) + 1))
    for g, path in enumerate(paths):
        rows = order[bounds[g] : bounds[g + 1]]
        combos = [str(names[y][c]) for y, c in enumerate(path)]
        distinct = list(dict.fromkeys(combos))
        packages = [[m for m in c.split("+") if m] for c in distinct]
        part = arrays.take(rows)
        variants = (
            catalogue.variants(packages, names=[f"s{j}" for j in range(len(distinct))])
            if any(packages)
            else None
        )
        res: SimulationResult = simulate(part, variants)
        ratio = res.expected_use_ratio
        heat = (res.heating_need_kwh + part.dhw_need_kwh[:, None]) * ratio
        for y, combo in enumerate(combos):
            p = distinct.index(combo)
            out.heat_demand_kwh[y, rows] = heat[:, p]
            out.design_heat_load_w[y, rows] = res.design_heat_load_w[:, p]
            out.hp_supply_temp_c[y, rows] = res.hp_supply_temp_c[:, p]
            out.expected_use_ratio[y, rows] = ratio[:, p]
            if variants is not None:
                if variants.heating_system[p] >= 0:
                    out.heating_system[y, rows] = variants.heating_system[p]
                if variants.dhw_system[p] >= 0:
                    out.dhw_system[y, rows] = variants.dhw_system[p]
    return out


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
