"""The Wegenregister street reader (buildings.streets), on real file formats."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from buildings.demo import SOURCES_DIR, demo_streets
from buildings.errors import SourceFileError
from buildings.streets import WEGSEGMENT_FIELDS, read_streets, street_codes

DATA = Path(__file__).parent / "data"
#: Number fields of Wegsegment.dbf (road registry: DbaseField.CreateNumberField).
NUMBER_FIELDS = ("WS_OIDN", "B_WK_OIDN", "E_WK_OIDN", "STATUS", "MORF", "LSTRNMID", "RSTRNMID")
NUMBER_FIELDS += ("METHODE", "TGBEP")


def _records() -> gpd.GeoDataFrame:
    t = pd.read_csv(DATA / "wegsegment_fixture.csv", comment="#", dtype=str, keep_default_na=False)
    assert list(t.columns[:-1]) == list(WEGSEGMENT_FIELDS)
    for f in NUMBER_FIELDS:
        t[f] = t[f].astype(np.int64)
    geometry = shapely.from_wkt(t.pop("wkt").to_numpy())
    return gpd.GeoDataFrame(t, geometry=geometry, crs="EPSG:31370")


def _write(gdf: gpd.GeoDataFrame, path: Path, **kw: object) -> Path:
    driver = "GPKG" if path.suffix == ".gpkg" else "ESRI Shapefile"
    pyogrio.write_dataframe(gdf, path, driver=driver, **kw)
    return path


@pytest.fixture(scope="module")
def wegsegment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(_records(), tmp_path_factory.mktemp("weg") / "Wegsegment.shp")


def test_wegsegment_shapefile_keeps_the_streets_and_lists_the_rest(wegsegment: Path) -> None:
    r = read_streets(wegsegment)
    f = r.frame
    assert f["segment_id"].tolist() == ["600001", "600002", "600003", "600008", "600009"]
    assert f.crs == "EPSG:31370"
    assert f["street_name"].tolist() == [
        "Proefstraat",
        "Proeflaan",
        "Proefplein",
        "Proefdreef",  # left side "nvt": the right side's name
        "Proefveldweg",
    ]
    assert f["morphology"].tolist() == [103, 102, 104, -8, 125]
    assert f["category"].tolist()[:2] == ["L3", "S3"]
    # lengths [m]: 400, 400, the roundabout 4 x sqrt(200), the two-part field road
    expected = [400.0, 400.0, 4 * 200**0.5, 300.0, 100 * 2**0.5 + (50**2 + 200**2) ** 0.5]
    np.testing.assert_allclose(f["length_m"], expected, rtol=1e-9)
    assert r.read == 12 and r.kept + len(r.rejects) == r.read
    reasons = dict(zip(r.rejects["record_id"], r.rejects["reason"], strict=True))
    assert reasons["600004"] == (
        "morfologie 101 (autosnelweg): geen woningen langs een autosnelweg; leidingen volgen die niet"
    )
    assert reasons["600005"].startswith("morfologie 114 (wandel- of fietsweg")
    assert reasons["144503"].startswith("morfologie 114 (wandel- of fietsweg")  # the real record
    assert reasons["600006"].startswith("morfologie 120 (dienstweg)")
    assert reasons["600007"] == "status 5 (buiten gebruik): buiten gebruik gesteld"
    assert reasons["600011"].startswith("onbekende morfologie 999")
    assert reasons["600001"] == "WS_OIDN komt meermaals voor (het eerste segment behouden)"


def test_a_duplicate_of_a_rejected_segment_is_kept(tmp_path: Path) -> None:
    """A WS_OIDN whose first copy was rejected (a motorway, a footpath) keeps its next copy:
    only a copy still kept makes the others duplicates."""
    records = _records()
    motorway = records[records["WS_OIDN"] == 600004]
    path_ = records[records["WS_OIDN"] == 600005]
    street = records[records["WS_OIDN"] == 600002].iloc[0]
    again = gpd.GeoDataFrame(
        [street, street, street], geometry="geometry", crs=records.crs
    ).reset_index(drop=True)
    again["WS_OIDN"] = [600004, 600005, 600005]  # a street under the ids of rejected records
    again["WS_UIDN"] = ["600004_2", "600005_2", "600005_3"]
    table = pd.concat([records, again], ignore_index=True)
    assert len(motorway) == len(path_) == 1
    r = read_streets(_write(table, tmp_path / "Wegsegment.shp"))
    ids = r.frame["segment_id"].tolist()
    assert ids.count("600004") == 1 and ids.count("600005") == 1
    assert r.read == 15 and r.kept == 7 and r.kept + len(r.rejects) == r.read
    reasons = r.rejects.groupby("record_id")["reason"].apply(list).to_dict()
    assert reasons["600004"] == [
        "morfologie 101 (autosnelweg): geen woningen langs een autosnelweg; leidingen volgen die niet"
    ]
    # the third copy of 600005 is a duplicate of the second (kept), not of the first (rejected)
    assert len(reasons["600005"]) == 2
    assert reasons["600005"][0].startswith("morfologie 114 (wandel- of fietsweg")
    assert reasons["600005"][1] == "WS_OIDN komt meermaals voor (het eerste segment behouden)"
    # both copies of a kept street: the second is still the duplicate
    assert reasons["600001"] == ["WS_OIDN komt meermaals voor (het eerste segment behouden)"]


def test_geopackage_and_lambert_2008_give_the_same_streets(
    wegsegment: Path, tmp_path: Path
) -> None:
    shp = read_streets(wegsegment).frame
    gpkg = _write(_records(), tmp_path / "wegenregister.gpkg", layer="Wegsegment")
    pd.testing.assert_frame_equal(
        pd.DataFrame(read_streets(gpkg).frame), pd.DataFrame(shp), check_dtype=False
    )
    l08 = _write(_records().to_crs("EPSG:3812"), tmp_path / "l08.shp")
    r = read_streets(l08)
    assert r.frame["segment_id"].tolist() == shp["segment_id"].tolist()
    assert any("omgezet van" in n for n in r.notes)
    # the two Lambert projections differ in scale by less than 1e-4 here
    np.testing.assert_allclose(r.frame["length_m"], shp["length_m"], rtol=1e-4)
    assert shapely.hausdorff_distance(r.frame.geometry.iloc[0], shp.geometry.iloc[0]) < 0.01


def test_wrong_crs_each_gets_its_dutch_message(wegsegment: Path, tmp_path: Path) -> None:
    geo = _write(_records().to_crs("EPSG:4326"), tmp_path / "wgs84.shp")
    with pytest.raises(SourceFileError, match=r"geografisch coördinatenstelsel .*EPSG:31370"):
        read_streets(geo)
    no_prj = _write(_records(), tmp_path / "noprj.shp")
    no_prj.with_suffix(".prj").unlink()
    with pytest.raises(SourceFileError, match=r"noprj.shp heeft geen coördinatenstelsel .*\.prj"):
        read_streets(no_prj)
    feet = _write(_records().to_crs("EPSG:2227"), tmp_path / "feet.shp")  # US survey feet
    with pytest.raises(SourceFileError, match="geen geprojecteerd stelsel in meters"):
        read_streets(feet)
    # Lambert 72 coordinates declared as Lambert 2008: nowhere in Belgium
    mislabelled = _write(_records().set_crs("EPSG:3812", allow_override=True), tmp_path / "m.shp")
    with pytest.raises(SourceFileError, match=r"ligt in België .*klopt niet"):
        read_streets(mislabelled)


def test_bad_files_each_get_their_dutch_message(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="bestand niet gevonden"):
        read_streets(tmp_path / "Wegsegment.shp")
    junk = tmp_path / "kapot.gpkg"
    junk.write_bytes(b"geen geopackage")
    with pytest.raises(SourceFileError, match=r"kapot.gpkg kan niet gelezen worden"):
        read_streets(junk)
    points = _records().copy()
    points["geometry"] = shapely.centroid(points.geometry.to_numpy())
    with pytest.raises(SourceFileError, match=r"bevat geen lijnen .gevonden: Point"):
        read_streets(_write(points, tmp_path / "punten.shp"))
    with pytest.raises(SourceFileError, match="MORF: verplicht veld ontbreekt"):
        read_streets(_write(_records().drop(columns="MORF"), tmp_path / "zondermorf.shp"))
    empty = _write(
        _records().iloc[:0], tmp_path / "leeg.gpkg", layer="Wegsegment", geometry_type="LineString"
    )
    with pytest.raises(SourceFileError, match="bevat geen enkel wegsegment"):
        read_streets(empty)
    paths = _records()
    paths = paths[paths["MORF"] == 114]
    with pytest.raises(SourceFileError, match=r"geen enkel segment van paden.shp is een straat"):
        read_streets(_write(paths, tmp_path / "paden.shp"))


def test_code_list_has_every_morphology_of_the_register_once() -> None:
    c = street_codes()
    morf = c[c["field"] == "MORF"]
    # the 19 codes of RoadSegmentMorphology.cs (road-registry)
    assert sorted(morf["code"]) == sorted(
        [
            101,
            102,
            103,
            104,
            105,
            106,
            107,
            108,
            109,
            110,
            111,
            112,
            113,
            114,
            116,
            120,
            125,
            130,
            -8,
        ]
    )
    assert set(c["keep"]) == {0, 1}
    assert c.groupby("field")["code"].apply(lambda s: s.is_unique).all()


# ------------------------------------------------------------------------------- the demo town
def test_demo_town_writes_its_streets_as_wegsegment(small_demo_folder: Path) -> None:
    path = demo_streets(small_demo_folder)
    info = pyogrio.read_info(path)
    assert list(info["fields"]) == list(WEGSEGMENT_FIELDS)
    assert info["geometry_type"] == "LineString" and info["crs"] == "EPSG:31370"
    r = read_streets(path)
    assert len(r.rejects) == 0 and r.kept == info["features"] > 50
    raw = gpd.read_file(path)
    # the segments name the streets of the address register, with its street name ids
    addresses = gpd.read_file(small_demo_folder / SOURCES_DIR / "Adres.shp")
    ids = dict(zip(addresses["straatnm"], addresses["straatnmid"].astype(int), strict=False))
    named = raw[raw["LSTRNM"].isin(ids)]
    assert raw["LSTRNM"].equals(raw["RSTRNM"]) and len(named) > len(raw) / 2
    assert set(ids) <= set(raw["LSTRNM"])  # every addressed street has a centreline
    assert (named["LSTRNMID"] == named["LSTRNM"].map(ids)).all()
    # split at every junction: one network through shared road nodes (but for the few cross
    # streets of an allotment that the layout shortened off their spine's end)
    parent = {n: n for n in pd.concat([raw["B_WK_OIDN"], raw["E_WK_OIDN"]]).unique()}

    def root(n: int) -> int:
        while parent[n] != n:
            n = parent[n]
        return n

    for b, e in zip(raw["B_WK_OIDN"], raw["E_WK_OIDN"], strict=True):
        parent[root(b)] = root(e)
    sizes = pd.Series([root(b) for b in raw["B_WK_OIDN"]]).value_counts()
    assert sizes.iloc[0] >= 0.95 * len(raw)
