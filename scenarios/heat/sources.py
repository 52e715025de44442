"""Heat sources and the transmission pipe that brings their heat to a heat-network area.

Every zone is costed as if it had a distribution network of its own (``scenarios.heat.costs``)
and ``scenarios.heat.areas`` groups the zones advised "warmtenet" into connected network areas;
neither costs the pipe from a heat source to the area. With a file of heat sources (a residual-heat
site, a sewer or river heat-pump location, an existing network's plant) this module adds it, in
one pass after the areas, per kind of zone and year:

1. each network area (``network_area_id``) takes its **nearest source**: the straight distance
   from the source to the nearest edge of the area's zones (polygons; the segment itself for
   streets); a source inside the area or within ``network_area_touch_tolerance_m`` of it
   (``scenarios/data/heat_zones.csv``) needs no transmission pipe (distance 0 is costed);
2. the pipe is sized as Hotmaps sizes its transmission lines: capacity = the area's connected
   heat demand (demand × ``connection_rate``) over ``transmission_full_load_hours`` [MW]; its
   cost per metre is interpolated in the capacity/cost table of
   ``scenarios/data/heat_transmission.csv`` (Hotmaps ``trans_line_cap_cost``, after Nielsen &
   Möller); the straight-line investment = distance × cost per metre;
3. each zone of the area takes the share of that investment of its heat demand; in every Monte
   Carlo draw :func:`scenarios.heat.costs.zone_lcoh` multiplies it by
   ``transmission_route_factor`` (route length over straight distance) and ``pipe_cost_factor``,
   annualises it with the network's annuity (``discount_rate``, ``network_lifetime_years``) plus
   ``network_om_share`` and adds it over the heat sold (demand × ``connection_rate``) to the
   network's LCOH -- so P10/P50/P90 and the probability that the network is the cheapest move
   together. A source's own price (``prijs_eur_mwh``) replaces ``heat_source_price_eur_mwh`` for
   the zones of the areas it feeds (the same in every draw);
4. the advice of the area's zones is evaluated again, once, with these costs: a zone that is no
   longer advised "warmtenet" gets the new advice with ``advice_source`` "verre warmtebron"
   (:data:`scenarios.heat.costs.ADVICE_FAR_SOURCE`) and shows the costs with the transmission
   pipe; a zone decided by hand keeps its decision (its costs show the pipe too);
5. the network areas are formed again, once (:func:`scenarios.heat.areas.network_areas`), so
   that the small-area rule applies to what remains (a remaining group below the minimum demand
   becomes "te klein netgebied").

One pass, not an iteration: the pipe of an area that loses zones in step 4 or 5 is not costed
again for the smaller area, and a cheap source does not pull in zones that were not advised a
network before. Every zone row that was in an area of step 1 gets ``source_name``,
``source_distance_m`` (straight distance [m]) and ``transmission_eur_mwh`` (the pipe's cost at
the central values [EUR/MWh of heat sold]); other rows "" and NaN.

File format (:func:`read_heat_sources`): a point layer (GeoPackage or Shapefile) in EPSG:31370
with ``naam`` (required, unique), ``vermogen_kw`` (optional, the source's heat capacity [kW] > 0;
shown beside the capacity the areas it feeds need, it does not limit the plan) and
``prijs_eur_mwh`` (optional, the price of its heat [EUR/MWh] >= 0).

References
----------
Hotmaps calculation module "District heating potential: economic assessment" (TU Wien, GitHub
HotMaps/dh_economic_assessment): ``CM_TUW23/f0_main_call.py`` (``trans_line_cap_cost``),
``CM_TUW23/f4_pre_optimization.py`` (annuity of the line cost), ``CM_TUW23/f6_optimization.py``
(capacity = demand / full-load hours, cost per metre × length, cost per MWh over the covered
demand), ``cm/app/constant.py`` (3000 full-load hours).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray

from buildings.errors import SourceFileError
from buildings.io import find_field, listing, read_point_layer, source_error
from scenarios.heat.areas import AREA_COLUMNS, NETWORK_WORD, network_areas
from scenarios.heat.costs import (
    ADVICE_FAR_SOURCE,
    ADVICE_FIXED,
    ADVICE_SMALL_AREA,
    HeatCostParameters,
    annuity_factor,
    shipped_parameters,
)
from scenarios.heat.zones import ZoneLayer, zone_parameters

#: The CRS of everything in the study.
SOURCE_CRS = "EPSG:31370"
#: Columns of :func:`read_heat_sources` (plus ``geometry``).
SOURCE_COLUMNS: tuple[str, ...] = ("naam", "vermogen_kw", "prijs_eur_mwh")
#: Columns the transmission pass adds to every zone row.
TRANSMISSION_COLUMNS: tuple[str, ...] = ("source_name", "source_distance_m", "transmission_eur_mwh")
#: Columns of the per-area table of :func:`transmission_pass` (``HeatPlan.transmission``).
AREA_TRANSMISSION_COLUMNS: tuple[str, ...] = (
    "layer",
    "year",
    "network_area_id",
    "n_zones",
    "area_mwh",
    "connected_mwh",
    "source_name",
    "source_capacity_kw",
    "source_price_eur_mwh",
    "source_distance_m",
    "capacity_mw",
    "pipe_cost_eur_m",
    "transmission_investment_eur",
    "transmission_eur_mwh",
    "zones_lost",
)
#: The heat-cost parameters of the transmission pipe (``scenarios/data/heat_costs.yaml``).
TRANSMISSION_PARAMETERS: tuple[str, ...] = (
    "transmission_route_factor",
    "transmission_full_load_hours",
)
_TABLE = "heat_transmission.csv"


# ---------------------------------------------------------------------- reading the file
def _names_text(names: ArrayLike, limit: int = 10) -> str:
    return listing(np.asarray(names, dtype=object).tolist(), limit=limit)


def read_heat_sources(path: str | Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a user's heat sources: points with a name, optionally a capacity and a price.

    Parameters
    ----------
    path : str or Path
        Point layer (GeoPackage or Shapefile) in EPSG:31370 (another projected CRS in metres,
        such as Lambert 2008, EPSG:3812, is reprojected).
    layer : str, optional
        Layer to read when the file holds several.

    Returns
    -------
    GeoDataFrame
        ``naam`` (str), ``vermogen_kw`` [kW] and ``prijs_eur_mwh`` [EUR/MWh] (float, NaN where
        not given), Point geometries in EPSG:31370, in the file's order.

    Raises
    ------
    SourceFileError
        With a Dutch message naming the file, the field and the sources (or rows) at fault: file
        missing or unreadable, no sources, no or a geographic CRS (or coordinates that look like
        degrees), sources outside Belgium (none in Belgium: the file's CRS is wrong),
        geometries that are not points, no ``naam`` field, sources without a name,
        names used twice, a capacity that is not a number > 0, a price that is not a number
        >= 0. Every problem is listed at once; nothing is returned half-read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> src = gpd.GeoDataFrame({"naam": ["RWZI"], "prijs_eur_mwh": [35.0]},
    ...                        geometry=gpd.points_from_xy([70_000.0], [190_000.0]), crs=SOURCE_CRS)
    >>> read_heat_sources(write_heat_sources(src, folder / "bronnen.gpkg"))[
    ...     ["naam", "vermogen_kw", "prijs_eur_mwh"]].values.tolist()
    [['RWZI', nan, 35.0]]
    """
    p = Path(path)
    points = read_point_layer(
        p,
        layer,
        f"warmtebronnen {p}",
        noun="warmtebronnen",
        why_metres="de afstand van een warmtebron tot een netgebied vraagt meters",
        point_rule="een warmtebron is een punt",
        id_fields=("naam",),
    )
    gdf, fields, problems = points.table, points.fields, points.problems
    name_col = points.id_field
    if name_col is None:
        problems.add(
            "naam",
            f"veld met de naam van de bron ontbreekt (gevonden velden: "
            f"{', '.join(fields) or 'geen'}); voeg een tekstveld 'naam' toe",
        )
        problems.raise_if_any(SourceFileError)
    names, no_name, label = points.ids, points.no_id, points.labels
    if no_name.any():
        problems.add(
            str(name_col),
            f"bronnen zonder naam: {_names_text(label[no_name])}; geef elke bron een naam",
            np.flatnonzero(no_name),
        )
    dup = names.duplicated(keep=False).fillna(False).to_numpy(dtype=bool) & ~no_name
    if dup.any():
        problems.add(
            str(name_col),
            f"namen komen meer dan eens voor: {_names_text(sorted(set(names[dup])))}; elke "
            "bron heeft een eigen naam",
            np.flatnonzero(dup),
        )
    values: dict[str, NDArray[np.float64]] = {}
    for col, least, text in (
        ("vermogen_kw", "> 0", "het vermogen van de bron in kW"),
        ("prijs_eur_mwh", ">= 0", "de prijs van haar warmte in EUR/MWh"),
    ):
        found = find_field(fields, col)
        x = np.full(len(gdf), np.nan)
        if found is not None:
            given = gdf[found]
            x = pd.to_numeric(given, errors="coerce").to_numpy(np.float64)
            blank = given.isna() | (given.astype("string").str.strip() == "")
            not_number = ~blank.fillna(True).to_numpy(dtype=bool) & ~np.isfinite(x)
            bad = np.isfinite(x) & ((x <= 0.0) if least == "> 0" else (x < 0.0))
            for mask, why in ((not_number, "geen getal"), (bad, f"niet {least}")):
                if mask.any():
                    problems.add(
                        found,
                        f"{why}: {_names_text(label[mask])}; vul {text} in ({least}) of laat "
                        "het leeg",
                        np.flatnonzero(mask),
                    )
            x = np.where(np.isfinite(x), x, np.nan)
        values[col] = x
    problems.raise_if_any(SourceFileError)
    return gpd.GeoDataFrame(
        {
            "naam": names.astype(str).to_numpy(),
            "vermogen_kw": values["vermogen_kw"],
            "prijs_eur_mwh": values["prijs_eur_mwh"],
        },
        geometry=gpd.GeoSeries(points.geometry, crs=SOURCE_CRS),
        crs=SOURCE_CRS,
    )


def write_heat_sources(sources: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write heat sources (:data:`SOURCE_COLUMNS`, a missing optional one empty; points) as a
    GeoPackage (layer ``warmtebronnen``) or, for a ``.shp`` path, a Shapefile (whose field names
    are cut at 10 characters, as :func:`read_heat_sources` reads them); returns the path."""
    p = Path(path)
    out = sources.copy()
    for col in SOURCE_COLUMNS[1:]:
        if col not in out.columns:
            out[col] = np.nan
    out = out[[*SOURCE_COLUMNS, out.geometry.name]]
    if p.suffix.lower() == ".shp":
        out = out.rename(columns={c: c[:10] for c in SOURCE_COLUMNS})
        out.to_file(p, driver="ESRI Shapefile", engine="pyogrio")
    else:
        out.to_file(p, layer="warmtebronnen", driver="GPKG", engine="pyogrio")
    return p


def demo_heat_sources(x: ArrayLike, y: ArrayLike) -> gpd.GeoDataFrame:
    """One heat source for the demo town, which has no source file: a residual-heat site at the
    east edge of the town (the dwellings' bounding box, at the height of their mean), with no
    price of its own (``heat_source_price_eur_mwh`` holds). A stand-in, to show the
    transmission pipe; a municipality gives its own sources.

    Parameters
    ----------
    x, y : array_like
        The dwellings' points [m], EPSG:31370.
    """
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    return gpd.GeoDataFrame(
        {
            "naam": ["Restwarmte bedrijventerrein (demo)"],
            "vermogen_kw": [np.nan],
            "prijs_eur_mwh": [np.nan],
        },
        geometry=gpd.GeoSeries(shapely.points([xs.max()], [ys.mean()]), crs=SOURCE_CRS),
        crs=SOURCE_CRS,
    )


# ---------------------------------------------------------------------- the transmission pipe
@cache
def _pipe_table() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    ref = resources.files("scenarios.data").joinpath(_TABLE)
    with resources.as_file(ref) as path:
        t = pd.read_csv(path, comment="#")
    cap = t["capacity_mw"].to_numpy(np.float64)
    cost = t["pipe_cost_eur_m"].to_numpy(np.float64)
    if not (np.all(np.diff(cap) > 0) and np.all(np.diff(cost) >= 0) and cap[0] > 0):
        raise ValueError(f"{_TABLE}: capacities must rise from > 0, costs must not fall")
    return cap, cost


def transmission_pipe_cost_eur_m(capacity_mw: ArrayLike) -> NDArray[np.float64]:
    """Cost of a transmission pipe per metre of route [EUR/m] for the capacity it carries [MW].

    Linear between the points of ``scenarios/data/heat_transmission.csv`` (Hotmaps), the
    smallest pipe's cost below its capacity, the last segment extended above the largest.

    Examples
    --------
    >>> transmission_pipe_cost_eur_m([0.05, 0.45, 2000.0]).round(1).tolist()
    [195.0, 213.0, 4793.0]
    """
    cap, cost = _pipe_table()
    q = np.asarray(capacity_mw, dtype=np.float64)
    out = np.interp(q, cap, cost)
    slope = (cost[-1] - cost[-2]) / (cap[-1] - cap[-2])
    return np.asarray(np.where(q > cap[-1], cost[-1] + slope * (q - cap[-1]), out), np.float64)


def nearest_source(
    geoms: NDArray[np.object_], sources: gpd.GeoDataFrame
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Per geometry, the row of the nearest source and the straight distance to it [m]
    (0 inside a polygon); ties go to the source listed first."""
    tree = shapely.STRtree(sources.geometry.to_numpy())
    (which_geom, which_src), dist = tree.query_nearest(
        geoms, all_matches=True, return_distance=True
    )
    order = np.lexsort((which_src, which_geom))
    first = np.ones(len(order), dtype=bool)
    first[1:] = which_geom[order][1:] != which_geom[order][:-1]
    pick = order[first]
    src = np.full(len(geoms), -1, dtype=np.int64)
    d = np.full(len(geoms), np.nan)
    src[which_geom[pick]] = which_src[pick]
    d[which_geom[pick]] = dist[pick]
    return src, d


def area_transmission(
    table: pd.DataFrame,
    layer: ZoneLayer,
    sources: gpd.GeoDataFrame,
    params: HeatCostParameters | None = None,
) -> pd.DataFrame:
    """The transmission pipe of every network area of a layer (steps 1-2 of the module notes).

    Parameters
    ----------
    table : DataFrame
        Zone rows of ``layer`` with ``zone_id``, ``year``, ``heat_demand_mwh`` and
        ``network_area_id`` (:func:`scenarios.heat.areas.network_areas`).
    layer : ZoneLayer
        The zones' geometry.
    sources : GeoDataFrame
        :func:`read_heat_sources`, at least one.
    params : HeatCostParameters, optional
        Default the shipped parameters.

    Returns
    -------
    DataFrame
        One row per (``year``, ``network_area_id``) with :data:`AREA_TRANSMISSION_COLUMNS` but
        ``layer`` and ``zones_lost``: the nearest source (name, capacity, price), the straight
        distance [m] (0 within ``network_area_touch_tolerance_m``), the connected demand
        [MWh/a], the pipe's capacity [MW] and cost per metre [EUR/m], its straight-line
        investment [EUR] (distance × cost per metre) and its cost per MWh sold at the central
        values (investment × route factor × pipe cost factor × (annuity + O&M share) /
        connected demand) [EUR/MWh].
    """
    prm = shipped_parameters() if params is None else params
    if len(sources) == 0:
        raise source_error("warmtebronnen", "naam", "er zijn geen warmtebronnen")
    in_area = table["network_area_id"].astype(str).to_numpy() != ""
    rows = table.loc[in_area, ["zone_id", "year", "heat_demand_mwh", "network_area_id"]].copy()
    geom = layer.zones.set_index(layer.zones["zone_id"].astype(str)).geometry
    zones = rows["zone_id"].astype(str).to_numpy()
    src, dist = nearest_source(geom.reindex(zones).to_numpy(), sources)
    rows["src"] = src
    rows["dist"] = dist
    # the area's nearest source: the zone row nearest to any source (first by zone order on a tie)
    nearest = rows.sort_values(["year", "network_area_id", "dist"], kind="stable").drop_duplicates(
        ["year", "network_area_id"]
    )
    demand = rows.groupby(["year", "network_area_id"])["heat_demand_mwh"].agg(["sum", "size"])
    out = nearest.set_index(["year", "network_area_id"])[["src", "dist"]].join(demand)
    out = out.reset_index()
    tolerance = zone_parameters()["network_area_touch_tolerance_m"]
    distance = np.where(out["dist"].to_numpy() <= tolerance, 0.0, out["dist"].to_numpy())
    connected = out["sum"].to_numpy() * prm.value("connection_rate")
    capacity = connected / prm.value("transmission_full_load_hours")
    per_m = transmission_pipe_cost_eur_m(capacity)
    investment = distance * per_m
    yearly = (
        investment
        * prm.value("transmission_route_factor")
        * prm.value("pipe_cost_factor")
        * (
            annuity_factor(prm.value("discount_rate"), prm.value("network_lifetime_years"))
            + prm.value("network_om_share")
        )
    )
    s = out["src"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        per_mwh = np.where(connected > 0, yearly / connected, np.nan)
    return pd.DataFrame(
        {
            "year": out["year"].to_numpy(),
            "network_area_id": out["network_area_id"].astype(str).to_numpy(),
            "n_zones": out["size"].to_numpy(np.int64),
            "area_mwh": out["sum"].to_numpy(np.float64),
            "connected_mwh": connected,
            "source_name": sources["naam"].astype(str).to_numpy()[s],
            "source_capacity_kw": sources["vermogen_kw"].to_numpy(np.float64)[s],
            "source_price_eur_mwh": sources["prijs_eur_mwh"].to_numpy(np.float64)[s],
            "source_distance_m": out["dist"].to_numpy(np.float64),
            "capacity_mw": capacity,
            "pipe_cost_eur_m": per_m,
            "transmission_investment_eur": investment,
            "transmission_eur_mwh": per_mwh,
        }
    )


#: Re-costs the zones ``zone_ids`` of ``year`` with a transmission investment and source price
#: per zone, returning :meth:`scenarios.heat.costs.LcohResult.frame` rows in that order.
Recost = Callable[
    [int, NDArray[np.object_], NDArray[np.float64], NDArray[np.float64]], pd.DataFrame
]


def transmission_pass(
    table: pd.DataFrame,
    layer: ZoneLayer,
    sources: gpd.GeoDataFrame,
    recost: Recost,
    params: HeatCostParameters | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cost the transmission pipes of a layer's network areas and advise again, once (steps 1-5
    of the module notes).

    Parameters
    ----------
    table : DataFrame
        Zone rows of ``layer`` after :func:`scenarios.heat.areas.network_areas`, with the cost
        and advice columns of ``scenarios.heat.plan`` and ``advice_source``.
    layer : ZoneLayer
        The zones' geometry.
    sources : GeoDataFrame
        :func:`read_heat_sources`.
    recost : callable
        ``recost(year, zone_ids, transmission_eur, source_price_eur_mwh)``: the LCOH frame of
        those zones of that year (:func:`scenarios.heat.costs.zone_lcoh` with the same runs and
        seed as the first pass), one row per zone id in their order.
    params : HeatCostParameters, optional
        Default the shipped parameters.

    Returns
    -------
    table : DataFrame
        A copy of ``table`` (same rows and order): the area zones' cost and advice columns from
        ``recost``, ``advice_source`` "verre warmtebron" where a zone lost the network, the
        network areas formed again, and :data:`TRANSMISSION_COLUMNS`.
    areas : DataFrame
        :func:`area_transmission` with ``zones_lost``: zones of the area no longer advised
        "warmtenet" after the pass (lost to the pipe's cost, or left in a group too small;
        decided zones never among them).
    """
    areas = area_transmission(table, layer, sources, params)
    out = table.copy()
    n = len(out)
    name = np.full(n, "", dtype=object)
    distance = np.full(n, np.nan)
    per_mwh = np.full(n, np.nan)
    lost = np.zeros(n, dtype=bool)
    key = pd.MultiIndex.from_arrays([areas["year"], areas["network_area_id"]])
    row_key = pd.MultiIndex.from_arrays([out["year"], out["network_area_id"].astype(str)])
    at = key.get_indexer(row_key)
    member = at >= 0
    a = at[member]
    name[member] = areas["source_name"].to_numpy()[a]
    distance[member] = areas["source_distance_m"].to_numpy()[a]
    per_mwh[member] = areas["transmission_eur_mwh"].to_numpy()[a]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (
            out["heat_demand_mwh"].to_numpy(np.float64)[member] / areas["area_mwh"].to_numpy()[a]
        )
    invest = np.zeros(n)
    invest[member] = areas["transmission_investment_eur"].to_numpy()[a] * np.nan_to_num(share)
    price = np.full(n, np.nan)
    price[member] = areas["source_price_eur_mwh"].to_numpy()[a]
    years = out["year"].to_numpy()
    decided = (out["advice_source"].astype(str) == ADVICE_FIXED).to_numpy()
    for y in np.unique(years[member]):
        idx = np.flatnonzero(member & (years == y))
        zone_ids = out["zone_id"].astype(str).to_numpy()[idx].astype(object)
        cost = recost(int(y), zone_ids, invest[idx], price[idx])
        for col in cost.columns:
            if col in ("advice", "advice_probability"):
                continue
            out.loc[out.index[idx], col] = cost[col].to_numpy()
        model = ~decided[idx]
        new_word = cost["advice"].to_numpy()[model]
        target = out.index[idx[model]]
        out.loc[target, "advice"] = new_word
        out.loc[target, "advice_probability"] = cost["advice_probability"].to_numpy()[model]
        gone = idx[model][new_word != NETWORK_WORD]
        lost[gone] = True
    out.loc[lost, "advice_source"] = ADVICE_FAR_SOURCE
    out = network_areas(out.drop(columns=list(AREA_COLUMNS)), layer)
    # a zone demoted as too small before keeps the demand of the group that demoted it (the
    # second forming sees it as not advised a network)
    small = (table["advice_source"].astype(str) == ADVICE_SMALL_AREA).to_numpy()
    out.loc[out.index[small], "network_area_mwh"] = table["network_area_mwh"].to_numpy()[small]
    out["source_name"] = name
    out["source_distance_m"] = distance
    out["transmission_eur_mwh"] = per_mwh
    # every zone of a first-pass area without the network now: lost to its pipe, or left in a
    # group too small
    gone_all = member & (out["advice"].astype(str).to_numpy() != NETWORK_WORD)
    lost_per_area = (
        pd.DataFrame(
            {
                "year": years[gone_all],
                "network_area_id": table["network_area_id"].astype(str).to_numpy()[gone_all],
            }
        )
        .value_counts()
        .rename("zones_lost")
    )
    areas["zones_lost"] = (
        lost_per_area.reindex(pd.MultiIndex.from_frame(areas[["year", "network_area_id"]]))
        .fillna(0)
        .astype(np.int64)
        .to_numpy()
    )
    return out, areas


__all__ = [
    "AREA_TRANSMISSION_COLUMNS",
    "SOURCE_COLUMNS",
    "SOURCE_CRS",
    "TRANSMISSION_COLUMNS",
    "TRANSMISSION_PARAMETERS",
    "Recost",
    "area_transmission",
    "demo_heat_sources",
    "nearest_source",
    "read_heat_sources",
    "transmission_pass",
    "transmission_pipe_cost_eur_m",
    "write_heat_sources",
]
