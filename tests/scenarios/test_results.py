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
from api.http import create_app
from scenarios.pipeline import run_file
from scenarios.results import ScenarioResults, load_results
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
    demo_state: service.ServiceState,
    results: ScenarioResults,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, TestClient]]:
    state = demo_state
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


# ---------------------------------------------------------------------- the run's own policy
def test_the_policy_of_the_run_sets_the_goals_years_and_labels(
    demo_twin: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    """A scenario with its own policy file: the LEKP goal for collective renovations is 80 per
    1,000 housing units instead of 50, the LEKP period ends in 2027 instead of 2030, and the
    long-term goal is label B by 2045 instead of label A by 2050. The results keep that policy,
    and the indicators, the charts, the service and the council report read it from there.

    By hand, for the first 400 dwellings of the demo town (one municipality, 36011):
    collective goal ceil(80 x 400 / 1000) = 32 (the shipped policy would give 20); fossil-free
    ceil(25 x 400 / 1000) = 10 and klimaattafel invitations ceil(50 x 400 / 1000) = 20, unchanged.
    """
    from scenarios.charts import lekp_chart_year
    from scenarios.policy import load_policy

    twin = demo_twin.iloc[:400]
    shipped_policy = resources.files("scenarios.data").joinpath("policy_flanders.yaml")
    policy_text = shipped_policy.read_text("utf-8")
    changed = (
        policy_text.replace(
            "collective_renovations: {value: 50, source: lekp_2_0}",
            "collective_renovations: {value: 80, source: lekp_2_0}",
        )
        .replace(
            "period: {from_year: 2021, to_year: 2030}", "period: {from_year: 2021, to_year: 2027}"
        )
        .replace("long_term_goal: {year: 2050, label: A,", "long_term_goal: {year: 2045, label: B,")
    )
    assert changed.count("80") > policy_text.count("80") and "to_year: 2027" in changed
    assert "year: 2045, label: B" in changed
    (tmp_path / "beleid.yaml").write_text(changed, encoding="utf-8")
    text = (
        resources.files("scenarios.data").joinpath("scenario_lichtervelde.yaml").read_text("utf-8")
    )
    scenario = (
        text.replace(
            "horizon: {start: 2025, end: 2050}",
            "policy: beleid.yaml\nhorizon: {start: 2025, end: 2030}",
        )
        .replace("years: [2030, 2040, 2050]", "years: [2027, 2030]")
        .replace("  runs: 20", "  runs: 0")
    )
    path = tmp_path / "scenario.yaml"
    path.write_text(scenario, encoding="utf-8")
    run = run_file(path, tmp_path / "uit", twin=twin)
    assert run.report_years() == [2025, 2027, 2030]  # the command line's summary years

    results = load_results(tmp_path / "uit")
    assert results.policy == load_policy(tmp_path / "beleid.yaml")  # kept with the results
    assert results.default_year() == 2027
    assert lekp_chart_year(results.indicators, results.policy) == 2027
    town = results.indicators[results.indicators["level"] == "gemeente"]
    target = town[(town["indicator"] == "lekp_collective_target") & (town["year"] == 2027)]
    assert target["central"].tolist() == [32.0]
    descriptions = dict(zip(town["indicator"], town["description_nl"], strict=False))
    assert descriptions["lekp_collective_target"] == (
        "LEKP-doel collectieve renovaties (80 per 1.000 wooneenheden, 2021-2027)"
    )
    assert "label B of beter in 2045" in descriptions["share_label_a_or_better"]

    # the service: one policy, that of the results
    state = service.load_state(twin, policy=results.policy)
    with pytest.raises(ValueError, match="another policy"):
        create_app(service.load_state(twin), results=results)
    app = create_app(
        state, engine=db.make_engine(f"sqlite:///{tmp_path}/d.sqlite"), results=results
    )
    with TestClient(app) as client:
        lekp = client.get("/api/v1/municipalities/36011/lekp").json()
        assert lekp["targets"] == {
            "collective_renovations": 32,
            "fossil_free": 10,
            "klimaattafel_invitations": 20,
            "wijkverbeteringscontract": 1,
        }
        assert (
            client.get("/api/v1/municipalities/36011").json()["properties"]["scenario_year"] == 2027
        )
        report = client.get("/rapport/gemeente/36011").text
        dwelling = str(state.twin.index[0])
        resident = client.get(f"/rapport/woning/{dwelling}").text
    goals = report.split('id="lekp-doelen"')[1].split("</table>")[0]
    row = next(r for r in goals.split("<tr>") if "collectieve renovaties" in r)
    assert "<td>80 per 1.000 woongelegenheden</td>" in row and '<td class="n">32</td>' in row
    assert "LEKP-periode 2021–2027" in report
    years = report.split('id="lekp-jaren"')[1].split("</table>")[0]
    assert "<tr><td>2027</td>" in years and "<tr><td>2028</td>" not in years
    assert "Doel 2045:</b> elke woning haalt label B of beter" in resident
