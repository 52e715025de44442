"""Building heights from a digital surface model (DSM) and a digital terrain model (DTM).

The Flemish source is DHM Vlaanderen II: 1 m GeoTIFF tiles per map sheet (kaartblad),
``DHMVIIDSMRAS1m_kNN.tif`` (surface: roofs, trees) and ``DHMVIIDTMRAS1m_kNN.tif`` (bare
terrain), in EPSG:31370. The height of a building is the median of DSM − DTM over the pixels
whose centre lies inside its footprint; the median ignores chimneys, trees overhanging the
edge and the odd bad pixel, and for a gable roof it gives the height halfway between eaves
and ridge.

How it is computed
------------------
The footprints are grouped by the raster cell (512 × 512 pixels) holding the centre of their
bounding box. For each group, the DSM and DTM are read for the window covering its footprints
only (from every tile that overlaps it), the pixels whose centre lies inside each footprint
are found by a vectorised scanline fill over the footprints' edges (GDAL's pixel-centre rule,
as :func:`rasterio.features.rasterize`, but without a per-footprint Python call; tested
against it), and the per-building medians follow from one sort of those pixels (NumPy, no
loop over buildings). Every footprint is handled in exactly one window, so a building across
a tile edge gets all its pixels; memory stays at a few windows of float32, whatever the size
of the municipality.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import rasterio
import shapely
from numpy.typing import NDArray
from rasterio.crs import CRS as RasterCRS
from rasterio.errors import RasterioError
from rasterio.transform import Affine
from rasterio.windows import Window

from buildings.errors import Problems, SourceFileError
from buildings.geometry import _edges as footprint_edges
from buildings.geometry import _ragged_arange
from buildings.schema import TWIN_CRS

#: Columns of :func:`building_heights`.
HEIGHT_COLUMNS: tuple[str, ...] = (
    "height_m",
    "eaves_height_m",
    "ridge_height_m",
    "n_pixels",
    "pixel_share",
    "storeys",
    "height_source",
)
#: Quantiles of DSM - DTM over a footprint that estimate the eaves and the ridge of a pitched
#: roof (on a flat roof both equal the roof height). The 10 % quantile skips edge pixels
#: that catch the ground or a gutter; the 99 % quantile skips a chimney or antenna pixel.
LOW_QUANTILE: float = 0.10
HIGH_QUANTILE: float = 0.99
#: DSM below DTM by more than this is reported (and clipped to 0 like any negative height) [m].
NEGATIVE_REPORT_M = 1.0
#: A footprint measured on fewer than this share of its pixels (no data in the DSM or DTM over
#: the rest) is reported: its height rests on part of the roof only [-]. Project choice: a
#: quarter of the roof missing can hide a ridge or a flat part; range 0.5 ... 0.9.
PARTIAL_REPORT_SHARE = 0.75
#: Side of the cells that group footprints into raster windows [pixels]. Measured on a
#: synthetic town of 170 buildings/km² (the Flemish mean): 512 reads ~30 % less raster than
#: 2048 and the extra calls cost less than that; 256 is slower again.
_CELL_PX = 512
#: GDAL block cache while reading [MB]. Each window is read once, so a large cache buys
#: nothing; GDAL's default (5 % of RAM) would only inflate the resident memory.
_GDAL_CACHE_MB = 64
#: Relative tolerance on pixel size and on grid alignment (in pixels).
_GRID_TOL = 1e-6


@dataclass(frozen=True)
class _Tile:
    """One raster file: where it lies on the common grid."""

    path: str
    crs: RasterCRS
    transform: Affine
    width: int
    height: int
    nodata: float | None

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """left, bottom, right, top [CRS units]."""
        t = self.transform
        return (t.c, t.f + t.e * self.height, t.c + t.a * self.width, t.f)


@dataclass(frozen=True)
class _Grid:
    """The grid every tile lies on: origin (top left), pixel size, extent in pixels."""

    x0: float
    y0: float
    res_x: float
    res_y: float
    width: int
    height: int
    crs: RasterCRS

    def offset(self, tile: _Tile) -> tuple[int, int]:
        """Row and column of the tile's top-left pixel on this grid."""
        return (
            round((self.y0 - tile.transform.f) / self.res_y),
            round((tile.transform.c - self.x0) / self.res_x),
        )

    def window_transform(self, row0: int, col0: int) -> Affine:
        return Affine(
            self.res_x,
            0.0,
            self.x0 + col0 * self.res_x,
            0.0,
            -self.res_y,
            self.y0 - row0 * self.res_y,
        )


def _as_paths(paths: str | Path | Iterable[str | Path]) -> list[str]:
    if isinstance(paths, str | Path):
        return [str(paths)]
    return [str(p) for p in paths]


def _open_tiles(paths: list[str], kind: str, problems: Problems) -> list[_Tile]:
    """Read the header of every file; every unreadable one is a problem."""
    tiles = []
    if not paths:
        problems.add(kind, "geen bestand opgegeven; geef minstens één GeoTIFF-kaartblad op")
    for path in paths:
        try:
            with rasterio.open(path) as src:
                crs, transform = src.crs, src.transform
                width, height, nodata = src.width, src.height, src.nodata
        except (RasterioError, OSError) as exc:
            problems.add(
                kind,
                f"{path} kan niet als raster gelezen worden ({exc}); controleer het pad en of "
                "de download volledig is (een GeoTIFF van DHM Vlaanderen II)",
            )
            continue
        if crs is None:
            problems.add(
                kind,
                f"{path} heeft geen coördinatenstelsel; de kaartbladen van DHM Vlaanderen II "
                "zijn in EPSG:31370: stel het in met `gdal_edit.py -a_srs EPSG:31370 BESTAND`",
            )
            continue
        if transform.b != 0.0 or transform.d != 0.0 or transform.a <= 0.0 or transform.e >= 0.0:
            problems.add(
                kind,
                f"{path} is gedraaid of gespiegeld ({tuple(transform)[:6]}); zet het met "
                "`gdalwarp` om naar een raster met het noorden boven",
            )
            continue
        tiles.append(_Tile(path, crs, transform, width, height, nodata))
    return tiles


def _grid_of(dsm: list[_Tile], dtm: list[_Tile], problems: Problems) -> _Grid:
    """The common grid of all tiles; raises when the tiles are not on one grid."""
    ref = dsm[0]
    res_x, res_y = ref.transform.a, -ref.transform.e

    def describe(t: _Tile) -> str:
        return (
            f"{Path(t.path).name}: {t.crs.to_string()}, pixel {t.transform.a:g} × "
            f"{-t.transform.e:g}, oorsprong ({t.transform.c:.3f}, {t.transform.f:.3f})"
        )

    def on_grid(t: _Tile) -> bool:
        if t.crs != ref.crs:
            return False
        if not (
            np.isclose(t.transform.a, res_x, rtol=_GRID_TOL, atol=0.0)
            and np.isclose(-t.transform.e, res_y, rtol=_GRID_TOL, atol=0.0)
        ):
            return False
        fx = (t.transform.c - ref.transform.c) / res_x
        fy = (ref.transform.f - t.transform.f) / res_y
        return abs(fx - round(fx)) < 1e-3 and abs(fy - round(fy)) < 1e-3

    bad_dsm = [t for t in dsm if not on_grid(t)]
    bad_dtm = [t for t in dtm if not on_grid(t)]
    if bad_dsm:
        problems.add(
            "dsm",
            f"de kaartbladen liggen niet op één raster (referentie {describe(ref)}; afwijkend "
            f"{'; '.join(describe(t) for t in bad_dsm[:3])}); gebruik kaartbladen van één "
            "DHM-product",
        )
    if bad_dtm:
        problems.add(
            "dtm",
            f"het DSM en het DTM liggen op verschillende rasters of coördinatenstelsels (DSM "
            f"{describe(ref)}; DTM {'; '.join(describe(t) for t in bad_dtm[:3])}); ze moeten "
            "hetzelfde coördinatenstelsel, dezelfde pixelgrootte en dezelfde pixeluitlijning "
            "hebben: gebruik het DSM en het DTM van hetzelfde DHM-product, of zet het ene om naar "
            "het raster van het andere, bv. "
            "`gdalwarp -t_srs EPSG:31370 -tr 1 1 -tap DTM.tif DTM_1m.tif`",
        )
    problems.raise_if_any(SourceFileError)
    all_tiles = dsm + dtm
    left = min(t.bounds[0] for t in all_tiles)
    top = max(t.bounds[3] for t in all_tiles)
    right = max(t.bounds[2] for t in all_tiles)
    bottom = min(t.bounds[1] for t in all_tiles)
    # Snap the origin onto the reference tile's grid (it already is, up to rounding).
    left = ref.transform.c + round((left - ref.transform.c) / res_x) * res_x
    top = ref.transform.f - round((ref.transform.f - top) / res_y) * res_y
    return _Grid(
        x0=left,
        y0=top,
        res_x=res_x,
        res_y=res_y,
        width=round((right - left) / res_x),
        height=round((top - bottom) / res_y),
        crs=ref.crs,
    )


def _read_mosaic(
    sources: list[tuple[_Tile, Any]], grid: _Grid, row0: int, col0: int, h: int, w: int
) -> NDArray[np.float32]:
    """Window ``[row0:row0+h, col0:col0+w]`` of the grid from every tile covering it, as
    float32 with NaN where no tile has a value (first valid value wins where tiles overlap)."""
    out = np.full((h, w), np.nan, dtype=np.float32)
    for tile, src in sources:
        tr, tc = grid.offset(tile)
        r0, c0 = max(row0, tr), max(col0, tc)
        r1, c1 = min(row0 + h, tr + tile.height), min(col0 + w, tc + tile.width)
        if r1 <= r0 or c1 <= c0:
            continue
        block = src.read(1, window=Window(c0 - tc, r0 - tr, c1 - c0, r1 - r0), out_dtype=np.float32)
        if tile.nodata is not None and not np.isnan(tile.nodata):
            block[block == np.float32(tile.nodata)] = np.nan
        dest = out[r0 - row0 : r1 - row0, c0 - col0 : c1 - col0]
        np.copyto(dest, block, where=np.isnan(dest))
    return out


def _footprint_pixels(
    arr: NDArray[np.object_], transform: Affine, n_rows: int, n_cols: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Pixels of a north-up grid whose centre lies inside each footprint, by scanlines.

    Returns ``(label, flat)``: footprint number (1-based position in ``arr``) and flat pixel
    index ``row * n_cols + col`` of every pixel inside, grouped by label. A pixel centre is
    inside when it is left-closed, right-open between two crossings of its row's centre line
    with the rings (crossings counted with the half-open rule ``ymin <= y < ymax``, so shared
    vertices count once) — GDAL's pixel-centre rule, without its last-footprint-wins on
    overlaps: a pixel under two overlapping footprints counts for both. Even-odd pairing of
    the crossings leaves courtyards out.

    Vectorised over all edges of all footprints (NumPy, no loop per building); it replaces
    :func:`rasterio.features.rasterize`, whose per-call set-up and per-geometry GeoJSON
    conversion cost ~60 µs a building, and it needs no label raster.
    """
    e = footprint_edges(arr)
    res_x, res_y = transform.a, -transform.e
    gx, gy = transform.c, transform.f
    ya, yb = e.y0, e.y0 + e.dy
    # Rows r whose centre y = gy - (r + 0.5) res_y satisfies min(ya, yb) <= y < max(ya, yb).
    r_first = np.floor((gy - np.maximum(ya, yb)) / res_y - 0.5) + 1.0
    r_last = np.floor((gy - np.minimum(ya, yb)) / res_y - 0.5)
    r_first = np.clip(r_first, 0, n_rows).astype(np.int64)
    r_last = np.clip(r_last, -1, n_rows - 1).astype(np.int64)
    counts = np.maximum(r_last - r_first + 1, 0)
    edge = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    row = np.repeat(r_first, counts) + _ragged_arange(counts)
    yc = gy - (row + 0.5) * res_y
    x = e.x0[edge] + (yc - e.y0[edge]) * (e.dx[edge] / e.dy[edge])
    owner = e.owner[edge].astype(np.int64)
    order = np.lexsort((x, row, owner))
    x, row, owner = x[order], row[order], owner[order]
    # Closed rings cross every row an even number of times: inside spans are (0,1), (2,3) ...
    col_a = np.clip(np.ceil((x[0::2] - gx) / res_x - 0.5), 0, n_cols).astype(np.int64)
    col_b = np.clip(np.ceil((x[1::2] - gx) / res_x - 0.5), 0, n_cols).astype(np.int64)
    row, owner = row[0::2], owner[0::2]
    width = np.maximum(col_b - col_a, 0)
    flat = np.repeat(row * n_cols + col_a, width) + _ragged_arange(width)
    return np.repeat(owner + 1, width), flat


def _group_medians(
    labels: NDArray[np.int64], values: NDArray[np.float32], m: int
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Per label ``1..m``: median, count, and the low and high quantiles of ``values``.

    NaN and 0 where a label has no value. The quantiles (:data:`LOW_QUANTILE`,
    :data:`HIGH_QUANTILE`, nearest rank) estimate the eaves and the ridge of a pitched roof.
    """
    order = np.lexsort((values, labels))
    lab, val = labels[order], values[order]
    counts = np.bincount(lab, minlength=m + 1)[1:].astype(np.int64)
    starts = np.cumsum(counts) - counts
    med = np.full(m, np.nan)
    low = np.full(m, np.nan)
    high = np.full(m, np.nan)
    has = counts > 0
    c, s0 = counts[has], starts[has]
    lo = s0 + (c - 1) // 2
    hi = s0 + c // 2
    med[has] = 0.5 * (val[lo].astype(np.float64) + val[hi].astype(np.float64))
    low[has] = val[s0 + np.floor(LOW_QUANTILE * (c - 1)).astype(np.int64)]
    high[has] = val[s0 + np.ceil(HIGH_QUANTILE * (c - 1)).astype(np.int64)]
    return med, counts, low, high


def _footprints_in(geoms: Any, crs: RasterCRS) -> tuple[NDArray[np.object_], pd.Index]:
    """Footprints as an object array in the rasters' CRS, and the index to give the result.

    Frames carry their CRS; plain arrays are taken to be in EPSG:31370.
    """
    if isinstance(geoms, gpd.GeoDataFrame):
        geoms = geoms.geometry
    if not isinstance(geoms, gpd.GeoSeries):
        arr = np.asarray(geoms, dtype=object).reshape(-1)
        geoms = gpd.GeoSeries(arr, crs=TWIN_CRS)
    elif geoms.crs is None:
        geoms = geoms.set_crs(TWIN_CRS)
    raster_crs = pyproj.CRS.from_wkt(crs.to_wkt())
    if not raster_crs.equals(geoms.crs, ignore_axis_order=True):
        geoms = geoms.to_crs(raster_crs)
    return np.asarray(geoms.array, dtype=object), geoms.index


def _runs(keys: NDArray[np.int64]) -> list[tuple[int, int]]:
    """``[start, stop)`` of each run of equal values in sorted ``keys``."""
    if keys.size == 0:
        return []
    cuts = np.flatnonzero(np.diff(keys)) + 1
    return list(zip(np.r_[0, cuts].tolist(), np.r_[cuts, keys.size].tolist(), strict=True))


def _fmt_box(b: Sequence[float]) -> str:
    return f"x {b[0]:.0f}..{b[2]:.0f}, y {b[1]:.0f}..{b[3]:.0f}"


def _intersects(a: Sequence[float], b: Sequence[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def building_heights(
    geoms: Any,
    dsm_paths: str | Path | Iterable[str | Path],
    dtm_paths: str | Path | Iterable[str | Path],
    storey_height_m: float = 3.0,
) -> pd.DataFrame:
    """Height of each footprint from DSM − DTM, and the storeys it suggests.

    Parameters
    ----------
    geoms : GeoSeries, GeoDataFrame or array of (Multi)Polygons
        Footprints; a frame's CRS is used (reprojected to the rasters' CRS when it differs),
        a plain array is taken to be in EPSG:31370.
    dsm_paths, dtm_paths : path or iterable of paths
        GeoTIFF tiles of the surface and terrain models (e.g. DHM Vlaanderen II 1 m); any
        number of tiles each, on one common grid (same CRS, pixel size and alignment).
    storey_height_m : float
        Floor-to-floor height used to turn a height into storeys [m].

    Returns
    -------
    DataFrame
        Aligned with ``geoms``:
        ``height_m`` — median of DSM − DTM over the pixels whose centre is inside the footprint,
        negative values clipped to 0 [m], NaN where no pixel was measured;
        ``n_pixels`` — number of pixels used;
        ``pixel_share`` — their share of the pixels inside the footprint (the rest had no
        data; NaN where no pixel centre lies inside); below :data:`PARTIAL_REPORT_SHARE` a
        note reports the building;
        ``storeys`` — ``max(1, round(height_m / storey_height_m))`` (halves round up), <NA>
        where not measured;
        ``height_source`` — ``"dhm"`` where measured, ``""`` where not (the caller imputes
        and flags).
        ``attrs["notes"]`` lists what the caller should report (clipped negative heights,
        footprints without pixels).

    Raises
    ------
    SourceFileError
        A file cannot be read or has no CRS; the DSM and DTM are on different grids or CRSs;
        the rasters do not overlap the footprints at all; DSM and DTM look swapped.

    Notes
    -----
    Pixels where either model has no data are ignored. A footprint smaller than a pixel may
    contain no pixel centre and stays unmeasured. Where footprints overlap, a pixel counts for
    each of them. The result does not depend on the order of ``geoms`` nor on the tiling.
    """
    problems = Problems("hoogterasters (DSM/DTM)")
    if not (np.isfinite(storey_height_m) and storey_height_m > 0.0):
        problems.add("storey_height_m", f"is {storey_height_m}; geef een positieve hoogte in m op")
    dsm = _open_tiles(_as_paths(dsm_paths), "dsm", problems)
    dtm = _open_tiles(_as_paths(dtm_paths), "dtm", problems)
    problems.raise_if_any(SourceFileError)
    grid = _grid_of(dsm, dtm, problems)

    arr, index = _footprints_in(geoms, grid.crs)
    n = len(arr)
    polygonal = np.isin(shapely.get_type_id(arr), (3, 6)) & ~shapely.is_empty(arr)
    bounds = shapely.bounds(arr)
    if polygonal.any():
        bb = bounds[polygonal]
        bbox = (bb[:, 0].min(), bb[:, 1].min(), bb[:, 2].max(), bb[:, 3].max())
        for kind, tiles in (("dsm", dsm), ("dtm", dtm)):
            if not any(_intersects(t.bounds, bbox) for t in tiles):
                names = ", ".join(f"{Path(t.path).name} ({_fmt_box(t.bounds)})" for t in tiles[:5])
                more = f" en nog {len(tiles) - 5}" if len(tiles) > 5 else ""
                problems.add(
                    kind,
                    f"de rasters {names}{more} overlappen niet met de gebouwen, die op "
                    f"{_fmt_box(bbox)} in {grid.crs.to_string()} liggen; download de "
                    "kaartbladen van DHM Vlaanderen II die deze gebouwen bedekken, of "
                    "controleer het coördinatenstelsel van de gebouwen",
                )
    problems.raise_if_any(SourceFileError)

    height = np.full(n, np.nan)
    height_low = np.full(n, np.nan)
    height_high = np.full(n, np.nan)
    n_pixels = np.zeros(n, dtype=np.int64)
    n_inside = np.zeros(n, dtype=np.int64)
    neg_pixels = 0
    neg_buildings = 0
    labelled = 0

    # Footprint extent in grid pixels (rows grow downwards); cells by bounding-box centre.
    c0 = np.floor((bounds[:, 0] - grid.x0) / grid.res_x)
    c1 = np.ceil((bounds[:, 2] - grid.x0) / grid.res_x)
    r0 = np.floor((grid.y0 - bounds[:, 3]) / grid.res_y)
    r1 = np.ceil((grid.y0 - bounds[:, 1]) / grid.res_y)
    inside = polygonal & (c1 > 0) & (c0 < grid.width) & (r1 > 0) & (r0 < grid.height)
    todo = np.flatnonzero(inside)
    # A footprint straddling the grid's edge may have its centre one cell outside: +1 offsets.
    n_cell_cols = grid.width // _CELL_PX + 3
    cell_row = np.floor((r0[todo] + r1[todo]) / 2 / _CELL_PX).astype(np.int64) + 1
    cell_col = np.floor((c0[todo] + c1[todo]) / 2 / _CELL_PX).astype(np.int64) + 1
    cell = cell_row * n_cell_cols + cell_col
    order = np.argsort(cell, kind="stable")
    todo, cell = todo[order], cell[order]

    with ExitStack() as stack:
        stack.enter_context(rasterio.Env(GDAL_CACHEMAX=_GDAL_CACHE_MB))
        dsm_src = [(t, stack.enter_context(rasterio.open(t.path))) for t in dsm]
        dtm_src = [(t, stack.enter_context(rasterio.open(t.path))) for t in dtm]
        for g0, g1 in _runs(cell):
            members = todo[g0:g1]
            wr0 = int(max(r0[members].min(), 0))
            wc0 = int(max(c0[members].min(), 0))
            wr1 = int(min(r1[members].max(), grid.height))
            wc1 = int(min(c1[members].max(), grid.width))
            h, w = wr1 - wr0, wc1 - wc0
            lab, flat = _footprint_pixels(arr[members], grid.window_transform(wr0, wc0), h, w)
            if flat.size == 0:
                continue
            surface = _read_mosaic(dsm_src, grid, wr0, wc0, h, w).reshape(-1)
            terrain = _read_mosaic(dtm_src, grid, wr0, wc0, h, w).reshape(-1)
            diff = surface[flat] - terrain[flat]
            n_inside[members] = np.bincount(lab, minlength=len(members) + 1)[1:]
            ok = np.isfinite(diff)
            lab, diff = lab[ok], diff[ok]
            low = diff < -NEGATIVE_REPORT_M
            labelled += diff.size
            if low.any():
                neg_pixels += int(low.sum())
                neg_buildings += int(np.unique(lab[low]).size)
            np.maximum(diff, 0.0, out=diff)
            med, counts, low, high = _group_medians(lab, diff, len(members))
            height[members] = med
            height_low[members] = low
            height_high[members] = high
            n_pixels[members] = counts

    if labelled and neg_pixels > 0.5 * labelled:
        problems.add(
            "dsm, dtm",
            f"het oppervlaktemodel (DSM) ligt meer dan {NEGATIVE_REPORT_M:g} m onder het "
            f"terreinmodel (DTM) voor {neg_pixels} van de {labelled} gebouwpixels; zijn het DSM "
            "en het DTM verwisseld? Controleer welk bestand het DSM en welk het DTM is",
        )
        problems.raise_if_any(SourceFileError)

    notes: list[str] = []
    if neg_pixels:
        notes.append(
            f"{neg_pixels} pixels in {neg_buildings} gebouwen lagen in het oppervlaktemodel "
            f"(DSM) meer dan {NEGATIVE_REPORT_M:g} m onder het terreinmodel (DTM); die hoogtes "
            "zijn op 0 m gezet"
        )
    unmeasured = int(np.count_nonzero(n_pixels == 0))
    if unmeasured:
        notes.append(
            f"{unmeasured} van de {n} gebouwen hebben geen DSM/DTM-pixel (buiten de rasters, "
            "geen gegevens of kleiner dan een pixel): hun hoogte is niet gemeten (height_m NaN, "
            "height_source leeg; de tweeling schat ze uit het gebouwtype)"
        )
    partial = (n_pixels > 0) & (n_pixels < PARTIAL_REPORT_SHARE * n_inside)
    if partial.any():
        notes.append(
            f"{int(partial.sum())} van de {n} gebouwen zijn gemeten op minder dan "
            f"{PARTIAL_REPORT_SHARE:.0%} van hun pixels (geen gegevens in het DSM of DTM over de "
            "rest): hun hoogte komt alleen uit de geldige pixels (pixel_share)"
        )
    measured = n_pixels > 0
    storeys = pd.array(
        np.where(
            measured,
            np.maximum(1, np.floor(np.nan_to_num(height_low) / storey_height_m + 0.5)),
            0,
        ).astype(np.int64),
        dtype="Int64",
    )
    storeys[~measured] = pd.NA
    out = pd.DataFrame(
        {
            "height_m": height,
            "eaves_height_m": height_low,
            "ridge_height_m": height_high,
            "n_pixels": n_pixels,
            "pixel_share": np.where(n_inside > 0, n_pixels / np.maximum(n_inside, 1), np.nan),
            "storeys": storeys,
            "height_source": np.where(measured, "dhm", ""),
        },
        index=index,
    )
    out.attrs["notes"] = notes
    return out


__all__ = ["HEIGHT_COLUMNS", "NEGATIVE_REPORT_M", "building_heights"]
