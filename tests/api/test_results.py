"""Scenario results in the service: the API, the map's colourings and the LEKP report."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pytest
from fastapi.testclient import TestClient

from api import db, service
from api.app import create_app
from api.pipeline import run_file
from api.results import ScenarioResults, load_results
from sim.errors import InputError


@pytest.fixture(scope="module")
def results(
    demo_twin: gpd.GeoDataFrame, tmp_path_factory: pytest.TempPathFactory
) -> ScenarioResults:
    folder = tmp_path_factory.mktemp("results")
    text = (
        resources.files("scenarios.data").joinpath("scenario_lichtervelde.yaml").read_text("utf-8")
    )
    path = folder / "scenario.yaml"
    path.write_text(re.sub(r"(\n  runs:) *\d+", r"\1 3", text), encoding="utf-8")
    run_file(path, folder / "uit", twin=demo_twin)
    return load_results(folder / "uit")


@pytest.fixture(scope="module")
def clients(
    demo_twin: gpd.GeoDataFrame, results: ScenarioResults, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, TestClient]]:
    state = service.load_state(demo_twin)
    folder = tmp_path_factory.mktemp("db")
    with_results = create_app(
        state, engine=db.make_engine(f"sqlite:///{folder}/a.sqlite"), results=results
    )
    without = create_app(state, engine=db.make_engine(f"sqlite:///{folder}/b.sqlite"))
    with TestClient(with_results) as a, TestClient(without) as b:
        yield a, b


def test_results_are_read_with_their_name_and_years(results: ScenarioResults) -> None:
    assert results.name == "Lichtervelde basis"
    assert results.years[0] == 2025 and results.years[-1] == 2050
    assert results.default_year() == 2030
    values = results.sector_values(2030)
    assert values and all(
        0.0 <= v["scenario_share_label_a_or_better"] <= 1.0 for v in values.values()
    )


def test_a_folder_without_results_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="wijk scenario run"):
        load_results(tmp_path)


def test_the_api_serves_the_scenario(
    clients: tuple[TestClient, TestClient], results: ScenarioResults
) -> None:
    a, b = clients
    meta = a.get("/api/v1/scenario").json()
    assert meta["name"] == "Lichtervelde basis" and 2030 in meta["years"]
    rows = a.get(
        "/api/v1/scenario/indicators",
        params={"level": "gemeente", "indicator": "co2_kg", "year": 2050},
    ).json()
    assert len(rows) == 1 and rows[0]["p10"] <= rows[0]["p50"] <= rows[0]["p90"]
    sectors = a.get("/api/v1/sectors", params={"year": 2040}).json()
    props = sectors["features"][0]["properties"]
    assert props["scenario_year"] == 2040 and "scenario_lekp_collective_progress" in props
    assert a.get("/api/v1/sectors", params={"year": 1999}).status_code == 404
    town = a.get("/api/v1/municipalities/36011").json()["properties"]
    expected = results.municipality("lekp_collective_progress").set_index("year").loc[2030, "p50"]
    assert town["scenario_year"] == 2030
    assert town["scenario_lekp_collective_progress"] == pytest.approx(expected)
    # without results: the current state only, and a Dutch 404 for the scenario routes
    assert "scenario_year" not in b.get("/api/v1/sectors").json()["features"][0]["properties"]
    missing = b.get("/api/v1/scenario")
    assert missing.status_code == 404 and "--results" in missing.json()["detail"][0]["message"]


def test_the_lekp_report_shows_the_scenario(
    clients: tuple[TestClient, TestClient], results: ScenarioResults
) -> None:
    a, b = clients
    with_results = a.get("/rapport/gemeente/36011").text
    assert "Lichtervelde basis" in with_results and "geen scenarioresultaten" not in with_results
    p50 = results.municipality("lekp_collective_cum").set_index("year").loc[2030, "p50"]
    assert f">{int(p50):,}".replace(",", ".") in with_results or f">{int(p50)} (" in with_results
    assert "geen scenarioresultaten geladen" in b.get("/rapport/gemeente/36011").text
    page = a.get("/").text
    assert "scenario_lekp_collective_progress" in page  # the map can colour by it
