"""Tests of sim.pv and of the PV yield grid derived from the NREL NSRDB file.

Independent references used below:

* PVWatts-type systems with 14 % system losses and a 96 % inverter have a performance ratio
  (AC yield / plane-of-array irradiation) of about 0.75..0.85 in a temperate climate.
* In Belgium (50.8° N) the best fixed orientation faces about south at 30..40° tilt and
  yields 850..1100 kWh/kWp in the usual PV calculators; vertical north-facing is the worst.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import InputError
from sim.pv import (
    poa_irradiance,
    pv_monthly_specific_yield,
    pv_specific_yield,
    pvwatts_specific_yield,
    solar_geometry,
)
from sim.reference_data import load_table
from tests.shared_data import NSRDB_UCCLE, load_tool, require

MONTHS = [f"yield_m{m:02d}" for m in range(1, 13)]


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    return load_tool("derive_reference_climate")


@pytest.fixture(scope="module")
def weather(tool: ModuleType) -> pd.DataFrame:
    return tool.read_nsrdb_csv(require(NSRDB_UCCLE))


@pytest.fixture(scope="module")
def geometry(weather: pd.DataFrame) -> pd.DataFrame:
    return solar_geometry(weather)


@pytest.fixture(scope="module")
def grid() -> pd.DataFrame:
    return load_table("pv_yield_uccle.csv")


def _node(grid: pd.DataFrame, azimuth: int, tilt: int) -> pd.Series:
    row = grid[(grid["azimuth_deg"] == azimuth) & (grid["tilt_deg"] == tilt)]
    assert len(row) == 1
    return row.iloc[0]


# ------------------------------------------------------------------ the derivation


def test_shipped_grid_equals_fresh_derivation(
    tool: ModuleType, weather: pd.DataFrame, grid: pd.DataFrame
) -> None:
    fresh = tool.pv_yield_grid(weather)
    assert list(grid.columns) == list(fresh.columns)
    np.testing.assert_array_equal(
        grid[["azimuth_deg", "tilt_deg"]], fresh[["azimuth_deg", "tilt_deg"]]
    )
    values = ["yield_kwh_kwp", *MONTHS]
    # tolerance: relative 1e-9 (the table is written with 12 significant digits)
    np.testing.assert_allclose(grid[values].to_numpy(), fresh[values].to_numpy(), rtol=1e-9, atol=0)


@pytest.mark.parametrize(("azimuth", "tilt"), [(180, 35), (90, 90), (0, 90), (255, 15), (0, 0)])
def test_direct_pvlib_computation_matches_grid(
    weather: pd.DataFrame, geometry: pd.DataFrame, grid: pd.DataFrame, azimuth: int, tilt: int
) -> None:
    node = _node(grid, azimuth, tilt)
    annual = pvwatts_specific_yield(weather, azimuth, tilt, geometry=geometry)
    monthly = pvwatts_specific_yield(weather, azimuth, tilt, geometry=geometry, monthly=True)
    assert isinstance(annual, float)
    assert monthly.shape == (12,)
    # tolerance: relative 1e-9 (12 significant digits in the table; summation order)
    assert annual == pytest.approx(node["yield_kwh_kwp"], rel=1e-9)
    np.testing.assert_allclose(monthly, node[MONTHS].to_numpy(dtype=float), rtol=1e-9)


def test_direct_computation_without_precomputed_geometry(
    weather: pd.DataFrame, grid: pd.DataFrame
) -> None:
    before = weather.copy()
    value = pvwatts_specific_yield(weather, 180.0, 35.0)
    # tolerance: relative 1e-9 as above
    assert value == pytest.approx(_node(grid, 180, 35)["yield_kwh_kwp"], rel=1e-9)
    pd.testing.assert_frame_equal(weather, before)  # input not mutated


def test_grid_is_complete_and_consistent(grid: pd.DataFrame) -> None:
    assert len(grid) == 24 * 19
    assert sorted(grid["azimuth_deg"].unique()) == list(range(0, 360, 15))
    assert sorted(grid["tilt_deg"].unique()) == list(range(0, 91, 5))
    flat = grid.loc[grid["tilt_deg"] == 0, "yield_kwh_kwp"]
    # tolerance: exact; at tilt 0 pvlib's angle of incidence does not depend on azimuth
    assert flat.nunique() == 1
    # tolerance: relative 1e-9, annual = sum of the months
    np.testing.assert_allclose(grid[MONTHS].sum(axis=1), grid["yield_kwh_kwp"], rtol=1e-9)
    assert (grid[["yield_kwh_kwp", *MONTHS]] >= 0).all().all()


# ------------------------------------------------------------ physical sanity (independent)


def test_optimum_faces_about_south_at_30_to_40_degrees(grid: pd.DataFrame) -> None:
    best = grid.iloc[int(np.argmax(grid["yield_kwh_kwp"].to_numpy()))]
    # tolerances: azimuth within 30° of south, tilt 30..40°, yield 850..1100 kWh/kWp
    assert 150 <= best["azimuth_deg"] <= 210
    assert 30 <= best["tilt_deg"] <= 40
    assert 850.0 <= best["yield_kwh_kwp"] <= 1100.0


def test_vertical_north_is_the_worst(grid: pd.DataFrame) -> None:
    worst = grid.iloc[int(np.argmin(grid["yield_kwh_kwp"].to_numpy()))]
    # tolerance: exact node
    assert (worst["azimuth_deg"], worst["tilt_deg"]) == (0, 90)


def test_performance_ratio_is_plausible(
    weather: pd.DataFrame, geometry: pd.DataFrame, grid: pd.DataFrame
) -> None:
    poa_kwh = (
        float(poa_irradiance(weather, geometry, 180.0, 35.0)["poa_global"].sum()) * 0.25 / 1000
    )
    pr = _node(grid, 180, 35)["yield_kwh_kwp"] / poa_kwh
    # tolerance: the 0.75..0.85 band of PVWatts-type systems
    assert 0.75 <= pr <= 0.85


def test_east_and_west_yield_within_ten_percent(grid: pd.DataFrame) -> None:
    east = _node(grid, 90, 35)["yield_kwh_kwp"]
    west = _node(grid, 270, 35)["yield_kwh_kwp"]
    # 2019 afternoons were sunnier; tolerance 10 % relative
    assert west == pytest.approx(east, rel=0.10)


def test_summer_months_yield_most(grid: pd.DataFrame) -> None:
    months = _node(grid, 180, 35)[MONTHS].to_numpy(dtype=float)
    # tolerance: ordering only
    assert months[[4, 5, 6]].min() > months[[0, 10, 11]].max()


# ---------------------------------------------------------------- interpolation


def test_exact_at_every_grid_node(grid: pd.DataFrame) -> None:
    got = pv_specific_yield(grid["azimuth_deg"].to_numpy(), grid["tilt_deg"].to_numpy())
    # tolerance: exact equality at the nodes
    np.testing.assert_array_equal(got, grid["yield_kwh_kwp"].to_numpy())
    monthly = pv_monthly_specific_yield(grid["azimuth_deg"].to_numpy(), grid["tilt_deg"].to_numpy())
    np.testing.assert_array_equal(monthly, grid[MONTHS].to_numpy())


def test_azimuth_wraps_around() -> None:
    tilts = np.array([0.0, 12.5, 35.0, 90.0])
    # tolerance: exact; the modulo maps 360 to 0 and -15 to 345
    np.testing.assert_array_equal(pv_specific_yield(360.0, tilts), pv_specific_yield(0.0, tilts))
    np.testing.assert_array_equal(pv_specific_yield(-15.0, tilts), pv_specific_yield(345.0, tilts))
    np.testing.assert_array_equal(
        pv_specific_yield(720.0 + 180.0, tilts), pv_specific_yield(180.0, tilts)
    )


def test_shapes_broadcast() -> None:
    assert pv_specific_yield(180.0, 35.0).shape == ()
    assert pv_specific_yield([90.0, 180.0, 270.0], 35.0).shape == (3,)
    assert pv_specific_yield(np.zeros((2, 3)), np.full((2, 3), 10.0)).shape == (2, 3)
    assert pv_monthly_specific_yield([90.0, 180.0], [30.0, 40.0]).shape == (2, 12)


@settings(max_examples=200, deadline=None)
@given(azimuth=st.floats(0.0, 359.999), tilt=st.floats(0.0, 90.0))
def test_between_nodes_the_value_lies_within_the_neighbours(azimuth: float, tilt: float) -> None:
    a0 = 15.0 * np.floor(azimuth / 15.0)
    t0 = min(5.0 * np.floor(tilt / 5.0), 85.0)
    corners = pv_specific_yield([a0, a0 + 15.0, a0, a0 + 15.0], [t0, t0, t0 + 5.0, t0 + 5.0])
    value = float(pv_specific_yield(azimuth, tilt))
    # tolerance: 1e-9 kWh/kWp absolute for rounding
    assert corners.min() - 1e-9 <= value <= corners.max() + 1e-9
    # annual and monthly interpolation commute with the monthly sum (relative 1e-9)
    assert float(pv_monthly_specific_yield(azimuth, tilt).sum()) == pytest.approx(value, rel=1e-9)


@settings(max_examples=50, deadline=None)
@given(azimuth=st.floats(-720.0, 720.0))
def test_flat_array_does_not_depend_on_azimuth(azimuth: float) -> None:
    # tolerance: relative 1e-12 (equal neighbours mixed with weights summing to 1)
    assert float(pv_specific_yield(azimuth, 0.0)) == pytest.approx(
        float(pv_specific_yield(0.0, 0.0)), rel=1e-12
    )


def test_midpoint_of_an_edge_is_the_mean_of_its_nodes(grid: pd.DataFrame) -> None:
    a, b = _node(grid, 180, 30)["yield_kwh_kwp"], _node(grid, 180, 35)["yield_kwh_kwp"]
    # tolerance: relative 1e-12, linear along the edge
    assert float(pv_specific_yield(180.0, 32.5)) == pytest.approx((a + b) / 2, rel=1e-12)
    c = _node(grid, 195, 30)["yield_kwh_kwp"]
    assert float(pv_specific_yield(187.5, 30.0)) == pytest.approx((a + c) / 2, rel=1e-12)


def test_inputs_are_not_mutated() -> None:
    az = np.array([370.0, -10.0, 180.0])
    tilt = np.array([10.0, 20.0, 30.0])
    pv_specific_yield(az, tilt)
    # tolerance: exact
    np.testing.assert_array_equal(az, [370.0, -10.0, 180.0])
    np.testing.assert_array_equal(tilt, [10.0, 20.0, 30.0])


# ------------------------------------------------------------------- bad input


def test_bad_angles_raise_input_error_naming_the_rows() -> None:
    az = np.array([np.inf, 180.0, 180.0, 90.0])
    tilt = np.array([30.0, np.nan, 95.0, 30.0])
    with pytest.raises(InputError) as err:
        pv_specific_yield(az, tilt)
    e = err.value
    assert e.fields == ["azimuth_deg", "tilt_deg"]
    assert e.rows == [0, 1, 2]
    assert "90" in str(e)


def test_negative_tilt_and_unpairable_shapes_raise() -> None:
    with pytest.raises(InputError) as err:
        pv_specific_yield([180.0], [-5.0])
    assert err.value.rows == [0]
    with pytest.raises(InputError) as err:
        pv_specific_yield([180.0, 90.0, 0.0], [30.0, 40.0])
    assert err.value.fields == ["azimuth_deg, tilt_deg"]
    with pytest.raises(InputError):
        pv_specific_yield(["south"], [30.0])


def test_several_bad_rows_of_one_field_are_all_named() -> None:
    with pytest.raises(InputError) as err:
        pv_specific_yield([180.0, 180.0, 180.0], [np.nan, 30.0, np.nan])
    assert err.value.rows == [0, 2]


def test_pvwatts_rejects_incomplete_weather(weather: pd.DataFrame) -> None:
    bad = weather.iloc[:96].drop(columns=["dni"])
    bad.attrs = dict(weather.attrs)
    with pytest.raises(InputError) as err:
        pvwatts_specific_yield(bad, 180.0, 35.0)
    assert "dni" in err.value.fields[0]

    naive = weather.iloc[:96].copy()
    naive.index = naive.index.tz_localize(None)
    with pytest.raises(InputError) as err:
        pvwatts_specific_yield(naive, 180.0, 35.0)
    assert "index" in err.value.fields

    holed = weather.iloc[:96].copy()
    holed.iloc[40, holed.columns.get_loc("ghi")] = np.nan
    with pytest.raises(InputError) as err:
        pvwatts_specific_yield(holed, 180.0, 35.0)
    assert err.value.fields == ["ghi"] and err.value.rows == [40]

    with pytest.raises(InputError) as err:
        pvwatts_specific_yield(weather.iloc[:96], 180.0, 100.0)
    assert err.value.fields == ["tilt_deg"]

    nowhere = weather.iloc[:96].copy()
    nowhere.attrs = {}
    with pytest.raises(InputError) as err:
        pvwatts_specific_yield(nowhere, 180.0, 35.0)
    assert err.value.fields == ["latitude, longitude"]
