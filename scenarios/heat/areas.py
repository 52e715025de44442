"""Coherent heat-network areas: connected zones advised "warmtenet", kept only when big enough.

Every zone is costed as if it had a distribution network of its own (``scenarios.heat.costs``);
nothing there connects zones to each other or to a heat source. An isolated dense cell or a lone
street segment with much heat per metre can then be advised "warmtenet" although no network of
useful size could serve it. This module applies Hotmaps' rule for district-heating areas on top
of the advice, per kind of zone and year:

1. the zones advised "warmtenet" form connected groups: grid cells that touch (the
   8-neighbourhood: sides and corners), sector polygons that touch, street segments that touch
   (at an end or anywhere), polygons and segments within ``network_area_touch_tolerance_m``;
2. a group's heat demand is the sum of its zones' ``heat_demand_mwh``;
3. a group below ``network_area_min_demand_mwh`` (``scenarios/data/heat_zones.csv``: the value,
   its range and source) is no viable network: its zones' advice becomes "nader onderzoeken"
   with ``advice_source`` "te klein netgebied"; their costs and ``advice_probability`` (the
   probability of the word they had) stay as they were;
4. a zone decided by hand (``advice_source`` "vastgelegd") is never changed; a decided
   "warmtenet" zone belongs to the group it touches, and a group holding one is kept whatever
   its demand (the municipality decided that a network comes there).

With heat sources, ``scenarios.heat.sources`` then costs each area's transmission pipe into its
zones, advises them again once and calls :func:`network_areas` once more on the result, so that
this rule applies to what remains (the module notes there give the one-pass order).

Every zone row gets ``network_area_id`` (``"N1"``, ``"N2"``, ... by decreasing demand within the
kind of zone and year; ``""`` where the zone is in no kept area) and ``network_area_mwh`` (the
demand of its group [MWh/a], also for a demoted zone, to show why; NaN where the zone is not
advised "warmtenet").

Vectorised: the grid's neighbours come from the integer cell indices (sorted keys and
``np.searchsorted``), polygons' and segments' from one :class:`shapely.STRtree` query; all years
of a layer are one graph whose nodes are the zone-year rows, split by
:func:`scenarios.clusters.component_labels` (the clusters' connected components).

References
----------
Hotmaps calculation module "District heating potential areas: user-defined thresholds" (TU Wien,
M. Fallahnejad), GitHub HotMaps/dh_potential: ``cm/app/constant.py`` (input "Min. heat demand in
a DH area", default 30 GWh/yr) and ``CM_TUW4/district_heating_potential.py`` (connected hectare
cells with a 3 x 3 structure, an area kept when its summed demand reaches the threshold).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from scenarios.clusters import component_labels
from scenarios.heat.costs import (
    ADVICE_FIXED,
    ADVICE_OF_STRATEGY,
    ADVICE_SMALL_AREA,
    ADVICE_UNDECIDED,
)
from scenarios.heat.zones import ZoneLayer, zone_parameters
from sim.errors import InputError, Problem, Problems

__all__ = [
    "ADVICE_SMALL_AREA",
    "AREA_COLUMNS",
    "NETWORK_WORD",
    "grid_neighbours",
    "network_areas",
    "touching_pairs",
    "zone_neighbours",
]

#: The advice word of a heat network.
NETWORK_WORD: str = ADVICE_OF_STRATEGY["network"]
#: Columns :func:`network_areas` adds.
AREA_COLUMNS: tuple[str, ...] = ("network_area_id", "network_area_mwh")


def grid_neighbours(col: NDArray[np.int64], row: NDArray[np.int64]) -> NDArray[np.int64]:
    """Pairs of grid cells that touch at a side or a corner (the 8-neighbourhood).

    Parameters
    ----------
    col, row : ndarray of int
        Column and row index of every cell (distinct cells).

    Returns
    -------
    ndarray of int64, shape (P, 2)
        Positions ``(i, j)`` of each touching pair, once per pair.

    Examples
    --------
    >>> grid_neighbours(np.array([0, 1, 3, 2]), np.array([0, 1, 0, 5])).tolist()
    [[0, 1]]
    """
    col = np.asarray(col, dtype=np.int64)
    row = np.asarray(row, dtype=np.int64)
    if col.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    c0, r0 = int(col.min()), int(row.min())
    # two spare columns so that a step off either edge never lands on a cell of the next row
    width = int(col.max()) - c0 + 2
    key = (row - r0) * width + (col - c0)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    pairs = []
    # the four "forward" steps; the other four are the same pairs seen from the other cell
    for d_row, d_col in ((0, 1), (1, -1), (1, 0), (1, 1)):
        target = key + d_row * width + d_col
        at = np.minimum(np.searchsorted(sorted_key, target), len(key) - 1)
        hit = sorted_key[at] == target
        pairs.append(np.column_stack([np.flatnonzero(hit), order[at[hit]]]))
    return np.concatenate(pairs).astype(np.int64)


def touching_pairs(geoms: NDArray[np.object_], tolerance_m: float) -> NDArray[np.int64]:
    """Pairs of geometries (polygons, lines) that touch or lie within ``tolerance_m`` [m].

    Returns
    -------
    ndarray of int64, shape (P, 2)
        Positions ``(i, j)`` with ``i < j``, once per pair.
    """
    geoms = np.asarray(geoms, dtype=object)
    if geoms.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    tree = shapely.STRtree(geoms)
    if tolerance_m > 0:
        a, b = tree.query(geoms, predicate="dwithin", distance=float(tolerance_m))
    else:
        a, b = tree.query(geoms, predicate="intersects")
    keep = a < b
    return np.column_stack([a[keep], b[keep]]).astype(np.int64)


def zone_neighbours(layer: ZoneLayer, tolerance_m: float | None = None) -> NDArray[np.int64]:
    """Touching zones of a layer: positions ``(i, j)`` in ``layer.zones``, once per pair.

    The grid by its cells' indices (from the cells' lower-left corners and side), sectors and
    street segments by their geometry within ``tolerance_m`` (default
    ``network_area_touch_tolerance_m``).
    """
    geoms = layer.zones.geometry.to_numpy()
    if layer.name == "grid":
        bounds = shapely.bounds(geoms)
        side = bounds[:, 2] - bounds[:, 0]
        col = np.rint(bounds[:, 0] / side).astype(np.int64)
        row = np.rint(bounds[:, 1] / side).astype(np.int64)
        return grid_neighbours(col, row)
    tol = (
        zone_parameters()["network_area_touch_tolerance_m"] if tolerance_m is None else tolerance_m
    )
    return touching_pairs(geoms, float(tol))


def network_areas(
    table: pd.DataFrame,
    layer: ZoneLayer,
    min_demand_mwh: float | None = None,
    tolerance_m: float | None = None,
) -> pd.DataFrame:
    """Demote "warmtenet" zones whose connected group is too small (see the module notes).

    Parameters
    ----------
    table : DataFrame
        A row per zone and year of ``layer``: ``zone_id``, ``year``, ``heat_demand_mwh``
        [MWh/a], ``advice``, ``advice_source`` (as ``scenarios.heat.plan`` builds it).
    layer : ZoneLayer
        The zones (geometry) the table's ``zone_id`` refer to.
    min_demand_mwh : float, optional
        Least heat demand of a viable network area [MWh/a]; default
        ``network_area_min_demand_mwh`` of ``scenarios/data/heat_zones.csv``.
    tolerance_m : float, optional
        Distance within which sectors and street segments touch [m]; default
        ``network_area_touch_tolerance_m``.

    Returns
    -------
    DataFrame
        A copy of ``table`` (same rows, same order) with ``advice`` and ``advice_source``
        changed for demoted zones and the columns :data:`AREA_COLUMNS` added.

    Raises
    ------
    InputError
        If a zone of the table is not in the layer or the minimum is not a number >= 0.
    """
    params = zone_parameters()
    least = float(
        params["network_area_min_demand_mwh"] if min_demand_mwh is None else min_demand_mwh
    )
    if not (np.isfinite(least) and least >= 0):
        raise InputError(
            problems=[
                Problem("min_demand_mwh", f"{min_demand_mwh!r} is geen warmtevraag >= 0 in MWh")
            ],
            what=f"netgebieden ({layer.name})",
        )
    out = table.copy()
    n = len(out)
    zone = pd.Index(layer.zones["zone_id"].astype(str)).get_indexer(out["zone_id"].astype(str))
    if (zone < 0).any():
        missing = out["zone_id"].astype(str).to_numpy()[zone < 0]
        problems = Problems(f"netgebieden ({layer.name})")
        problems.add(
            "zone_id",
            f"zones niet in de zonelaag: {', '.join(sorted(set(missing)))[:300]}",
            np.flatnonzero(zone < 0),
        )
        problems.raise_if_any()
    advice = out["advice"].astype(str).to_numpy()
    decided = (out["advice_source"].astype(str) == ADVICE_FIXED).to_numpy()
    net = advice == NETWORK_WORD
    area_id = np.full(n, "", dtype=object)
    area_mwh = np.full(n, np.nan)
    if net.any():
        year_codes, years = pd.factorize(out["year"].to_numpy(), sort=True)
        n_years = len(years)
        # the row of every (zone, year), -1 where the zone has no row that year
        row_of = np.full(len(layer.zones) * n_years, -1, dtype=np.int64)
        row_of[zone * n_years + year_codes] = np.arange(n)
        pairs = zone_neighbours(layer, tolerance_m)
        a = (pairs[:, :1] * n_years + np.arange(n_years)).ravel()
        b = (pairs[:, 1:] * n_years + np.arange(n_years)).ravel()
        ra, rb = row_of[a], row_of[b]
        both = (ra >= 0) & (rb >= 0)
        ra, rb = ra[both], rb[both]
        link = net[ra] & net[rb]
        label = component_labels(n, pd.DataFrame({"i": ra, "j": rb}), link)
        demand = out["heat_demand_mwh"].to_numpy(dtype=np.float64)
        groups, members = np.unique(label[net], return_inverse=True)
        group_mwh = np.bincount(members, weights=demand[net], minlength=len(groups))
        group_decided = np.bincount(members, weights=decided[net], minlength=len(groups)) > 0
        kept = (group_mwh >= least) | group_decided
        # numbered by decreasing demand within each year (a group lies in one year)
        group_year = np.zeros(len(groups), dtype=np.int64)
        group_year[members] = year_codes[net]
        rank = np.zeros(len(groups), dtype=np.int64)
        order = np.lexsort((-group_mwh, group_year))
        order = order[kept[order]]
        first = np.searchsorted(group_year[order], group_year[order], side="left")
        rank[order] = np.arange(len(order)) - first + 1
        names = np.where(kept, "N" + rank.astype(str).astype(object), "").astype(object)
        area_id[net] = names[members]
        area_mwh[net] = group_mwh[members]
        demote = np.zeros(n, dtype=bool)
        demote[net] = ~kept[members] & ~decided[net]
        if demote.any():
            out.loc[demote, "advice"] = ADVICE_UNDECIDED
            out.loc[demote, "advice_source"] = ADVICE_SMALL_AREA
    out["network_area_id"] = area_id
    out["network_area_mwh"] = area_mwh
    return out
