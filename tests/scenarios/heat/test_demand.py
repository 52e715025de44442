"""Heat demand per dwelling and year (scenarios.heat.demand) on the demo town's twin."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from scenarios.catalogue import load_catalogue
from scenarios.heat.costs import shipped_parameters
from scenarios.heat.demand import DEMAND_COLUMNS, dwelling_heat, states_from_results
from sim.core import simulate
from sim.errors import InputError
from sim.stock import DwellingArrays


@pytest.fixture(scope="module")
def twin(demo_twin: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return demo_twin.iloc[:400].copy()


def test_each_state_is_the_cores_expected_heat(twin: gpd.GeoDataFrame) -> None:
    # the scenario's states: nothing for most, roof insulation, a heat pump after new emitters
    cat = load_catalogue()
    n = len(twin)
    state = np.full(n, "", dtype=object)
    state[::3] = "roof_insulation"
    state[1::3] = "low_temperature_emitters+heat_pump_air_water"
    out = dwelling_heat(twin, cat, 2025, {2030: list(state)})
    assert list(out.columns) == list(DEMAND_COLUMNS)
    now, later = out[out["year"] == 2025], out[out["year"] == 2030]
    assert len(now) == len(later) == n
    # today: (need + hot water) x expected-use ratio of the core, dwelling by dwelling
    d = DwellingArrays.from_frame(twin)
    res = simulate(d)
    expected = (res.heating_need_kwh[:, 0] + d.dhw_need_kwh) * res.expected_use_ratio[:, 0]
    np.testing.assert_allclose(now["heat_demand_kwh"], expected, rtol=1e-12)
    np.testing.assert_allclose(now["design_heat_load_w"], res.design_heat_load_w[:, 0], rtol=1e-12)
    # untouched dwellings keep today's figures; insulation never raises the heat or the load
    same = state == ""
    np.testing.assert_array_equal(
        later["heat_demand_kwh"].to_numpy()[same], now["heat_demand_kwh"].to_numpy()[same]
    )
    roof = state == "roof_insulation"
    assert (
        later["heat_demand_kwh"].to_numpy()[roof] <= now["heat_demand_kwh"].to_numpy()[roof] + 1e-9
    ).all()
    assert (
        later["design_heat_load_w"].to_numpy()[roof]
        <= now["design_heat_load_w"].to_numpy()[roof] + 1e-9
    ).all()
    hp = state == "low_temperature_emitters+heat_pump_air_water"
    assert (later["heating_system"].to_numpy()[hp] == 5).all()
    # ready for a heat pump exactly where the emitters need at most the catalogue's 55 °C
    limit = cat.measure("heat_pump_air_water").applies_if["hp_supply_temp_c_max"]
    ready = out["hp_supply_temp_c"] <= limit
    assert (out.loc[ready, "hp_ready_cost_eur"] == 0).all()
    assert (out.loc[~ready, "hp_ready_cost_eur"] > 0).all()
    assert (later["hp_ready_cost_eur"].to_numpy()[hp] == 0).all()  # new emitters: 45 °C


def test_rows_in_any_order_give_each_dwelling_the_same_figures(twin: gpd.GeoDataFrame) -> None:
    cat = load_catalogue()
    state = ["roof_insulation" if i % 2 else "" for i in range(len(twin))]
    a = dwelling_heat(twin, cat, 2025, {2040: state})
    order = np.random.default_rng(3).permutation(len(twin))
    b = dwelling_heat(twin.iloc[order], cat, 2025, {2040: [state[i] for i in order]})
    key = ["year", "dwelling_id"]
    a, b = a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True)
    num = ["heat_demand_kwh", "design_heat_load_w", "hp_supply_temp_c", "hp_ready_cost_eur"]
    np.testing.assert_allclose(a[num].to_numpy(), b[num].to_numpy(), rtol=1e-12)


def test_unknown_measures_and_mismatched_results_are_named_in_dutch(
    twin: gpd.GeoDataFrame,
) -> None:
    cat = load_catalogue()
    with pytest.raises(InputError, match="onbekende maatregel") as err:
        dwelling_heat(twin, cat, 2025, {2030: ["dakisolatie"] * len(twin)})
    assert err.value.fields == ["measures_2030"]
    with pytest.raises(InputError, match="woningen, de tweeling heeft er"):
        dwelling_heat(twin, cat, 2025, {2030: [""]})
    results = twin[["dwelling_id"]].iloc[1:].assign(measures_2030="")
    with pytest.raises(InputError, match="zonder resultaat"):
        states_from_results(results, twin)
    states = states_from_results(twin[["dwelling_id"]].iloc[::-1].assign(measures_2030="pv"), twin)
    assert states == {2030: ["pv"] * len(twin)}


def test_readiness_is_priced_with_the_heat_cost_parameters_measure(twin: gpd.GeoDataFrame) -> None:
    """The readiness measure is the heat-cost parameters' (role ``heat_pump_readiness``), the
    one ``scenarios.heat.costs`` takes its lifetime and cost range from: another measure in
    that role prices readiness at its own catalogue price."""
    cat = load_catalogue()
    shipped = dict(shipped_parameters().measures)
    default = dwelling_heat(twin, cat, 2025)
    explicit = dwelling_heat(twin, cat, 2025, measures=shipped)
    np.testing.assert_array_equal(default["hp_ready_cost_eur"], explicit["hp_ready_cost_eur"])
    other = "exterior_wall_insulation"
    assert shipped["heat_pump_readiness"] != other
    out = dwelling_heat(twin, cat, 2025, measures={**shipped, "heat_pump_readiness": other})
    limit = cat.measure(shipped["individual_heat_pump"]).applies_if["hp_supply_temp_c_max"]
    needs = out["hp_supply_temp_c"].to_numpy() > limit
    assert 0 < needs.sum() < len(twin)
    price = cat.costs(twin, [other])[:, 0]
    np.testing.assert_allclose(out["hp_ready_cost_eur"].to_numpy()[needs], price[needs])
    assert (out["hp_ready_cost_eur"].to_numpy()[~needs] == 0).all()
    assert not np.allclose(out["hp_ready_cost_eur"], default["hp_ready_cost_eur"])
