"""The shared building blocks: limits, hand-worked values and scalar kernels vs vectorised wrappers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.solar_gains import _collecting_area, solar_heat_gains
from sim.systems import (
    _boiler_efficiency,
    _heat_pump_cop,
    _supply_temperature,
    boiler_efficiency,
    carnot_efficiency_from_rating,
    heat_pump_cop,
    supply_temperature,
)
from sim.transmission import _u_with_added_resistance, u_with_added_resistance
from sim.utilisation import _heating_need, _utilisation_factor, gain_utilisation_factor
from sim.ventilation import _ventilation_h, ventilation_heat_transfer_coefficient


@pytest.mark.parametrize(
    ("gamma", "a", "expected"),
    [
        (0.0, 2.0, 1.0),  # no gains: all (none) used
        (1.0, 2.0, 2.0 / 3.0),  # limit a/(a+1)
        (0.5, 1.0, (1 - 0.5) / (1 - 0.25)),  # hand-worked: (1-γ)/(1-γ²) = 2/3
        (2.0, 1.0, (1 - 2.0) / (1 - 4.0)),  # 1/3
        (-0.5, 3.0, -2.0),  # negative losses: 1/γ, so the need is 0
    ],
)
def test_utilisation_factor_hand_worked(gamma: float, a: float, expected: float) -> None:
    assert _utilisation_factor(gamma, a) == pytest.approx(expected, rel=1e-12)
    assert gain_utilisation_factor(gamma, a) == pytest.approx(expected, rel=1e-12)


@given(st.floats(1e-6, 50.0), st.floats(0.5, 20.0))
def test_utilisation_factor_bounds_and_wrapper(gamma: float, a: float) -> None:
    eta = _utilisation_factor(gamma, a)
    assert 0.0 < eta <= 1.0 + 1e-12
    assert eta * gamma <= 1.0 + 1e-9  # utilised gains never exceed the losses
    assert gain_utilisation_factor(gamma, a) == pytest.approx(eta, rel=1e-12)


def test_utilisation_factor_is_continuous_through_gamma_one() -> None:
    a = 2.7
    near = [_utilisation_factor(1.0 + d, a) for d in (-1e-6, -1e-9, 0.0, 1e-9, 1e-6)]
    assert max(near) - min(near) < 1e-6


@given(st.floats(0, 1e5), st.floats(0, 1e5), st.floats(0.5, 20))
def test_heating_need_is_between_zero_and_losses(q_ht: float, q_gn: float, a: float) -> None:
    need = _heating_need(q_ht, q_gn, a)
    assert 0.0 <= need <= q_ht + 1e-9


def test_added_resistance_hand_worked_and_absent_element() -> None:
    assert _u_with_added_resistance(2.0, 3.5) == pytest.approx(0.25, rel=1e-15)
    assert _u_with_added_resistance(0.0, 3.5) == 0.0
    np.testing.assert_allclose(
        u_with_added_resistance([2.0, 0.0, 1.0], [3.5, 1.0, 0.0]), [0.25, 0.0, 1.0], rtol=1e-15
    )


def test_ventilation_hand_worked() -> None:
    # 250 m³, 0.2 /h infiltration + 0.5 /h hygienic with 80 % recovery: 0.34·250·(0.2 + 0.1) = 25.5 W/K
    assert _ventilation_h(250.0, 0.2, 0.5, 0.8) == pytest.approx(25.5, rel=1e-12)
    assert float(ventilation_heat_transfer_coefficient(250.0, 0.2, 0.5, 0.8)) == pytest.approx(
        25.5, rel=1e-12
    )


def test_solar_gains_scalar_and_vector_agree() -> None:
    area = _collecting_area(10.0, 0.6, 0.9, 0.3, 0.6)
    assert area == pytest.approx(10 * 0.6 * 0.9 * 0.7 * 0.6, rel=1e-15)
    gains = solar_heat_gains([[10.0, 0.0]], [340.0, 100.0], [0.6], [0.3], [0.9], [0.6])
    assert gains[0] == pytest.approx(area * 340.0, rel=1e-15)


def test_boiler_efficiency_interpolates_and_clamps() -> None:
    assert _boiler_efficiency(0.97, 0.88, 52.5) == pytest.approx(0.925, rel=1e-12)
    assert _boiler_efficiency(0.97, 0.88, 20.0) == 0.97
    assert _boiler_efficiency(0.97, 0.88, 90.0) == 0.88
    np.testing.assert_allclose(
        boiler_efficiency(0.97, 0.88, [20, 52.5, 90]), [0.97, 0.925, 0.88], rtol=1e-12
    )


def test_heat_pump_cop_reproduces_rating_and_falls_with_lift() -> None:
    eta = float(carnot_efficiency_from_rating(4.1, 7.0, 35.0))
    assert _heat_pump_cop(eta, 35.0, 7.0, 6.0) == pytest.approx(4.1, rel=1e-12)
    cops = [_heat_pump_cop(eta, sink, 0.0, 6.0) for sink in (35.0, 45.0, 55.0, 70.0)]
    assert all(np.diff(cops) < 0)
    assert _heat_pump_cop(eta, 20.0, 25.0, 6.0) == 6.0  # no lift: capped
    np.testing.assert_allclose(
        heat_pump_cop(eta, [35.0, 55.0], [0.0, 0.0], 6.0), cops[::2], rtol=1e-12
    )


def test_heating_curve() -> None:
    # design point: full design temperature; mild weather: never below the minimum share of the lift
    assert _supply_temperature(-7.0, 20.0, 70.0, -7.0, 0.3) == pytest.approx(70.0, rel=1e-12)
    assert _supply_temperature(15.0, 20.0, 70.0, -7.0, 0.3) == pytest.approx(
        20.0 + 50.0 * 0.3, rel=1e-12
    )
    assert _supply_temperature(-15.0, 20.0, 70.0, -7.0, 0.3) == pytest.approx(70.0, rel=1e-12)
    assert float(supply_temperature(6.5, 20.0, 70.0, -7.0, 0.3)) == pytest.approx(45.0, rel=1e-12)
