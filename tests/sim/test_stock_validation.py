"""Bad dwelling and variant input: one typed error naming every field and row, before computing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.errors import InputError
from sim.stock import DWELLING_COLUMNS, DwellingArrays
from sim.synthetic import synthetic_dwellings
from sim.variants import VariantArrays


@pytest.fixture
def frame() -> pd.DataFrame:
    return synthetic_dwellings(10, seed=1).to_frame()


def test_valid_frame_round_trips(frame: pd.DataFrame) -> None:
    d = DwellingArrays.from_frame(frame)
    pd.testing.assert_frame_equal(d.to_frame(), frame)
    assert d.floor_area_m2.flags.c_contiguous and d.window_area_m2.shape == (10, 5)


def test_missing_columns_are_listed_together(frame: pd.DataFrame) -> None:
    with pytest.raises(InputError) as exc:
        DwellingArrays.from_frame(frame.drop(columns=["u_roof_w_m2k", "setpoint_c"]))
    assert "u_roof_w_m2k" in str(exc.value) and "setpoint_c" in str(exc.value)


def test_every_problem_is_reported_with_its_rows(frame: pd.DataFrame) -> None:
    frame.loc[2, "u_wall_w_m2k"] = np.nan
    frame.loc[5, "floor_area_m2"] = -3.0
    frame.loc[7, "g_window"] = 1.7
    frame.loc[1, "heating_system"] = 42
    with pytest.raises(InputError) as exc:
        DwellingArrays.from_frame(frame)
    err = exc.value
    assert set(err.fields) == {"u_wall_w_m2k", "floor_area_m2", "g_window", "heating_system"}
    assert err.rows == [1, 2, 5, 7]
    assert "er is niets berekend" in str(err)


def test_wrong_length_and_dtype_are_reported() -> None:
    data = {c: np.ones(3) for c in DWELLING_COLUMNS}
    data["u_roof_w_m2k"] = np.ones(4)
    data["b_wall"] = np.array(["a", "b", "c"])
    with pytest.raises(InputError) as exc:
        DwellingArrays.from_mapping(data)
    assert {"u_roof_w_m2k", "b_wall"} <= set(exc.value.fields)


def test_infinite_values_are_rejected(frame: pd.DataFrame) -> None:
    frame.loc[3, "volume_m3"] = np.inf
    with pytest.raises(InputError) as exc:
        DwellingArrays.from_frame(frame)
    assert exc.value.rows == [3]


def test_variant_typo_and_bad_codes_are_rejected() -> None:
    bad = pd.DataFrame({"name": ["a", "a"], "r_add_rof_m2kw": [1, 2], "heating_system": [5, 77]})
    with pytest.raises(InputError) as exc:
        VariantArrays.from_frame(bad)
    assert "r_add_rof_m2kw" in str(exc.value)
    bad = pd.DataFrame({"name": ["a", "a"], "r_add_roof_m2kw": [1, -2], "heating_system": [5, 77]})
    with pytest.raises(InputError) as exc:
        VariantArrays.from_frame(bad)
    assert set(exc.value.fields) == {"name", "r_add_roof_m2kw", "heating_system"}


def test_system_table_out_of_range_is_rejected() -> None:
    from sim.reference_data import load_table
    from sim.systems import load_system_tables

    t = load_table("heating_systems.csv")
    t.loc[t["code"] == 1, "eff_at_35c"] = 0.0
    t.loc[t["code"] == 5, "rated_cop"] = np.nan
    t.loc[t["code"] == 7, "carrier"] = "steam"
    with pytest.raises(InputError) as exc:
        load_system_tables(t)
    assert {"eff_at_35c", "rated_cop", "carrier"} <= set(exc.value.fields)


def test_carrier_factors_and_overrides_are_checked() -> None:
    from sim.carriers import load_carrier_tables

    car = load_carrier_tables()
    cheaper = car.with_overrides(price_eur_kwh={"electricity": 0.25})
    assert cheaper.price_eur_kwh[2] == 0.25 and car.price_eur_kwh[2] == 0.32
    with pytest.raises(InputError):
        car.with_overrides(price_eur_kwh={"electricity": -0.1})
    with pytest.raises(InputError) as exc:
        car.with_overrides(price_eur_kwh={"elektriciteit": 0.2}, co2={"natural_gas": 0.2})
    assert len(exc.value.problems) == 2
