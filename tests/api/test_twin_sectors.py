"""Neighbourhood polygons given at build time travel with the twin to the scenario outputs.

The twin is the demo town (Lichtervelde's coordinates) built with the REAL neighbourhood
polygons of Lichtervelde (NIS 36011) from Provincies in Cijfers' ``ggw7`` layer, written as a
GeoPackage the way a user would pass it to ``wijk twin build --sectors``.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from api.cli import app
from buildings.demo import demo_sources
from buildings.sectors import OUTLINE_GIVEN, OUTLINE_HULL, OUTLINE_HULL_NOTE_NL
from buildings.twin import SECTORS_LAYER, read_twin, read_twin_sectors, sectors_path
from scenarios.pipeline import load_inputs
from scenarios.scenario import load_scenario
from tests.api.test_scenario_cli import EXAMPLE
from tests.shared_data import SHARED, require

runner = CliRunner(env={"COLUMNS": "300"})
GGW7 = SHARED / "data/geo/provinciesincijfers_gebiedsniveaus/ggw7.shp"
#: Relative tolerance on areas [-]: the polygons go through GPKG and GeoParquet as doubles.
AREA_RTOL = 1e-9


def _quick(text: str) -> str:
    """The example scenario with 3 Monte Carlo runs."""
    return re.sub(r"(\n  runs:) *\d+", r"\1 3", text)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, gpd.GeoDataFrame]:
    """A twin built through the CLI with Lichtervelde's real neighbourhoods."""
    folder = tmp_path_factory.mktemp("twin_sectors")
    wijken = gpd.read_file(require(GGW7))
    wijken = wijken[wijken["geoitem"].str.startswith("36011")].reset_index(drop=True)
    assert len(wijken) >= 2
    given = folder / "wijken_lichtervelde.gpkg"
    wijken.to_file(given, driver="GPKG")
    src = demo_sources(folder / "bronnen")
    out = folder / "twin" / "twin.parquet"
    args = ["twin", "build", "--buildings", str(src.buildings), "--addresses", str(src.addresses)]
    args += ["--units", str(src.units), "--links", str(src.links), "--sectors", str(given)]
    args += ["--sector-id-field", "geoitem", "--sector-name-field", "naam", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return out, wijken


def test_the_given_polygons_are_stored_with_the_twin(
    built: tuple[Path, gpd.GeoDataFrame],
) -> None:
    out, wijken = built
    stored = read_twin_sectors(out)
    assert stored is not None and sectors_path(out).is_file()
    layer = gpd.read_file(out.with_suffix(".gpkg"), layer=SECTORS_LAYER)
    want = wijken.set_index("geoitem").area.sort_index()
    for frame in (stored, layer):
        got = frame.set_index("sector_id").area.sort_index()
        assert list(got.index) == list(want.index)
        assert got.to_numpy() == pytest.approx(want.to_numpy(), rel=AREA_RTOL)
        assert dict(zip(frame["sector_id"], frame["sector_name"], strict=True)) == dict(
            zip(wijken["geoitem"], wijken["naam"], strict=True)
        )
    assert read_twin(out)["sector_id"].isin(want.index).any()


def test_scenario_outputs_draw_the_given_polygons(
    built: tuple[Path, gpd.GeoDataFrame], tmp_path: Path
) -> None:
    out, wijken = built
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(_quick(EXAMPLE.replace("twin: demo", f"twin: {out}")), encoding="utf-8")
    result = runner.invoke(app, ["scenario", "run", str(scenario), "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    sectors = gpd.read_file(tmp_path / "r" / "wijken.gpkg", layer="sectoren")
    assert set(sectors["outline_source"]) == {OUTLINE_GIVEN}
    polygons = sectors.drop_duplicates("sector_id").set_index("sector_id")
    want = wijken.set_index("geoitem").area
    assert polygons.area.to_numpy() == pytest.approx(
        want.loc[polygons.index].to_numpy(), rel=AREA_RTOL
    )
    # the real division tiles the municipality: no area counted twice
    union = polygons.geometry.union_all().area
    assert union == pytest.approx(polygons.area.sum(), rel=1e-6)
    readme = (tmp_path / "r" / "LEESMIJ.txt").read_text("utf-8")
    assert "outline_source" in readme and OUTLINE_HULL_NOTE_NL not in readme


def test_without_polygons_the_hulls_are_labelled(built: tuple[Path, gpd.GeoDataFrame]) -> None:
    """A twin handed over without its polygons (a frame, or a file without its sidecar)."""
    out, _ = built
    scenario = load_scenario(_write(out.parent / "s.yaml", EXAMPLE))
    inputs = load_inputs(scenario, twin=read_twin(out))
    assert set(inputs.sectors["outline_source"]) == {OUTLINE_HULL}
    assert inputs.outline_note == OUTLINE_HULL_NOTE_NL
    # hulls of neighbouring sectors overlap: that is why they are labelled
    hulls = inputs.sectors.set_index("sector_id")
    assert hulls.geometry.union_all().area < hulls.area.sum()


def test_a_rebuild_without_sectors_removes_the_old_polygons(
    built: tuple[Path, gpd.GeoDataFrame], tmp_path: Path
) -> None:
    from buildings.twin import TwinSources, build_twin, write_twin

    out, _ = built
    src = demo_sources(tmp_path / "bronnen")
    copy = tmp_path / "twin.parquet"
    sectors_path(copy).write_bytes(sectors_path(out).read_bytes())
    result = build_twin(TwinSources(buildings=src.buildings, addresses=src.addresses))
    files = write_twin(result, copy)
    assert "sectors" not in files and read_twin_sectors(copy) is None
    assert pd.isna(read_twin(copy)["sector_id"]).all()


def _write(path: Path, text: str) -> Path:
    path.write_text(_quick(text), encoding="utf-8")
    return path


def test_the_service_map_draws_the_stored_polygons(
    built: tuple[Path, gpd.GeoDataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``wijk serve``'s app factory reads the polygons stored with the twin."""
    from fastapi.testclient import TestClient

    from api.http import app_from_env

    out, wijken = built
    monkeypatch.setenv("WIJK_TWIN", str(out))
    monkeypatch.delenv("WIJK_RESULTS", raising=False)
    monkeypatch.setenv("WIJK_DB_URL", "sqlite://")  # in memory: no wijk.sqlite in the cwd
    with TestClient(app_from_env()) as client:
        features = client.get("/api/v1/sectors").json()["features"]
        page = client.get("/").text
    assert {f["properties"]["outline_source"] for f in features} == {OUTLINE_GIVEN}
    got = gpd.GeoDataFrame.from_features(features, crs=4326).to_crs(31370)
    want = wijken.set_index("geoitem").area
    ids = [f["properties"]["sector_id"] for f in features]
    assert got.area.to_numpy() == pytest.approx(want.loc[ids].to_numpy(), rel=1e-6)
    assert OUTLINE_HULL_NOTE_NL not in page


def test_the_service_labels_hulls(built: tuple[Path, gpd.GeoDataFrame]) -> None:
    from api import service
    from api.web import page as web

    out, _ = built
    state = service.load_state(read_twin(out))  # no polygons given
    assert set(state.sectors["outline_source"]) == {OUTLINE_HULL}
    assert web._config(state)["outline_note"] == OUTLINE_HULL_NOTE_NL
    svg = web.sector_map_svg(state.sectors, [])
    assert "omhullende van de gebouwen" in svg
    with_polygons = service.load_state(read_twin(out), sectors=read_twin_sectors(out))
    assert web._config(with_polygons)["outline_note"] == ""
    assert "omhullende" not in web.sector_map_svg(with_polygons.sectors, [])


def test_a_broken_polygon_file_is_a_dutch_error(
    built: tuple[Path, gpd.GeoDataFrame], tmp_path: Path
) -> None:
    from buildings.errors import SourceFileError

    out, _ = built
    copy = tmp_path / "twin.parquet"
    copy.write_bytes(out.read_bytes())
    sectors_path(copy).write_bytes(b"geen parquet")
    with pytest.raises(SourceFileError) as exc:
        read_twin_sectors(copy)
    assert "twin.wijken.parquet" in str(exc.value) and "wijk twin build" in str(exc.value)
