"""Heat-demand zones: a 100 m grid, statistical sectors and street segments, and the sums per zone.

A zone layer (:class:`ZoneLayer`) says which zone every dwelling row lies in; :func:`aggregate`
and :func:`aggregate_years` add the dwellings' heat demand, floor area and counts per zone (and
year) and divide by the zone's land area and street length. Everything is vectorised
(``np.bincount``, ``pd.factorize``, shapely 2 array functions): 3.3 million dwellings x 3 years
on the 100 m grid take about 4 s (``python -m scenarios.heat.zones_benchmark`` prints the
figure); the street layer of 850 km of street and 360,000 dwelling rows about 4 s.

Layers
------
- :func:`grid_layer` -- square cells aligned on multiples of ``cell_m`` in EPSG:31370. A cell's
  id is ``"{cell_m}mE{col}N{row}"`` with ``col = floor(x / cell_m)`` and
  ``row = floor(y / cell_m)``: the cell ``100mE1565N2395`` has its lower-left corner at
  x = 156 500 m, y = 239 500 m (Lambert 72). The id is stable (the same place gives the same
  id in every run and every municipality). The style is that of the EEA reference grid
  (``1kmE3950N2980``), but the grid is NOT the EEA grid: that one lies in EPSG:3035.
- :func:`sector_layer` -- the statistical sectors (or any polygons with an id) and each
  dwelling's ``sector_id``; the area is the polygon's.
- :func:`street_layer` -- street centreline segments (the Wegenregister, read by
  :func:`buildings.streets.read_streets`): each dwelling to its nearest segment within
  ``street_corridor_half_width_m`` (``scenarios/data/heat_zones.csv``); farther dwellings are
  rejected with their distance. The zone's street length is the segment's length; its land
  area is the segment's *catchment*: the land within that distance of the segment and nearer
  to it than to any other kept segment (a Voronoi diagram, :func:`catchment_areas`). Why:
  a street's dwellings are those nearest to it, so the land they stand on is the land nearest
  to it; catchments do not overlap (between two parallel streets each gets its half), so the
  areas of all street zones add up to the land along the streets, as the grid cells add up to
  the land they cover; a plain buffer of every segment would count the land at every junction
  and between close streets twice and understate the density of exactly the dense centres.

Every dwelling row ends in a zone or in the layer's ``rejects`` with a Dutch reason (no
coordinates, no sector, no street near enough; ``scenarios.heat.plan`` lists them with the
dwelling and year), so that zone demands + rejected demand = the dwellings' demand, always.

Zone tables (:func:`aggregate`): ``heat_demand_mwh`` [MWh/a] the sum of the dwellings'
``heat_demand_kwh`` / 1000; ``heat_density_mwh_ha`` [MWh/(ha·a)] = demand / ``area_ha``;
``plot_ratio`` [-] = the dwellings' floor area / the zone's land area (Persson & Werner's
plot ratio, here with the dwellings' heated floor area, not gross floor area);
``linear_heat_density_mwh_m`` [MWh/(m·a)] = demand / ``street_length_m`` (street zones only;
NaN elsewhere).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray

from buildings.io import in_twin_crs, metric_crs_problem
from sim.errors import InputError, Problem, Problems

__all__ = [
    "DWELLING_ZONE_COLUMNS",
    "ZONE_COLUMNS",
    "ZONE_TABLE_COLUMNS",
    "ZoneLayer",
    "aggregate",
    "aggregate_years",
    "catchment_areas",
    "grid_layer",
    "sector_layer",
    "street_layer",
    "zone_parameters",
]

#: CRS of every zone geometry.
ZONE_CRS = "EPSG:31370"
#: Columns of :attr:`ZoneLayer.zones` (and its geometry).
ZONE_COLUMNS: tuple[str, ...] = ("zone_id", "area_m2", "street_length_m")
#: Columns of the dwelling frame that :func:`aggregate` reads (``scenarios.heat.demand``).
DWELLING_ZONE_COLUMNS: tuple[str, ...] = (
    "building_id",
    "year",
    "heat_demand_kwh",
    "floor_area_m2",
)
#: Columns of the table :func:`aggregate` and :func:`aggregate_years` return.
ZONE_TABLE_COLUMNS: tuple[str, ...] = (
    "zone_id",
    "year",
    "n_dwellings",
    "n_buildings",
    "heat_demand_mwh",
    "area_ha",
    "heat_density_mwh_ha",
    "floor_area_m2",
    "plot_ratio",
    "street_length_m",
    "linear_heat_density_mwh_m",
)
#: Columns of :attr:`ZoneLayer.rejects`.
REJECT_COLUMNS: tuple[str, ...] = ("row", "reason")


#: The data file of the zone parameters (``scenarios/data``).
PARAMETER_FILE = "heat_zones.csv"


@cache
def _parameters() -> dict[str, float]:
    ref = resources.files("scenarios.data").joinpath(PARAMETER_FILE)
    with resources.as_file(ref) as path:
        t = pd.read_csv(path, comment="#")
    return _checked_parameters(t)


def _checked_parameters(table: pd.DataFrame) -> dict[str, float]:
    """key -> value of a table in the format of ``heat_zones.csv``; every value a number
    within its own ``[low, high]`` (as ``scenarios.heat.gridload.grid_load_parameters``)."""
    problems = Problems(f"zoneparameters ({PARAMETER_FILE})")
    for col in ("key", "value", "low", "high"):
        if col not in table.columns:
            problems.add(col, "kolom ontbreekt; gebruik key,value,low,high,unit,source")
    problems.raise_if_any()
    out: dict[str, float] = {}
    for i, (key, *numbers) in enumerate(
        table[["key", "value", "low", "high"]].itertuples(index=False)
    ):
        try:
            v, lo, hi = (float(x) for x in numbers)
        except (TypeError, ValueError):
            problems.add(str(key), "waarde, low en high moeten getallen zijn", [i])
            continue
        if not (np.isfinite(v) and lo <= v <= hi):
            problems.add(str(key), f"waarde {v} ligt niet tussen low {lo} en high {hi}", [i])
        out[str(key)] = v
    problems.raise_if_any()
    return out


def zone_parameters() -> dict[str, float]:
    """The zone parameters of ``scenarios/data/heat_zones.csv``: key -> value (a copy).

    Examples
    --------
    >>> zone_parameters()["grid_cell_m"]
    100.0
    """
    return dict(_parameters())


@dataclass(frozen=True)
class ZoneLayer:
    """Zones of one kind and the zone of every dwelling row.

    Attributes
    ----------
    name : str
        ``"grid"``, ``"sector"`` or ``"street"``.
    zones : GeoDataFrame
        One row per zone (EPSG:31370): ``zone_id`` (str), ``geometry`` (cell or sector polygon;
        the segment's line for streets), ``area_m2`` [m²] land area, ``street_length_m`` [m]
        (NaN where the layer has no streets).
    zone_of : ndarray of int64
        Per dwelling row of the frame the layer was built on: the position of its zone in
        ``zones``, -1 when it lies in no zone (then it is in ``rejects``).
    rejects : DataFrame
        ``row`` (position of the dwelling row) and ``reason`` (Dutch) of every row in no zone.
    """

    name: str
    zones: gpd.GeoDataFrame
    zone_of: NDArray[np.int64]
    rejects: pd.DataFrame

    @property
    def n_rows(self) -> int:
        """Number of dwelling rows the layer was built on."""
        return len(self.zone_of)


# ------------------------------------------------------------------------------- checks
def _float_array(values: ArrayLike, name: str, problems: Problems) -> NDArray[np.float64]:
    try:
        return np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        problems.add(name, "geen getallen; geef x en y in meter (EPSG:31370)")
        return np.zeros(0)


def _xy(x: ArrayLike, y: ArrayLike, what: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    problems = Problems(what)
    xa, ya = _float_array(x, "x", problems), _float_array(y, "y", problems)
    if not problems and len(xa) != len(ya):
        problems.add("x, y", f"x heeft {len(xa)} waarden, y {len(ya)}: geef één x en y per woning")
    problems.raise_if_any()
    return xa, ya


def _metric_crs(gdf: gpd.GeoDataFrame, what: str, field: str, name: str) -> gpd.GeoDataFrame:
    """``gdf`` in EPSG:31370; an error without CRS or in a CRS that is not metric
    (:func:`buildings.io.metric_crs_problem`)."""
    problem = metric_crs_problem(gdf, name, "oppervlaktes en lengtes vragen meters")
    if problem is not None:
        problems = Problems(what)
        problems.add(field, problem)
        problems.raise_if_any()
    return in_twin_crs(gdf)


def _rejects(rows: NDArray[np.int64], reasons: Sequence[str] | str) -> pd.DataFrame:
    reason = (
        pd.Series(reasons, dtype="string")
        if not isinstance(reasons, str)
        else pd.Series([reasons] * len(rows), dtype="string")
    )
    return pd.DataFrame({"row": np.asarray(rows, dtype=np.int64), "reason": reason.to_numpy()})


_NO_XY = "geen geldige coördinaten (x of y ontbreekt of is geen getal)"


# ------------------------------------------------------------------------------- grid
def grid_layer(x: ArrayLike, y: ArrayLike, cell_m: float | None = None) -> ZoneLayer:
    """A regular grid of square cells aligned on multiples of ``cell_m`` (EPSG:31370).

    Parameters
    ----------
    x, y : array_like
        Coordinates of every dwelling row (the building's centroid) [m], EPSG:31370.
    cell_m : float, optional
        Side of a cell [m]; default ``grid_cell_m`` of ``scenarios/data/heat_zones.csv`` (100).

    Returns
    -------
    ZoneLayer
        Only the cells that hold a dwelling, ordered by row then column; ``area_m2`` = cell_m².
        A point on a cell border belongs to the cell east/north of it (``floor``).

    Examples
    --------
    >>> layer = grid_layer([156512.0, 156588.0, 156601.0], [239587.0, 239501.0, 239599.0])
    >>> layer.zones["zone_id"].tolist(), layer.zone_of.tolist()
    (['100mE1565N2395', '100mE1566N2395'], [0, 0, 1])
    """
    xa, ya = _xy(x, y, "rasterzones")
    cell = float(zone_parameters()["grid_cell_m"] if cell_m is None else cell_m)
    if not (np.isfinite(cell) and cell > 0):
        raise InputError(
            problems=[
                Problem("cell_m", f"{cell_m!r} is geen celgrootte; geef een getal > 0 in meter")
            ],
            what="rasterzones",
        )
    ok = np.isfinite(xa) & np.isfinite(ya)
    col = np.floor(xa[ok] / cell).astype(np.int64)
    row = np.floor(ya[ok] / cell).astype(np.int64)
    zone_of = np.full(len(xa), -1, dtype=np.int64)
    if col.size:
        c0, r0 = int(col.min()), int(row.min())
        n_cols = int(col.max()) - c0 + 1
        key = (row - r0) * n_cols + (col - c0)
        codes, uniques = pd.factorize(key, sort=True)
        zone_of[ok] = codes
        ucol = uniques % n_cols + c0
        urow = uniques // n_cols + r0
    else:
        ucol = urow = np.zeros(0, dtype=np.int64)
    geometry = shapely.box(ucol * cell, urow * cell, (ucol + 1) * cell, (urow + 1) * cell)
    prefix = f"{cell:g}mE"
    zone_id = prefix + pd.Series(ucol).astype(str) + "N" + pd.Series(urow).astype(str)
    zones = gpd.GeoDataFrame(
        {
            "zone_id": zone_id.to_numpy(dtype=object),
            "area_m2": np.full(len(ucol), cell * cell),
            "street_length_m": np.full(len(ucol), np.nan),
        },
        geometry=geometry,
        crs=ZONE_CRS,
    )
    return ZoneLayer("grid", zones, zone_of, _rejects(np.flatnonzero(~ok), _NO_XY))


# ------------------------------------------------------------------------------- sectors
def sector_layer(sectors: gpd.GeoDataFrame, sector_id: ArrayLike) -> ZoneLayer:
    """Statistical sectors (or any polygons with an id) as zones.

    Parameters
    ----------
    sectors : GeoDataFrame
        ``sector_id`` (str) and polygon geometry, in a metric projected CRS (reprojected to
        EPSG:31370); e.g. ``TwinResult.sectors`` or :func:`buildings.io.read_sectors`.
    sector_id : array_like of str
        The sector of every dwelling row (``<NA>`` or empty where it has none).

    Returns
    -------
    ZoneLayer
        Every sector, ordered by id; ``area_m2`` the polygon's area. Rows without a sector or
        with one the layer does not hold are rejected.

    Raises
    ------
    InputError
        Without ``sector_id`` column, with duplicate or missing ids, geometries that are not
        polygons of positive area, or a CRS that is not metric.
    """
    what = "sectorzones"
    problems = Problems(what)
    if "sector_id" not in sectors.columns:
        problems.add(
            "sector_id", f"kolom ontbreekt; gevonden: {', '.join(map(str, sectors.columns))}"
        )
        problems.raise_if_any()
    frame = _metric_crs(sectors, what, "sectors", "de sectorlaag")
    ids = frame["sector_id"].astype("string").str.strip()
    missing = ids.isna() | (ids == "")
    if missing.any():
        problems.add("sector_id", "sector zonder id", np.flatnonzero(missing.to_numpy()))
    dup = ids.duplicated(keep=False) & ~missing
    if dup.any():
        problems.add(
            "sector_id",
            f"id komt meermaals voor: {', '.join(sorted(set(ids[dup].astype(str))))[:300]}",
            np.flatnonzero(dup.to_numpy()),
        )
    geoms = frame.geometry.to_numpy()
    area = np.asarray(shapely.area(geoms), dtype=np.float64)
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
    bad = ~polygonal | ~(area > 0)
    if bad.any():
        problems.add(
            "geometry",
            "geen vlak met een oppervlakte > 0 (punt, lijn, leeg of ontbrekend)",
            np.flatnonzero(bad),
        )
    problems.raise_if_any()
    order = np.argsort(ids.to_numpy(dtype=object), kind="stable")
    zones = gpd.GeoDataFrame(
        {
            "zone_id": ids.to_numpy(dtype=object)[order],
            "area_m2": area[order],
            "street_length_m": np.full(len(order), np.nan),
        },
        geometry=geoms[order],
        crs=ZONE_CRS,
    )
    dwelling_sector = pd.Series(np.asarray(sector_id, dtype=object)).astype("string").str.strip()
    codes, uniques = pd.factorize(dwelling_sector, use_na_sentinel=True)
    where = pd.Index(zones["zone_id"]).get_indexer(pd.Index(uniques.astype(object)))
    lookup = np.append(where, -1).astype(np.int64)  # code -1 (NA) -> lookup[-1] = -1
    zone_of = lookup[codes]
    none = codes < 0
    none |= (dwelling_sector == "").to_numpy(dtype=bool, na_value=False)
    zone_of[none] = -1
    unknown = (zone_of < 0) & ~none
    reasons = np.full(len(zone_of), "", dtype=object)
    reasons[none] = "geen statistische sector (sector_id ontbreekt)"
    if unknown.any():
        reasons[unknown] = (
            "sector "
            + dwelling_sector[unknown].astype(str).to_numpy(dtype=object)
            + " ontbreekt in de sectorlaag"
        )
    rows = np.flatnonzero(zone_of < 0)
    return ZoneLayer("sector", zones, zone_of, _rejects(rows, list(reasons[rows])))


# ------------------------------------------------------------------------------- streets
def street_layer(
    streets: gpd.GeoDataFrame,
    x: ArrayLike,
    y: ArrayLike,
    max_distance_m: float | None = None,
    spacing_m: float | None = None,
) -> ZoneLayer:
    """Street centreline segments as zones: each dwelling row to its nearest segment.

    Parameters
    ----------
    streets : GeoDataFrame
        ``segment_id`` (str, unique) and line geometry in a metric projected CRS (reprojected
        to EPSG:31370), as :func:`buildings.streets.read_streets` returns them.
    x, y : array_like
        Coordinates of every dwelling row [m], EPSG:31370.
    max_distance_m : float, optional
        Farthest a dwelling may lie from its segment, and the half-width of a segment's
        catchment [m]; default ``street_corridor_half_width_m`` (50).
    spacing_m : float, optional
        Spacing of the points of :func:`catchment_areas` [m]; default
        ``street_catchment_spacing_m`` (5).

    Returns
    -------
    ZoneLayer
        The segments that take a dwelling, in the order of ``streets``; geometry the segment's
        line, ``street_length_m`` its length, ``area_m2`` its catchment. Rows farther than
        ``max_distance_m`` from every segment are rejected with the distance of the nearest.

    Notes
    -----
    Nearest by :meth:`shapely.STRtree.query_nearest` on the distinct dwelling points (the
    dwellings of a building share its centroid, and the years repeat the dwellings); a point
    at equal distance from two segments goes to the first in ``streets``.
    """
    what = "straatzones"
    params = zone_parameters()
    d = float(params["street_corridor_half_width_m"] if max_distance_m is None else max_distance_m)
    cell = float(params["street_catchment_spacing_m"] if spacing_m is None else spacing_m)
    problems = Problems(what)
    if not (np.isfinite(d) and d > 0):
        problems.add("max_distance_m", f"{max_distance_m!r} is geen afstand > 0 in meter")
    if not (np.isfinite(cell) and cell > 0):
        problems.add("spacing_m", f"{spacing_m!r} is geen afstand > 0 in meter")
    if "segment_id" not in streets.columns:
        problems.add(
            "segment_id", f"kolom ontbreekt; gevonden: {', '.join(map(str, streets.columns))}"
        )
    problems.raise_if_any()
    frame = _metric_crs(streets, what, "streets", "de stratenlaag")
    ids = frame["segment_id"].astype("string")
    geoms = frame.geometry.to_numpy()
    lines = np.isin(shapely.get_type_id(geoms), (1, 5)) & ~shapely.is_empty(geoms)
    if not lines.all():
        problems.add(
            "geometry", "geen lijn (leeg, ontbrekend of geen lijn)", np.flatnonzero(~lines)
        )
    if ids.isna().any():
        problems.add("segment_id", "segment zonder id", np.flatnonzero(ids.isna().to_numpy()))
    dup = ids.duplicated(keep=False) & ids.notna()
    if dup.any():
        problems.add("segment_id", "id komt meermaals voor", np.flatnonzero(dup.to_numpy()))
    if len(frame) == 0:
        problems.add("streets", "geen enkel straatsegment")
    problems.raise_if_any()
    xa, ya = _xy(x, y, what)

    ok = np.isfinite(xa) & np.isfinite(ya)
    zone_seg = np.full(len(xa), -1, dtype=np.int64)
    reasons = np.full(len(xa), _NO_XY, dtype=object)
    tree = shapely.STRtree(geoms)
    if ok.any():
        codes, uniques = pd.factorize(xa[ok] + 1j * ya[ok])
        pts = shapely.points(uniques.real, uniques.imag)
        hit_pt, hit_seg = tree.query_nearest(pts, max_distance=d, all_matches=False)
        seg_of_pt = np.full(len(pts), -1, dtype=np.int64)
        seg_of_pt[hit_pt] = hit_seg
        far = np.flatnonzero(seg_of_pt < 0)
        dist_of_pt = np.full(len(pts), np.nan)
        if far.size:
            (far_pt, _), far_dist = tree.query_nearest(pts[far], return_distance=True)
            dist_of_pt[far[far_pt]] = far_dist
        zone_seg[ok] = seg_of_pt[codes]
        far_rows = np.flatnonzero(ok)[seg_of_pt[codes] < 0]
        if far_rows.size:
            dist = dist_of_pt[codes[seg_of_pt[codes] < 0]]
            reasons[far_rows] = (
                f"geen straatas binnen {d:g} m (dichtstbijzijnde op "
                + pd.Series(np.round(dist)).astype(int).astype(str).to_numpy(dtype=object)
                + " m)"
            )
    used = np.unique(zone_seg[zone_seg >= 0])
    position = np.full(len(geoms), -1, dtype=np.int64)
    position[used] = np.arange(len(used))
    zone_of = np.where(zone_seg >= 0, position[np.maximum(zone_seg, 0)], -1).astype(np.int64)
    zones = gpd.GeoDataFrame(
        {
            "zone_id": ids.to_numpy(dtype=object)[used],
            "area_m2": catchment_areas(geoms, used, d, cell),
            "street_length_m": np.asarray(shapely.length(geoms[used]), dtype=np.float64),
        },
        geometry=geoms[used],
        crs=ZONE_CRS,
    )
    rows = np.flatnonzero(zone_of < 0)
    return ZoneLayer("street", zones, zone_of, _rejects(rows, list(reasons[rows])))


def catchment_areas(
    lines: NDArray[np.object_],
    which: NDArray[np.int64],
    max_distance_m: float,
    spacing_m: float,
) -> NDArray[np.float64]:
    """Land within ``max_distance_m`` of each segment and nearer to it than to any other [m²].

    Parameters
    ----------
    lines : ndarray of shapely geometries
        All kept street segments (the others take their share of the land) [m].
    which : ndarray of int
        Positions in ``lines`` of the segments whose catchment is wanted.
    max_distance_m : float
        Half-width of the corridor [m].
    spacing_m : float
        Spacing of the points sampled along the segments [m].

    Returns
    -------
    ndarray of float64
        Area of every segment of ``which`` [m²].

    Notes
    -----
    The Voronoi diagram of the segments (the land nearer to each than to any other) is
    approximated by that of points every ``spacing_m`` along them (at the middles of equal
    pieces, so two segments never share a point): a cell belongs to the segment of its point.
    The catchment is the union of a segment's cells cut by its corridor (the segment buffered
    by ``max_distance_m``); as the cells do not overlap, its area is the sum of the areas of
    each cell cut by the corridor, computed for all cells at once (shapely 2 array functions).
    The bisector between two segments is exact for straight parallel segments and off by less
    than the spacing elsewhere. Only the segments within ``2 * max_distance_m + spacing_m`` of
    a wanted one enter the diagram (one :class:`shapely.STRtree` query; the others cannot
    reach a wanted corridor): one Voronoi diagram of (their length / spacing) points, about
    1 s per 170,000 points (850 km of street at 5 m), whatever the size of ``lines``.

    Examples
    --------
    An isolated 100 m segment: 2 d L + pi d² = 10 000 + 7 854 m² for d = 50 m (the corridor's
    arcs are polygons of 16 segments a quarter circle, 0.16 % short of pi d²).

    >>> line = np.array([shapely.LineString([(0, 0), (100, 0)])])
    >>> round(float(catchment_areas(line, np.array([0]), 50.0, 5.0)[0]))
    17841
    """
    which = np.asarray(which, dtype=np.int64)
    out = np.zeros(len(which), dtype=np.float64)
    if which.size == 0:
        return out
    d, step = float(max_distance_m), float(spacing_m)
    if len(which) < len(lines):
        # only segments within 2 d + spacing of a wanted one can take land of its corridor: a
        # corridor point lies within d of a wanted segment and within d + spacing / 2 of a
        # sample point of it, so a sample point farther away is never its nearest. Dropping
        # the others (all of Flanders for one municipality) leaves every area the same.
        tree = shapely.STRtree(lines)
        near = np.unique(tree.query(lines[which], predicate="dwithin", distance=2 * d + step)[1])
        lines, which = lines[near], np.searchsorted(near, which)
    length = np.asarray(shapely.length(lines), dtype=np.float64)
    n = np.maximum(np.ceil(length / step), 1).astype(np.int64)
    owner = np.repeat(np.arange(len(lines)), n)
    k = np.arange(int(n.sum()), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
    pts = shapely.line_interpolate_point(lines[owner], (k + 0.5) / n[owner], normalized=True)
    # identical points (segments lying on top of each other) would merge into one cell
    xy = shapely.get_coordinates(pts)
    _, first = np.unique(xy, axis=0, return_index=True)
    first.sort()
    pts, owner = pts[first], owner[first]
    if len(pts) == 1:  # one point: its cell is the whole plane, cut to the corridor below
        cells = shapely.buffer(lines[owner], d, quad_segs=16)
    else:
        x0, y0, x1, y1 = shapely.total_bounds(lines)
        frame = shapely.box(x0 - 2 * d, y0 - 2 * d, x1 + 2 * d, y1 + 2 * d)
        cells = shapely.get_parts(
            shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=frame, ordered=True)
        )
    slot = np.full(len(lines), -1, dtype=np.int64)
    slot[which] = np.arange(len(which))
    wanted = slot[owner] >= 0
    corridors = shapely.buffer(lines[which], d, quad_segs=16)
    cut = shapely.intersection(cells[wanted], corridors[slot[owner[wanted]]])
    area = np.asarray(shapely.area(cut), dtype=np.float64)
    out += np.bincount(slot[owner[wanted]], weights=area, minlength=len(which))
    return out


# ------------------------------------------------------------------------------- sums
def _check_dwellings(layer: ZoneLayer, dwellings: pd.DataFrame, what: str) -> None:
    problems = Problems(what)
    missing = [c for c in DWELLING_ZONE_COLUMNS if c not in dwellings.columns]
    if missing:
        problems.add("columns", f"kolommen ontbreken: {', '.join(missing)}")
        problems.raise_if_any()
    if len(dwellings) != layer.n_rows:
        problems.add(
            "dwellings",
            f"{len(dwellings)} rijen, maar de zonelaag {layer.name} is gemaakt op "
            f"{layer.n_rows} rijen: maak de laag op dezelfde woningtabel (dezelfde rijen, "
            "dezelfde volgorde)",
        )
    for col in ("heat_demand_kwh", "floor_area_m2"):
        v = pd.to_numeric(dwellings[col], errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(v) | (v < 0)
        if bad.any():
            problems.add(col, "ontbreekt, is geen getal of is negatief", np.flatnonzero(bad))
    year = pd.to_numeric(dwellings["year"], errors="coerce")
    if year.isna().any():
        problems.add("year", "ontbreekt of is geen jaartal", np.flatnonzero(year.isna().to_numpy()))
    if dwellings["building_id"].isna().any():
        rows = np.flatnonzero(dwellings["building_id"].isna().to_numpy())
        problems.add("building_id", "ontbreekt", rows)
    problems.raise_if_any()


def aggregate(layer: ZoneLayer, dwellings: pd.DataFrame) -> pd.DataFrame:
    """Heat demand, counts, density and plot ratio per zone, for the dwellings of one year.

    Parameters
    ----------
    layer : ZoneLayer
        Built on the same rows as ``dwellings`` (``layer.zone_of[i]`` is the zone of row i).
    dwellings : DataFrame
        One year: ``building_id``, ``year``, ``heat_demand_kwh`` [kWh/a], ``floor_area_m2``
        [m²] (``scenarios.heat.demand``).

    Returns
    -------
    DataFrame
        Columns :data:`ZONE_TABLE_COLUMNS`, one row per zone holding a dwelling, in the
        layer's zone order. Rejected rows are left out (they are in ``layer.rejects``).

    Raises
    ------
    InputError
        If the rows do not match the layer, a column is missing, a demand or floor area is
        missing or negative, or the frame holds more than one year (use
        :func:`aggregate_years`).

    Examples
    --------
    >>> d = pd.DataFrame({"x": [10.0, 20.0, 150.0], "y": [10.0, 10.0, 10.0],
    ...     "building_id": ["a", "a", "b"], "year": 2025,
    ...     "heat_demand_kwh": [10_000.0, 8_000.0, 15_000.0], "floor_area_m2": [90.0, 80.0, 120.0]})
    >>> t = aggregate(grid_layer(d["x"], d["y"]), d)
    >>> t[["zone_id", "n_dwellings", "n_buildings", "heat_demand_mwh", "heat_density_mwh_ha"]]
        zone_id  n_dwellings  n_buildings  heat_demand_mwh  heat_density_mwh_ha
    0  100mE0N0            2            1             18.0                 18.0
    1  100mE1N0            1            1             15.0                 15.0
    """
    _check_dwellings(layer, dwellings, f"zonetotalen ({layer.name})")
    years = pd.unique(pd.to_numeric(dwellings["year"]).to_numpy())
    if len(years) > 1:
        raise InputError(
            problems=[
                Problem(
                    "year",
                    f"{len(years)} jaren ({', '.join(str(int(y)) for y in sorted(years))}) in "
                    "één tabel: gebruik aggregate_years",
                )
            ],
            what=f"zonetotalen ({layer.name})",
        )
    return _sums(layer, dwellings)


def aggregate_years(layer: ZoneLayer, dwellings: pd.DataFrame) -> pd.DataFrame:
    """:func:`aggregate` for every year of ``dwellings`` at once (one pass over the rows).

    Returns
    -------
    DataFrame
        Columns :data:`ZONE_TABLE_COLUMNS`, one row per zone and year in which the zone holds
        a dwelling; ordered by the layer's zone order, then year.
    """
    _check_dwellings(layer, dwellings, f"zonetotalen ({layer.name})")
    return _sums(layer, dwellings)


def _sums(layer: ZoneLayer, dwellings: pd.DataFrame) -> pd.DataFrame:
    zone = layer.zone_of
    keep = zone >= 0
    year_codes, year_values = pd.factorize(
        pd.to_numeric(dwellings["year"]).to_numpy(dtype=np.int64), sort=True
    )
    n_years = max(len(year_values), 1)
    n_zones = len(layer.zones)
    size = n_zones * n_years
    g = zone[keep] * n_years + year_codes[keep]
    demand = dwellings["heat_demand_kwh"].to_numpy(dtype=np.float64)[keep]
    floor = dwellings["floor_area_m2"].to_numpy(dtype=np.float64)[keep]
    n_dw = np.bincount(g, minlength=size)
    demand_kwh = np.bincount(g, weights=demand, minlength=size)
    floor_m2 = np.bincount(g, weights=floor, minlength=size)
    # factorize the column itself: an Arrow string column is encoded without a copy to objects
    b_all, b_values = pd.factorize(dwellings["building_id"])
    n_b = max(len(b_values), 1)
    pairs = pd.unique(g * np.int64(n_b) + b_all[keep])
    n_bld = np.bincount(pairs // n_b, minlength=size)
    present = np.flatnonzero(n_dw > 0)
    zi, yi = present // n_years, present % n_years
    area_m2 = layer.zones["area_m2"].to_numpy(dtype=np.float64)[zi]
    length_m = layer.zones["street_length_m"].to_numpy(dtype=np.float64)[zi]
    mwh = demand_kwh[present] / 1000.0
    area_ha = area_m2 / 10_000.0
    with np.errstate(divide="ignore", invalid="ignore"):
        density = mwh / area_ha
        plot_ratio = floor_m2[present] / area_m2
        linear = mwh / length_m
    return pd.DataFrame(
        {
            "zone_id": layer.zones["zone_id"].to_numpy(dtype=object)[zi],
            "year": np.asarray(year_values, dtype=np.int64)[yi],
            "n_dwellings": n_dw[present].astype(np.int64),
            "n_buildings": n_bld[present].astype(np.int64),
            "heat_demand_mwh": mwh,
            "area_ha": area_ha,
            "heat_density_mwh_ha": density,
            "floor_area_m2": floor_m2[present],
            "plot_ratio": plot_ratio,
            "street_length_m": length_m,
            "linear_heat_density_mwh_m": linear,
        },
        columns=list(ZONE_TABLE_COLUMNS),
    )
