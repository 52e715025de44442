"""Heat emitters and design heat load (sim/emitters.py): hand-worked values, invariants, references."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.emitters import (
    _design_heat_load,
    _emitter_capacity,
    _emitter_supply_temperature,
    _heat_pump_alone_suits,
    _log_mean_excess_temperature,
    air_water_heat_pump_suitable,
    default_emitter_tables,
    design_heat_load,
    emitter_capacity,
    emitter_supply_temperature,
    load_emitter_tables,
    regime_code_for_design_supply,
)
from sim.errors import InputError
from sim.reference_data import load_table
from tests.sim.reference import (
    design_heat_load_reference,
    emitter_supply_temperature_reference,
)

TABLES = default_emitter_tables()
REGIMES = list(TABLES.names)


def _regime(name: str) -> tuple[float, float, float, float]:
    c = TABLES.code(name)
    return (
        float(TABLES.t_supply_c[c]),
        float(TABLES.t_return_c[c]),
        float(TABLES.t_room_c[c]),
        float(TABLES.exponent[c]),
    )


def test_hand_worked_radiator_75_65_at_half_load() -> None:
    # Radiators sized at 75/65/20 for 10 kW (no oversizing), asked for 5 kW at the same 10 K spread:
    #   dT_n = (75 - 65) / ln(55 / 45) = 10 / 0.20067 = 49.83 K                    (EN 442-2 log mean)
    #   dT   = 49.83 * (5 / 10)^(1/1.3) = 49.83 * 0.5867 = 29.24 K                 (characteristic)
    #   supply - room = x with 10 / ln(x / (x - 10)) = 29.24  ->  x = 10 / (1 - e^(-10/29.24))
    #                 = 10 / (1 - 0.7103) = 34.52 K  ->  supply 54.5 °C, return 44.5 °C.
    # (The arithmetic mean would say 20 + 29.24 + 5 = 54.2 °C.)
    t = emitter_supply_temperature(5000.0, 10000.0, "radiator_75_65", 1.0, 10.0)
    assert float(t[0]) == pytest.approx(54.52, abs=0.01)  # tolerance: rounding of the hand value
    # and back: at 54.52 °C the radiators give 5 kW
    assert float(emitter_capacity(t, 10000.0, "radiator_75_65", 1.0, 10.0)[0]) == pytest.approx(
        5000.0, rel=1e-9
    )


@pytest.mark.parametrize("name", REGIMES)
def test_design_load_at_design_spread_returns_the_design_supply_temperature(name: str) -> None:
    t_s0, t_r0, t_i0, _ = _regime(name)
    t = emitter_supply_temperature(8000.0, 8000.0, name, 1.0, t_s0 - t_r0, t_i0)
    assert float(t[0]) == pytest.approx(t_s0, abs=1e-9)
    q = emitter_capacity(t_s0, 8000.0, name, 1.0, t_s0 - t_r0, t_i0)
    assert float(q[0]) == pytest.approx(8000.0, rel=1e-12)


@settings(deadline=None)
@given(
    st.sampled_from(REGIMES),
    st.floats(100.0, 30000.0),
    st.floats(0.05, 1.5),
    st.floats(0.05, 1.5),
    st.floats(1.0, 1.6),
    st.floats(0.0, 20.0),
)
def test_lower_load_never_needs_a_higher_supply_temperature(
    name: str, design: float, a: float, b: float, oversize: float, spread: float
) -> None:
    lo, hi = sorted((a, b))
    t = emitter_supply_temperature([lo * design, hi * design], design, name, oversize, spread)
    assert t[0] <= t[1] + 1e-9


@settings(deadline=None)
@given(
    st.sampled_from(REGIMES),
    st.floats(500.0, 30000.0),
    st.floats(0.05, 1.5),
    st.floats(1.0, 1.6),
    st.floats(0.5, 20.0),
    st.floats(15.0, 22.0),
)
def test_capacity_is_the_inverse_and_matches_the_bisection_reference(
    name: str, design: float, share: float, oversize: float, spread: float, room: float
) -> None:
    load = share * design
    t = float(emitter_supply_temperature(load, design, name, oversize, spread, room)[0])
    ref = emitter_supply_temperature_reference(load, design, _regime(name), oversize, spread, room)
    assert t == pytest.approx(ref, abs=1e-6)  # tolerance: bisection to ~1e-12 K, closed form
    q = float(emitter_capacity(t, design, name, oversize, spread, room)[0])
    # The round trip goes through the return excess (supply - spread - room); where that is
    # far below 1 K (tiny load, wide spread: the return is at room temperature) it is a
    # difference of nearly equal numbers and carries no digits. Checked where it is >= 1 K.
    if t - spread - room >= 1.0:
        assert q == pytest.approx(load, rel=1e-9)


def test_oversizing_and_spread_move_the_supply_temperature_the_right_way() -> None:
    base = float(emitter_supply_temperature(6000.0, 10000.0, "radiator_90_70", 1.0, 5.0)[0])
    bigger = float(emitter_supply_temperature(6000.0, 10000.0, "radiator_90_70", 1.4, 5.0)[0])
    wider = float(emitter_supply_temperature(6000.0, 10000.0, "radiator_90_70", 1.0, 10.0)[0])
    assert bigger < base < wider


def test_limits_no_load_and_no_spread() -> None:
    assert _emitter_supply_temperature(0.0, 1e4, 75.0, 65.0, 20.0, 1.3, 1.0, 5.0, 20.0) == 20.0
    assert np.isnan(_emitter_supply_temperature(1e3, 0.0, 75.0, 65.0, 20.0, 1.3, 1.0, 5.0, 20.0))
    # zero spread: the supply is the room plus the needed mean excess, continuous with tiny spreads
    t0 = _emitter_supply_temperature(5e3, 1e4, 75.0, 65.0, 20.0, 1.3, 1.0, 0.0, 20.0)
    t1 = _emitter_supply_temperature(5e3, 1e4, 75.0, 65.0, 20.0, 1.3, 1.0, 1e-6, 20.0)
    assert t1 == pytest.approx(t0, abs=1e-5)
    # no capacity when the return would not be above the room
    assert _emitter_capacity(24.0, 1e4, 75.0, 65.0, 20.0, 1.3, 1.0, 5.0, 20.0) == 0.0
    assert _log_mean_excess_temperature(60.0, 60.0, 20.0) == pytest.approx(40.0, rel=1e-12)


def test_design_heat_load_hand_worked_and_reference() -> None:
    # 180 W/K transmission + 45 W/K ventilation, 20 °C inside, -7 °C outside: 225 x 27 = 6075 W
    assert _design_heat_load(180.0, 45.0, 20.0, -7.0) == pytest.approx(6075.0, rel=1e-15)
    assert float(design_heat_load(180.0, 45.0)[0]) == pytest.approx(6075.0, rel=1e-15)
    rng = np.random.default_rng(4)
    h_tr, h_ve = rng.uniform(20, 800, 50), rng.uniform(5, 300, 50)
    ref = [design_heat_load_reference(a, b, 21.0, -10.0) for a, b in zip(h_tr, h_ve, strict=True)]
    np.testing.assert_allclose(design_heat_load(h_tr, h_ve, 21.0, -10.0), ref, rtol=1e-14)


def test_design_heat_load_defaults_come_from_the_table() -> None:
    d = load_table("simulation_defaults.csv").set_index("key")["value"]
    assert float(d["theta_int_design_c"]) == 20.0
    assert float(d["theta_e_design_c"]) == -7.0


def test_heat_pump_check_uninsulated_then_insulated() -> None:
    # Radiators sized at 90/70/20 for 12 kW (20 % oversized), heat pump at a 5 K spread:
    # the original load needs ~74 °C (> 55 °C: not sensible), half the load ~53 °C (sensible).
    t = emitter_supply_temperature([12000.0, 6000.0], 12000.0, "radiator_90_70")
    assert t[0] == pytest.approx(74.2, abs=0.1)  # tolerance: one decimal of the hand check
    assert t[1] == pytest.approx(52.9, abs=0.1)
    np.testing.assert_array_equal(
        air_water_heat_pump_suitable([12000.0, 6000.0], 12000.0, "radiator_90_70"), [False, True]
    )
    # the limit is respected exactly at the boundary and can be set
    assert _heat_pump_alone_suits(55.0, 55.0) and not _heat_pump_alone_suits(55.01, 55.0)
    assert not air_water_heat_pump_suitable(6000.0, 12000.0, "radiator_90_70", max_supply_c=50.0)[0]


def test_floor_heating_stays_heat_pump_ready() -> None:
    # floor heating designed at 35/30 never needs more than its design temperature for less load
    t = emitter_supply_temperature([4000.0, 2000.0], 4000.0, "floor_35_30", 1.0)
    assert np.all(t <= 35.0 + 1e-9)
    assert air_water_heat_pump_suitable(4000.0, 4000.0, "floor_35_30").all()


def test_regime_codes_and_names_agree() -> None:
    codes = regime_code_for_design_supply(TABLES.t_supply_c)
    np.testing.assert_array_equal(codes, np.arange(len(REGIMES)))
    a = emitter_supply_temperature(3000.0, 9000.0, "radiator_55_45")
    b = emitter_supply_temperature(3000.0, 9000.0, TABLES.code("radiator_55_45"))
    np.testing.assert_array_equal(a, b)


def test_bad_inputs_are_reported_together() -> None:
    with pytest.raises(InputError) as exc:
        emitter_supply_temperature([-1.0, 10.0], [0.0, 5.0], "radiator_12_10", spread_k=-2.0)
    assert set(exc.value.fields) == {"heat_load_w", "design_load_w", "spread_k", "regime"}
    with pytest.raises(InputError) as exc:
        emitter_supply_temperature([1.0, 2.0, 3.0], [1.0, 2.0], "radiator_75_65")
    assert exc.value.fields == ["inputs"]
    with pytest.raises(InputError) as exc:
        design_heat_load(-5.0, 10.0, 10.0, 12.0)
    assert set(exc.value.fields) == {"h_tr_w_k", "theta_int_design_c"}


def test_bad_table_is_rejected() -> None:
    t = load_table("emitters.csv")
    t.loc[t["name"] == "radiator_55_45", "t_return_c"] = 15.0  # return below the room
    t.loc[t["name"] == "oversizing_factor", "value"] = 3.0  # outside its own range
    with pytest.raises(InputError) as exc:
        load_emitter_tables(t)
    assert set(exc.value.fields) == {"t_supply_c, t_return_c, t_room_c", "oversizing_factor"}


def test_every_table_row_has_a_source() -> None:
    t = load_table("emitters.csv")
    assert t["source"].str.len().min() > 20


def test_kernels_run_without_jit() -> None:
    """The scalar kernels are valid Python: NUMBA_DISABLE_JIT=1 gives the same numbers."""
    code = (
        "import json\n"
        "from sim.emitters import emitter_supply_temperature, emitter_capacity, design_heat_load\n"
        "t = emitter_supply_temperature([2e3, 5e3, 9e3], 9e3, 'radiator_90_70')\n"
        "q = emitter_capacity([40.0, 60.0], 9e3, 'radiator_70_55')\n"
        "print(json.dumps([t.tolist(), q.tolist(), design_heat_load(100.0, 30.0).tolist()]))\n"
    )
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    t, q, h = json.loads(out.stdout)
    np.testing.assert_allclose(
        t, emitter_supply_temperature([2e3, 5e3, 9e3], 9e3, "radiator_90_70"), rtol=1e-12
    )
    np.testing.assert_allclose(q, emitter_capacity([40.0, 60.0], 9e3, "radiator_70_55"), rtol=1e-12)
    np.testing.assert_allclose(h, design_heat_load(100.0, 30.0), rtol=1e-12)
