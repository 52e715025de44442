"""Design-day grid load of heating electrification (scenarios.heat.gridload)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios.heat.gridload import (
    ZONE_PEAK_COLUMNS,
    GridLoadParameters,
    coincidence_factor,
    dwelling_electric_peak_w,
    grid_load_parameters,
    grid_load_table,
    household_peak_kw,
    zone_peak,
)
from sim.errors import InputError

ROOT = Path(__file__).resolve().parents[3]
P = GridLoadParameters.default()


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(ROOT / "sim" / "data" / name, comment="#")


def _hand_cop(code: int, supply_c: float) -> float:
    """COP by hand from the data files: Carnot fraction from the EN 14511 rating times the
    design-day field factor, at the design outdoor temperature (air) or the brine temperature
    (ground)."""
    row = _csv("heating_systems.csv").set_index("code").loc[code]
    defaults = _csv("simulation_defaults.csv").set_index("key")["value"]
    theta_e = float(defaults["theta_e_design_c"])
    assert theta_e == -7.0  # NBN EN 12831-1 ANB, Uccle: what the grid-load study is about
    k = 273.15
    sink, src = float(row["rated_sink_c"]), float(row["rated_source_c"])
    eta = float(row["rated_cop"]) * (sink - src) / (sink + k) * float(row["design_field_factor"])
    source = theta_e if row["kind"] != "heat_pump_ground" else float(row["source_temp_c"])
    return min(eta * (supply_c + k) / (supply_c - source), float(row["cop_max"]))


def _dwellings(**cols: object) -> pd.DataFrame:
    base: dict[str, object] = {
        "year": 2030,
        "heating_system": 5,
        "dhw_system": 1,
        "design_heat_load_w": 8000.0,
        "hp_supply_temp_c": 45.0,
    }
    base.update(cols)
    n = max(len(v) if isinstance(v, list | np.ndarray) else 1 for v in base.values())
    return pd.DataFrame(
        {k: v if isinstance(v, list | np.ndarray) else [v] * n for k, v in base.items()}
    )


def test_one_air_water_dwelling_by_hand() -> None:
    # 8 kW design load, 45 °C supply, air/water heat pump, gas for tap water.
    # By hand with the shipped table: eta_lab = 4.1 x 28 / 308.15 = 0.37255, x design-day
    # field factor 0.90 = 0.33529; COP(-7 -> 45) = 0.33529 x 318.15 / 52 = 2.0514 (< cop_max
    # 4.5); peak = 8000 / 2.0514 = 3900 W.
    cop = _hand_cop(5, 45.0)
    assert cop == pytest.approx(2.0514, abs=5e-4)  # the hand figure above, to 4 digits
    peak = dwelling_electric_peak_w(_dwellings(), P)
    assert P.hp_backup_share == 0.0  # the shipped default: no back-up heat at -7 °C
    # same formula, so only float rounding: relative 1e-9
    assert peak[0] == pytest.approx(8000.0 / cop, rel=1e-9)
    assert peak[0] == pytest.approx(3900.0, abs=1.0)
    # with a heat-pump water heater the allowance is added
    with_dhw = dwelling_electric_peak_w(_dwellings(dhw_system=5), P)
    assert with_dhw[0] == pytest.approx(8000.0 / cop + P.dhw_hp_peak_w, rel=1e-9)


def test_each_system_by_hand() -> None:
    d = _dwellings(
        heating_system=[6, 9, 4, 1, 7, 5],
        dhw_system=[1, 1, 10, 1, 1, 1],
        design_heat_load_w=[8000.0, 8000.0, 6000.0, 9000.0, 9000.0, 8000.0],
        hp_supply_temp_c=[35.0, 55.0, np.nan, np.nan, np.nan, 35.0],
    )
    peak = dwelling_electric_peak_w(d, P)
    # ground: source = brine 3 °C
    assert peak[0] == pytest.approx(8000.0 / _hand_cop(6, 35.0), rel=1e-9)
    # hybrid: only its heat pump's share of the design load, at the air/water COP
    assert peak[1] == pytest.approx(
        P.hybrid_hp_capacity_share * 8000.0 / _hand_cop(9, 55.0), rel=1e-9
    )
    assert peak[2] == 6000.0  # direct electric at COP 1; an electric water heater adds nothing
    assert peak[3] == 0.0 and peak[4] == 0.0  # gas boiler, district heat: no electrification
    # a lower supply temperature needs less electricity for the same load
    assert peak[5] < 8000.0 / _hand_cop(5, 45.0)


def test_back_up_heater_share() -> None:
    p = GridLoadParameters(**{**P.__dict__, "hp_backup_share": 0.2})
    peak = dwelling_electric_peak_w(_dwellings(), p)[0]
    cop = _hand_cop(5, 45.0)
    assert peak == pytest.approx(0.8 * 8000.0 / cop + 0.2 * 8000.0, rel=1e-9)


def test_heat_pump_without_supply_temperature_is_named() -> None:
    d = _dwellings(heating_system=[1, 5], hp_supply_temp_c=[np.nan, np.nan])
    with pytest.raises(InputError) as e:
        dwelling_electric_peak_w(d, P)
    assert e.value.rows == [1]
    assert "aanvoertemperatuur" in str(e.value)


def test_tap_water_heat_pump_needs_no_supply_temperature() -> None:
    # a gas boiler (1) or direct electric heating (4) with a heat-pump water heater (5, 6): the
    # allowance dhw_hp_peak_w does not read the supply temperature, so NaN is accepted
    d = _dwellings(
        heating_system=[1, 4, 5],
        dhw_system=[5, 6, 5],
        design_heat_load_w=[8000.0, 6000.0, 8000.0],
        hp_supply_temp_c=[np.nan, np.nan, 45.0],
    )
    peak = dwelling_electric_peak_w(d, P)
    assert peak[0] == P.dhw_hp_peak_w
    assert peak[1] == 6000.0 + P.dhw_hp_peak_w
    assert peak[2] == pytest.approx(8000.0 / _hand_cop(5, 45.0) + P.dhw_hp_peak_w, rel=1e-9)
    # a space-heating heat pump still needs it, also with a heat-pump water heater
    with pytest.raises(InputError) as e:
        dwelling_electric_peak_w(d.assign(hp_supply_temp_c=np.nan), P)
    assert e.value.rows == [2]


def test_coincidence_factor_by_hand() -> None:
    # Rusck: g(n) = g_inf + (1 - g_inf) / sqrt(n)
    g = coincidence_factor([0, 1, 4, 25, 1e12], 0.7)
    assert g[0] == 1.0  # no load: convention
    assert g[1] == 1.0  # one load is its own peak
    assert g[2] == pytest.approx(0.85, abs=1e-12)
    assert g[3] == pytest.approx(0.76, abs=1e-12)
    assert g[4] == pytest.approx(0.7, abs=1e-6)


def test_household_peak_against_the_sources_range() -> None:
    # Konstantelos, Sun, Strbac (2014), Low Carbon London: maximum diversified peak per
    # household 0.54-1.78 kW; the shipped value and range sit inside/equal to it
    t = grid_load_table().set_index("parameter")
    assert (t.loc["household_admd_kw", "low"], t.loc["household_admd_kw", "high"]) == (0.54, 1.78)
    many = float(household_peak_kw(1e8, P)) / 1e8
    assert 0.54 <= many <= 1.78
    assert many == pytest.approx(P.household_admd_kw, rel=1e-3)  # converges to ADMD
    assert float(household_peak_kw(1, P)) == P.household_peak_single_kw
    assert float(household_peak_kw(0, P)) == 0.0


@given(
    g_inf=st.floats(0.0, 1.0),
    n=st.integers(1, 100_000),
    extra=st.integers(1, 1000),
)
def test_more_loads_never_raise_the_peak_per_load(g_inf: float, n: int, extra: int) -> None:
    g = coincidence_factor([n, n + extra], g_inf)
    assert g[1] <= g[0] + 1e-15
    assert g_inf - 1e-15 <= g[1] <= 1.0 + 1e-15
    hh = household_peak_kw([n, n + extra], P)
    assert hh[1] / (n + extra) <= hh[0] / n + 1e-12  # per dwelling: never up
    assert hh[1] >= hh[0]  # in total: never down


def test_zone_peak_per_dwelling_never_rises_with_more_dwellings() -> None:
    sizes = np.arange(1, 301)
    zone_of = np.repeat(np.arange(len(sizes)), sizes)
    d = _dwellings(heating_system=np.full(len(zone_of), 5))
    z = zone_peak(zone_of, d, len(sizes), params=P)
    per = z["peak_kw_per_dwelling"].to_numpy()
    assert (np.diff(per) <= 1e-12).all()
    assert per[0] == pytest.approx(dwelling_electric_peak_w(d.iloc[:1], P)[0] / 1000.0, rel=1e-12)


def _random_stock(rng: np.random.Generator, n: int, years: tuple[int, ...]) -> pd.DataFrame:
    frames = []
    for y in years:
        frames.append(
            pd.DataFrame(
                {
                    "year": y,
                    "heating_system": rng.choice([0, 1, 4, 5, 6, 7, 9], n),
                    "dhw_system": rng.choice([1, 5, 6, 10], n),
                    "design_heat_load_w": rng.uniform(0.0, 20_000.0, n),
                    "hp_supply_temp_c": rng.uniform(30.0, 55.0, n),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_zone_sums_equal_the_dwellings_sums() -> None:
    rng = np.random.default_rng(14)
    d = _random_stock(rng, 2000, (2025, 2030, 2040))
    n_zones = 37
    zone_of = rng.integers(0, n_zones, len(d))
    z = zone_peak(zone_of, d, n_zones, area_ha=np.full(n_zones, 4.0), params=P)
    assert list(z.columns) == list(ZONE_PEAK_COLUMNS)
    assert len(z) == 3 * n_zones
    pw = dwelling_electric_peak_w(d, P)
    for year, rows in d.groupby("year").groups.items():
        zy = z[z["year"] == year]
        assert zy["n_dwellings"].sum() == len(rows)
        assert zy["n_electrified"].sum() == int((pw[rows] > 0).sum())
        # undiversified: exactly the dwellings' sum (float summation order: rel 1e-12)
        assert zy["peak_undiversified_kw"].sum() == pytest.approx(pw[rows].sum() / 1000, rel=1e-12)
        # per zone, against a plain pandas groupby
        ref = pd.Series(pw[rows] / 1000).groupby(zone_of[rows]).sum()
        got = zy.set_index("zone")["peak_undiversified_kw"]
        np.testing.assert_allclose(got.loc[ref.index], ref.to_numpy(), rtol=1e-12)
    # diversity only lowers the sum, and per ha is per ha
    assert (z["peak_kw"] <= z["peak_undiversified_kw"] + 1e-9).all()
    np.testing.assert_allclose(z["peak_kw_per_ha"], z["peak_kw"] / 4.0, rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_zone_peak_does_not_depend_on_row_order(seed: int) -> None:
    rng = np.random.default_rng(seed)
    d = _random_stock(rng, 200, (2025, 2050))
    zone_of = rng.integers(0, 9, len(d))
    perm = rng.permutation(len(d))
    a = zone_peak(zone_of, d, 9, params=P)
    b = zone_peak(zone_of[perm], d.iloc[perm].reset_index(drop=True), 9, params=P)
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)


def test_empty_zone_and_bad_zone_index() -> None:
    d = _dwellings()
    z = zone_peak(np.array([1]), d, 3, params=P)
    assert z.loc[z["zone"] == 0, "peak_kw"].item() == 0.0
    assert math.isnan(z.loc[z["zone"] == 0, "peak_kw_per_dwelling"].item())
    with pytest.raises(InputError) as e:
        zone_peak(np.array([3]), d, 3, params=P)
    assert "zone_of" in e.value.fields


def test_shipped_parameters_are_within_their_ranges_and_checked() -> None:
    t = grid_load_table()
    assert ((t["low"] <= t["value"]) & (t["value"] <= t["high"])).all()
    assert t["source"].str.len().min() > 20  # every value says where it comes from
    bad = t.copy()
    bad.loc[bad["parameter"] == "power_factor", "value"] = 1.2
    bad = bad[bad["parameter"] != "dhw_hp_peak_w"]
    with pytest.raises(InputError) as e:
        grid_load_parameters(bad)
    assert set(e.value.fields) == {"power_factor", "dhw_hp_peak_w"}


@settings(max_examples=200, deadline=None)
@given(
    code=st.sampled_from([4, 5, 6, 9]),
    dhw=st.sampled_from([1, 5, 6, 10]),
    q=st.floats(0.0, 50_000.0),
    dq=st.floats(0.0, 20_000.0),
    supply=st.floats(25.0, 75.0),
    dsupply=st.floats(0.0, 20.0),
)
def test_less_load_or_cooler_supply_never_raises_the_peak(
    code: int, dhw: int, q: float, dq: float, supply: float, dsupply: float
) -> None:
    d = _dwellings(
        heating_system=[code, code],
        dhw_system=[dhw, dhw],
        design_heat_load_w=[q, q + dq],
        hp_supply_temp_c=[supply, min(supply + dsupply, 75.0)],
    )
    low, high = dwelling_electric_peak_w(d, P)
    assert 0.0 <= low <= high * (1 + 1e-12) + 1e-9
