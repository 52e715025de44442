"""Readers of the real Flemish sources: every record is kept or rejected with its reason.

Fixtures are written in the real schemas and formats (``tests/buildings/fixtures.py``);
the real GRB test files and the provinciesincijfers neighbourhoods come from the shared data
(a missing file fails, never skips). Float tolerances are stated at every assertion.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import CRS, Geod

from buildings import schema
from buildings.errors import SourceFileError
from buildings.io import (
    FACT_COLUMNS,
    read_addresses,
    read_buildings,
    read_facts,
    read_links,
    read_point_layer,
    read_sectors,
    read_units,
)
from buildings.twin import reasons_in_dutch
from tests.buildings import fixtures as fx
from tests.shared_data import SHARED, require

GEO = SHARED / "data" / "geo"
GRB_L72 = GEO / "basisregisters-grb_testdata" / "gebouw_ALL_lambert72" / "gebouw_ALL.shp"
GRB_L08 = GEO / "basisregisters-grb_testdata" / "gebouw_ALL_lambert2008" / "gebouw_ALL.shp"
GGW7 = GEO / "provinciesincijfers_gebiedsniveaus" / "ggw7.shp"


def checked(result: schema.ReadResult, columns: tuple[str, ...]) -> schema.ReadResult:
    """The invariants of every reader: accounting closes, schemas and CRS are right."""
    assert result.read == result.kept + len(result.rejects)
    assert list(result.frame.columns) == list(columns)
    assert list(result.rejects.columns) == list(schema.REJECT_COLUMNS)
    assert result.rejects.notna().all().all()
    assert sum(result.rejected_by_reason().values()) == len(result.rejects)
    if isinstance(result.frame, gpd.GeoDataFrame):
        assert result.frame.crs == CRS.from_user_input(schema.TWIN_CRS)
        assert result.frame.geometry.notna().all()
        assert result.frame.geometry.is_valid.all()
        assert not result.frame.geometry.is_empty.any()
    return result


def rejected(result: schema.ReadResult) -> dict[str, str]:
    return dict(zip(result.rejects["record_id"], result.rejects["reason"], strict=True))


def by_id(frame: pd.DataFrame, id_column: str) -> pd.DataFrame:
    return frame.set_index(id_column)


# --- buildings ----------------------------------------------------------------------------


def test_gebouwenregister_shapefile_keeps_or_rejects_every_record(tmp_path: Path) -> None:
    path = fx.gebouwenregister_shapefile(tmp_path)
    result = checked(read_buildings(path), schema.BUILDING_COLUMNS)

    assert result.read == len(fx.GEBOUWENREGISTER_RECORDS)
    assert list(result.frame["building_id"]) == fx.GEBOUWENREGISTER_KEPT
    assert rejected(result) == fx.GEBOUWENREGISTER_REJECTED
    assert result.repaired == 1  # the bow tie
    assert set(result.rejects["source"]) == {"Gebouw.shp"}
    assert set(result.frame["source"]) == {"Gebouw.shp"}
    frame = by_id(result.frame, "building_id")
    assert frame.loc["1012", "status"] == "gerealiseerd"  # register spelling restored
    assert frame.loc["1003", "status"] == "inAanbouw"
    assert frame["is_main"].all()
    assert str(frame["status"].dtype) == "string"
    # a one-part MultiPolygon becomes a Polygon; several parts are kept whole
    assert frame.loc["1008"].geometry.geom_type == "Polygon"
    assert frame.loc["1009"].geometry.geom_type == "MultiPolygon"
    assert frame.loc["1009"].geometry.area == pytest.approx(6.0**2 + 4.0**2, abs=1e-6)
    # the bow tie is repaired into its two triangles of 25 m² each
    assert frame.loc["1006"].geometry.area == pytest.approx(50.0, abs=1e-6)
    assert frame.loc["1001"].geometry.area == pytest.approx(100.0, abs=1e-6)
    assert any("meerdere delen" in note and "1009" in note for note in result.notes)


def test_gebouwenregister_geopackage_with_mixed_geometry_types(tmp_path: Path) -> None:
    result = checked(
        read_buildings(fx.gebouwenregister_mixed_gpkg(tmp_path)), schema.BUILDING_COLUMNS
    )
    assert rejected(result) == {
        "2001": "not a polygon",
        "2002": "not a polygon",
        "2003": "empty geometry",
    }
    assert list(result.frame["building_id"]) == ["2004", "2005"]
    # the polygon of a geometry collection is kept (the point dropped) and counted as repaired
    collection = by_id(result.frame, "building_id").loc["2005"].geometry
    assert collection.geom_type == "Polygon"
    assert collection.area == pytest.approx(100.0, abs=1e-6)
    assert result.repaired == 1


def test_a_layer_without_polygons_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="geen polygonen: verkeerde laag") as err:
        read_buildings(fx.points_as_buildings_gpkg(tmp_path))
    assert "punten.gpkg" in str(err.value)
    assert err.value.fields == ["geometry"]


def test_grb_gbg_type_field(tmp_path: Path) -> None:
    result = checked(read_buildings(fx.grb_gbg_shapefile(tmp_path)), schema.BUILDING_COLUMNS)
    # 503: virtual façades (a main building); 502: an annex, kept as a neighbour, not a main building
    assert list(result.frame["building_id"]) == ["501", "502", "503", "504"]
    assert rejected(result) == {"505": "unknown building type type 7"}
    assert list(result.frame["is_main"]) == [True, False, True, True]
    assert set(result.frame["status"]) == {"gerealiseerd"}


def test_footprints_and_address_points_with_z_are_read_as_2d(tmp_path: Path) -> None:
    # some GRB and CRAB exports carry a Z (PolygonZ, PointZ): the twin is 2-D, areas unchanged
    x, y = fx.GENT_31370
    flat = [fx.square(x, y), fx.square(x + 10.0, y, 8.0)]
    with_z = [shapely.force_3d(flat[0], 12.5), flat[1]]
    path = fx.grb_gbg_layer(tmp_path, [(601, 1, with_z[0]), (602, 1, with_z[1])], "Gbg3d.gpkg")
    result = checked(read_buildings(path), schema.BUILDING_COLUMNS)
    assert not result.frame.geometry.has_z.any()
    assert list(result.frame.geometry.area) == pytest.approx([100.0, 64.0])
    frame = fx.address_frame().iloc[:2].copy()
    frame["geometry"] = shapely.force_3d(frame.geometry.to_numpy(), 3.0)
    frame.to_file(tmp_path / "adressen3d.gpkg", engine="pyogrio")
    addresses = checked(read_addresses(tmp_path / "adressen3d.gpkg"), schema.ADDRESS_COLUMNS)
    assert not addresses.frame.geometry.has_z.any()
    assert len(addresses.frame) == 2


def test_grb_gbg_with_labels_only(tmp_path: Path) -> None:
    path = fx.grb_gbg_shapefile(tmp_path, with_type=False)
    result = checked(read_buildings(path), schema.BUILDING_COLUMNS)
    assert list(result.frame["building_id"]) == ["501", "502", "503", "504"]
    assert list(result.frame["is_main"]) == [True, False, True, True]
    assert rejected(result) == {"505": "unknown building type lbltype onbekend"}


def test_grb_upload_records_without_prj_recognised_as_lambert72(tmp_path: Path) -> None:
    path = fx.grb_upload_shapefile_without_prj(tmp_path)
    result = checked(read_buildings(path), schema.BUILDING_COLUMNS)
    assert list(result.frame["building_id"]) == fx.GRB_UPLOAD_KEPT
    assert rejected(result) == fx.GRB_UPLOAD_REJECTED
    # the build report says how the CRS was decided, and nothing was reprojected
    assert len(result.notes) == 1 and str(path) in result.notes[0]
    assert "als Lambert 72 (EPSG:31370) gelezen" in result.notes[0]
    assert "--crs" in result.notes[0]

    # crs= still decides when given: no note about recognition
    result = checked(read_buildings(path, crs="EPSG:31370"), schema.BUILDING_COLUMNS)
    assert list(result.frame["building_id"]) == fx.GRB_UPLOAD_KEPT
    assert result.notes == []


def test_file_without_prj_outside_both_lambert_ranges_is_refused(tmp_path: Path) -> None:
    """Coordinates that fit neither Belgian Lambert range (here: Lambert 72 shifted 350 km
    east, half-way between the two) are refused, with a Dutch message saying what to do."""
    raw = gpd.read_file(require(GRB_L72))
    shifted = raw.set_geometry(raw.geometry.translate(xoff=350_000.0))
    degrees = raw.set_crs("EPSG:31370").to_crs("EPSG:4326").set_crs(None, allow_override=True)
    path = tmp_path / "verschoven.shp"
    with warnings.catch_warnings():  # "'crs' was not provided": that is the point
        warnings.simplefilter("ignore", UserWarning)
        shifted.to_file(path)
        degrees.to_file(tmp_path / "graden.shp")
    assert not path.with_suffix(".prj").exists()
    with pytest.raises(SourceFileError) as err:
        read_buildings(path)
    message = str(err.value)
    assert str(path) in message and err.value.fields == ["crs"]
    assert "--crs EPSG:31370" in message and "--crs EPSG:3812" in message
    assert "worden ze niet herkend" in message
    # degrees without .prj are not guessed either: the message points to EPSG:4326
    with pytest.raises(SourceFileError, match="lengte- en breedtegraden"):
        read_buildings(tmp_path / "graden.shp")


def _grb_reference(path: Path) -> tuple[list[str], int, list[bool]]:
    """Kept ids, count and main flags by the GRB rules, written out directly on the raw dBASE table.

    Main buildings (TPC 1, 3) and annexes (TPC 2) are kept; annexes are no main building.
    """
    raw = pyogrio.read_dataframe(path, read_geometry=False)
    current = raw["GVDE"].isna() | (raw["GVDE"] == "1900-01-01")
    keep = (
        raw["TPC"].isin([1, 2, 3])
        & raw["GRBOBJECT"].isin([1, 2])
        & (raw["EVENTTYPE"] != 5)
        & current
    )
    main = [bool(t in (1, 3)) for t in raw.loc[keep, "TPC"]]
    return [str(i) for i in raw.loc[keep, "GRBIDN"]], len(raw), main


def test_real_grb_test_file_lambert72() -> None:
    path = require(GRB_L72)
    assert not path.with_suffix(".prj").exists()
    result = checked(read_buildings(path), schema.BUILDING_COLUMNS)
    assert any("als Lambert 72 (EPSG:31370) gelezen" in note for note in result.notes)
    ids, n, main = _grb_reference(path)
    assert (result.read, result.kept) == (n, len(ids)) == (10, 6)
    assert list(result.frame["building_id"]) == ids
    assert list(result.frame["is_main"]) == main
    assert sum(main) == 4  # and 2 annexes
    assert result.rejected_by_reason() == {"not a building": 3, "demolished (eventtype 5)": 1}
    # not reprojected: the coordinates are those of the file, to the bit
    raw = gpd.read_file(path)
    raw = raw.set_index(raw["GRBIDN"].astype(str))
    for bid, geom in zip(result.frame["building_id"], result.frame.geometry, strict=True):
        assert shapely.equals_exact(geom, raw.loc[bid].geometry, tolerance=0.0)


def test_real_grb_test_file_lambert2008_is_reprojected() -> None:
    path = require(GRB_L08)
    assert not path.with_suffix(".prj").exists()
    recognised = checked(read_buildings(path), schema.BUILDING_COLUMNS)
    assert any("als Lambert 2008 (EPSG:3812) gelezen" in note for note in recognised.notes)
    result = checked(read_buildings(path, crs="EPSG:3812"), schema.BUILDING_COLUMNS)
    # recognised or given, the same buildings to the bit
    assert shapely.equals_exact(
        recognised.frame.geometry.to_numpy(), result.frame.geometry.to_numpy(), tolerance=0.0
    ).all()
    ids, n, main = _grb_reference(path)
    assert (result.read, result.kept) == (n, len(ids)) == (21, 16)
    assert list(result.frame["building_id"]) == ids
    assert list(result.frame["is_main"]) == main
    assert sum(main) == 11  # and 5 annexes
    assert result.rejected_by_reason() == {"demolished (eventtype 5)": 3, "not a building": 2}
    assert any("omgezet van" in note for note in result.notes)
    # conformal Lambert projections with the same standard parallels: areas agree to 1e-4
    raw = gpd.read_file(path)
    raw_area = raw.set_index(raw["GRBIDN"].astype(str)).area.loc[ids].to_numpy()
    np.testing.assert_allclose(result.frame.area.to_numpy(), raw_area, rtol=1e-4)
    # and the buildings land in Flanders in Lambert 72 (bounds in metres, tolerance: none)
    x0, y0, x1, y1 = result.frame.total_bounds
    assert 20_000 < x0 < x1 < 260_000 and 150_000 < y0 < y1 < 250_000


def test_wrong_crs_override_is_an_error() -> None:
    with pytest.raises(SourceFileError, match="ligt in België") as err:
        read_buildings(require(GRB_L08), crs="EPSG:31370")
    assert 'crs="EPSG:3812"' in str(err.value)


def test_real_grb_zip_is_read(tmp_path: Path) -> None:
    import zipfile

    source = require(GRB_L72)
    archive = tmp_path / "gebouw_ALL.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for suffix in (".shp", ".shx", ".dbf"):
            zf.write(source.with_suffix(suffix), source.with_suffix(suffix).name)
    result = checked(read_buildings(archive, crs="EPSG:31370"), schema.BUILDING_COLUMNS)
    assert (result.read, result.kept) == (10, 6)


def test_lambert2008_file_is_reprojected_areas_kept(tmp_path: Path) -> None:
    path = fx.squares_in("EPSG:3812", tmp_path, "gebouwen_lb08.shp")
    result = checked(read_buildings(path), schema.BUILDING_COLUMNS)
    assert result.kept == 3
    # 10 m squares stay 100 m²: the two Lambert projections differ in scale by ~1.6e-5
    np.testing.assert_allclose(result.frame.area, 100.0, rtol=1e-4)
    # Lambert 2008 is close to Lambert 72 + (500 km, 500 km) in Gent: within 20 m
    first = result.frame.geometry.iloc[0].centroid
    assert abs(first.x - (fx.GENT_31370[0] + 5.0)) < 20.0
    assert abs(first.y - (fx.GENT_31370[1] + 5.0)) < 20.0
    assert any("Lambert 2008" in note for note in result.notes)


def test_geographic_geojson_is_reprojected(tmp_path: Path) -> None:
    path, polys = fx.lonlat_geojson(tmp_path)
    result = checked(read_buildings(path), schema.BUILDING_COLUMNS)
    assert result.kept == 2
    # against the geodesic area on the WGS 84 ellipsoid (an independent computation): the
    # Lambert 72 scale error in Flanders is below 1e-4, so areas agree within 5e-4
    geod = Geod(ellps="WGS84")
    geodesic = [abs(geod.geometry_area_perimeter(p)[0]) for p in polys]
    np.testing.assert_allclose(result.frame.area, geodesic, rtol=5e-4)
    x, y = result.frame.geometry.iloc[0].centroid.coords[0]
    assert 100_000 < x < 110_000 and 190_000 < y < 200_000  # Gent, tolerance: none [m]


def test_crs_override_is_ignored_when_the_file_has_one(tmp_path: Path) -> None:
    path = fx.squares_in("EPSG:31370", tmp_path, "gebouwen.shp")
    result = checked(read_buildings(path, crs="EPSG:3812"), schema.BUILDING_COLUMNS)
    assert any("genegeerd" in note for note in result.notes)
    np.testing.assert_allclose(result.frame.area, 100.0, rtol=1e-12)


def test_unknown_crs_string_is_an_error(tmp_path: Path) -> None:
    path = fx.grb_upload_shapefile_without_prj(tmp_path)
    with pytest.raises(SourceFileError, match="geen coördinatenstelsel dat pyproj kent"):
        read_buildings(path, crs="Lambert72")


def test_building_file_of_no_known_source_lists_fields(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError) as err:
        read_buildings(require(GGW7))
    message = str(err.value)
    assert "geoitem, naam" in message
    for expected in ("gebouwid", "OIDN", "GRBIDN", "TPC"):
        assert expected in message


def test_missing_required_building_fields_listed_at_once(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"GRBIDN": [1], "IDNV": [1]}, geometry=[fx.square(*fx.GENT_31370)], crs="EPSG:31370"
    )
    frame.to_file(tmp_path / "grb.shp")
    with pytest.raises(SourceFileError) as err:
        read_buildings(tmp_path / "grb.shp")
    assert err.value.fields[:4] == ["GVDE", "EVENTTYPE", "GRBOBJECT", "TPC"]
    assert "gevonden velden: GRBIDN, IDNV" in str(err.value)


# --- addresses ----------------------------------------------------------------------------


def test_adressenregister_shapefile(tmp_path: Path) -> None:
    result = checked(read_addresses(fx.addresses_shapefile(tmp_path)), schema.ADDRESS_COLUMNS)
    assert list(result.frame["address_id"]) == fx.ADDRESS_KEPT
    assert rejected(result) == fx.ADDRESS_REJECTED
    frame = by_id(result.frame, "address_id")
    assert frame.loc["3001", "box_number"] is pd.NA
    assert list(frame.loc[["3002", "3003"], "box_number"]) == ["1", "2"]
    assert frame.loc["3004", "house_number"] == "3A"
    assert set(frame["postcode"]) == {"9000"}
    assert set(frame["municipality_nis"]) == {"44021"}
    assert set(frame["municipality"]) == {"Gent"}
    assert frame.loc["3010", "status"] == "inGebruik"
    assert frame.loc["3004", "status"] == "voorgesteld"
    assert (frame.geometry.geom_type == "Point").all()
    for column in ("address_id", "postcode", "municipality_nis", "box_number"):
        assert str(result.frame[column].dtype) == "string"


def test_addresses_from_geoparquet_and_non_points(tmp_path: Path) -> None:
    frame = fx.address_frame().iloc[:4].copy()
    x, y = fx.GENT_31370
    frame.loc[2, "geometry"] = fx.square(x, y)
    frame.loc[3, "geometry"] = shapely.MultiPoint([(x, y)])
    frame.to_parquet(tmp_path / "adressen.parquet")
    result = checked(read_addresses(tmp_path / "adressen.parquet"), schema.ADDRESS_COLUMNS)
    assert rejected(result) == {"3003": "not a point"}
    assert list(result.frame["address_id"]) == ["3001", "3002", "3004"]
    assert (result.frame.geometry.geom_type == "Point").all()


def test_address_layer_of_polygons_is_an_error(tmp_path: Path) -> None:
    frame = fx.address_frame().iloc[:2].copy()
    frame["geometry"] = [fx.square(*fx.GENT_31370), fx.square(*fx.GENT_31370)]
    frame.to_file(tmp_path / "adres.gpkg")
    with pytest.raises(SourceFileError, match="geen punten: verkeerde laag"):
        read_addresses(tmp_path / "adres.gpkg")


def test_points_outside_belgium_are_rejected(tmp_path: Path) -> None:
    frame = fx.address_frame().iloc[:3].copy()
    frame.loc[1, "geometry"] = shapely.Point(0.0, 0.0)  # a default position in Lambert 72
    frame.to_file(tmp_path / "adres.gpkg")
    result = checked(read_addresses(tmp_path / "adres.gpkg"), schema.ADDRESS_COLUMNS)
    assert rejected(result) == {"3002": "outside Belgium"}


def test_point_layer_reader_checks_and_names_the_points(tmp_path: Path) -> None:
    # Lambert 2008 is reprojected; a row without id is named by its row; a polygon is listed
    frame = gpd.GeoDataFrame(
        {"NR": ["a", " ", "c"]},
        geometry=[
            shapely.Point(70_000.0, 170_000.0),
            shapely.Point(70_100.0, 170_000.0),
            shapely.box(70_000.0, 170_000.0, 70_010.0, 170_010.0),
        ],
        crs="EPSG:31370",
    ).to_crs(3812)
    frame.to_file(tmp_path / "p.gpkg")
    got = read_point_layer(
        tmp_path / "p.gpkg", None, "punten", "punten", "afstanden vragen meters", "punten", ("nr",)
    )
    assert got.id_field == "NR" and got.labels.tolist() == ["a", "rij 2", "c"]
    assert got.no_id.tolist() == [False, True, False]
    assert got.is_point.tolist() == [True, True, False]
    assert got.geometry is not None and got.geometry[0].x == pytest.approx(70_000.0, abs=0.01)
    assert [(p.field, p.rows) for p in got.problems.items] == [("geometry", (2,))]
    assert "geen punt (punten): c;" in got.problems.items[0].message
    # a geographic CRS: a problem, no geometries to use, and no further coordinate checks
    frame.to_crs(4326).to_file(tmp_path / "wgs.gpkg")
    wgs = read_point_layer(
        tmp_path / "wgs.gpkg", None, "punten", "punten", "afstanden vragen meters", "punten", ()
    )
    assert wgs.geometry is None and wgs.id_field is None
    assert wgs.labels.tolist() == ["rij 1", "rij 2", "rij 3"]
    assert [p.field for p in wgs.problems.items] == ["crs", "geometry"]
    assert "afstanden vragen meters" in wgs.problems.items[0].message


def test_address_ids_never_become_floats(tmp_path: Path) -> None:
    frame = fx.address_frame().iloc[:3].copy()
    frame["adresid"] = [3001.0, np.nan, 3003.0]
    frame["postcode"] = [9000.0, 9000.0, 9000.0]
    frame.to_file(tmp_path / "adres.gpkg")
    result = checked(read_addresses(tmp_path / "adres.gpkg"), schema.ADDRESS_COLUMNS)
    assert list(result.frame["address_id"]) == ["3001", "3003"]
    assert list(result.frame["postcode"]) == ["9000", "9000"]
    assert rejected(result) == {"record 2": "missing id"}


def test_missing_address_fields_all_listed(tmp_path: Path) -> None:
    frame = fx.address_frame()[["adresid", "busnr", "status", "geometry"]]
    frame.to_file(tmp_path / "adres.shp")
    with pytest.raises(SourceFileError) as err:
        read_addresses(tmp_path / "adres.shp")
    assert err.value.fields == ["straatnm", "huisnr", "postcode", "gemeenteid", "fields"]
    assert "gevonden velden: adresid, busnr, status" in str(err.value)


# --- units and links ----------------------------------------------------------------------


@pytest.mark.parametrize("builder", [fx.units_dbf, fx.units_csv, fx.units_points_gpkg])
def test_units_from_dbf_csv_and_geopackage(tmp_path: Path, builder: Callable[[Path], Path]) -> None:
    result = checked(read_units(builder(tmp_path)), schema.UNIT_COLUMNS)
    assert list(result.frame["unit_id"]) == fx.UNIT_KEPT
    assert rejected(result) == fx.UNIT_REJECTED
    frame = by_id(result.frame, "unit_id")
    assert list(frame.loc[["8003", "8004", "8005"], "function"]) == [
        "gemeenschappelijkDeel",
        "handel",
        "nietGekend",
    ]
    assert frame.loc["8009", "function"] is pd.NA
    assert frame.loc["8001", "building_id"] == "1001"


def test_links(tmp_path: Path) -> None:
    result = checked(read_links(fx.links_dbf(tmp_path)), schema.LINK_COLUMNS)
    assert list(result.frame.itertuples(index=False, name=None)) == fx.LINK_KEPT
    assert rejected(result) == fx.LINK_REJECTED


def test_units_missing_fields(tmp_path: Path) -> None:
    (tmp_path / "units.csv").write_text("gebouwehid,status\n1,gerealiseerd\n", encoding="utf-8")
    with pytest.raises(SourceFileError) as err:
        read_units(tmp_path / "units.csv")
    assert err.value.fields == ["gebouwid", "functie", "fields"]


# --- sectors ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sectoren.gpkg", "sectoren.shp"])
def test_statbel_sectors(tmp_path: Path, name: str) -> None:
    # the Shapefile cuts tx_sector_descr_nl to tx_sector_ (10 characters): still recognised
    result = checked(read_sectors(fx.statbel_sectors(tmp_path, name)), schema.SECTOR_COLUMNS)
    assert list(result.frame["sector_id"]) == fx.SECTOR_KEPT
    assert rejected(result) == fx.SECTOR_REJECTED
    assert result.repaired == 1
    frame = by_id(result.frame, "sector_id")
    assert frame.loc["44021A01-", "sector_name"] == "KOUTER"
    assert set(frame["municipality_nis"]) == {"44021"}
    assert frame.loc["44021B10-"].geometry.area == pytest.approx(100.0**2 + 50.0**2, abs=1e-6)


def test_real_neighbourhoods_ggw7_not_reprojected() -> None:
    path = require(GGW7)
    result = checked(
        read_sectors(path, id_field="GEOITEM", name_field="naam"), schema.SECTOR_COLUMNS
    )
    assert (result.read, result.kept, result.repaired) == (2767, 2767, 0)
    assert result.notes == []  # the ESRI "Belge_Lambert_1972" .prj is EPSG:31370: no reprojection
    raw = gpd.read_file(path)
    assert raw.crs.equals(CRS.from_epsg(31370), ignore_axis_order=True)
    assert shapely.equals_exact(result.frame.geometry.values, raw.geometry.values, 0.0).all()
    frame = by_id(result.frame, "sector_id")
    assert frame.loc["11001W01", "sector_name"] == raw.loc[0, "naam"]
    assert frame["municipality_nis"].isna().all()
    assert result.frame["sector_id"].is_unique


def test_sectors_without_the_id_field(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError) as err:
        read_sectors(require(GGW7))
    assert "gevonden velden: geoitem, naam" in str(err.value)
    assert "id_field=" in str(err.value)
    with pytest.raises(SourceFileError) as err:
        read_sectors(require(GGW7), id_field="wijkcode", name_field="naam")
    assert err.value.fields == ["wijkcode", "fields"]


# --- facts --------------------------------------------------------------------------------


def test_facts_dutch_csv_from_excel(tmp_path: Path) -> None:
    result = checked(read_facts(fx.facts_dutch_csv(tmp_path)), FACT_COLUMNS)
    assert rejected(result) == fx.FACTS_REJECTED
    frame = result.frame
    assert list(frame["address_id"].fillna(frame["building_id"])) == fx.FACTS_KEPT
    row = frame.iloc[0]
    assert (row["address_id"], row["building_id"]) == ("3001", "1001")
    assert row["construction_year"] == 1932
    assert row["epc_score_kwh_m2"] == pytest.approx(412.5, abs=1e-9)
    assert row["epc_label"] == "E"
    assert (row["roof_insulated"], row["wall_insulated"], row["floor_insulated"]) == (
        True,
        False,
        False,
    )
    assert row["glazing"] == "double"
    assert row["heating_system"] == 1  # gascondensatieketel
    assert row["gas_kwh"] == pytest.approx(18250.5, abs=1e-9)
    assert row["electricity_kwh"] == pytest.approx(3200.0, abs=1e-9)
    second, building_only, last = frame.iloc[1], frame.iloc[2], frame.iloc[3]
    assert (second["glazing"], second["heating_system"]) == ("hr", 5)
    assert second["floor_insulated"] is pd.NA
    assert building_only["address_id"] is pd.NA and building_only["building_id"] == "1002"
    assert (building_only["glazing"], building_only["heating_system"]) == ("single", 0)
    assert (last["glazing"], last["epc_label"]) == ("triple", "C")
    assert last["electricity_kwh"] == pytest.approx(2750.75, abs=1e-9)
    assert str(frame["construction_year"].dtype) == "Int64"
    assert str(frame["heating_system"].dtype) == "Int64"
    assert str(frame["roof_insulated"].dtype) == "boolean"
    assert any("opmerking" in note for note in result.notes)
    assert any("Windows-1252" in note for note in result.notes)


def test_facts_english_csv(tmp_path: Path) -> None:
    result = checked(read_facts(fx.facts_english_csv(tmp_path)), FACT_COLUMNS)
    assert len(result.rejects) == 0
    assert result.notes == []
    first, second = result.frame.iloc[0], result.frame.iloc[1]
    assert (first["building_id"], first["construction_year"], first["heating_system"]) == (
        "1001",
        1932,
        6,
    )
    assert first["electricity_kwh"] == pytest.approx(5100.5, abs=1e-9)
    assert second["address_id"] == "3001"  # "3001.0" from a spreadsheet
    assert (second["heating_system"], second["glazing"]) == (0, "single")


def test_facts_file_errors(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("bouwjaar,verwarming\n1970,gas_boiler\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match="geen id-kolom"):
        read_facts(tmp_path / "a.csv")
    (tmp_path / "b.csv").write_text("adresid,bouwjaar,construction_year\n1,1970,1971\n")
    with pytest.raises(SourceFileError, match="meerdere kolommen") as err:
        read_facts(tmp_path / "b.csv")
    assert err.value.fields == ["construction_year"]
    (tmp_path / "c.csv").write_text("", encoding="utf-8")
    with pytest.raises(SourceFileError, match="is leeg"):
        read_facts(tmp_path / "c.csv")


def test_facts_dhw_only_generator_is_not_a_heating_system(tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_text("adresid,verwarming\n1,electric_water_heater\n2,10\n3,7\n")
    result = checked(read_facts(tmp_path / "f.csv"), FACT_COLUMNS)
    assert rejected(result) == {
        "1": "bad value verwarming=electric_water_heater",
        "2": "bad value verwarming=10",
    }
    assert list(result.frame["heating_system"]) == [7]


def test_facts_impossible_scores_mismatched_labels_and_huge_use_are_rejected(
    tmp_path: Path,
) -> None:
    (tmp_path / "f.csv").write_text(
        "adresid,epc_score,epc_label,verbruik_gas_kwh\n"
        "1,-900,,\n2,5000,,\n3,350,B,\n4,,,10000000\n5,350,D,15000\n"
    )
    result = checked(read_facts(tmp_path / "f.csv"), FACT_COLUMNS)
    assert rejected(result) == {
        "1": "bad value epc_score=-900",
        "2": "bad value epc_score=5000",
        "3": "epc label B does not match score 350 (label D)",
        "4": "bad value verbruik_gas_kwh=10000000",
    }
    # nothing of a rejected record is used; the good one is kept whole
    assert list(result.frame["address_id"]) == ["5"]
    dutch = reasons_in_dutch(result.rejects["reason"])
    assert any("past niet bij de energiescore" in r for r in dutch)


# --- bad input, for every reader ----------------------------------------------------------

READERS = [read_buildings, read_addresses, read_units, read_links, read_sectors, read_facts]


@pytest.mark.parametrize("reader", READERS)
def test_missing_file(tmp_path: Path, reader: Callable[..., schema.ReadResult]) -> None:
    with pytest.raises(SourceFileError, match="bestand niet gevonden") as err:
        reader(tmp_path / "geen_bestand.shp")
    assert "geen_bestand.shp" in str(err.value)


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("name", ["kapot.shp", "kapot.gpkg", "kapot.dbf", "kapot.parquet"])
def test_corrupt_file(tmp_path: Path, reader: Callable[..., schema.ReadResult], name: str) -> None:
    (tmp_path / name).write_bytes(b"\x00\x01 dit is geen geodata \xff" * 20)
    # a Shapefile without .shx/.dbf and a dBASE file whose header announces more records than
    # it holds are caught by the cheap structure check, before GDAL reads anything
    expected = {
        "kapot.shp": "het .shx en .dbf-bestand ontbreekt",
        "kapot.dbf": "beschadigd of onvolledig: het .dbf-bestand kondigt",
    }.get(name, "kan niet gelezen worden")
    with pytest.raises(SourceFileError, match=expected) as err:
        reader(tmp_path / name)
    assert name in str(err.value)
    assert err.value.fields == ["file"]


def test_plain_table_where_geometries_are_needed(tmp_path: Path) -> None:
    (tmp_path / "gebouwen.csv").write_text("gebouwid,status\n1,gerealiseerd\n")
    with pytest.raises(SourceFileError, match="zonder geometrieën"):
        read_buildings(tmp_path / "gebouwen.csv")
    with pytest.raises(SourceFileError, match="bevat geen geometrieën"):
        read_buildings(fx.units_dbf(tmp_path))


def test_geopackage_with_several_layers(tmp_path: Path) -> None:
    path = fx.gebouwenregister_mixed_gpkg(tmp_path)
    fx.address_frame().to_file(path, layer="adres")
    with pytest.raises(SourceFileError, match="bevat meerdere lagen") as err:
        read_buildings(path)
    assert "gebouw, adres" in str(err.value)
    result = checked(read_buildings(path, layer="gebouw"), schema.BUILDING_COLUMNS)
    assert set(result.rejects["source"]) == {"gebouwen.gpkg:gebouw"}
    addresses = checked(read_addresses(path, layer="ADRES"), schema.ADDRESS_COLUMNS)
    assert addresses.kept == len(fx.ADDRESS_KEPT)
    with pytest.raises(SourceFileError, match="geen laag 'wegen'"):
        read_buildings(path, layer="wegen")


# --- invariant ----------------------------------------------------------------------------

STATUSES = ["gepland", "inAanbouw", "gerealiseerd", "nietGerealiseerd", "gehistoreerd", None]
KINDS = ["square", "bowtie", "null", "multi1", "multi2", "collapsed", "point", "empty"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(1, 6)),
            st.sampled_from(STATUSES),
            st.sampled_from(KINDS),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_every_record_is_kept_or_rejected_once(
    tmp_path: Path, rows: list[tuple[int | None, str | None, str]]
) -> None:
    geoms = []
    for i, (_, _, kind) in enumerate(rows):
        x, y = fx.GENT_31370[0] + 20.0 * i, fx.GENT_31370[1]
        if kind == "point":
            geoms.append(shapely.Point(x, y))
        elif kind == "empty":
            geoms.append(shapely.Polygon())
        else:
            geoms.append(fx._geometry(kind, i))
    frame = gpd.GeoDataFrame(
        {
            "gebouwid": pd.array([r[0] for r in rows], dtype="Int64"),
            "versieid": 1,
            "geommet": "ingemetenGRB",
            "status": [r[1] for r in rows],
        },
        geometry=geoms,
        crs="EPSG:31370",
    )
    path = tmp_path / "gebouwen.gpkg"
    path.unlink(missing_ok=True)
    frame.to_file(path, layer="gebouw")
    try:
        result = read_buildings(path)
    except SourceFileError as err:  # only a layer without any polygon may fail
        assert "geen polygonen" in str(err)
        assert all(kind in ("point", "null", "empty") for *_, kind in rows)
        return
    checked(result, schema.BUILDING_COLUMNS)
    assert result.read == len(rows)
    assert result.frame["building_id"].is_unique
    kept_or_rejected = list(result.frame["building_id"]) + list(result.rejects["record_id"])
    expected = [str(r[0]) if r[0] is not None else f"record {i + 1}" for i, r in enumerate(rows)]
    assert sorted(kept_or_rejected) == sorted(expected)


def test_dutch_reasons_keep_the_accounting_readable() -> None:
    """accounting.csv lists the rejects per reason as "reden: aantal; reden: aantal", and the
    build report splits it that way: no Dutch reason may hold "; " (a reason with it was cut in
    two rows of the report)."""
    from importlib import resources

    ref = resources.files("buildings.data").joinpath("reject_reasons_nl.csv")
    table = pd.read_csv(str(ref), comment="#")
    assert not table["nl"].str.contains("; ", regex=False).any(), table.loc[
        table["nl"].str.contains("; ", regex=False), "nl"
    ].tolist()
    # a reason with a colon stays whole: the count is after the last ": "
    reasons = pd.Series(["non-residential: floor area per address above the largest dwelling"])
    text = reasons_in_dutch(reasons).iloc[0]
    assert ": " in text or "(" in text
    reason, _, count = f"{text}: 3".rpartition(": ")
    assert (reason, count) == (text, "3")
