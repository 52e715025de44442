"""The heat plan of a municipality: demand, zones, cost of heat, advice and grid load per year.

What ``wijk warmte`` runs (:func:`heat_plan`), in the order the data flows:

1. every dwelling's heat demand, design load and heat-pump readiness today and in each scenario
   year (``scenarios.heat.demand``, the core on each dwelling's state);
2. where the user decided zones by hand (``--zones-fixed``), what follows from the decision: a
   dwelling inside a zone decided for a heat network is connected to it from the first scenario
   year on (district heat instead of what the scenario gave it), so its heat pump leaves the
   grid load; an individual or hybrid zone keeps the scenario's systems;
3. per kind of zone (statistical sectors, a 100 m grid, street segments where streets are
   given; ``scenarios.heat.zones``) and year: heat demand and its density, plot ratio;
4. the levelised cost of heat per strategy with its Monte Carlo and the advice
   (``scenarios.heat.costs``); a decided zone's advice is the decision (``advice_source`` =
   ``vastgelegd``), its costs are still shown;
   zones advised a heat network that do not form a connected area of enough heat demand
   become "nader onderzoeken" (``scenarios.heat.areas``, ``advice_source`` = ``te klein
   netgebied``);
   with heat sources (``--bronnen``), one pass more (``scenarios.heat.sources``): each network
   area's transmission pipe from its nearest source is costed into its zones' network LCOH
   (every Monte Carlo draw), their advice is evaluated again once (a zone that loses the
   network: ``advice_source`` = ``verre warmtebron``) and the network areas are formed again
   once, so that the small-area rule applies to what remains;
5. the design-day peak of heating electrification beside the existing household peak
   (``scenarios.heat.gridload``), and with cabins the loading of each cabin per year
   (``scenarios.heat.cabins``).

Nothing is dropped silently: a dwelling in no zone of a kind is listed in ``rejects`` with the
layer, year and reason.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from scenarios.catalogue import Catalogue
from scenarios.heat import cabins as cabin_mod
from scenarios.heat.areas import network_areas
from scenarios.heat.costs import (
    ADVICE_FIXED,
    ADVICE_MODEL,
    ADVICE_OF_STRATEGY,
    DwellingCostInputs,
    HeatCostParameters,
    ZoneCostInputs,
    zone_lcoh,
)
from scenarios.heat.demand import dwelling_heat
from scenarios.heat.gridload import GridLoadParameters, dwelling_electric_peak_w, zone_peak
from scenarios.heat.sources import AREA_TRANSMISSION_COLUMNS, transmission_pass
from scenarios.heat.zones import ZoneLayer, aggregate_years, grid_layer, sector_layer, street_layer
from sim.systems import default_system_tables

#: District heat (``sim/data/heating_systems.csv``): the system of a dwelling in a zone decided
#: for a heat network.
DISTRICT_HEAT: int = default_system_tables().names.index("district_heat")


@dataclass
class HeatPlanInputs:
    """What a heat plan is computed from (everything in EPSG:31370)."""

    twin: gpd.GeoDataFrame
    sectors: gpd.GeoDataFrame
    catalogue: Catalogue
    today: int
    #: per scenario year, each dwelling's measures by then (``woningen.parquet``)
    states: Mapping[int, Sequence[str]] | None = None
    streets: gpd.GeoDataFrame | None = None
    cabins: gpd.GeoDataFrame | None = None
    cabin_link: pd.DataFrame | None = None
    #: decided zones: polygons with ``zone_id`` and ``advice`` (a Dutch advice word), as
    #: :func:`scenarios.heat.io_zones.read_fixed_zones` reads them
    fixed: gpd.GeoDataFrame | None = None
    #: heat sources: points with ``naam``, ``vermogen_kw``, ``prijs_eur_mwh``, as
    #: :func:`scenarios.heat.sources.read_heat_sources` reads them (None: no transmission costed)
    sources: gpd.GeoDataFrame | None = None
    runs: int = 200
    seed: int = 0
    cost_parameters: HeatCostParameters | None = None
    grid_parameters: GridLoadParameters | None = None
    #: the kinds of zone to compute ("street" only where streets are given)
    layers: tuple[str, ...] = ("sector", "grid", "street")


@dataclass
class HeatPlan:
    """The heat plan: per kind of zone one GeoDataFrame with a row per zone and year."""

    years: list[int]
    demand: pd.DataFrame
    layers: dict[str, gpd.GeoDataFrame]
    cabins: gpd.GeoDataFrame | None
    rejects: pd.DataFrame
    runs: int
    fixed_dwellings: int = 0
    #: with heat sources: a row per kind of zone, year and network area of the first pass with its
    #: source and transmission pipe (``scenarios.heat.sources.AREA_TRANSMISSION_COLUMNS``)
    transmission: pd.DataFrame | None = None


def heat_plan(inputs: HeatPlanInputs, timings: dict[str, float] | None = None) -> HeatPlan:
    """Compute the heat plan (see the module notes); ``timings`` gets the wall time [s] of
    each stage (``demand``, then per kind of zone ``<layer>:zones``, ``<layer>:costs``,
    ``<layer>:areas``, ``<layer>:peak``; ``cabins``)."""
    clock = _Clock(timings)
    demand = dwelling_heat(
        inputs.twin,
        inputs.catalogue,
        inputs.today,
        inputs.states,
        measures=None if inputs.cost_parameters is None else inputs.cost_parameters.measures,
    )
    years = sorted(int(y) for y in demand["year"].unique())
    fixed_word = _fixed_word_of_rows(demand, inputs.fixed)
    connected = (fixed_word == ADVICE_OF_STRATEGY["network"]) & (
        demand["year"].to_numpy() > inputs.today
    )
    if connected.any():
        demand.loc[connected, "heating_system"] = DISTRICT_HEAT
        demand.loc[connected, "dhw_system"] = DISTRICT_HEAT
    peak_w = dwelling_electric_peak_w(demand, inputs.grid_parameters)
    clock.lap("demand")
    builders = {
        "sector": lambda: sector_layer(inputs.sectors, demand["sector_id"].to_numpy()),
        "grid": lambda: grid_layer(demand["x"].to_numpy(), demand["y"].to_numpy()),
    }
    if inputs.streets is not None:
        streets = inputs.streets
        builders["street"] = lambda: street_layer(
            streets, demand["x"].to_numpy(), demand["y"].to_numpy()
        )
    layers: dict[str, gpd.GeoDataFrame] = {}
    rejects = []
    transmission: list[pd.DataFrame] = []
    for name, build in builders.items():
        if name not in inputs.layers:
            continue
        layer = build()
        layers[name] = _zone_years(layer, demand, peak_w, inputs, fixed_word, clock, transmission)
        if len(layer.rejects):
            rows = layer.rejects["row"].to_numpy()
            rejects.append(
                pd.DataFrame(
                    {
                        "layer": name,
                        "dwelling_id": demand["dwelling_id"].to_numpy()[rows],
                        "year": demand["year"].to_numpy()[rows],
                        "reason": layer.rejects["reason"].to_numpy(),
                    }
                )
            )
    cabins = None
    if inputs.cabins is not None:
        cabins = _cabin_years(demand, inputs.cabins, inputs, peak_w)
        clock.lap("cabins")
    return HeatPlan(
        years=years,
        demand=demand,
        layers=layers,
        cabins=cabins,
        rejects=(
            pd.concat(rejects, ignore_index=True)
            if rejects
            else pd.DataFrame(columns=["layer", "dwelling_id", "year", "reason"])
        ),
        runs=inputs.runs,
        fixed_dwellings=int(connected.sum()),
        transmission=(
            None
            if inputs.sources is None
            else pd.concat(transmission, ignore_index=True)
            if transmission
            else pd.DataFrame(columns=list(AREA_TRANSMISSION_COLUMNS))
        ),
    )


class _Clock:
    """Wall time per stage into a dict (nothing without one)."""

    def __init__(self, into: dict[str, float] | None) -> None:
        self.into = into
        self.t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.into is not None:
            self.into[name] = self.into.get(name, 0.0) + now - self.t
        self.t = now


def _fixed_word_of_rows(demand: pd.DataFrame, fixed: gpd.GeoDataFrame | None) -> np.ndarray:
    """Per row, the advice word of the decided zone it lies in ("" where none)."""
    word = np.full(len(demand), "", dtype=object)
    if fixed is None or not len(fixed):
        return word
    x, y = demand["x"].to_numpy(), demand["y"].to_numpy()
    for geom, w in zip(fixed.geometry, fixed["advice"].astype(str), strict=True):
        word[shapely.contains_xy(geom, x, y)] = w
    return word


def _zone_years(
    layer: ZoneLayer,
    demand: pd.DataFrame,
    peak_w: np.ndarray,
    inputs: HeatPlanInputs,
    fixed_word: np.ndarray,
    clock: _Clock,
    transmission: list[pd.DataFrame] | None = None,
) -> gpd.GeoDataFrame:
    """One kind of zone: a row per zone and year with demand, cost of heat, advice and peak
    (with heat sources, the layer's network areas and their pipes appended to
    ``transmission``)."""
    table = aggregate_years(layer, demand)
    clock.lap(f"{layer.name}:zones")
    zone_ids = layer.zones["zone_id"].astype(str).to_numpy()
    year = demand["year"].to_numpy()
    area_ha = layer.zones["area_m2"].to_numpy(dtype=np.float64) / 1e4
    inside = layer.zone_of >= 0
    peaks = zone_peak(
        layer.zone_of[inside],
        demand[inside],
        len(zone_ids),
        area_ha=area_ha,
        params=inputs.grid_parameters,
        peak_w=peak_w[inside],
    )
    peaks["zone_id"] = zone_ids[peaks["zone"].to_numpy()]
    clock.lap(f"{layer.name}:peak")
    parts = []
    by_year: dict[int, tuple[pd.DataFrame, pd.Series, pd.DataFrame, np.ndarray]] = {}
    for y in sorted(table["year"].unique()):
        t = table[table["year"] == y].reset_index(drop=True)
        pos = pd.Series(np.arange(len(t)), index=t["zone_id"].astype(str))
        rows = np.flatnonzero((year == y) & inside)
        frame = demand.iloc[rows]
        zone = pos.reindex(zone_ids[layer.zone_of[rows]]).to_numpy().astype(np.int64)
        if inputs.sources is not None:  # kept for the second pass only (memory)
            by_year[int(y)] = (t, pos, frame, zone)
        cost = _zone_costs(t, frame, zone, inputs, int(y))
        t = pd.concat([t, cost], axis=1)
        t["advice_source"] = ADVICE_MODEL
        decided = _decided_word(zone, fixed_word[rows], len(t))
        hit = decided != ""
        t.loc[hit, "advice"] = decided[hit]
        t.loc[hit, "advice_probability"] = 1.0
        t.loc[hit, "advice_source"] = ADVICE_FIXED
        parts.append(t)
    clock.lap(f"{layer.name}:costs")
    out = network_areas(pd.concat(parts, ignore_index=True), layer)
    clock.lap(f"{layer.name}:areas")
    if inputs.sources is not None:

        def recost(
            y: int, ids: np.ndarray, transmission_eur: np.ndarray, price: np.ndarray
        ) -> pd.DataFrame:
            t, pos, frame, zone = by_year[y]
            return _zone_costs(
                t, frame, zone, inputs, y, pos.reindex(ids).to_numpy(), transmission_eur, price
            )

        out, pipes = transmission_pass(out, layer, inputs.sources, recost, inputs.cost_parameters)
        if transmission is not None:
            transmission.append(pipes.assign(layer=layer.name)[list(AREA_TRANSMISSION_COLUMNS)])
        clock.lap(f"{layer.name}:sources")
    out = out.merge(peaks.drop(columns=["zone", "n_dwellings"]), on=["zone_id", "year"], how="left")
    geometry = layer.zones.set_index(layer.zones["zone_id"].astype(str)).geometry
    return gpd.GeoDataFrame(
        out, geometry=geometry.reindex(out["zone_id"].astype(str)).to_numpy(), crs=layer.zones.crs
    )


def _zone_costs(
    t: pd.DataFrame,
    frame: pd.DataFrame,
    zone: np.ndarray,
    inputs: HeatPlanInputs,
    year: int,
    subset: np.ndarray | None = None,
    transmission_eur: np.ndarray | None = None,
    source_price_eur_mwh: np.ndarray | None = None,
) -> pd.DataFrame:
    """The LCOH frame of a year's zones ``t`` (of only the positions ``subset``, in its order,
    with a transmission investment and source price per zone of the subset)."""
    if subset is not None:
        keep = np.isin(zone, subset)
        renumber = np.full(len(t), -1, dtype=np.int64)
        renumber[subset] = np.arange(len(subset))
        t, frame, zone = t.iloc[subset], frame.iloc[np.flatnonzero(keep)], renumber[zone[keep]]
    return zone_lcoh(
        ZoneCostInputs(
            area_m2=t["area_ha"].to_numpy(dtype=np.float64) * 1e4,
            floor_area_m2=t["floor_area_m2"].to_numpy(dtype=np.float64),
            street_length_m=t["street_length_m"].to_numpy(dtype=np.float64),
        ),
        DwellingCostInputs.from_frame(frame, zone),
        inputs.cost_parameters,
        year=year,
        runs=inputs.runs,
        seed=inputs.seed,
        transmission_eur=transmission_eur,
        source_price_eur_mwh=source_price_eur_mwh,
    ).frame()


def _decided_word(zone: np.ndarray, word: np.ndarray, n_zones: int) -> np.ndarray:
    """Per zone, the decision covering most of its dwellings ("" where most lie in no decided
    zone)."""
    out = np.full(n_zones, "", dtype=object)
    if not (word != "").any():
        return out
    table = pd.DataFrame({"zone": zone, "word": word})
    counts = table.groupby(["zone", "word"]).size().reset_index(name="n")
    best = counts.sort_values(["zone", "n"], ascending=[True, False]).drop_duplicates("zone")
    out[best["zone"].to_numpy()] = best["word"].to_numpy()
    return out


def _cabin_years(
    demand: pd.DataFrame, cab: gpd.GeoDataFrame, inputs: HeatPlanInputs, peak_w: np.ndarray
) -> gpd.GeoDataFrame:
    """The loading of every cabin in every year, with the cabin's point (``peak_w``: each
    dwelling row's design-day peak, computed once by :func:`heat_plan`)."""
    which = cabin_mod.assign_cabins(
        demand["x"].to_numpy(),
        demand["y"].to_numpy(),
        cab,
        link=inputs.cabin_link,
        building_id=demand["building_id"].to_numpy() if inputs.cabin_link is not None else None,
    )
    loading = cabin_mod.cabin_loading(
        which, demand, cab, params=inputs.grid_parameters, peak_w=peak_w
    )
    points = cab.set_index(cab["cabin_id"].astype(str)).geometry
    return gpd.GeoDataFrame(
        loading,
        geometry=points.reindex(loading["cabin_id"].astype(str)).to_numpy(),
        crs=cab.crs,
    )


__all__ = ["ADVICE_FIXED", "ADVICE_MODEL", "HeatPlan", "HeatPlanInputs", "heat_plan"]
