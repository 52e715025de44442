"""Stappenplan: cumulative steps through the core, checked step by step against direct simulation."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from buildings.demo import demo_sources
from buildings.twin import build_twin
from scenarios.catalogue import load_catalogue
from scenarios.policy import load_policy
from scenarios.trajectory import HOUSE_ORDER, TRAJECTORY_COLUMNS, stappenplan
from sim.core import simulate
from sim.errors import InputError
from sim.stock import DWELLING_COLUMNS, DwellingArrays

ORDER = ["roof_insulation", "cavity_wall_fill", "glazing_hr", "heat_pump_air_water", "pv"]


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    t = build_twin(demo_sources(tmp_path_factory.mktemp("twin"))).dwellings
    return t.sample(300, random_state=1).reset_index(drop=True)


@pytest.fixture(scope="module")
def plan(twin: gpd.GeoDataFrame) -> object:
    return stappenplan(twin, ORDER, load_catalogue(), load_policy(), year=2025)


def test_steps_follow_the_order_and_rules_are_judged_after_earlier_steps(
    twin: gpd.GeoDataFrame, plan
) -> None:  # type: ignore[no-untyped-def]
    assert tuple(plan.columns) == TRAJECTORY_COLUMNS
    at_start = load_catalogue().applicable(twin, ORDER)
    done = plan[plan["step"] > 0].groupby("dwelling_id")["measure"].apply(list)
    became_applicable = 0
    for i, did in enumerate(twin["dwelling_id"]):
        measures = done.get(did, [])
        assert measures == [m for m in ORDER if m in measures]  # in the given order, once each
        # nothing in this order makes an earlier-applicable measure inapplicable ...
        assert {m for m, ok in zip(ORDER, at_start[i], strict=True) if ok} <= set(measures)
        # ... and insulation opens the way for the heat pump (its rules ask for insulated walls)
        became_applicable += ("heat_pump_air_water" in measures) and not at_start[
            i, ORDER.index("heat_pump_air_water")
        ]
    assert became_applicable > 0
    counts = plan.groupby("dwelling_id").size()
    assert (
        counts == 1 + done.reindex(counts.index).map(lambda x: len(x) if isinstance(x, list) else 0)
    ).all()


def test_each_step_equals_a_direct_simulation_of_its_measures(twin: gpd.GeoDataFrame, plan) -> None:  # type: ignore[no-untyped-def]
    cat, pol = load_catalogue(), load_policy()
    arrays = DwellingArrays.from_frame(twin[list(DWELLING_COLUMNS)])
    for i in (0, 17, 123, 299):
        rows = plan[plan["dwelling_id"] == twin["dwelling_id"].iloc[i]].sort_values("step")
        for _, r in rows.iloc[1:].iterrows():
            measures = str(r["measures_done"]).split("+")
            direct = simulate(
                arrays.take(np.array([i])),
                cat.variants([measures]),
                carriers=pol.carrier_tables(2025),
            )
            assert r["heating_need_kwh"] == pytest.approx(direct.heating_need_kwh[0, 0], rel=1e-12)
            # the plan shows what the household emits and pays: the expected actual use
            assert r["co2_kg"] == pytest.approx(direct.expected_co2_kg[0, 0], rel=1e-12, abs=1e-9)
            assert r["energy_cost_eur"] == pytest.approx(
                direct.expected_cost_eur[0, 0], rel=1e-12, abs=1e-9
            )


def test_need_never_rises_and_money_adds_up(plan) -> None:  # type: ignore[no-untyped-def]
    for _, rows in plan.groupby("dwelling_id"):
        need = rows.sort_values("step")["heating_need_kwh"].to_numpy()
        assert (np.diff(need) <= 1e-9 * need[:-1] + 1e-9).all()
    steps = plan[plan["step"] > 0]
    assert ((steps["premium_eur"] >= 0) & (steps["premium_eur"] <= steps["investment_eur"])).all()
    np.testing.assert_allclose(
        steps["net_cost_eur"], steps["investment_eur"] - steps["premium_eur"], rtol=1e-12
    )
    paid = steps[steps["saving_eur"] > 0]
    np.testing.assert_allclose(
        paid["simple_payback_years"], paid["net_cost_eur"] / paid["saving_eur"], rtol=1e-12
    )
    assert (plan.loc[plan["step"] == 0, "investment_eur"] == 0).all()


def test_unknown_measure_is_refused(twin: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError) as exc:
        stappenplan(twin, ["roof_insulation", "dakisolatie"], load_catalogue(), load_policy())
    assert "dakisolatie" in str(exc.value)


def test_cli_trajectory_prints_the_plan_and_refuses_bad_addresses(
    twin: gpd.GeoDataFrame,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from api.cli.console import console

    monkeypatch.setattr(console, "width", 220)  # no wrapped table cells

    from api.cli import app
    from buildings.twin import TwinResult, write_twin

    folder = tmp_path_factory.mktemp("cli")
    path = folder / "twin.parquet"
    write_twin(
        TwinResult(
            dwellings=twin,
            rejects=twin.iloc[:0][["dwelling_id"]],
            accounting=twin.iloc[:0][["dwelling_id"]],
        ),
        path,
    )
    house = twin[twin["attachment"] != "apartment"].iloc[0]
    address = f"{house['street']} {house['house_number']}, {house['postcode']}"
    runner = CliRunner()
    ok = runner.invoke(app, ["trajectory", address, "--twin", str(path)], env={"COLUMNS": "200"})
    assert ok.exit_code == 0, ok.output
    # the table may wrap at the console width; the title and the closing line do not
    assert "Stappenplan" in ok.output and "met de bron van elke waarde" in ok.output
    n_combinations = 2 ** len(HOUSE_ORDER) - 1  # every combination of the house route
    assert f"Optimalisatie over alle {n_combinations} combinaties" in ok.output
    with_budget = runner.invoke(
        app,
        ["trajectory", address, "--twin", str(path), "--budget", "15000", "--target", "B"],
        env={"COLUMNS": "200"},
    )
    assert with_budget.exit_code == 0 and "minste CO2 binnen 15.000" in with_budget.output
    bad_target = runner.invoke(app, ["trajectory", address, "--twin", str(path), "--target", "Z"])
    assert bad_target.exit_code == 2 and "onbekend EPC-label" in bad_target.output
    bad = runner.invoke(app, ["trajectory", "Nergensstraat 1, 8810", "--twin", str(path)])
    assert bad.exit_code == 2 and "staat niet in de tweeling" in bad.output
    garbled = runner.invoke(app, ["trajectory", "zomaar iets", "--twin", str(path)])
    assert garbled.exit_code == 2 and "Fout:" in garbled.output


def test_roof_premium_respects_the_cap_per_m2(twin: gpd.GeoDataFrame) -> None:
    """Premiums capped per m² use the roof area: never above cap × area (hand check on the data;
    categorie 1, whose roof premium is the basispremie per m²)."""
    pol = load_policy()
    tier = pol.premiums.measures["roof_insulation"].tier("cat1")
    plan = stappenplan(twin, ORDER, load_catalogue(), pol, year=2025, income_category="cat1")
    roof = plan[plan["measure"] == "roof_insulation"].merge(
        twin[["dwelling_id", "roof_area_m2"]], on="dwelling_id"
    )
    assert len(roof) > 0 and tier.cap_eur_m2 is not None
    assert (roof["premium_eur"] <= tier.cap_eur_m2 * roof["roof_area_m2"] + 1e-9).all()
    expected = np.minimum(
        tier.percent_of_invoice / 100 * roof["investment_eur"],
        tier.cap_eur_m2 * roof["roof_area_m2"],
    )
    if tier.cap_eur is not None:
        expected = np.minimum(expected, tier.cap_eur)
    np.testing.assert_allclose(roof["premium_eur"], expected, rtol=1e-12)
