"""The prebound relation, the CO2 accounting of PV and the EPC calibration (sim.expected_use, sim.epc)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.archetypes import dwelling_inputs
from sim.carriers import ELECTRICITY
from sim.core import simulate
from sim.epc import ENVELOPE_U, EpcConventions, calibrate_to_scores, target_scores
from sim.expected_use import ExpectedUseParameters, expected_use_ratio
from sim.stock import DWELLING_COLUMNS, DwellingArrays
from sim.synthetic import synthetic_dwellings

P = ExpectedUseParameters(100.0, 0.39, 0.8, 1.1, 0.25, 3.0)


def test_ratio_by_hand() -> None:
    # 0.8 × (400/100)^-0.39 = 0.8 × 0.5823 = 0.4658 (hand: ln 4 = 1.3863, × 0.39 = 0.5407, e^-0.5407)
    got = expected_use_ratio([50.0, 100.0, 400.0], P)
    np.testing.assert_allclose(got, [0.8, 0.8, 0.8 * np.exp(-0.39 * np.log(4.0))], rtol=1e-12)


def test_ratio_never_rises_with_the_calculated_use_and_respects_the_cap() -> None:
    q = np.linspace(0.0, 1500.0, 301)
    r = expected_use_ratio(q, dataclasses.replace(P, level=1.5))
    assert np.all(np.diff(r) <= 1e-15)
    assert r.max() == pytest.approx(1.1, abs=1e-12)


def test_negative_calculated_use_is_refused() -> None:
    with pytest.raises(Exception, match="calculated_need_kwh_m2"):
        expected_use_ratio([-1.0], P)


def test_core_expected_use_is_the_ratio_times_the_epc_use() -> None:
    d = synthetic_dwellings(40, seed=5)
    res = simulate(d, expected_use=P)
    q = (res.heating_need_kwh[:, 0] + d.dhw_need_kwh) / d.floor_area_m2
    want = res.final_kwh[:, 0, :] * (expected_use_ratio(q, P) * d.use_factor)[:, None]
    np.testing.assert_allclose(res.expected_final_kwh[:, 0, :], want, rtol=1e-12, atol=1e-9)


def test_a_new_generator_keeps_the_ratio_and_insulation_moves_it() -> None:
    # the prebound effect is behaviour on the heat need: a heat pump divides the final energy
    # by its COP but must not move the dwelling to another ratio (it would understate the
    # heat pump's savings); roof and wall insulation lowers the need and so raises the ratio
    import pandas as pd

    from sim.variants import VariantArrays

    d = synthetic_dwellings(60, seed=11)
    v = VariantArrays.from_frame(
        pd.DataFrame(
            {
                "name": ["current", "hp", "insulate"],
                "heating_system": [-1, 5, -1],
                "emitter_temp_c": [np.nan, 45.0, np.nan],
                "r_add_roof_m2kw": [0.0, 0.0, 6.0],
                "r_add_wall_m2kw": [0.0, 0.0, 3.0],
            }
        )
    )
    res = simulate(d, v, expected_use=P)
    ratio = res.expected_final_kwh.sum(axis=2) / res.final_kwh.sum(axis=2)
    np.testing.assert_allclose(ratio[:, 1], ratio[:, 0], rtol=1e-12)
    old = (res.heating_need_kwh[:, 0] + d.dhw_need_kwh) / d.floor_area_m2 > P.q_ref_kwh_m2 * 1.5
    assert old.sum() > 10
    assert np.all(ratio[old, 2] > ratio[old, 0])


def test_co2_never_below_zero_and_exported_pv_is_its_own_figure() -> None:
    d = synthetic_dwellings(200, seed=7)
    d = dataclasses.replace(d, pv_kwp=np.full(d.n, 30.0))  # far more PV than any dwelling uses
    res = simulate(d)
    assert (res.co2_kg >= -1e-9).all()
    assert (res.expected_co2_kg >= -1e-9).all()
    assert (res.pv_export_co2_kg > 0).all()
    # the score still credits all PV (EPC method): many dwellings below 0 (A+)
    assert (res.energy_score_kwh_m2 < 0).mean() > 0.5
    # CO2 of a dwelling with PV = its fuels + the electricity it still buys
    el = res.expected_final_kwh[:, 0, ELECTRICITY]
    assert np.all(res.expected_co2_kg[:, 0] <= res.expected_co2_kg[:, 0] + el)


def _old_houses(n: int) -> DwellingArrays:
    frame = dwelling_inputs(["gesloten"] * n, [1930] * n, np.linspace(90.0, 200.0, n))
    return DwellingArrays.from_frame(frame[list(DWELLING_COLUMNS)])


def test_calibration_meets_the_registered_score_within_the_ranges() -> None:
    d = _old_houses(6)
    conv = EpcConventions.default()
    base = simulate(d).energy_score_kwh_m2[:, 0]
    target = base * np.array([0.5, 0.8, 1.0, 1.2, 0.01, 5.0])
    unknown = np.ones((d.n, 4), dtype=bool)
    out, cal = calibrate_to_scores(d, target, unknown, conv)
    reached = simulate(out).energy_score_kwh_m2[:, 0]
    ok = cal.status == "calibrated"
    assert ok[:4].all()
    np.testing.assert_allclose(reached[ok], target[ok], atol=conv.score_tolerance_kwh_m2)
    assert cal.status[4] == "target_below_range" and cal.status[5] == "target_above_range"
    for k, c in enumerate(ENVELOPE_U):
        u = getattr(out, c)
        assert (u >= min(conv.u_min[k], getattr(d, c).min()) - 1e-12).all()
        assert (u <= max(conv.u_max[k], getattr(d, c).max()) + 1e-12).all()


def test_known_elements_are_not_moved_and_no_epc_changes_nothing() -> None:
    d = _old_houses(3)
    unknown = np.zeros((3, 4), dtype=bool)
    unknown[0, 1] = True  # only the wall of the first is unknown
    target = np.array([simulate(d).energy_score_kwh_m2[0, 0] * 0.9, 300.0, np.nan])
    out, cal = calibrate_to_scores(d, target, unknown)
    assert list(cal.status) == ["calibrated", "nothing_to_calibrate", "no_epc"]
    np.testing.assert_array_equal(out.u_roof_w_m2k, d.u_roof_w_m2k)
    np.testing.assert_array_equal(out.u_wall_w_m2k[1:], d.u_wall_w_m2k[1:])
    assert out.u_wall_w_m2k[0] < d.u_wall_w_m2k[0]


def test_target_scores_stay_inside_the_registered_label() -> None:
    t = target_scores([400.0, 100.0, -5.0, np.nan, np.nan], [None, None, None, "F", "C"], 1.0)
    np.testing.assert_allclose(t, [399.0, 99.0, -5.0, 550.0, 250.0])
