"""Writing results: a failure while writing leaves the earlier results as they were."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

import scenarios.charts
from scenarios.catalogue import load_catalogue
from scenarios.outputs import buildings_table, indicators_of, write_outputs
from scenarios.pipeline import load_inputs
from scenarios.policy import load_policy
from scenarios.run import run_scenario
from tests.scenarios.test_run import example


def test_a_failure_while_writing_keeps_the_earlier_results(
    demo_twin: gpd.GeoDataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = example()
    twin = demo_twin.iloc[:600]
    inputs = load_inputs(scenario, twin=twin)
    result = run_scenario(scenario, twin, load_catalogue(), load_policy())
    indicators = indicators_of(result, inputs)
    out = tmp_path / "resultaat"
    write_outputs(result, indicators, inputs, scenario, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert (out / "indicatoren.csv") in before and (out / "wijken.gpkg") in before

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(scenarios.charts, "write_charts", broken)
    with pytest.raises(OSError):
        write_outputs(result, indicators, inputs, scenario.model_copy(update={"seed": 9}), out)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["resultaat"]  # no half-written folder
    # the building table sums its dwellings
    b = buildings_table(result.dwellings)
    assert b["dwellings"].sum() == len(result.dwellings)
    assert b["investment_eur"].sum() == pytest.approx(result.dwellings["investment_eur"].sum())
