"""``wijk warmte`` and the heat plan in the service (``/api/v1/warmte``)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Point
from typer.testing import CliRunner

from api.cli.main import app as cli
from api.http.app import create_app
from scenarios.heat.results import load_heat_results
from tests.conftest import DemoHeat

runner = CliRunner()


@pytest.fixture(scope="module")
def written(demo_heat: DemoHeat, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``wijk warmte`` on the demo twin, with the demo town's streets and synthetic cabins."""
    from scenarios.heat.pipeline import demo_cabins

    folder = tmp_path_factory.mktemp("warmte")
    cabins = demo_cabins(demo_heat.twin, folder / "cabines.gpkg")
    out = folder / "plan"
    args = ["warmte", "--twin", str(demo_heat.twin_path), "--out", str(out), "--runs", "20"]
    args += ["--cabins", str(cabins)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Geschreven in" in result.output and "warmteplan.md" in result.output
    return out


def test_the_command_writes_the_plan(written: Path) -> None:
    assert (written / "warmteplan.md").read_text(encoding="utf-8").startswith("# Warmtezonering")
    assert (written / "cabines.csv").is_file()
    read = load_heat_results(written)
    assert set(read.layers) == {"sector", "grid"}
    assert read.cabins is not None and len(read.cabins)


def test_street_records_left_out_are_listed_with_their_reason(
    demo_heat: DemoHeat, tmp_path: Path
) -> None:
    # the demo's street segments and one footpath (MORF 114): the footpath is no zone, and the
    # plan says which record it left out and why
    import pandas as pd

    from buildings.demo import demo_streets

    streets = gpd.read_file(demo_streets(demo_heat.sources.parent))
    path = streets.iloc[[0]].copy()
    path["WS_OIDN"] = int(streets["WS_OIDN"].max()) + 1
    path["MORF"] = 114
    file = tmp_path / "Wegsegment.shp"
    pd.concat([streets, path], ignore_index=True).to_file(file)
    out = tmp_path / "plan"
    result = runner.invoke(
        cli,
        [
            "warmte",
            "--twin",
            str(demo_heat.twin_path),
            "--out",
            str(out),
            "--runs",
            "5",
            "--streets",
            str(file),
        ],
    )
    assert result.exit_code == 0, result.output
    left_out = pd.read_csv(out / "weggelaten_straten.csv")
    assert len(left_out) == 1 and left_out.astype(str).apply(
        lambda c: c.str.contains("wandel- of fietsweg")
    ).any(axis=None)
    assert "1 andere weggelaten" in (out / "warmteplan.md").read_text(encoding="utf-8")


def test_bad_input_gets_a_dutch_message_and_nothing_is_written(
    demo_heat: DemoHeat, tmp_path: Path
) -> None:
    # cabins in degrees (EPSG:4326) and without a capacity: refused, naming the file
    bad = gpd.GeoDataFrame(
        {"cabin_id": ["c1", "c2"], "capacity_kva": [400.0, None]},
        geometry=[Point(3.05, 51.03), Point(3.06, 51.04)],
        crs=4326,
    )
    path = tmp_path / "cabines.gpkg"
    bad.to_file(path, driver="GPKG")
    out = tmp_path / "plan"
    result = runner.invoke(
        cli,
        ["warmte", "--twin", str(demo_heat.twin_path), "--out", str(out), "--cabins", str(path)],
    )
    assert result.exit_code != 0
    assert "cabines.gpkg" in result.output and "Er is niets weggeschreven" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_streets_in_degrees_and_overlapping_decided_zones_are_refused_in_dutch(
    demo_heat: DemoHeat, tmp_path: Path
) -> None:
    from shapely.geometry import box

    from buildings.demo import demo_streets

    streets = gpd.read_file(demo_streets(demo_heat.sources.parent)).to_crs(4326)
    bad_streets = tmp_path / "Wegsegment_wgs84.gpkg"
    streets.to_file(bad_streets, driver="GPKG")
    x0, y0 = demo_heat.twin.geometry.centroid.x.min(), demo_heat.twin.geometry.centroid.y.min()
    zones = gpd.GeoDataFrame(
        {"zone_id": ["noord", "zuid"], "strategy": ["warmtenet", "individueel"]},
        geometry=[box(x0, y0, x0 + 500, y0 + 500), box(x0 + 400, y0 + 400, x0 + 900, y0 + 900)],
        crs=31370,
    )
    overlapping = tmp_path / "zones.gpkg"
    zones.to_file(overlapping, driver="GPKG")
    for option, path, words in (
        ("--streets", bad_streets, ("Wegsegment_wgs84.gpkg",)),
        ("--zones-fixed", overlapping, ("zones.gpkg", "noord", "zuid")),
    ):
        out = tmp_path / f"plan{option}"
        result = runner.invoke(
            cli,
            ["warmte", "--twin", str(demo_heat.twin_path), "--out", str(out), option, str(path)],
        )
        assert result.exit_code != 0, option
        for word in words:
            assert word in result.output, (option, word, result.output)
        assert "Er is niets weggeschreven" in result.output and "Traceback" not in result.output
        assert not out.exists()


def test_cost_changes_from_a_file_are_used_and_shown(demo_heat: DemoHeat, tmp_path: Path) -> None:
    good = tmp_path / "kosten.yaml"
    good.write_text(
        "schema_version: 1\n"
        "parameters:\n"
        "  heat_source_price_eur_mwh:\n"
        "    value: 45\n"
        "    low: 35\n"
        "    high: 60\n"
        '    reden: "restwarmte van het bedrijventerrein"\n',
        encoding="utf-8",
    )
    out = tmp_path / "plan"
    base = ["warmte", "--twin", str(demo_heat.twin_path), "--runs", "5"]
    result = runner.invoke(cli, [*base, "--out", str(out), "--kosten", str(good)])
    assert result.exit_code == 0, result.output
    text = (out / "warmteplan.md").read_text(encoding="utf-8")
    assert "aangepast door de gebruiker: restwarmte van het bedrijventerrein" in text
    assert "kosten.yaml" in text
    # a name that does not exist: refused in Dutch with the close match, nothing written
    bad = tmp_path / "fout.yaml"
    bad.write_text(
        "schema_version: 1\nparameters:\n  heat_source_price:\n    value: 45\n"
        '    reden: "offerte"\n',
        encoding="utf-8",
    )
    out2 = tmp_path / "plan2"
    result = runner.invoke(cli, [*base, "--out", str(out2), "--kosten", str(bad)])
    assert result.exit_code != 0
    assert "fout.yaml" in result.output and "heat_source_price_eur_mwh" in result.output
    assert "Er is niets weggeschreven" in result.output and "Traceback" not in result.output
    assert not out2.exists()


def test_heat_sources_cost_a_transmission_pipe(demo_heat: DemoHeat, tmp_path: Path) -> None:
    import pandas as pd

    centre = demo_heat.twin.geometry.centroid
    x, y = float(centre.x.max()), float(centre.y.mean())
    far = gpd.GeoDataFrame(
        {"naam": ["RWZI (ver weg)"], "vermogen_kw": [5000.0]},
        geometry=[Point(x + 15_000.0, y)],
        crs=31370,
    )
    path = tmp_path / "bronnen.gpkg"
    far.to_file(path, driver="GPKG")
    out = tmp_path / "plan"
    base = ["warmte", "--twin", str(demo_heat.twin_path), "--runs", "5"]
    result = runner.invoke(cli, [*base, "--out", str(out), "--bronnen", str(path)])
    assert result.exit_code == 0, result.output
    assert "transportleidingen.csv" in result.output
    pipes = pd.read_csv(out / "transportleidingen.csv")
    assert len(pipes) and (pipes["source_name"] == "RWZI (ver weg)").all()
    assert (pipes["source_distance_m"] > 14_000.0).all()
    grid = gpd.read_file(out / "warmtezones.gpkg", layer="grid")
    assert (grid["advice_source"] == "verre warmtebron").any()
    assert "RWZI (ver weg)" in (out / "warmteplan.md").read_text(encoding="utf-8")
    # the same source in degrees: refused in Dutch, naming the file, nothing written
    bad = tmp_path / "bronnen_wgs84.gpkg"
    far.to_crs(4326).to_file(bad, driver="GPKG")
    out2 = tmp_path / "plan2"
    result = runner.invoke(cli, [*base, "--out", str(out2), "--bronnen", str(bad)])
    assert result.exit_code != 0
    assert "bronnen_wgs84.gpkg" in result.output and "Traceback" not in result.output
    assert not out2.exists()


def test_the_service_serves_the_zones_and_cabins(written: Path, demo_state) -> None:  # type: ignore[no-untyped-def]
    heat = load_heat_results(written)
    with TestClient(create_app(demo_state, db_url="sqlite://", heat=heat)) as client:
        info = client.get("/api/v1/warmte").json()
        assert info["layers"] == ["sector", "grid"] and info["cabins"] is True
        years = info["years"]
        zones = client.get("/api/v1/warmte/zones", params={"layer": "grid", "year": years[0]})
        assert zones.status_code == 200
        features = zones.json()["features"]
        assert features and {"advice", "advice_probability", "peak_kw"} <= set(
            features[0]["properties"]
        )
        # GeoJSON in degrees for the map
        lon, lat = features[0]["geometry"]["coordinates"][0][0]
        assert 2.5 < lon < 6.5 and 49.4 < lat < 51.6
        cabins = client.get("/api/v1/warmte/cabines", params={"year": years[0]}).json()
        assert cabins["features"] and "loading_share" in cabins["features"][0]["properties"]
        missing = client.get("/api/v1/warmte/zones", params={"layer": "street"})
        assert missing.status_code == 404 and "geen laag street" in missing.text
        wrong_year = client.get("/api/v1/warmte/zones", params={"year": 1999})
        assert wrong_year.status_code == 404 and "geen warmteplan voor 1999" in wrong_year.text
        # the council report has the heat zoning of its sectors (this plan has today only; the
        # last year beside it: test_the_council_report_shows_today_and_the_last_year_without_nan)
        nis = demo_state.municipalities[0]
        report = client.get(f"/rapport/gemeente/{nis}").text
        assert "Warmtezonering (lokaal warmteplan)" in report
        assert years == years[:1] and f'id="warmte-{years[0]}"' in report
        assert "Overbelaste distributiecabines" in report
    with TestClient(create_app(demo_state, db_url="sqlite://")) as client:
        none = client.get("/api/v1/warmte")
        assert none.status_code == 404 and "--warmte" in none.text
        nis = demo_state.municipalities[0]
        assert "Warmtezonering" not in client.get(f"/rapport/gemeente/{nis}").text


def test_the_council_report_shows_today_and_the_last_year_without_nan(
    demo_heat: DemoHeat,
    demo_state,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    """A plan with a scenario year: the report's heat table shows both years; a strategy
    without a cost (the hybrid where no gas boiler is left: NaN) reads "–", never "nan"."""
    import numpy as np

    from buildings.sectors import sector_outlines
    from buildings.twin import read_twin_sectors
    from scenarios.catalogue import load_catalogue
    from scenarios.heat.io_plan import write_heat_plan
    from scenarios.heat.plan import HeatPlanInputs, heat_plan

    sectors = sector_outlines(demo_heat.twin, read_twin_sectors(demo_heat.twin_path))
    plan = heat_plan(
        HeatPlanInputs(
            twin=demo_heat.twin,
            sectors=sectors,
            catalogue=load_catalogue(),
            today=2025,
            states={2050: demo_heat.states[2050]},
            runs=5,
            layers=("sector",),
        )
    )
    heat = load_heat_results(write_heat_plan(plan, tmp_path / "plan", title="Demo"))
    assert heat.years == [2025, 2050]
    last = heat.layers["sector"]["year"] == 2050
    heat.layers["sector"].loc[last, "lcoh_hybrid_p50_eur_mwh"] = np.nan
    with TestClient(create_app(demo_state, db_url="sqlite://", heat=heat)) as client:
        report = client.get(f"/rapport/gemeente/{demo_state.municipalities[0]}").text
    assert 'id="warmte-2025"' in report and 'id="warmte-2050"' in report
    table = report[report.index('id="warmte-2050"') :]
    table = table[: table.index("</table>")]
    assert "nan" not in table.lower() and '<td class="n">–</td>' in table
