"""Source files as a municipality downloads them, damaged files, and the files the tool writes.

- GRB Gbg as Shapefile, GeoPackage and WFS GeoJSON, in Lambert 72, Lambert 2008 and WGS 84,
  derived from the real GRB test records: all give the same footprints (to the mm).
- The register extracts in the field names of the fact sheet (shared/data/README.md).
- A damaged Shapefile is refused before it is read; a build from it fails on the command line
  and leaves the previous twin byte-identical.
- Every CSV the tool writes is safe to open in a spreadsheet (sim/csvsafe.py), and no CSV is
  written around that helper.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from typer.testing import CliRunner

from api.cli import app
from buildings import schema
from buildings.demo import demo_sources
from buildings.errors import SourceFileError
from buildings.io import read_addresses, read_buildings, read_links, read_units
from buildings.twin import TwinResult, TwinSources, twin_parameters, write_twin
from sim.csvsafe import safe_text_cells
from tests.buildings import fixtures as fx
from tests.shared_data import SHARED, require

GRB_L72 = SHARED / "data/geo/basisregisters-grb_testdata/gebouw_ALL_lambert72/gebouw_ALL.shp"
REPO = Path(__file__).resolve().parents[2]

# --- GRB Gbg in three formats and three CRSs ------------------------------------------------

#: Fields of the GRB Gbg layer (download.vlaanderen.be "GRB - Gebouwen", the GRB WFS).
GBG_FIELDS = ["OIDN", "UIDN", "VERSIE", "BEGINDATUM", "VERSDATUM", "TYPE", "LBLTYPE", "OPNDATUM"]
GBG_LABELS = {1: "hoofdgebouw", 2: "bijgebouw", 3: "gebouw afgezoomd met virtuele gevels"}


def _real_gbg_records() -> gpd.GeoDataFrame:
    """The current buildings of the real GRB test records (Lambert 72), in the Gbg schema."""
    raw = gpd.read_file(require(GRB_L72))
    current = raw["GVDE"].isna() | (raw["GVDE"] == "1900-01-01")
    raw = raw[(raw["GRBOBJECT"] == 1) & (raw["EVENTTYPE"] != 5) & current].reset_index(drop=True)
    frame = pd.DataFrame(
        {
            "OIDN": raw["GRBIDN"].astype(np.int64),
            "UIDN": raw["GRBIDN"].astype(np.int64) * 10 + raw["IDNV"].astype(np.int64),
            "VERSIE": raw["IDNV"].astype(np.int64),
            "BEGINDATUM": raw["GVDV"],
            "VERSDATUM": raw["GVDV"],
            "TYPE": raw["TPC"].astype(np.int64),
            "LBLTYPE": raw["TPC"].map(GBG_LABELS),
            "OPNDATUM": raw["GVDV"],
        }
    )
    return gpd.GeoDataFrame(frame, geometry=raw.geometry.to_numpy(), crs=None)


def _reprojected(gdf: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """``gdf`` (Lambert 72 coordinates) reprojected with pyproj to ``crs``."""
    if crs == "EPSG:31370":
        return gdf.set_crs(crs, allow_override=True)
    to = Transformer.from_crs("EPSG:31370", crs, always_xy=True)

    def move(xy: np.ndarray) -> np.ndarray:
        x, y = to.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    moved = shapely.transform(gdf.geometry.to_numpy(), move)
    return gpd.GeoDataFrame(gdf.drop(columns="geometry"), geometry=moved, crs=crs)


def _write(gdf: gpd.GeoDataFrame, fmt: str, folder: Path) -> Path:
    """``gdf`` as the download would be: Shapefile, GeoPackage, or WFS GeoJSON (lower-case)."""
    if fmt == "shp":
        path = folder / "Gbg.shp"
        gdf.to_file(path, engine="pyogrio")
    elif fmt == "gpkg":
        path = folder / "Gbg.gpkg"
        gdf.to_file(path, layer="Gbg", engine="pyogrio")
    elif fmt == "geojson":  # GeoServer-style WFS output: lower-case property names
        path = folder / "gbg_wfs.geojson"
        gdf.rename(columns={c: c.lower() for c in GBG_FIELDS}).to_file(
            path, driver="GeoJSON", engine="pyogrio"
        )
    else:  # WFS output with the feature type's namespace on every property
        path = folder / "gbg_wfs_ns.geojson"
        gdf.rename(columns={c: f"GRB:{c}" for c in GBG_FIELDS}).to_file(
            path, driver="GeoJSON", engine="pyogrio"
        )
    return path


@pytest.mark.parametrize("crs", ["EPSG:31370", "EPSG:3812", "EPSG:4326"])
@pytest.mark.parametrize("fmt", ["shp", "gpkg", "geojson", "geojson_ns"])
def test_gbg_in_every_format_and_crs_gives_the_same_footprints(
    tmp_path: Path, fmt: str, crs: str
) -> None:
    source = _real_gbg_records()
    path = _write(_reprojected(source, crs), fmt, tmp_path)
    result = read_buildings(path)
    assert result.read == len(source) == result.kept + len(result.rejects)
    main = source["TYPE"].isin([1, 3]).to_numpy()
    # annexes are kept (unheated neighbours of the twin), marked as not main buildings
    assert result.rejected_by_reason() == {}
    assert list(result.frame["building_id"]) == [str(i) for i in source["OIDN"]]
    assert result.frame["is_main"].tolist() == main.tolist()
    assert result.frame.crs.to_epsg() == 31370
    # every vertex back where the real file has it, to the mm (Hausdorff distance [m])
    distance = shapely.hausdorff_distance(
        result.frame.geometry.to_numpy(), source.geometry.to_numpy()
    )
    assert distance.max() < 1e-3
    reprojected = any("omgezet van" in n for n in result.notes)
    assert reprojected == (crs != "EPSG:31370")


def test_real_grb_test_files_have_disjoint_lambert_ranges() -> None:
    """The premise of recognising a file without .prj: the two real test files, one in
    each Lambert CRS, do not overlap in coordinates (they lie ~500 km apart in x and y)."""
    base = SHARED / "data/geo/basisregisters-grb_testdata"
    l72 = gpd.read_file(require(base / "gebouw_ALL_lambert72/gebouw_ALL.shp")).total_bounds
    l08 = gpd.read_file(require(base / "gebouw_ALL_lambert2008/gebouw_ALL.shp")).total_bounds
    assert l72[2] < 300_000 and l72[3] < 250_000  # within Lambert 72 over Belgium [m]
    assert l08[0] > 515_000 and l08[1] > 520_000  # within Lambert 2008 over Belgium [m]


# --- register extracts in the field names of the fact sheet ---------------------------------


def _fact_sheet_fields() -> dict[str, list[str]]:
    """The register schemas as the shared data README lists them."""
    text = require(SHARED / "data" / "README.md").read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if "Real register schemas" in ln)

    def after(label: str) -> list[str]:
        match = re.search(re.escape(label) + r"[^`]*`([^`]+)`", line)
        assert match, label
        return [f.strip() for f in match.group(1).split(",")]

    return {
        "addresses": after("Adressenregister extract fields"),
        "buildings": after("Gebouwenregister extract buildings"),
        "units": after("building units"),
        "links": after("unit↔address link"),
    }


def test_fixtures_use_exactly_the_register_field_names(tmp_path: Path) -> None:
    sheet = _fact_sheet_fields()
    assert sheet["addresses"] == fx.ADDRESS_FIELDS
    assert list(fx.unit_frame().columns) == sheet["units"]
    assert sheet["links"] == ["adresobjid", "adresid"]
    assert sheet["buildings"] == ["gebouwid", "versieid", "geommet", "status"]
    written = pyogrio.read_info(fx.gebouwenregister_shapefile(tmp_path))["fields"]
    assert set(sheet["buildings"]) <= {str(f) for f in written}


@pytest.mark.parametrize("suffix", [".shp", ".gpkg"])
def test_address_extract_in_its_published_formats(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"Adres{suffix}"
    fx.address_frame().to_file(path, engine="pyogrio")
    assert [str(f) for f in pyogrio.read_info(path)["fields"]] == fx.ADDRESS_FIELDS
    result = read_addresses(path)
    assert list(result.frame["address_id"]) == fx.ADDRESS_KEPT
    assert dict(zip(result.rejects["record_id"], result.rejects["reason"], strict=True)) == (
        fx.ADDRESS_REJECTED
    )


@pytest.mark.parametrize("fmt", ["dbf", "csv", "gpkg"])
def test_links_in_every_format_of_the_extract(tmp_path: Path, fmt: str) -> None:
    frame = pd.DataFrame(fx.LINK_ROWS, columns=["adresobjid", "adresid"]).astype("Int64")
    if fmt == "dbf":
        path = fx.links_dbf(tmp_path)
    elif fmt == "csv":
        path = tmp_path / "AdresGebouweenheidKoppeling.csv"
        frame.to_csv(path, index=False, sep=";")  # an input fixture, not a file the tool writes
    else:
        path = tmp_path / "koppeling.gpkg"
        pyogrio.write_dataframe(frame, path, layer="AdresGebouweenheidKoppeling")
    result = read_links(path)
    assert list(result.frame.itertuples(index=False, name=None)) == fx.LINK_KEPT
    assert result.read == len(fx.LINK_ROWS) == result.kept + len(result.rejects)


def test_units_with_posgeommet_from_the_extract(tmp_path: Path) -> None:
    result = read_units(fx.units_dbf(tmp_path))
    assert list(result.frame["unit_id"]) == fx.UNIT_KEPT
    assert list(result.frame.columns) == list(schema.UNIT_COLUMNS)


# --- damaged Shapefiles ----------------------------------------------------------------------


def _copy_real_l72(folder: Path) -> Path:
    source = require(GRB_L72)
    for suffix in (".shp", ".shx", ".dbf"):
        target = folder / f"gebouw_ALL{suffix}"
        target.write_bytes(source.with_suffix(suffix).read_bytes())
    return folder / "gebouw_ALL.shp"


def test_truncated_shp_is_refused_before_reading(tmp_path: Path) -> None:
    path = _copy_real_l72(tmp_path)
    os.truncate(path, path.stat().st_size // 2)
    with pytest.raises(SourceFileError) as err:
        read_buildings(path)
    message = str(err.value)
    assert "gebouw_ALL.shp is beschadigd of onvolledig" in message
    assert "Download het opnieuw" in message and err.value.fields == ["file"]


def test_shp_cut_with_a_consistent_header_is_refused_by_the_index(tmp_path: Path) -> None:
    """A .shp cut to half whose header was rewritten to the new length: the .shx still points
    beyond the end, so the file is refused all the same."""
    path = _copy_real_l72(tmp_path)
    half = path.stat().st_size // 2
    os.truncate(path, half)
    with path.open("r+b") as fh:
        fh.seek(24)
        fh.write((half // 2).to_bytes(4, "big"))
    with pytest.raises(SourceFileError, match=r"voorbij het einde van het \.shp-bestand"):
        read_buildings(path)


def test_shx_and_dbf_that_disagree_are_refused(tmp_path: Path) -> None:
    path = _copy_real_l72(tmp_path)
    shx = path.with_suffix(".shx")
    os.truncate(shx, shx.stat().st_size - 8)  # one index entry fewer: 9 against 10
    with pytest.raises(
        SourceFileError, match=r"het \.shx-bestand telt 9 records, het \.dbf-bestand 10"
    ):
        read_buildings(path)
    os.truncate(shx, shx.stat().st_size - 3)  # not 100 + 8 n bytes
    with pytest.raises(SourceFileError, match="geen 100 \\+ 8 × het aantal records"):
        read_buildings(path)


def test_dbf_shorter_than_its_header_says_is_refused(tmp_path: Path) -> None:
    path = _copy_real_l72(tmp_path)
    dbf = path.with_suffix(".dbf")
    os.truncate(dbf, dbf.stat().st_size - 50)
    with pytest.raises(SourceFileError, match="kondigt 10 records aan"):
        read_buildings(path)


def test_missing_shx_is_refused(tmp_path: Path) -> None:
    path = _copy_real_l72(tmp_path)
    path.with_suffix(".shx").unlink()
    with pytest.raises(SourceFileError, match=r"het \.shx-bestand ontbreekt"):
        read_buildings(path)


@pytest.mark.parametrize("fmt", ["gpkg", "geojson"])
def test_truncated_geopackage_and_geojson_are_refused(tmp_path: Path, fmt: str) -> None:
    """GDAL itself refuses these (a malformed SQLite image, unterminated JSON): a file error."""
    path = _write(_reprojected(_real_gbg_records(), "EPSG:31370"), fmt, tmp_path)
    os.truncate(path, path.stat().st_size // 2)
    with pytest.raises(SourceFileError, match="kan niet gelezen worden") as err:
        read_buildings(path)
    assert err.value.fields == ["file"] and path.name in str(err.value)


def _squares_with_missing(folder: Path, n: int, n_missing: int) -> Path:
    x, y = fx.GENT_31370
    geoms: list[shapely.Geometry | None] = [
        fx.square(x + 20.0 * (i % 50), y + 20.0 * (i // 50)) for i in range(n)
    ]
    for i in range(n_missing):
        geoms[n - 1 - i] = None
    frame = gpd.GeoDataFrame(
        {"OIDN": np.arange(1, n + 1), "TYPE": np.ones(n, dtype=np.int64)},
        geometry=geoms,
        crs="EPSG:31370",
    )
    path = folder / "Gbg.shp"
    frame.to_file(path, engine="pyogrio")
    return path


def test_threshold_of_missing_geometries_comes_from_the_data_file(tmp_path: Path) -> None:
    params = twin_parameters()
    min_missing = int(params["damaged_file_min_missing_geometries"])
    share = params["damaged_file_max_missing_geometry_share"]
    assert (min_missing, share) == (10, 0.01)  # the values documented in docs/sources.md
    # a few odd records in a small file: rejected one by one, the file is used
    result = read_buildings(_squares_with_missing(tmp_path, 100, min_missing - 1))
    assert result.rejected_by_reason() == {"null geometry": min_missing - 1}
    # as many in a large file, below the share: used too
    big = read_buildings(_squares_with_missing(tmp_path, 2_000, min_missing))
    assert big.rejected_by_reason() == {"null geometry": min_missing} and big.kept == 1_990
    # at both thresholds: the file is refused as damaged
    with pytest.raises(SourceFileError) as err:
        read_buildings(_squares_with_missing(tmp_path, 100, min_missing))
    assert "10 van de 100 records (10,0 %) hebben geen leesbare geometrie" in str(err.value)


def test_shp_with_overwritten_records_is_refused(tmp_path: Path) -> None:
    """A .shp of the right size whose second half is zeros (a bad copy): the records there
    are unreadable; they are more than the threshold, so the file is refused."""
    path = _squares_with_missing(tmp_path, 400, 0)
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek(size // 2)
        fh.write(b"\x00" * (size - size // 2))
    with pytest.raises(SourceFileError, match="geen leesbare geometrie"):
        read_buildings(path)


# --- the files the tool writes ----------------------------------------------------------------


def test_safe_text_cells_escapes_formulas_only_in_text_columns() -> None:
    frame = pd.DataFrame(
        {
            "record_id": pd.array(["=1+1", "+SUM(1)", "@cmd", "-2", "\tx", "12", None], "string"),
            "mixed": np.array(["=A1", -3.5, None, "a", 1, "b", "c"], dtype=object),
            "kind": pd.Categorical(["-x", "y", "-x", "y", "y", "y", "y"]),
            "delta": [-1.5, -2.0, 0.0, 3.0, -4.0, 5.0, -6.0],
            "count": np.array([-1, 2, 3, 4, 5, 6, 7], dtype=np.int64),
        },
        index=[0, 0, 1, 1, 2, 2, 3],  # a repeated index: cells are escaped by position
    )
    out = safe_text_cells(frame)
    assert out["record_id"].tolist()[:6] == ["'=1+1", "'+SUM(1)", "'@cmd", "'-2", "'\tx", "12"]
    assert out["record_id"].isna().tolist()[6]
    assert out["mixed"].tolist()[:2] == ["'=A1", -3.5]  # numbers in a text column stay numbers
    assert list(out["kind"]) == ["'-x", "y", "'-x", "y", "y", "y", "y"]
    pd.testing.assert_series_equal(out["delta"], frame["delta"])
    pd.testing.assert_series_equal(out["count"], frame["count"])
    assert frame["record_id"].iloc[0] == "=1+1"  # the caller's frame is not changed


def _result_with_rejects(tmp_path: Path) -> TwinResult:
    """Buildings read from a GRB Gbg file whose records without geometry carry formula-like
    ids (rejected: "null geometry")."""
    x, y = fx.GENT_31370
    frame = gpd.GeoDataFrame(
        {"OIDN": ["1001", "=1+1", "+SUM(1)", "@cmd"], "TYPE": [1, 1, 1, 1]},
        geometry=[fx.square(x, y), None, None, None],
        crs="EPSG:31370",
    )
    frame.to_file(tmp_path / "Gbg.gpkg", engine="pyogrio")
    read = read_buildings(tmp_path / "Gbg.gpkg")
    accounting = pd.DataFrame(
        {"source": [read.source], "read": [read.read], "change": [-3], "note": ["-3 gebouwen"]}
    )
    return TwinResult(dwellings=read.frame, rejects=read.rejects, accounting=accounting)


def test_rejects_csv_escapes_formula_ids_and_keeps_negative_numbers(tmp_path: Path) -> None:
    files = write_twin(_result_with_rejects(tmp_path), tmp_path / "out" / "twin.parquet")
    lines = files["rejects"].read_text(encoding="utf-8").splitlines()
    ids = [line.split(",")[1] for line in lines[1:]]
    assert ids == ["'=1+1", "'+SUM(1)", "'@cmd"]
    accounting = pd.read_csv(files["accounting"])
    assert accounting["change"].tolist() == [-3]  # a number column: written as a number
    assert accounting["note"].tolist() == ["'-3 gebouwen"]  # a text cell: escaped


def test_a_failing_write_leaves_the_previous_twin_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out" / "twin.parquet"
    files = write_twin(_result_with_rejects(tmp_path), out)
    before = {k: p.read_bytes() for k, p in files.items()}

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("schijf vol")

    import sim.csvsafe

    monkeypatch.setattr(sim.csvsafe, "write_csv", broken)
    with pytest.raises(OSError, match="schijf vol"):
        write_twin(_result_with_rejects(tmp_path), out)
    assert {k: p.read_bytes() for k, p in files.items()} == before
    assert sorted(p.name for p in out.parent.iterdir()) == sorted(p.name for p in files.values())


def test_no_csv_is_written_around_the_safe_writer() -> None:
    """Every ``to_csv(`` of the packages is the one in sim/csvsafe.py."""
    calls = []
    for package in ("buildings", "scenarios", "api", "sim"):
        for path in sorted((REPO / package).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if ".to_csv(" in line:
                    calls.append(f"{path.relative_to(REPO)}:{number}")
    assert calls == [next(c for c in calls if c.startswith("sim/csvsafe.py:"))]


# --- the command line: a damaged file fails and the previous twin stays -----------------------


def test_cli_build_from_a_truncated_shapefile_fails_and_keeps_the_old_twin(
    tmp_path: Path,
) -> None:
    src: TwinSources = demo_sources(tmp_path / "demo", n_buildings=150, with_rasters=False)
    out = tmp_path / "tweeling" / "twin.parquet"
    runner = CliRunner()

    def build(buildings: Path) -> object:
        args = ["twin", "build", "--buildings", str(buildings), "--addresses"]
        args += [str(src.addresses), "--out", str(out)]
        return runner.invoke(app, args, env={"COLUMNS": "200"})

    good = build(src.buildings)
    assert good.exit_code == 0, good.output  # type: ignore[attr-defined]
    written = sorted(out.parent.iterdir())
    assert [p.name for p in written] == [
        "accounting.csv",
        "rejects.csv",
        "twin.gpkg",
        "twin.parquet",
    ]
    before = {p.name: p.read_bytes() for p in written}

    damaged = tmp_path / "kapot"
    damaged.mkdir()
    for part in Path(src.buildings).parent.glob("Gebouw.*"):
        (damaged / part.name).write_bytes(part.read_bytes())
    shp = damaged / "Gebouw.shp"
    os.truncate(shp, shp.stat().st_size // 2)
    bad = build(shp)
    output = bad.output  # type: ignore[attr-defined]
    assert bad.exit_code == 2, output  # type: ignore[attr-defined]
    assert "Fout:" in output and "Gebouw.shp is beschadigd of onvolledig" in output
    assert "Traceback" not in output
    assert {p.name: p.read_bytes() for p in sorted(out.parent.iterdir())} == before


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("gebouw_ALL_lambert72", "Lambert 72 (EPSG:31370)"),
        ("gebouw_ALL_lambert2008", "Lambert 2008 (EPSG:3812)"),
    ],
)
def test_cli_builds_from_the_real_grb_files_without_prj_and_says_how(
    tmp_path: Path, folder: str, name: str
) -> None:
    """The real GRB test files (no .prj) through `wijk twin build`: the CRS is recognised and
    the build report says so; every main building with an address is in the twin."""
    grb = require(SHARED / "data/geo/basisregisters-grb_testdata" / folder / "gebouw_ALL.shp")
    buildings = read_buildings(grb, crs="EPSG:3812" if "2008" in folder else "EPSG:31370")
    main = buildings.frame[buildings.frame["is_main"]]  # one address per main building
    points = main.geometry.representative_point().to_numpy()
    base = fx.address_frame().iloc[[0]]
    addresses = gpd.GeoDataFrame(
        pd.concat([base.drop(columns="geometry")] * len(points), ignore_index=True),
        geometry=points,
        crs="EPSG:31370",
    )
    addresses["adresid"] = np.arange(5001, 5001 + len(points))
    addresses["huisnr"] = [str(i + 1) for i in range(len(points))]
    addresses.to_file(tmp_path / "Adres.gpkg", engine="pyogrio")
    out = tmp_path / "out" / "twin.parquet"
    args = ["twin", "build", "--buildings", str(grb), "--addresses", str(tmp_path / "Adres.gpkg")]
    result = CliRunner().invoke(app, [*args, "--out", str(out)], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert f"als {name} gelezen" in flat
    twin = gpd.read_parquet(out)
    rejects = pd.read_csv(out.parent / "rejects.csv", dtype=str)
    large = set(rejects.loc[rejects["reason"].str.startswith("non-residential"), "record_id"])
    # every main building with an address is in the twin, except a large one with a single
    # address (the 2008 file holds a 3,232 m2 building: non-residential, issue 11)
    assert sorted(set(twin["building_id"])) == sorted(set(main["building_id"]) - large)
    assert large == ({"5923502"} if "2008" in folder else set())
