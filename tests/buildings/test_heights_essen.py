"""Building heights on REAL DHM Vlaanderen II 1 m tiles (1 km² of Essen centre).

The footprints (``data/essen_footprints.geojson``) were drawn by hand from the nDSM
(DSM − DTM) of these tiles; ``data/README.md`` says how. The heights of
:func:`buildings.heights.building_heights` are checked against a slow reference written here:
even-odd ray casting of the pixel centres over each polygon's vertices (a Python loop per edge,
not the module's scanline fill), on the rasters read whole with rasterio, then
``np.median``/``np.percentile``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from rasterio.windows import Window
from typer.testing import CliRunner

from api.cli import app
from buildings.heights import building_heights
from buildings.twin import TwinSources, build_twin, read_twin, twin_parameters
from tests.buildings.fixtures import ADDRESS_FIELDS
from tests.shared_data import SHARED, require

TILES = SHARED / "data/geo/dhmv_essen"
DSM = TILES / "DHMVIIDSMRAS1m_essen_156500_239500.tif"
DTM = TILES / "DHMVIIDTMRAS1m_essen_156500_239500.tif"
FOOTPRINTS = Path(__file__).parent / "data" / "essen_footprints.geojson"
NODATA = -9999.0
#: Where the tiles are cut for the several-tiles tests (grid column and row): the church and
#: the terraced row lie across these lines.
CUT_COL, CUT_ROW = 480, 665


@pytest.fixture(scope="module")
def drawn() -> gpd.GeoDataFrame:
    return gpd.read_file(FOOTPRINTS).set_index("name")


@pytest.fixture(scope="module")
def buildings(drawn: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return drawn[drawn["kind"] == "building"]


def read(path: Path) -> tuple[np.ndarray, rasterio.Affine]:
    with rasterio.open(require(path)) as src:
        return src.read(1), src.transform


def reference_pixels(poly: shapely.Polygon, transform: rasterio.Affine) -> tuple[np.ndarray, ...]:
    """Rows and columns of the pixels whose centre is inside ``poly`` (even-odd ray casting)."""
    x0, y0, res = transform.c, transform.f, transform.a
    minx, miny, maxx, maxy = poly.bounds
    cols = np.arange(int(np.floor((minx - x0) / res)), int(np.ceil((maxx - x0) / res)) + 1)
    rows = np.arange(int(np.floor((y0 - maxy) / res)), int(np.ceil((y0 - miny) / res)) + 1)
    cc, rr = np.meshgrid(cols, rows)
    px, py = x0 + (cc + 0.5) * res, y0 - (rr + 0.5) * res
    inside = np.zeros(px.shape, dtype=bool)
    ring = np.asarray(poly.exterior.coords)
    for (xa, ya), (xb, yb) in itertools.pairwise(ring):
        if ya == yb:
            continue
        crosses = (ya > py) != (yb > py)
        x_at = xa + (py - ya) * (xb - xa) / (yb - ya)
        inside ^= crosses & (px < x_at)
    return rr[inside], cc[inside]


def reference_heights(
    poly: shapely.Polygon, dsm: np.ndarray, dtm: np.ndarray, transform: rasterio.Affine
) -> np.ndarray:
    """DSM − DTM over the pixels inside ``poly`` where both models have data, clipped at 0."""
    rr, cc = reference_pixels(poly, transform)
    s, t = dsm[rr, cc].astype(np.float64), dtm[rr, cc].astype(np.float64)
    ok = (s != NODATA) & (t != NODATA)
    return np.maximum(s[ok] - t[ok], 0.0)


def write_like(src_path: Path, path: Path, data: np.ndarray, window: Window | None = None) -> Path:
    """``data`` as a GeoTIFF with the profile of ``src_path`` (cut to ``window``)."""
    with rasterio.open(src_path) as src:
        profile = src.profile.copy()
        transform = src.window_transform(window) if window is not None else src.transform
    profile.update(width=data.shape[1], height=data.shape[0], transform=transform, tiled=False)
    profile.pop("blockxsize", None)
    profile.pop("blockysize", None)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def split(src_path: Path, folder: Path, cols: list[int], rows: list[int]) -> list[Path]:
    """Cut a tile into the windows between ``cols`` and ``rows`` (grid lines), same CRS."""
    data, _ = read(src_path)
    folder.mkdir(parents=True, exist_ok=True)
    c_edges = [0, *cols, data.shape[1]]
    r_edges = [0, *rows, data.shape[0]]
    out = []
    for i, (r0, r1) in enumerate(itertools.pairwise(r_edges)):
        for j, (c0, c1) in enumerate(itertools.pairwise(c_edges)):
            window = Window(c0, r0, c1 - c0, r1 - r0)
            path = folder / f"{src_path.stem}_{i}{j}.tif"
            out.append(write_like(src_path, path, data[r0:r1, c0:c1], window))
    return out


# ------------------------------------------------------------------- against the reference
def test_heights_match_the_pixels_read_independently(buildings: gpd.GeoDataFrame) -> None:
    dsm, transform = read(DSM)
    dtm, _ = read(DTM)
    got = building_heights(buildings, DSM, DTM)
    for name, poly in buildings.geometry.items():
        ref = reference_heights(poly, dsm, dtm, transform)
        row = got.loc[name]
        assert row["n_pixels"] == ref.size, name
        assert row["height_m"] == pytest.approx(np.median(ref), abs=1e-4), name
        assert row["eaves_height_m"] == pytest.approx(
            np.percentile(ref, 10, method="lower"), abs=1e-4
        ), name
        assert row["ridge_height_m"] == pytest.approx(
            np.percentile(ref, 99, method="higher"), abs=1e-4
        ), name
        # a pixel is 1 m²: the pixels inside cover the footprint's area, up to its edge pixels
        assert abs(ref.size - poly.area) < 0.1 * poly.area + 1.0, name


def test_church_tallest_and_houses_of_plausible_height(buildings: gpd.GeoDataFrame) -> None:
    got = building_heights(buildings, DSM, DTM)
    height = got["height_m"]
    assert height.idxmax() == "church" and height["church"] > 12.0
    assert got.loc["church", "ridge_height_m"] > 30.0  # the tower
    for house in ("terraced_house", "terraced_rest", "detached_house", "house_under_tree"):
        # Flemish houses: 1 to 3 storeys, roof halfway between eaves and ridge 4-11 m
        assert 4.0 < height[house] < 11.0, house
        assert 1 <= got.loc[house, "storeys"] <= 3, house
    # the terraced row: two storeys under a pitched roof (eaves at about 6 m)
    assert got.loc["terraced_house", "storeys"] == 2
    assert got.loc["terraced_rest", "storeys"] == 2
    # storeys follow the eaves at 3 m a storey, halves up, at least one
    storey_h = 3.0
    want = np.maximum(1, np.floor(got["eaves_height_m"] / storey_h + 0.5)).astype(int)
    assert got["storeys"].astype(int).tolist() == want.tolist()


def test_a_tree_over_the_roof_gives_the_roof_height(drawn: gpd.GeoDataFrame) -> None:
    """The median ignores the crown over one corner; the mean would not.

    The roof's ridge is at about 6.7 m; the crown reaches 10-14 m. (The ridge estimate, the
    99 % quantile, does pick up the crown: it is not robust to vegetation.)
    """
    dsm, transform = read(DSM)
    dtm, _ = read(DTM)
    house = drawn.geometry["house_under_tree"]
    crown = drawn.geometry["tree_crown"]
    all_px = reference_heights(house, dsm, dtm, transform)
    roof_only = reference_heights(house.difference(crown), dsm, dtm, transform)
    under_crown = reference_heights(house.intersection(crown), dsm, dtm, transform)
    roof_top = np.percentile(roof_only, 99)
    assert roof_top < 7.5
    assert (all_px > roof_top + 2.0).sum() >= 5  # the footprint does hold tree pixels ...
    assert (under_crown > roof_top + 2.0).sum() == (all_px > roof_top + 2.0).sum()  # ... here
    got = building_heights(drawn.loc[["house_under_tree"]], DSM, DTM).iloc[0]
    assert got["height_m"] == pytest.approx(np.median(roof_only), abs=0.15)
    assert got["eaves_height_m"] == pytest.approx(np.percentile(roof_only, 10), abs=0.25)
    assert np.mean(all_px) - np.median(roof_only) > 0.2  # what a mean would have reported


# ----------------------------------------------------------------------------------- nodata
def test_partly_missing_data_uses_the_valid_pixels(
    buildings: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    dsm, transform = read(DSM)
    dtm, _ = read(DTM)
    house = buildings.geometry["detached_house"]
    minx, _, maxx, _ = house.bounds
    cut = int((0.5 * (minx + maxx) - transform.c) // 1)  # west half of the house: no data
    holed = dsm.copy()
    holed[:, :cut] = NODATA
    path = write_like(DSM, tmp_path / "dsm_holed.tif", holed)
    result = building_heights(buildings.loc[["detached_house"]], path, DTM)
    got = result.iloc[0]
    full = reference_heights(house, dsm, dtm, transform)
    valid = reference_heights(house, holed, dtm, transform)
    assert 0 < valid.size < 0.75 * full.size
    assert got["n_pixels"] == valid.size and got["height_source"] == "dhm"
    assert got["height_m"] == pytest.approx(np.median(valid), abs=1e-4)
    # not silent: the share of the footprint's pixels measured, and a note for the report
    assert got["pixel_share"] == pytest.approx(valid.size / full.size)
    assert any("minder dan 75% van hun pixels" in n for n in result.attrs["notes"])
    whole = building_heights(buildings.loc[["detached_house"]], DSM, DTM)
    assert whole.iloc[0]["pixel_share"] == 1.0
    assert not any("minder dan" in n for n in whole.attrs["notes"])


def registers(drawn: gpd.GeoDataFrame, folder: Path) -> tuple[Path, Path]:
    """Gebouwenregister buildings and one Adressenregister address per drawn building."""
    b = drawn[drawn["kind"] == "building"].reset_index()
    ids = list(range(5001, 5001 + len(b)))
    gebouwen = gpd.GeoDataFrame(
        {
            "gebouwid": pd.array(ids, dtype="Int64"),
            "versieid": pd.array([1] * len(b), dtype="Int64"),
            "geommet": "ingemetenGRB",
            "status": "gerealiseerd",
            "naam": b["name"],
        },
        geometry=b.geometry.to_numpy(),
        crs="EPSG:31370",
    )
    rows = [
        {
            "adresid": 7001 + i,
            "straatnmid": 61_000,
            "straatnm": "Kerkplaats",
            "huisnr": str(i + 1),
            "busnr": None,
            "postcode": 2910,
            "gemeenteid": 11016,
            "gemeentenm": "Essen",
            "status": "inGebruik",
            "posgeommet": "aangeduidDoorBeheerder",
            "posspec": "perceel",
            "offtoegknd": "false",
            "voladres": f"Kerkplaats {i + 1}, 2910 Essen",
        }
        for i in range(len(b))
    ]
    adressen = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=ADDRESS_FIELDS).astype({"adresid": "Int64"}),
        geometry=b.geometry.representative_point().to_numpy(),
        crs="EPSG:31370",
    )
    gebouwen.to_file(folder / "Gebouw.gpkg", driver="GPKG")
    adressen.to_file(folder / "Adres.shp", engine="pyogrio")
    return folder / "Gebouw.gpkg", folder / "Adres.shp"


def per_building(twin: gpd.GeoDataFrame, gebouwen: Path) -> pd.DataFrame:
    names = gpd.read_file(gebouwen)[["gebouwid", "naam"]].astype(str)
    first = twin.drop_duplicates("building_id").astype({"building_id": str})
    return first.merge(names, left_on="building_id", right_on="gebouwid").set_index("naam")


def test_a_building_without_any_data_is_imputed_and_flagged(
    drawn: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    dtm, _ = read(DTM)
    house = drawn.geometry["detached_house"]
    with rasterio.open(DTM) as src:
        window = rasterio.windows.from_bounds(*house.buffer(2.0).bounds, transform=src.transform)
    r0, c0 = int(window.row_off), int(window.col_off)
    holed = dtm.copy()
    holed[r0 : r0 + int(np.ceil(window.height)), c0 : c0 + int(np.ceil(window.width))] = NODATA
    dtm_path = write_like(DTM, tmp_path / "dtm_holed.tif", holed)
    direct = building_heights(drawn.loc[["detached_house", "church"]], DSM, dtm_path)
    assert direct.loc["detached_house", "n_pixels"] == 0
    assert np.isnan(direct.loc["detached_house", "height_m"])
    assert direct.loc["detached_house", "height_source"] == ""  # not measured: the caller imputes
    assert pd.isna(direct.loc["detached_house", "storeys"])
    assert direct.loc["church", "n_pixels"] > 0
    assert any("geen DSM/DTM-pixel" in n for n in direct.attrs["notes"])

    gebouwen, adressen = registers(drawn, tmp_path)
    result = build_twin(
        TwinSources(buildings=gebouwen, addresses=adressen, dsm=(DSM,), dtm=(dtm_path,))
    )
    rows = per_building(result.dwellings, gebouwen)
    row = rows.loc["detached_house"]
    assert row["height_source"] == "imputed"
    storey_h = twin_parameters()["storey_height_m"]
    assert np.isfinite(row["height_m"]) and row["height_m"] >= storey_h
    assert rows.loc["house_under_tree", "height_source"] == "measured"
    assert any("geen DSM/DTM-pixel" in n for n in result.notes)
    # the church, with its one address, is no dwelling (issue 11: only dwellings become
    # dwellings): its floor area per address is far above the largest dwelling
    assert "church" not in rows.index
    church_id = str(5001 + list(drawn[drawn["kind"] == "building"].index).index("church"))
    reasons = result.rejects.loc[result.rejects["record_id"].astype(str) == church_id, "reason"]
    assert reasons.str.startswith("non-residential").any(), reasons.tolist()


# ------------------------------------------------------------------------------ several tiles
def test_a_footprint_across_tile_seams_gets_the_single_tile_height(
    buildings: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    dsm_tiles = split(DSM, tmp_path / "dsm", [CUT_COL], [CUT_ROW])
    dtm_tiles = split(DTM, tmp_path / "dtm", [CUT_COL], [CUT_ROW])
    assert len(dsm_tiles) == 4
    with rasterio.open(DSM) as src:
        seam_x = src.transform.c + CUT_COL
        seam_y = src.transform.f - CUT_ROW
    church = buildings.geometry["church"]
    minx, miny, maxx, maxy = church.bounds
    assert minx < seam_x < maxx and miny < seam_y < maxy  # the church lies on all four tiles
    one = building_heights(buildings, DSM, DTM)
    four = building_heights(buildings, dsm_tiles[::-1], dtm_tiles)
    pd.testing.assert_frame_equal(four, one)


# ------------------------------------------------------------------------------------- CLI
@pytest.mark.parametrize("form", ["after_one_flag", "folder", "repeated", "comma"])
def test_cli_takes_several_tiles(drawn: gpd.GeoDataFrame, tmp_path: Path, form: str) -> None:
    """``wijk twin build --dsm A B --dtm C D`` (the README's form) and the other forms."""
    dsm_tiles = split(DSM, tmp_path / "dsm", [CUT_COL], [])
    dtm_tiles = split(DTM, tmp_path / "dtm", [CUT_COL], [])
    gebouwen, adressen = registers(drawn, tmp_path)
    out = tmp_path / "twin" / "twin.parquet"
    args = ["twin", "build", "--buildings", str(gebouwen), "--addresses", str(adressen)]
    if form == "after_one_flag":
        args += ["--dsm", *map(str, dsm_tiles), "--dtm", *map(str, dtm_tiles)]
    elif form == "folder":
        args += ["--dsm", str(tmp_path / "dsm"), "--dtm", str(tmp_path / "dtm")]
    elif form == "repeated":
        for a, b in zip(dsm_tiles, dtm_tiles, strict=True):
            args += ["--dsm", str(a), "--dtm", str(b)]
    else:
        args += ["--dsm", ",".join(map(str, dsm_tiles)), "--dtm", ",".join(map(str, dtm_tiles))]
    result = CliRunner().invoke(app, [*args, "--out", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = per_building(read_twin(out), gebouwen)
    want = building_heights(drawn.loc[rows.index], DSM, DTM)
    assert (rows["height_source"] == "measured").all()
    np.testing.assert_allclose(rows["height_m"], want["height_m"], atol=1e-4)


def test_cli_raster_problems_are_dutch(drawn: gpd.GeoDataFrame, tmp_path: Path) -> None:
    gebouwen, adressen = registers(drawn, tmp_path)
    empty = tmp_path / "geen_tegels"
    empty.mkdir()
    base = ["twin", "build", "--buildings", str(gebouwen), "--addresses", str(adressen)]
    base += ["--out", str(tmp_path / "t.parquet")]
    no_tiles = CliRunner().invoke(app, [*base, "--dsm", str(empty), "--dtm", str(DTM)])
    text = "".join(no_tiles.output.split())  # rich wraps lines at the terminal width
    assert no_tiles.exit_code == 2 and "bevatgeenGeoTIFF" in text and "geen_tegels" in text
    stray = CliRunner().invoke(app, [*base[:-2], "losse.tif", *base[-2:]])
    text = "".join(stray.output.split())
    assert stray.exit_code == 2 and "onverwachteargumentenzonderoptie:losse.tif" in text
    assert "unexpected" not in text and "Traceback" not in text
