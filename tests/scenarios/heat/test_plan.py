"""The whole heat plan on the demo town (scenarios.heat.plan, .pipeline, .io_plan, .results)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from buildings.sectors import sector_outlines
from buildings.twin import read_twin_sectors
from scenarios.catalogue import load_catalogue
from scenarios.heat.plan import ADVICE_FIXED, HeatPlan, HeatPlanInputs, heat_plan
from scenarios.heat.results import load_heat_results
from tests.conftest import DemoHeat

RUNS = 40  # Monte Carlo draws: enough for the advice to settle in the demo's sectors


def _inputs(demo: DemoHeat, **extra: object) -> HeatPlanInputs:
    sectors = sector_outlines(demo.twin, read_twin_sectors(demo.twin_path))
    return HeatPlanInputs(
        twin=demo.twin,
        sectors=sectors,
        catalogue=load_catalogue(),
        today=2025,
        states=demo.states,
        runs=RUNS,
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def plan(demo_heat: DemoHeat) -> HeatPlan:
    return heat_plan(_inputs(demo_heat))


def test_zone_demands_sum_to_the_dwellings_and_densities_are_demand_over_area(
    plan: HeatPlan,
) -> None:
    d = plan.demand
    assert plan.years == [2025, 2030, 2040, 2050]
    for name, layer in plan.layers.items():
        rejected = plan.rejects[plan.rejects["layer"] == name]
        for year in plan.years:
            rows = d[(d["year"] == year) & ~d["dwelling_id"].isin(rejected["dwelling_id"])]
            zones = layer[layer["year"] == year]
            assert zones["heat_demand_mwh"].sum() == pytest.approx(
                rows["heat_demand_kwh"].sum() / 1000.0, rel=1e-9
            ), (name, year)
            assert zones["n_dwellings"].sum() == len(rows)
            np.testing.assert_allclose(
                zones["heat_density_mwh_ha"],
                zones["heat_demand_mwh"] / zones["area_ha"],
                rtol=1e-12,
            )
    # insulation lowers the town's heat demand; the heat pump of 2050 leaves it as it was
    total = d.groupby("year")["heat_demand_kwh"].sum()
    assert total[2025] > total[2030] > total[2040]
    assert total[2050] == pytest.approx(total[2040], rel=1e-12)


def test_a_dense_centre_and_a_scattered_zone_get_different_advice(plan: HeatPlan) -> None:
    from scenarios.heat.io_plan import warmteplan_md

    sectors = plan.layers["sector"]
    today = sectors[sectors["year"] == 2025].sort_values("heat_density_mwh_ha")
    sparse, dense = today.iloc[0], today.iloc[-1]
    assert dense["heat_density_mwh_ha"] > 20 * sparse["heat_density_mwh_ha"]
    assert dense["advice"] == "warmtenet"
    assert sparse["advice"] in ("individueel", "hybride")
    # why: the network's cost per MWh, not the heat pumps', follows the density
    assert dense["lcoh_network_p50_eur_mwh"] < sparse["lcoh_network_p50_eur_mwh"] / 5
    text = warmteplan_md(plan, "Demo")
    why = text.split("### Waarom het advies verschilt")[1].split("##")[0]
    assert str(dense["zone_id"]) in why and str(sparse["zone_id"]) in why
    assert "**warmtenet**" in why and f"**{sparse['advice']}**" in why


def test_a_zone_decided_for_a_heat_network_takes_its_heat_pumps_off_the_grid(
    demo_heat: DemoHeat, plan: HeatPlan
) -> None:
    # the municipality decides the sparsest sector gets a heat network: the advice is the
    # decision, and from the first scenario year its dwellings' heat pumps leave the grid load
    sectors = plan.layers["sector"]
    today = sectors[sectors["year"] == 2025].sort_values("heat_density_mwh_ha")
    target = str(today.iloc[0]["zone_id"])
    outline = sector_outlines(demo_heat.twin, read_twin_sectors(demo_heat.twin_path))
    polygon = outline[outline["sector_id"].astype(str) == target].geometry.buffer(-0.01)
    fixed = gpd.GeoDataFrame(
        {"zone_id": ["besluit-1"], "strategy": ["network"], "advice": ["warmtenet"]},
        geometry=polygon.to_numpy(),
        crs=outline.crs,
    )
    decided = heat_plan(_inputs(demo_heat, fixed=fixed))
    after = decided.layers["sector"].set_index(["zone_id", "year"])
    before = sectors.set_index(["zone_id", "year"])
    for year in decided.years:
        assert after.loc[(target, year), "advice"] == "warmtenet"
        assert after.loc[(target, year), "advice_source"] == ADVICE_FIXED
        assert after.loc[(target, year), "advice_probability"] == 1.0
    assert decided.fixed_dwellings > 0
    assert after.loc[(target, 2025), "peak_kw"] == pytest.approx(
        before.loc[(target, 2025), "peak_kw"]
    )
    assert before.loc[(target, 2050), "peak_kw"] > 0
    assert after.loc[(target, 2050), "peak_kw"] < before.loc[(target, 2050), "peak_kw"]
    # the other sectors are as they were
    others = [z for z in today["zone_id"].astype(str) if z != target]
    np.testing.assert_allclose(
        after.loc[others, "peak_kw"].to_numpy(), before.loc[others, "peak_kw"].to_numpy()
    )


def test_the_written_plan_reads_back_for_the_service(plan: HeatPlan, tmp_path: Path) -> None:
    from scenarios.heat.io_plan import write_heat_plan

    out = write_heat_plan(plan, tmp_path / "warmte", title="Demo")
    assert {p.name for p in out.iterdir()} >= {
        "warmtezones.gpkg",
        "warmteplan.md",
        "buiten_zone.csv",
        "grafieken",
    }
    read = load_heat_results(out)
    assert set(read.layers) == set(plan.layers) and read.years == plan.years
    grid = read.geojson("grid", 2040)
    assert len(grid["features"]) == int((plan.layers["grid"]["year"] == 2040).sum())
    props = grid["features"][0]["properties"]
    for col in (
        "zone_id",
        "heat_demand_mwh",
        "heat_density_mwh_ha",
        "lcoh_network_p10_eur_mwh",
        "lcoh_network_p50_eur_mwh",
        "lcoh_network_p90_eur_mwh",
        "lcoh_individual_hp_p50_eur_mwh",
        "lcoh_hybrid_p50_eur_mwh",
        "advice",
        "advice_probability",
        "peak_kw",
    ):
        assert col in props, col
