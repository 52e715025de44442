"""Building heights from DSM − DTM rasters written as real GeoTIFFs in a temporary directory.

The terrain slopes (20 m + 5 % east + 2 % north); the surface is the terrain plus flat roofs of
known height and one gable roof (eaves 6 m, ridge 10 m: median 8 m). Heights are asserted
within 0.5 m, as the task sets for 1 m rasters.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.features import rasterize
from rasterio.transform import Affine
from shapely import MultiPolygon, Polygon, box
from shapely.affinity import rotate

import buildings.heights as heights_module
from buildings.errors import SourceFileError
from buildings.heights import building_heights

X0, Y0 = 150_000.0, 200_000.0  # bottom left of the test rasters, EPSG:31370 [m]
COLS, ROWS = 200, 100  # 1 m pixels: x 150 000..150 200, y 200 000..200 100
NODATA = -9999.0

FLAT_6 = box(X0 + 10, Y0 + 10, X0 + 20, Y0 + 22)  # 10 × 12 m, 6 m
FLAT_9 = box(X0 + 30.3, Y0 + 40.2, X0 + 41.7, Y0 + 49.9)  # off the pixel grid, 9 m
GABLE = box(X0 + 60, Y0 + 10, X0 + 76, Y0 + 30)  # ridge north-south at x = 68, 6 -> 10 m
ACROSS = box(X0 + 95, Y0 + 50, X0 + 105, Y0 + 60)  # across the tile edge at x = 100, 7 m
OUTSIDE = box(X0 + 1000, Y0, X0 + 1010, Y0 + 10)  # east of the rasters
TINY = box(X0 + 150.1, Y0 + 50.1, X0 + 150.4, Y0 + 50.4)  # holds no pixel centre
SUNKEN = box(X0 + 120, Y0 + 70, X0 + 130, Y0 + 80)  # DSM 5 m below DTM (bad data)
FOOTPRINTS = [FLAT_6, FLAT_9, GABLE, ACROSS, OUTSIDE, TINY]


def from_origin(west: float, north: float, xsize: float, ysize: float) -> Affine:
    """North-up grid transform (as rasterio's, without its deprecated Affine product)."""
    return Affine(xsize, 0.0, west, 0.0, -ysize, north)


def pixel_centres(transform: Affine, rows: int, cols: int) -> tuple[np.ndarray, ...]:
    c, r = np.meshgrid(np.arange(cols) + 0.5, np.arange(rows) + 0.5)
    x = transform.c + c * transform.a
    y = transform.f + r * transform.e
    return x, y


def models(
    transform: Affine, rows: int = ROWS, cols: int = COLS, sunken: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """(DSM, DTM) on the grid ``transform``, float32."""
    x, y = pixel_centres(transform, rows, cols)
    dtm = 20.0 + 0.05 * (x - X0) + 0.02 * (y - Y0)
    shapes = [(FLAT_6, 6.0), (FLAT_9, 9.0), (ACROSS, 7.0)]
    if sunken:
        shapes.append((SUNKEN, -5.0))
    roof = rasterize(shapes, out_shape=(rows, cols), transform=transform, fill=0.0, dtype="float32")
    gable = rasterize([(GABLE, 1)], out_shape=(rows, cols), transform=transform, dtype="uint8")
    roof = np.where(gable == 1, 6.0 + 4.0 * (1.0 - np.abs(x - (X0 + 68)) / 8.0), roof)
    dsm = dtm + roof
    # A chimney (one pixel 3 m higher) on the 6 m roof and a tree beside it.
    dsm[(np.abs(x - (X0 + 15.5)) < 0.6) & (np.abs(y - (Y0 + 15.5)) < 0.6)] += 3.0
    dsm[(x > X0 + 22) & (x < X0 + 25) & (np.abs(y - (Y0 + 15.5)) < 0.6)] += 8.0
    return dsm.astype(np.float32), dtm.astype(np.float32)


def write_tif(
    path: Path,
    data: np.ndarray,
    transform: Affine,
    crs: str | None = "EPSG:31370",
    nodata: float | None = NODATA,
) -> Path:
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=data.shape[0],
        width=data.shape[1],
        count=1,
        dtype="float32",
        crs=crs,
        transform=transform,
        nodata=nodata,
    ) as dst:
        dst.write(data.astype(np.float32), 1)
    return path


@pytest.fixture
def one_tile(tmp_path: Path) -> tuple[Path, Path]:
    transform = from_origin(X0, Y0 + ROWS, 1.0, 1.0)
    dsm, dtm = models(transform)
    dsm[ROWS - 1 - 20, 11:14] = NODATA  # three pixels of the 6 m roof without data
    folder = tmp_path / "one"
    folder.mkdir()
    return (
        write_tif(folder / "DHMVIIDSMRAS1m_k01.tif", dsm, transform),
        write_tif(folder / "DHMVIIDTMRAS1m_k01.tif", dtm, transform),
    )


@pytest.fixture
def two_tiles(tmp_path: Path) -> tuple[list[Path], list[Path]]:
    """The same models cut at x = 150 100 m into two tiles per model."""
    transform = from_origin(X0, Y0 + ROWS, 1.0, 1.0)
    dsm, dtm = models(transform)
    dsm[ROWS - 1 - 20, 11:14] = NODATA
    right = from_origin(X0 + 100, Y0 + ROWS, 1.0, 1.0)
    paths: dict[str, list[Path]] = {"DSM": [], "DTM": []}
    folder = tmp_path / "two"
    folder.mkdir()
    for name, data in (("DSM", dsm), ("DTM", dtm)):
        for k, (part, tr) in enumerate(((data[:, :100], transform), (data[:, 100:], right))):
            paths[name].append(write_tif(folder / f"DHMVII{name}RAS1m_k0{k + 1}.tif", part, tr))
    return paths["DSM"], paths["DTM"]


def check_reference(result: pd.DataFrame) -> None:
    """The expected heights of FOOTPRINTS within 0.5 m, and everything around them."""
    np.testing.assert_allclose(result["height_m"].iloc[:4], [6.0, 9.0, 8.0, 7.0], atol=0.5)
    # storeys count the floors below the eaves: the gable house (eaves 6 m, ridge 10 m) has 2
    assert list(result["storeys"].iloc[:4]) == [2, 3, 2, 2]
    np.testing.assert_allclose(result["eaves_height_m"].iloc[2], 6.0, atol=0.5)
    np.testing.assert_allclose(result["ridge_height_m"].iloc[2], 10.0, atol=0.5)
    np.testing.assert_allclose(result["eaves_height_m"].iloc[1], 9.0, atol=0.05)  # flat roof
    assert list(result["height_source"]) == ["dhm"] * 4 + ["", ""]
    # 10 × 12 pixels minus 3 without data; 12 × 10 centres in the off-grid box; 16 × 20; 10 × 10.
    assert list(result["n_pixels"]) == [117, 120, 320, 100, 0, 0]
    assert result["height_m"].iloc[4:].isna().all()
    assert result["storeys"].iloc[4:].isna().all()


def test_heights_from_one_tile(one_tile: tuple[Path, Path]) -> None:
    dsm, dtm = one_tile
    result = building_heights(gpd.GeoSeries(FOOTPRINTS, crs="EPSG:31370"), dsm, dtm)
    check_reference(result)
    assert result["storeys"].dtype == "Int64"
    assert any("2 van de 6 gebouwen hebben geen DSM/DTM-pixel" in n for n in result.attrs["notes"])


def test_gable_roof_median_is_halfway_between_eaves_and_ridge(one_tile: tuple[Path, Path]) -> None:
    """Pixel centres at 0.5 .. 7.5 m from the ridge: heights 9.75 .. 6.25, median 8.0 (±1e-4 m,
    float32 rasters)."""
    result = building_heights([GABLE], *one_tile)
    assert result.loc[0, "height_m"] == pytest.approx(8.0, abs=1e-4)


def test_heights_from_two_tiles_match_one_tile(
    one_tile: tuple[Path, Path], two_tiles: tuple[list[Path], list[Path]]
) -> None:
    geoms = gpd.GeoSeries(FOOTPRINTS, crs="EPSG:31370")
    single = building_heights(geoms, *one_tile)
    tiled = building_heights(geoms, *two_tiles)
    check_reference(tiled)
    pd.testing.assert_frame_equal(tiled, single, check_exact=False, atol=1e-6)


def test_dsm_tiles_with_one_dtm_file(
    one_tile: tuple[Path, Path], two_tiles: tuple[list[Path], list[Path]]
) -> None:
    result = building_heights(FOOTPRINTS, two_tiles[0], one_tile[1])
    check_reference(result)


def test_small_windows_give_the_same_result(
    one_tile: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows of 16 pixels split the footprints over many windows: results do not change."""
    geoms = gpd.GeoSeries(FOOTPRINTS, crs="EPSG:31370")
    expected = building_heights(geoms, *one_tile)
    monkeypatch.setattr(heights_module, "_CELL_PX", 16)
    pd.testing.assert_frame_equal(building_heights(geoms, *one_tile), expected)


def test_row_order_does_not_matter(one_tile: tuple[Path, Path]) -> None:
    geoms = gpd.GeoSeries(FOOTPRINTS, crs="EPSG:31370")
    expected = building_heights(geoms, *one_tile)
    perm = [5, 2, 0, 4, 1, 3]
    shuffled = building_heights(geoms.iloc[perm], *one_tile)
    pd.testing.assert_frame_equal(shuffled.loc[expected.index], expected)


def test_index_of_the_frame_is_kept(one_tile: tuple[Path, Path]) -> None:
    frame = gpd.GeoDataFrame(
        {"building_id": ["a", "b"]}, geometry=[GABLE, FLAT_6], crs="EPSG:31370", index=[7, 3]
    )
    result = building_heights(frame, *one_tile)
    assert list(result.index) == [7, 3]
    np.testing.assert_allclose(result["height_m"], [8.0, 6.0], atol=0.5)


def test_lambert2008_rasters_take_lambert72_footprints(tmp_path: Path) -> None:
    """Rasters in EPSG:3812: the footprints (EPSG:31370) are reprojected before burning."""
    in_3812 = gpd.GeoSeries([FLAT_6, FLAT_9], crs="EPSG:31370").to_crs("EPSG:3812")
    left, bottom, right, top = in_3812.total_bounds
    transform = from_origin(np.floor(left) - 20, np.ceil(top) + 20, 1.0, 1.0)
    rows, cols = int(np.ceil(top - bottom)) + 40, int(np.ceil(right - left)) + 40
    dtm = np.full((rows, cols), 30.0, dtype=np.float32)
    roof = rasterize(
        [(in_3812.iloc[0], 6.0), (in_3812.iloc[1], 9.0)],
        out_shape=(rows, cols),
        transform=transform,
        dtype="float32",
    )
    dsm_path = write_tif(tmp_path / "dsm_3812.tif", dtm + roof, transform, crs="EPSG:3812")
    dtm_path = write_tif(tmp_path / "dtm_3812.tif", dtm, transform, crs="EPSG:3812")
    result = building_heights(gpd.GeoSeries([FLAT_6, FLAT_9], crs="EPSG:31370"), dsm_path, dtm_path)
    np.testing.assert_allclose(result["height_m"], [6.0, 9.0], atol=0.5)
    assert (result["n_pixels"] > 100).all()


def test_negative_heights_are_clipped_and_counted(tmp_path: Path) -> None:
    transform = from_origin(X0, Y0 + ROWS, 1.0, 1.0)
    dsm, dtm = models(transform, sunken=True)
    dsm_path = write_tif(tmp_path / "dsm.tif", dsm, transform)
    dtm_path = write_tif(tmp_path / "dtm.tif", dtm, transform)
    result = building_heights([SUNKEN, FLAT_6], dsm_path, dtm_path)
    assert result.loc[0, "height_m"] == pytest.approx(0.0, abs=1e-9)
    assert result.loc[0, "storeys"] == 1
    assert result.loc[1, "height_m"] == pytest.approx(6.0, abs=0.5)
    assert any(
        "100 pixels in 1 gebouwen lagen in het oppervlaktemodel (DSM) meer dan 1 m onder" in n
        for n in result.attrs["notes"]
    )


def test_swapped_models_are_refused(one_tile: tuple[Path, Path]) -> None:
    dsm, dtm = one_tile
    with pytest.raises(SourceFileError, match="verwisseld"):
        building_heights([FLAT_6, FLAT_9], dtm, dsm)


def test_scanline_pixels_match_rasterio_rasterize() -> None:
    """The vectorised scanline fill selects the same pixels as GDAL's rasterizer (pixel-centre
    rule) for turned rectangles, an L, a courtyard, a multipolygon and footprints across the
    raster's edge; random coordinates, so no pixel centre lies exactly on an edge."""
    rng = np.random.default_rng(42)
    shapes: list[Polygon | MultiPolygon] = []
    for _ in range(60):
        cx, cy = X0 + rng.uniform(-5, COLS + 5), Y0 + rng.uniform(-5, ROWS + 5)
        w, d = rng.uniform(0.4, 16.0, 2)
        shapes.append(
            rotate(box(cx - w / 2, cy - d / 2, cx + w / 2, cy + d / 2), rng.uniform(0, 180))
        )
    ox, oy = X0 + 20.37, Y0 + 40.81
    shapes.append(
        Polygon(
            [
                (ox, oy),
                (ox + 10, oy),
                (ox + 10, oy + 5),
                (ox + 4, oy + 5),
                (ox + 4, oy + 12),
                (ox, oy + 12),
            ]
        )
    )
    shapes.append(
        box(ox + 40, oy, ox + 60.3, oy + 20.2).difference(
            box(ox + 45.1, oy + 5.3, ox + 55.2, oy + 15.4)
        )
    )
    shapes.append(
        MultiPolygon(
            [box(ox + 70, oy, ox + 75.6, oy + 9.1), box(ox + 80.2, oy, ox + 86.7, oy + 9.3)]
        )
    )
    transform = from_origin(X0, Y0 + ROWS, 1.0, 1.0)
    labels, flat = heights_module._footprint_pixels(
        np.asarray(shapes, dtype=object), transform, ROWS, COLS
    )
    for k, shape in enumerate(shapes):
        ref = rasterize([(shape, 1)], out_shape=(ROWS, COLS), transform=transform, dtype="uint8")
        np.testing.assert_array_equal(np.sort(flat[labels == k + 1]), np.flatnonzero(ref.ravel()))


def test_overlapping_footprints_both_get_the_pixels(one_tile: tuple[Path, Path]) -> None:
    result = building_heights([FLAT_6, FLAT_6], *one_tile)
    assert list(result["n_pixels"]) == [117, 117]


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------


def test_rasters_that_miss_the_buildings_are_refused(one_tile: tuple[Path, Path]) -> None:
    far = [box(X0 + 50_000, Y0 + 10_000, X0 + 50_010, Y0 + 10_012)]
    with pytest.raises(SourceFileError) as err:
        building_heights(gpd.GeoSeries(far, crs="EPSG:31370"), *one_tile)
    message = str(err.value)
    assert "DHMVIIDSMRAS1m_k01.tif" in message and "DHMVIIDTMRAS1m_k01.tif" in message
    assert "x 200000..200010, y 210000..210012" in message
    assert "download de kaartbladen van DHM Vlaanderen II" in message


def test_dtm_on_a_coarser_grid_is_refused(tmp_path: Path, one_tile: tuple[Path, Path]) -> None:
    transform = from_origin(X0, Y0 + ROWS, 2.0, 2.0)
    _, dtm = models(transform, rows=ROWS // 2, cols=COLS // 2)
    coarse = write_tif(tmp_path / "dtm_2m.tif", dtm, transform)
    with pytest.raises(SourceFileError, match="DSM en het DTM liggen op verschillende rasters"):
        building_heights(FOOTPRINTS, one_tile[0], coarse)


def test_dtm_shifted_by_half_a_pixel_is_refused(
    tmp_path: Path, one_tile: tuple[Path, Path]
) -> None:
    transform = from_origin(X0 + 0.5, Y0 + ROWS, 1.0, 1.0)
    _, dtm = models(transform)
    shifted = write_tif(tmp_path / "dtm_shift.tif", dtm, transform)
    with pytest.raises(SourceFileError, match="verschillende rasters"):
        building_heights(FOOTPRINTS, one_tile[0], shifted)


def test_dtm_in_another_crs_is_refused(tmp_path: Path, one_tile: tuple[Path, Path]) -> None:
    transform = from_origin(X0, Y0 + ROWS, 1.0, 1.0)
    _, dtm = models(transform)
    other = write_tif(tmp_path / "dtm_3812.tif", dtm, transform, crs="EPSG:3812")
    with pytest.raises(SourceFileError) as err:
        building_heights(FOOTPRINTS, one_tile[0], other)
    assert "verschillende rasters of coördinatenstelsels" in str(err.value) and "EPSG:3812" in str(
        err.value
    )


def test_unreadable_and_missing_files_are_all_reported(tmp_path: Path) -> None:
    broken = tmp_path / "DHMVIIDSMRAS1m_k02.tif"
    broken.write_text("not a GeoTIFF", encoding="utf-8")
    missing = tmp_path / "DHMVIIDTMRAS1m_k02.tif"
    with pytest.raises(SourceFileError) as err:
        building_heights(FOOTPRINTS, broken, missing)
    assert err.value.fields == ["dsm", "dtm"]
    assert str(broken) in str(err.value) and str(missing) in str(err.value)


def test_raster_without_crs_is_refused(tmp_path: Path) -> None:
    transform = from_origin(X0, Y0 + ROWS, 1.0, 1.0)
    dsm, dtm = models(transform)
    dsm_path = write_tif(tmp_path / "dsm.tif", dsm, transform, crs=None)
    dtm_path = write_tif(tmp_path / "dtm.tif", dtm, transform)
    with pytest.raises(SourceFileError, match="geen coördinatenstelsel"):
        building_heights(FOOTPRINTS, dsm_path, dtm_path)


def test_bad_storey_height_is_refused(one_tile: tuple[Path, Path]) -> None:
    with pytest.raises(SourceFileError, match="storey_height_m"):
        building_heights(FOOTPRINTS, *one_tile, storey_height_m=0.0)
