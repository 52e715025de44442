"""Footprint geometry of the digital twin: areas, party walls and exposed façades per orientation.

Everything here works on whole arrays of footprints at once (shapely 2 array functions, an
:class:`shapely.STRtree` and NumPy on the footprints' edges); nothing loops over buildings in
Python. Lengths and areas are in metres in :data:`buildings.schema.TWIN_CRS`; use
:func:`to_twin_crs` at the edge, when a file is read.

Party walls
-----------
Two footprints share a wall where an edge of one runs along an edge of the other, facing it:
the edges are antiparallel (outward normals opposite, within ``max_angle_deg``) and lie within
``tolerance_m`` of each other. The shared part of edge *a* is the interval of *a* onto which
edge *b* projects, clipped to where the distance between the two lines is at most
``tolerance_m`` (the distance varies linearly along nearly parallel lines, so the clip is exact).
This is exact for footprints that touch exactly, unchanged by a parallel gap or overlap of up to
``tolerance_m`` (the slivers and gaps of a few cm of the Flemish registers), and degrades
gracefully for walls that diverge: only the part within the tolerance counts. Perpendicular
edges at a corner never count, unlike a buffer-and-intersect method, which adds
``2 · tolerance`` per wall end.

The shared length of a pair is the mean of the shared lengths measured on either side; the
exposed façade of an edge is its length minus the union of its shared intervals. For every
footprint, ``sum(facade_lengths) + party_wall_lengths ≈ perimeter_m``.

Orientation
-----------
Each edge is classified by the compass azimuth of its outward normal (0° north = +y of the
Lambert grid, 90° east) into four sectors of 90° centred on N, E, S and W: N is
[315°, 45°), E [45°, 135°), S [135°, 225°), W [225°, 315°). An edge on a sector boundary goes
to the clockwise-next sector (a normal at 45° is E); azimuths are rounded to 1e-6° first, so
an edge within floating-point noise of a boundary is treated as on it. Grid north of Lambert 72
differs from true north by the meridian convergence (under 1° in Flanders); it is ignored.
Interior rings (courtyards) are façades too: their outward normals point into the courtyard.

Limits
------
Parts of one MultiPolygon that touch each other are not matched against each other: the seam
counts as façade. Dissolve such parts (``shapely.union_all`` per building) when reading.
Orientation uses the footprint only; roofs and heights are :mod:`buildings.heights`.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS
from pyproj.exceptions import CRSError, ProjError

from buildings.errors import Problems, SourceFileError
from buildings.schema import TWIN_CRS

#: Orientation sectors of :func:`facade_lengths`, in column order.
ORIENTATIONS: tuple[str, ...] = ("N", "E", "S", "W")
#: Column names of exposed façade length per orientation [m].
FACADE_COLUMNS: tuple[str, ...] = ("facade_n_m", "facade_e_m", "facade_s_m", "facade_w_m")
#: Attachment types, by number of neighbours with a party wall of at least ``min_wall_m``: 0, 1, 2+.
ATTACHMENT_TYPES: tuple[str, ...] = ("open", "halfopen", "gesloten")
#: Columns of the neighbour-pair table of :func:`shared_walls`.
PAIR_COLUMNS: tuple[str, ...] = ("i", "j", "length_m")

#: Extent of Belgium in EPSG:31370 with a 20 km margin [m]: xmin, ymin, xmax, ymax.
_BELGIUM_31370 = (-20_000.0, -20_000.0, 320_000.0, 270_000.0)
#: Candidate pairs handled per step of the edge matching; bounds the memory of the cross join.
_PAIR_CHUNK = 50_000
#: Shared intervals merged per step (rounded up to whole edges); bounds the temporaries.
_INTERVAL_CHUNK = 1_000_000
#: Footprints decomposed (and façades summed) per step; bounds the temporaries.
_BUILDING_CHUNK = 100_000
#: Edges shorter than this carry no direction; they are dropped [m].
_MIN_EDGE_M = 1e-9


# --------------------------------------------------------------------------------------------
# CRS at the edge
# --------------------------------------------------------------------------------------------


def to_twin_crs(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    """Return ``gdf`` in :data:`~buildings.schema.TWIN_CRS` (EPSG:31370, Belgian Lambert 72).

    A frame already in Lambert 72 (also when its ``.prj`` spells it in ESRI style) is returned as
    a copy with the CRS normalised and its coordinates untouched. Any other CRS (Lambert 2008
    EPSG:3812, geographic EPSG:4326, UTM ...) is reprojected with pyproj, so lengths and areas
    are never computed in degrees.

    Parameters
    ----------
    gdf : GeoDataFrame
        Frame as read from the file.
    what : str
        The file (and layer) the frame came from; named in the error message.

    Returns
    -------
    GeoDataFrame
        A new frame in EPSG:31370; ``gdf`` is not modified.

    Raises
    ------
    SourceFileError
        The frame has no CRS (a shapefile without ``.prj``), the CRS cannot be transformed, the
        coordinates do not fit the declared CRS (degrees out of range), or the footprints do not
        land in Belgium after reprojection (a wrongly declared CRS).
    """
    problems = Problems(what)
    if gdf.crs is None:
        problems.add(
            "crs",
            "het bestand heeft geen coördinatenstelsel (.prj ontbreekt); geef het "
            "coördinatenstelsel expliciet op, bv. `--crs EPSG:31370` (Lambert 72) of "
            "`--crs EPSG:3812` (Lambert 2008)",
        )
        problems.raise_if_any(SourceFileError)
    crs = CRS.from_user_input(gdf.crs)
    bounds = gdf.total_bounds if len(gdf) else np.full(4, np.nan)
    if crs.to_epsg(min_confidence=70) == 31370:
        out = gdf.set_crs(TWIN_CRS, allow_override=True)
    else:
        if crs.is_geographic and np.all(np.isfinite(bounds)):
            lon_ok = bounds[0] >= -180.0 and bounds[2] <= 180.0
            lat_ok = bounds[1] >= -90.0 and bounds[3] <= 90.0
            if not (lon_ok and lat_ok):
                problems.add(
                    "crs",
                    f"vermeldt het geografische coördinatenstelsel {crs.name} (graden), maar de "
                    f"coördinaten {_fmt_bounds(bounds)} zijn geen graden; geef het juiste "
                    "coördinatenstelsel expliciet op, bv. `--crs EPSG:31370`",
                )
                problems.raise_if_any(SourceFileError)
        try:
            out = gdf.to_crs(TWIN_CRS)
        except (CRSError, ProjError, ValueError) as exc:
            problems.add(
                "crs",
                f"kan niet omgezet worden van {crs.name} naar EPSG:31370 ({exc}); geef "
                "expliciet een coördinatenstelsel op dat pyproj kent, bv. `--crs EPSG:3812`",
            )
            problems.raise_if_any(SourceFileError)
    if len(out) and not out.geometry.is_empty.all():
        new = out.total_bounds
        xmin, ymin, xmax, ymax = _BELGIUM_31370
        inside = new[2] >= xmin and new[0] <= xmax and new[3] >= ymin and new[1] <= ymax
        if not (np.all(np.isfinite(new)) and inside):
            problems.add(
                "crs",
                f"vermeldt {crs.name}, maar dan liggen de grondvlakken op {_fmt_bounds(new)} in "
                "EPSG:31370, buiten België; het vermelde coördinatenstelsel is waarschijnlijk "
                "fout (Lambert 72-coördinaten liggen rond x 20 000-300 000, y 150 000-250 000 m; "
                "Lambert 2008 rond x 520 000-800 000, y 650 000-750 000 m); geef het juiste op, "
                "bv. `--crs EPSG:31370`",
            )
    problems.raise_if_any(SourceFileError)
    return out


def _fmt_bounds(b: ArrayLike) -> str:
    x0, y0, x1, y1 = (float(v) for v in np.asarray(b, dtype=np.float64))
    return f"x {x0:.6g}..{x1:.6g}, y {y0:.6g}..{y1:.6g}"


def _as_polygons(geoms: Any, what: str = "grondvlakken") -> tuple[NDArray[np.object_], pd.Index]:
    """Object array of (Multi)Polygons and the index to give the results.

    Rejects, all at once, missing geometries, other geometry types and a geographic CRS.
    """
    problems = Problems(what)
    crs = getattr(geoms, "crs", None)
    if isinstance(geoms, gpd.GeoDataFrame):
        geoms = geoms.geometry
    if isinstance(geoms, pd.Series):
        index = geoms.index
        arr = np.asarray(geoms.array, dtype=object)
    else:
        arr = np.asarray(geoms, dtype=object)
        if arr.ndim != 1:
            arr = arr.reshape(-1)
        index = pd.RangeIndex(len(arr))
    if crs is not None and CRS.from_user_input(crs).is_geographic:
        problems.add(
            "geometry",
            f"staat in het geografische coördinatenstelsel {CRS.from_user_input(crs).name}; "
            "lengtes en oppervlaktes vragen meters: zet het frame eerst om met "
            "buildings.geometry.to_twin_crs",
        )
    type_id = shapely.get_type_id(arr)
    missing = np.flatnonzero(type_id == -1)
    if missing.size:
        problems.add(
            "geometry", "ontbreekt; verwerp deze records of geef een grondvlak op", missing
        )
    wrong = np.flatnonzero((type_id != -1) & (type_id != 3) & (type_id != 6))
    if wrong.size:
        problems.add(
            "geometry",
            "is geen Polygon of MultiPolygon (grondvlakken zijn oppervlakken); corrigeer de laag",
            wrong,
        )
    problems.raise_if_any(SourceFileError)
    return arr, index


# --------------------------------------------------------------------------------------------
# Areas and perimeters
# --------------------------------------------------------------------------------------------


def footprint_metrics(geoms: Any) -> pd.DataFrame:
    """Area and perimeter of each footprint.

    Parameters
    ----------
    geoms : GeoSeries, GeoDataFrame or array of (Multi)Polygons
        Footprints in a metric CRS (EPSG:31370).

    Returns
    -------
    DataFrame
        Aligned with ``geoms`` (same index for pandas input):
        ``area_m2`` — footprint area [m²];
        ``perimeter_m`` — length of the exterior and interior rings [m].
    """
    arr, index = _as_polygons(geoms)
    return pd.DataFrame(
        {"area_m2": shapely.area(arr), "perimeter_m": shapely.length(arr)}, index=index
    )


def roof_area(footprint_area_m2: ArrayLike, roof_pitch_deg: ArrayLike) -> NDArray[np.float64]:
    """Roof surface over a footprint at a uniform pitch.

    Parameters
    ----------
    footprint_area_m2 : array_like
        Horizontal projection of the roof (the footprint) [m²].
    roof_pitch_deg : array_like
        Pitch of the roof planes, 0 for a flat roof [°]; must be in [0, 90).

    Returns
    -------
    ndarray
        Roof area ``A / cos(pitch)`` [m²].

    Examples
    --------
    >>> round(float(roof_area(100.0, 60.0)), 6)
    200.0
    """
    area = np.asarray(footprint_area_m2, dtype=np.float64)
    pitch = np.asarray(roof_pitch_deg, dtype=np.float64)
    problems = Problems("dak")
    if np.any((pitch < 0.0) | (pitch >= 90.0)):
        problems.add(
            "roof_pitch_deg",
            "moet in [0, 90) graden liggen; geef een dakhelling van 0 tot 90 graden op",
            np.flatnonzero((pitch < 0.0) | (pitch >= 90.0)) if pitch.ndim == 1 else None,
        )
    problems.raise_if_any()
    return area / np.cos(np.radians(pitch))


# --------------------------------------------------------------------------------------------
# Edges of the footprints
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Edges:
    """Every ring edge of every footprint, grouped by footprint.

    ``x0, y0`` start point [m], ``dx, dy`` vector to the end point as stored [m], ``sign`` +1
    where the ring runs with the interior on its left (exterior ring counter-clockwise,
    interior ring clockwise), -1 otherwise, so the outward normal is
    ``sign · (dy, -dx) / length``. ``offsets[k]:offsets[k+1]`` are the edges of footprint ``k``.
    Lengths are recomputed where needed rather than stored: at 1e7 edges every stored array
    costs 80 MB.
    """

    x0: NDArray[np.float64]
    y0: NDArray[np.float64]
    dx: NDArray[np.float64]
    dy: NDArray[np.float64]
    sign: NDArray[np.int8]
    owner: NDArray[np.int32]
    offsets: NDArray[np.int64]

    @property
    def n(self) -> int:
        return len(self.offsets) - 1

    def length(self, idx: NDArray[np.int64] | slice) -> NDArray[np.float64]:
        """Length of the edges ``idx`` [m]."""
        return np.hypot(self.dx[idx], self.dy[idx])


def _ragged_arange(counts: NDArray[np.int64]) -> NDArray[np.int64]:
    """``concatenate([arange(c) for c in counts])`` without the loop."""
    total = int(counts.sum())
    starts = np.cumsum(counts) - counts
    return np.arange(total, dtype=np.int64) - np.repeat(starts, counts)


def _weighted_counts(
    labels: NDArray[np.int64], weights: NDArray[np.float64], n: int
) -> NDArray[np.float64]:
    """Sum of ``weights`` per label ``0 .. n-1`` (``np.bincount`` typed as float)."""
    return np.bincount(labels, weights=weights, minlength=n).astype(np.float64, copy=False)


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    """Consecutive ranges ``[start, stop)`` covering ``range(n)``, ``size`` long."""
    return [(s, min(s + size, n)) for s in range(0, n, size)]


def _rings(
    arr: NDArray[np.object_],
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
    """Ring structure of (Multi)Polygons: coordinates, ring offsets, ring owner, exterior flag.

    Polygons without holes (nearly all footprints) take the fast path of
    :func:`shapely.get_coordinates` (one ring each); the rest go through
    :func:`shapely.to_ragged_array`, which builds ring objects and is ~15 times slower.
    Rings are returned grouped by owner only within each path; the caller sorts edges.
    """
    type_id = shapely.get_type_id(arr)
    nonempty = ~shapely.is_empty(arr)
    simple = nonempty & (type_id == 3) & (shapely.get_num_interior_rings(arr) == 0)
    simple_idx = np.flatnonzero(simple)
    coords, local = shapely.get_coordinates(arr[simple_idx], return_index=True)
    counts = np.bincount(local, minlength=len(simple_idx))
    ring_off = [np.r_[0, np.cumsum(counts)].astype(np.int64)]
    ring_owner = [simple_idx.astype(np.int64)]
    exterior = [np.ones(len(simple_idx), dtype=bool)]
    coord_parts = [coords]
    complex_idx = np.flatnonzero(nonempty & ~simple)
    if complex_idx.size:
        gtype, c2, offs = shapely.to_ragged_array(arr[complex_idx], include_z=False)
        r_off = offs[0].astype(np.int64)
        if gtype == shapely.GeometryType.POLYGON:
            geom_off = offs[1].astype(np.int64)
            rings_per_geom = np.diff(geom_off)
            owner = np.repeat(complex_idx, rings_per_geom)
            first_ring = geom_off[:-1][rings_per_geom > 0]
        else:  # MULTIPOLYGON (shapely promotes a mix of Polygons and MultiPolygons to it)
            poly_off, geom_off = offs[1].astype(np.int64), offs[2].astype(np.int64)
            rings_per_poly = np.diff(poly_off)
            owner = np.repeat(np.repeat(complex_idx, np.diff(geom_off)), rings_per_poly)
            first_ring = poly_off[:-1][rings_per_poly > 0]
        ext = np.zeros(len(r_off) - 1, dtype=bool)
        ext[first_ring] = True
        ring_off.append(r_off[1:] + len(coords))
        ring_owner.append(owner.astype(np.int64))
        exterior.append(ext)
        coord_parts.append(c2)
    return (
        np.concatenate(coord_parts),
        np.concatenate(ring_off),
        np.concatenate(ring_owner),
        np.concatenate(exterior),
    )


def _edges(arr: NDArray[np.object_]) -> _Edges:
    """Decompose (Multi)Polygons into edges with their ring orientation, grouped by footprint.

    Done a block of footprints at a time, so the temporaries stay small.
    """
    n = len(arr)
    parts = [_edges_block(arr[b0:b1], b0) for b0, b1 in _chunks(n, _BUILDING_CHUNK)]
    if not parts:
        empty = np.empty(0, dtype=np.float64)
        return _Edges(
            empty,
            empty,
            empty,
            empty,
            np.empty(0, np.int8),
            np.empty(0, np.int32),
            np.zeros(1, np.int64),
        )
    # Concatenate field by field, releasing each field of the blocks once copied: the peak is
    # the result plus one field, not twice the result.
    fields = []
    for f in range(6):
        fields.append(np.concatenate([p[f] for p in parts]))
        for p in parts:
            p[f] = None
    x0, y0, dx, dy, sign, owner = fields
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=n), out=offsets[1:])
    return _Edges(x0=x0, y0=y0, dx=dx, dy=dy, sign=sign, owner=owner, offsets=offsets)


def _edges_block(arr: NDArray[np.object_], first_owner: int) -> list[Any]:
    """Edges of a block of footprints: x0, y0, dx, dy, sign, owner (sorted by owner)."""
    coords, ring_off, ring_owner, exterior = _rings(arr)
    n_rings = len(ring_owner)

    # Edge k runs from coordinate k to k+1, for every k that is not the closing point of a ring.
    pts_per_ring = np.diff(ring_off)
    is_start = np.ones(len(coords), dtype=bool)
    is_start[ring_off[1:][pts_per_ring > 0] - 1] = False
    k = np.flatnonzero(is_start)
    edge_ring = np.repeat(np.arange(n_rings, dtype=np.int64), np.maximum(pts_per_ring - 1, 0))
    x0, y0 = coords[k, 0], coords[k, 1]
    dx, dy = coords[k + 1, 0] - x0, coords[k + 1, 1] - y0

    # Ring orientation from the shoelace sum about each ring's first point (no cancellation
    # between products of Lambert coordinates of ~1e5 m).
    first = coords[ring_off[:-1]][edge_ring] if n_rings else np.empty((0, 2))
    cross = (x0 - first[:, 0]) * dy - (y0 - first[:, 1]) * dx
    twice_area = np.bincount(edge_ring, weights=cross, minlength=n_rings)
    ring_sign = np.where((twice_area > 0.0) == exterior, 1, -1).astype(np.int8)

    keep = np.hypot(dx, dy) > _MIN_EDGE_M
    owner = ring_owner[edge_ring]
    if n_rings and np.any(owner[1:] < owner[:-1]):
        keep = np.flatnonzero(keep)
        keep = keep[np.argsort(owner[keep], kind="stable")]
    return [
        x0[keep],
        y0[keep],
        dx[keep],
        dy[keep],
        ring_sign[edge_ring][keep],
        (owner[keep] + first_owner).astype(np.int32),
    ]


def _sectors(e: _Edges, idx: slice) -> NDArray[np.int64]:
    """Orientation sector (0 N, 1 E, 2 S, 3 W) of the edges' outward normals; see module Notes."""
    nx = e.sign[idx] * e.dy[idx]
    ny = -e.sign[idx] * e.dx[idx]
    azimuth = np.round(np.degrees(np.arctan2(nx, ny)) % 360.0, 6)
    return (np.floor(((azimuth + 45.0) % 360.0) / 90.0).astype(np.int64)) % 4


# --------------------------------------------------------------------------------------------
# Edge matching between neighbours
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Matches:
    """Shared walls found between the edges of candidate pairs.

    ``length`` — shared length per candidate pair, mean of the lengths measured on i's and on
    j's edges [m]; ``keep`` — the pair shares at least ``min_length_m``; ``edge, lo, hi`` — one
    row per shared interval ``[lo, hi]`` of a kept pair along ``edge`` (metres from the edge's
    stored start point).
    """

    length: NDArray[np.float64]
    keep: NDArray[np.bool_]
    edge: NDArray[np.int64]
    lo: NDArray[np.float64]
    hi: NDArray[np.float64]


def _edges_near_boxes(
    e: _Edges, owners: NDArray[np.int64], boxes: NDArray[np.float64], tol: float
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Edges of ``owners[p]`` whose bounding box is within ``tol`` of ``boxes[p]``, and their ``p``."""
    counts = e.offsets[owners + 1] - e.offsets[owners]
    pair = np.repeat(np.arange(len(owners), dtype=np.int64), counts)
    edge = np.repeat(e.offsets[owners], counts) + _ragged_arange(counts)
    x0, y0 = e.x0[edge], e.y0[edge]
    x1, y1 = x0 + e.dx[edge], y0 + e.dy[edge]
    b = boxes[pair]
    near = (
        (np.maximum(x0, x1) >= b[:, 0] - tol)
        & (np.minimum(x0, x1) <= b[:, 2] + tol)
        & (np.maximum(y0, y1) >= b[:, 1] - tol)
        & (np.minimum(y0, y1) <= b[:, 3] + tol)
    )
    return edge[near], pair[near]


def _shared_interval(
    e: _Edges, a: NDArray[np.int64], b: NDArray[np.int64], tol: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Interval ``[lo, hi]`` of edge ``a`` (metres from its start) within ``tol`` of edge ``b``.

    ``b`` is projected onto the line of ``a``; the signed distance of ``b`` from that line varies
    linearly along it, so the part where it is at most ``tol`` is found exactly. Empty where
    ``hi <= lo``. The edges are assumed nearly parallel (checked by the caller).
    """
    la = e.length(a)
    ex, ey = e.dx[a] / la, e.dy[a] / la
    rx0, ry0 = e.x0[b] - e.x0[a], e.y0[b] - e.y0[a]
    rx1, ry1 = rx0 + e.dx[b], ry0 + e.dy[b]
    t0, t1 = rx0 * ex + ry0 * ey, rx1 * ex + ry1 * ey
    d0, d1 = ry0 * ex - rx0 * ey, ry1 * ex - rx1 * ey
    swap = t0 > t1
    t0, t1 = np.where(swap, t1, t0), np.where(swap, t0, t1)
    d0, d1 = np.where(swap, d1, d0), np.where(swap, d0, d1)
    lo = np.maximum(t0, 0.0)
    hi = np.minimum(t1, la)
    slope = (d1 - d0) / (t1 - t0)
    flat = np.abs(slope) < 1e-12
    safe = np.where(flat, 1.0, slope)
    ta = t0 + (-tol - d0) / safe
    tb = t0 + (tol - d0) / safe
    close = np.abs(d0) <= tol
    lo_d = np.where(flat, np.where(close, -np.inf, np.inf), np.minimum(ta, tb))
    hi_d = np.where(flat, np.where(close, np.inf, -np.inf), np.maximum(ta, tb))
    return np.maximum(lo, lo_d), np.minimum(hi, hi_d)


def _match_chunk(
    e: _Edges,
    bounds: NDArray[np.float64],
    pi: NDArray[np.int64],
    pj: NDArray[np.int64],
    tol: float,
    cos_max: float,
    min_length_m: float,
) -> _Matches:
    """Shared walls of the candidate pairs ``(pi[p], pj[p])``, by a grouped cross join."""
    n_pairs = len(pi)
    ea, pa = _edges_near_boxes(e, pi, bounds[pj], tol)
    eb, pb = _edges_near_boxes(e, pj, bounds[pi], tol)
    # Cross join, within each pair, of i's edges near j with j's edges near i (pb is sorted).
    cnt_b = np.bincount(pb, minlength=n_pairs)
    start_b = np.cumsum(cnt_b) - cnt_b
    reps = cnt_b[pa]
    a = np.repeat(ea, reps)
    pair = np.repeat(pa, reps)
    b = eb[np.repeat(start_b[pa], reps) + _ragged_arange(reps)]
    # Facing edges: antiparallel once each ring runs with its interior on the left.
    dot = (e.sign[a] * e.sign[b]) * (e.dx[a] * e.dx[b] + e.dy[a] * e.dy[b])
    facing = dot <= -cos_max * e.length(a) * e.length(b)
    a, b, pair = a[facing], b[facing], pair[facing]
    lo_a, hi_a = _shared_interval(e, a, b, tol)
    lo_b, hi_b = _shared_interval(e, b, a, tol)
    len_a = np.maximum(hi_a - lo_a, 0.0)
    len_b = np.maximum(hi_b - lo_b, 0.0)
    length = 0.5 * (_weighted_counts(pair, len_a, n_pairs) + _weighted_counts(pair, len_b, n_pairs))
    keep = (length >= min_length_m) & (length > 0.0)
    on_a = (len_a > 0.0) & keep[pair]
    on_b = (len_b > 0.0) & keep[pair]
    return _Matches(
        length=length,
        keep=keep,
        edge=np.concatenate([a[on_a], b[on_b]]),
        lo=np.concatenate([lo_a[on_a], lo_b[on_b]]),
        hi=np.concatenate([hi_a[on_a], hi_b[on_b]]),
    )


def _match(
    e: _Edges,
    bounds: NDArray[np.float64],
    pi: NDArray[np.int64],
    pj: NDArray[np.int64],
    tol: float,
    max_angle_deg: float,
    min_length_m: float,
) -> _Matches:
    """:func:`_match_chunk` over all candidate pairs, a bounded number of pairs at a time."""
    cos_max = float(np.cos(np.radians(max_angle_deg)))
    parts = [
        _match_chunk(e, bounds, pi[s0:s1], pj[s0:s1], tol, cos_max, min_length_m)
        for s0, s1 in _chunks(len(pi), _PAIR_CHUNK)
    ] or [_match_chunk(e, bounds, pi, pj, tol, cos_max, min_length_m)]
    return _Matches(
        length=np.concatenate([m.length for m in parts]),
        keep=np.concatenate([m.keep for m in parts]),
        edge=np.concatenate([m.edge for m in parts]),
        lo=np.concatenate([m.lo for m in parts]),
        hi=np.concatenate([m.hi for m in parts]),
    )


def _candidate_pairs(
    arr: NDArray[np.object_], bounds: NDArray[np.float64], tol: float
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Pairs ``i < j`` whose bounding boxes are within ``tol``, from an STRtree.

    The tree is queried with the boxes grown by ``tol`` and no predicate: the edge matching is
    the exact test, so GEOS distances would only add time.
    """
    tree = shapely.STRtree(arr)
    found = []
    # Grown boxes a block at a time: a million GEOS boxes at once would hold ~250 MB.
    for b0, b1 in _chunks(len(arr), _BUILDING_CHUNK):
        b = bounds[b0:b1]
        grown = shapely.box(b[:, 0] - tol, b[:, 1] - tol, b[:, 2] + tol, b[:, 3] + tol)
        hits = tree.query(grown)
        found.append((hits[0] + b0, hits[1]))
    left = np.concatenate([f[0] for f in found]) if found else np.empty(0, np.int64)
    right = np.concatenate([f[1] for f in found]) if found else np.empty(0, np.int64)
    keep = left < right
    pi, pj = left[keep].astype(np.int64), right[keep].astype(np.int64)
    order = np.lexsort((pj, pi))
    return pi[order], pj[order]


def _check_tolerances(tolerance_m: float, min_length_m: float, max_angle_deg: float) -> None:
    problems = Problems("instellingen voor gemene muren")
    if not 0.0 <= tolerance_m <= 1.0:
        problems.add("tolerance_m", f"is {tolerance_m}; geef een spelingstolerantie in [0, 1] m op")
    if not min_length_m >= 0.0:
        problems.add("min_length_m", f"is {min_length_m}; geef een lengte >= 0 m op")
    if not 0.0 < max_angle_deg < 45.0:
        problems.add("max_angle_deg", f"is {max_angle_deg}; geef een hoek in (0, 45) graden op")
    problems.raise_if_any()


def _pairs_frame(
    pi: NDArray[np.int64], pj: NDArray[np.int64], length: NDArray[np.float64]
) -> pd.DataFrame:
    return pd.DataFrame({"i": pi, "j": pj, "length_m": length})


def _shared_walls(
    arr: NDArray[np.object_],
    e: _Edges,
    tolerance_m: float,
    min_length_m: float,
    max_angle_deg: float,
) -> tuple[pd.DataFrame, _Matches]:
    bounds = shapely.bounds(arr)
    pi, pj = _candidate_pairs(arr, bounds, tolerance_m)
    m = _match(e, bounds, pi, pj, tolerance_m, max_angle_deg, min_length_m)
    return _pairs_frame(pi[m.keep], pj[m.keep], m.length[m.keep]), m


def shared_walls(
    geoms: Any,
    tolerance_m: float = 0.05,
    min_length_m: float = 0.5,
    *,
    max_angle_deg: float = 10.0,
) -> pd.DataFrame:
    """Neighbour pairs and the length of the wall they share.

    Parameters
    ----------
    geoms : GeoSeries, GeoDataFrame or array of (Multi)Polygons
        Footprints in a metric CRS (EPSG:31370).
    tolerance_m : float
        Largest gap (or overlap) between two walls that still counts as shared [m].
    min_length_m : float
        Pairs sharing less than this are dropped (corner touches) [m].
    max_angle_deg : float
        Largest deviation from antiparallel of two facing walls [°].

    Returns
    -------
    DataFrame
        Columns ``i``, ``j`` (positions in ``geoms``, ``i < j``) and ``length_m`` (shared wall
        length [m], mean of the lengths measured on either side), sorted by ``i``, ``j``.

    Notes
    -----
    See the module docstring for the method. Exact (to floating point) for footprints that
    touch exactly; a parallel gap or overlap up to ``tolerance_m`` does not change the result.

    Examples
    --------
    >>> from shapely import box
    >>> shared_walls([box(0, 0, 6, 10), box(6.02, 0, 12, 9), box(30, 0, 36, 10)])
       i  j  length_m
    0  0  1       9.0
    """
    _check_tolerances(tolerance_m, min_length_m, max_angle_deg)
    arr, _ = _as_polygons(geoms)
    pairs, _ = _shared_walls(arr, _edges(arr), tolerance_m, min_length_m, max_angle_deg)
    return pairs


def _pair_arrays(n: int, pairs: pd.DataFrame) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    problems = Problems("neighbour pairs")
    missing = [c for c in ("i", "j") if c not in pairs.columns]
    if missing:
        problems.add(", ".join(missing), "ontbreekt; geef de tabel op die shared_walls teruggeeft")
        problems.raise_if_any()
    pi = pairs["i"].to_numpy(dtype=np.int64)
    pj = pairs["j"].to_numpy(dtype=np.int64)
    bad = np.flatnonzero((pi < 0) | (pj < 0) | (pi >= n) | (pj >= n) | (pi == pj))
    if bad.size:
        problems.add(
            "i, j",
            f"moeten verschillende posities in [0, {n}) zijn; zijn de paren voor deze "
            "grondvlakken gemaakt? Bereken ze opnieuw met shared_walls",
            bad,
        )
    problems.raise_if_any()
    return pi, pj


def _pair_lengths(pairs: pd.DataFrame) -> NDArray[np.float64]:
    if "length_m" not in pairs.columns:
        problems = Problems("neighbour pairs")
        problems.add("length_m", "ontbreekt; geef de tabel op die shared_walls teruggeeft")
        problems.raise_if_any()
    return pairs["length_m"].to_numpy(dtype=np.float64)


def party_wall_lengths(n: int, pairs: pd.DataFrame, min_wall_m: float = 0.0) -> NDArray[np.float64]:
    """Total length of wall each footprint shares with its neighbours.

    Parameters
    ----------
    n : int
        Number of footprints.
    pairs : DataFrame
        Output of :func:`shared_walls`.
    min_wall_m : float
        Count only walls of at least this length [m]. The default, 0, counts every pair, so
        that ``facade_lengths(...).sum(axis=1) + party_wall_lengths(...) == perimeter``; a
        larger value leaves the shorter walls out of both.

    Returns
    -------
    ndarray of float, shape (n,)
        Party wall length [m].
    """
    pi, pj = _pair_arrays(n, pairs)
    w = np.where(_pair_lengths(pairs) >= min_wall_m, _pair_lengths(pairs), 0.0)
    return _weighted_counts(pi, w, n) + _weighted_counts(pj, w, n)


def neighbour_counts(n: int, pairs: pd.DataFrame, min_wall_m: float = 2.0) -> NDArray[np.int64]:
    """Number of neighbours sharing at least ``min_wall_m`` of wall with each footprint.

    Parameters
    ----------
    n : int
        Number of footprints.
    pairs : DataFrame
        Output of :func:`shared_walls`.
    min_wall_m : float
        Shortest shared wall that makes a neighbour [m].

    Returns
    -------
    ndarray of int, shape (n,)
    """
    pi, pj = _pair_arrays(n, pairs)
    big = _pair_lengths(pairs) >= min_wall_m
    return np.bincount(pi[big], minlength=n) + np.bincount(pj[big], minlength=n)


def attachment_types(n: int, pairs: pd.DataFrame, min_wall_m: float = 2.0) -> NDArray[np.str_]:
    """Attachment type of each footprint: ``open``, ``halfopen`` or ``gesloten``.

    Parameters
    ----------
    n : int
        Number of footprints.
    pairs : DataFrame
        Output of :func:`shared_walls`.
    min_wall_m : float
        Shortest shared wall that makes a neighbour [m].

    Returns
    -------
    ndarray of str, shape (n,)
        ``open`` (detached: no neighbour), ``halfopen`` (semi-detached or end of a row: one),
        ``gesloten`` (terraced: two or more).
    """
    counts = neighbour_counts(n, pairs, min_wall_m)
    return np.asarray(ATTACHMENT_TYPES)[np.minimum(counts, 2)]


# --------------------------------------------------------------------------------------------
# Exposed façades
# --------------------------------------------------------------------------------------------


def _shared_per_edge(m: _Matches) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Edges with a shared part (sorted) and the length of the union of their shared intervals [m].

    Intervals overlap only where two neighbours claim the same stretch of wall (overlapping
    footprints); the union makes sure such a stretch is not subtracted twice. The intervals are
    sorted by edge once (cheap: they come nearly sorted), then handled a block of whole edges at
    a time. Within a block, sorting and the running maximum work on integer keys: edge id in the
    high bits, position in units of ``1/scale`` m (1 µm unless an edge is over 2 km long) in the
    low bits, so the running maximum restarts on each edge by itself.
    """
    if m.edge.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    scale = min(1e6, float(2**31 - 1) / (float(m.hi.max()) + 1.0))
    order = np.argsort(m.edge, kind="stable")
    sorted_edge = m.edge[order]
    cuts = np.unique(np.searchsorted(sorted_edge, sorted_edge[::_INTERVAL_CHUNK]))
    bounds = np.r_[cuts, sorted_edge.size].tolist()
    edges_out, shared_out = [], []
    for s0, s1 in pairwise(bounds):
        idx = order[s0:s1]
        edge = sorted_edge[s0:s1]
        lo_q = np.rint(m.lo[idx] * scale).astype(np.int64)
        hi_q = np.rint(m.hi[idx] * scale).astype(np.int64)
        by_lo = np.argsort((edge << 31) | lo_q, kind="stable")
        edge, lo_q, hi_q = edge[by_lo], lo_q[by_lo], hi_q[by_lo]
        # Union of intervals sorted by start: each adds what reaches beyond the furthest end
        # seen so far on its edge.
        reach = np.maximum.accumulate((edge << 31) | hi_q) - (edge << 31)
        first = np.r_[True, edge[1:] != edge[:-1]]
        prev = np.r_[0, reach[:-1]]
        prev[first] = 0
        piece = np.maximum(hi_q - np.maximum(lo_q, prev), 0)
        starts = np.flatnonzero(first)
        edges_out.append(edge[starts])
        shared_out.append(np.add.reduceat(piece, starts) / scale)
    return np.concatenate(edges_out), np.concatenate(shared_out)


def _facades(
    e: _Edges, shared_edge: NDArray[np.int64], shared_m: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Exposed length per footprint and orientation sector, a block of footprints at a time."""
    out = np.zeros((e.n, 4))
    for b0, b1 in _chunks(e.n, _BUILDING_CHUNK):
        e0, e1 = int(e.offsets[b0]), int(e.offsets[b1])
        exposed = e.length(slice(e0, e1))
        s0, s1 = np.searchsorted(shared_edge, [e0, e1])
        exposed[shared_edge[s0:s1] - e0] -= shared_m[s0:s1]
        np.maximum(exposed, 0.0, out=exposed)
        key = (e.owner[e0:e1].astype(np.int64) - b0) * 4 + _sectors(e, slice(e0, e1))
        out[b0:b1] = np.bincount(key, weights=exposed, minlength=4 * (b1 - b0)).reshape(-1, 4)
    return out


def facade_lengths(
    geoms: Any,
    pairs_or_none: pd.DataFrame | None,
    tolerance_m: float = 0.05,
    *,
    max_angle_deg: float = 10.0,
) -> NDArray[np.float64]:
    """Exposed façade length of each footprint per orientation N, E, S, W.

    Parameters
    ----------
    geoms : GeoSeries, GeoDataFrame or array of (Multi)Polygons
        Footprints in a metric CRS (EPSG:31370).
    pairs_or_none : DataFrame or None
        Neighbour pairs from :func:`shared_walls` on the same ``geoms``; the walls they share are
        not exposed. ``None`` computes them with :func:`shared_walls` (default settings and
        ``tolerance_m``). An empty table treats every footprint as detached.
    tolerance_m : float
        Gap tolerance of the shared walls [m]; use the one the pairs were made with.
    max_angle_deg : float
        Largest deviation from antiparallel of two facing walls [°].

    Returns
    -------
    ndarray of float, shape (n, 4)
        Exposed façade length per orientation, columns N, E, S, W (:data:`FACADE_COLUMNS`) [m].
        Row sums plus :func:`party_wall_lengths` equal the perimeter.

    Notes
    -----
    Sectors of 90° centred on the compass points; an edge whose outward normal lies exactly on
    a boundary (45°, 135°, 225°, 315°) counts for the clockwise-next orientation. A square
    rotated by 45° thus has one side in each of N, E, S and W.

    Examples
    --------
    >>> from shapely import box
    >>> facade_lengths([box(0, 0, 6, 10), box(6, 0, 12, 10)], None)
    array([[ 6.,  0.,  6., 10.],
           [ 6., 10.,  6.,  0.]])
    """
    _check_tolerances(tolerance_m, 0.0, max_angle_deg)
    arr, _ = _as_polygons(geoms)
    e = _edges(arr)
    if pairs_or_none is None:
        _, m = _shared_walls(arr, e, tolerance_m, 0.5, max_angle_deg)
    else:
        pi, pj = _pair_arrays(len(arr), pairs_or_none)
        m = _match(e, shapely.bounds(arr), pi, pj, tolerance_m, max_angle_deg, 0.0)
    return _facades(e, *_shared_per_edge(m))


def footprint_walls(
    geoms: Any,
    tolerance_m: float = 0.05,
    min_length_m: float = 0.5,
    min_wall_m: float = 2.0,
    *,
    max_angle_deg: float = 10.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Everything of this module for a stock of footprints, in one pass over the edges.

    Equivalent to :func:`footprint_metrics`, :func:`shared_walls`, :func:`party_wall_lengths`,
    :func:`neighbour_counts`, :func:`attachment_types` and :func:`facade_lengths`, but the
    footprints are decomposed and matched once. This is what the twin builder calls.

    Parameters
    ----------
    geoms : GeoSeries, GeoDataFrame or array of (Multi)Polygons
        Footprints in a metric CRS (EPSG:31370).
    tolerance_m, min_length_m, max_angle_deg
        As in :func:`shared_walls` [m, m, °].
    min_wall_m : float
        Shortest shared wall that makes a neighbour [m].

    Returns
    -------
    walls : DataFrame
        Aligned with ``geoms``: ``area_m2`` [m²], ``perimeter_m`` [m], ``party_wall_m`` [m],
        ``n_neighbours``, ``attachment``, ``facade_n_m``, ``facade_e_m``, ``facade_s_m``,
        ``facade_w_m`` [m].
    pairs : DataFrame
        As returned by :func:`shared_walls`.
    """
    _check_tolerances(tolerance_m, min_length_m, max_angle_deg)
    arr, index = _as_polygons(geoms)
    n = len(arr)
    e = _edges(arr)
    pairs, m = _shared_walls(arr, e, tolerance_m, min_length_m, max_angle_deg)
    facades = _facades(e, *_shared_per_edge(m))
    counts = neighbour_counts(n, pairs, min_wall_m)
    walls = pd.DataFrame(
        {
            "area_m2": shapely.area(arr),
            "perimeter_m": shapely.length(arr),
            "party_wall_m": party_wall_lengths(n, pairs),
            "n_neighbours": counts,
            "attachment": np.asarray(ATTACHMENT_TYPES)[np.minimum(counts, 2)],
            **{c: facades[:, k] for k, c in enumerate(FACADE_COLUMNS)},
        },
        index=index,
    )
    return walls, pairs


# --------------------------------------------------------------------------------------------
# Synthetic streets for tests and benchmarks
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SyntheticBlocks:
    """Layout behind :func:`synthetic_rows`: rectangle corners and which row each belongs to."""

    corners: NDArray[np.float64]  # (n, 5, 2) closed rings, counter-clockwise [m]
    block: NDArray[np.int64]  # row (block) id of each building
    block_size: NDArray[np.int64]  # buildings in that row
    position: NDArray[np.int64]  # 0-based position in the row
    shared_m: NDArray[np.float64]  # party wall length by construction [m]


def _synthetic_blocks(
    n_buildings: int, seed: int = 0, gap_share: float = 0.3, max_gap_m: float = 0.03
) -> _SyntheticBlocks:
    rng = np.random.default_rng(seed)
    n = int(n_buildings)
    # Rows: 30 % detached, 25 % semi-detached, 45 % terraced rows of 3-9.
    sizes = rng.choice(np.arange(1, 10), size=n + 1, p=[0.30, 0.25] + [0.45 / 7] * 7)
    ends = np.cumsum(sizes)
    n_blocks = int(np.searchsorted(ends, n)) + 1
    sizes = sizes[:n_blocks].copy()
    sizes[-1] -= int(ends[n_blocks - 1] - n)
    block = np.repeat(np.arange(n_blocks, dtype=np.int64), sizes)
    position = _ragged_arange(sizes.astype(np.int64))
    block_size = sizes[block].astype(np.int64)

    width = rng.uniform(5.0, 12.0, n)
    depth = rng.uniform(8.0, 14.0, n)
    # Joint to the left of each building: a few cm (or nothing) inside a row, 3-8 m between rows.
    joint = np.where(rng.random(n) < gap_share, rng.uniform(0.0, max_gap_m, n), 0.0)
    joint[position == 0] = rng.uniform(3.0, 8.0, int(np.count_nonzero(position == 0)))
    x_left = np.cumsum(joint + width) - width
    # Streets of about 200 m, each turned by a random angle about its middle, in a grid of
    # 340 m cells (a street with its rows never leaves its cell, so streets never touch).
    street = np.floor(x_left[position == 0] / 200.0).astype(np.int64)[block]
    first = np.flatnonzero(np.r_[True, street[1:] != street[:-1]])
    x_local = x_left - np.repeat(x_left[first], np.diff(np.r_[first, n]))
    street_ids, street = np.unique(street, return_inverse=True)
    n_streets = len(street_ids)
    cols = int(np.ceil(np.sqrt(n_streets)))
    angle = rng.uniform(0.0, 2.0 * np.pi, n_streets)
    cx = 100_000.0 + 340.0 * (np.arange(n_streets) % cols)
    cy = 160_000.0 + 340.0 * (np.arange(n_streets) // cols)

    ux = np.array([0.0, 1.0, 1.0, 0.0, 0.0])
    uy = np.array([0.0, 0.0, 1.0, 1.0, 0.0])
    lx = x_local[:, None] + ux[None, :] * width[:, None] - 160.0
    ly = uy[None, :] * depth[:, None] - 7.0
    c, s = np.cos(angle)[street][:, None], np.sin(angle)[street][:, None]
    corners = np.empty((n, 5, 2))
    corners[:, :, 0] = cx[street][:, None] + c * lx - s * ly
    corners[:, :, 1] = cy[street][:, None] + s * lx + c * ly

    nxt = np.r_[depth[1:], 0.0]
    right = np.where(position < block_size - 1, np.minimum(depth, nxt), 0.0)
    left = np.where(position > 0, np.minimum(depth, np.r_[0.0, depth[:-1]]), 0.0)
    return _SyntheticBlocks(corners, block, block_size, position, left + right)


def synthetic_rows(n_buildings: int, seed: int = 0) -> gpd.GeoSeries:
    """Rectangular footprints in rows, like Flemish streets, for tests and benchmarks.

    Rows are detached houses (30 %), semi-detached pairs (25 %) and terraces of 3-9 houses
    (45 %), with widths 5-12 m and depths 8-14 m, front walls aligned; 30 % of the party walls
    have a gap of 0-3 cm, as in the registers. Rows are 3-8 m apart along streets of about
    200 m, each street turned by a random angle, in EPSG:31370 around x 100 km, y 160 km.

    Parameters
    ----------
    n_buildings : int
        Number of footprints.
    seed : int
        Seed of the random generator (same seed, same footprints).

    Returns
    -------
    GeoSeries
        Polygons in EPSG:31370.
    """
    layout = _synthetic_blocks(n_buildings, seed)
    return gpd.GeoSeries(shapely.polygons(layout.corners), crs=TWIN_CRS, name="geometry")


@dataclass(frozen=True)
class GeometryBenchmark:
    """Figures of :func:`benchmark_geometry`."""

    buildings: int
    pairs: int
    wall_s: float
    buildings_per_s: float
    peak_rss_mb: float


def benchmark_geometry(n_buildings: int, seed: int = 0) -> GeometryBenchmark:
    """Time :func:`footprint_walls` on :func:`synthetic_rows` (generation not timed).

    Prints nothing and asserts nothing; the peak RSS is that of the whole process so far.
    """
    geoms = synthetic_rows(n_buildings, seed)
    t0 = time.perf_counter()
    _, pairs = footprint_walls(geoms)
    wall = time.perf_counter() - t0
    return GeometryBenchmark(
        buildings=n_buildings,
        pairs=len(pairs),
        wall_s=wall,
        buildings_per_s=n_buildings / wall if wall > 0 else float("inf"),
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    )


__all__ = [
    "ATTACHMENT_TYPES",
    "FACADE_COLUMNS",
    "ORIENTATIONS",
    "PAIR_COLUMNS",
    "GeometryBenchmark",
    "attachment_types",
    "benchmark_geometry",
    "facade_lengths",
    "footprint_metrics",
    "footprint_walls",
    "neighbour_counts",
    "party_wall_lengths",
    "roof_area",
    "shared_walls",
    "synthetic_rows",
    "to_twin_crs",
]
