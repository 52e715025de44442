"""The monthly core (:func:`sim.core.simulate`) against independent published figures.

(a) TABULA/EPISCOPE ``q_h_nd`` of the Belgian archetypes (``sim/data/archetypes_be.csv``
    carries TABULA's value of each archetype). TABULA is a seasonal balance with its own
    climate (``HeatingDays``, ``Theta_e``, heating-season irradiation), 20 °C and a
    temperature-reduction factor ``F_red_temp``; the core is monthly with the Uccle 2019
    climate and the EPB set-point of 18 °C. So the core is first run *at TABULA's
    conditions*, as far as its inputs allow, which must reproduce TABULA, and then at its
    own conditions, where only the ordering of the archetypes can be compared.
(b) Hourly EN ISO 52016-1 results of four archetypes (pybuildingenergy, Uccle 2019, constant
    20 °C set-point), against the core at the same climate and set-point.

Inputs come from the production path, :func:`sim.archetypes.dwelling_inputs`; only the
conditions named in each test are changed.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim.archetypes import archetype_table, dwelling_inputs
from sim.climate import MonthlyClimate, uccle_monthly_climate
from sim.core import simulate
from sim.iso52016 import MethodParameters
from sim.stock import DwellingArrays
from sim.tabula import A_H0_SEASONAL, TAU_H0_SEASONAL_H
from tests.shared_data import TABULA_BE, require

ARCHETYPES = archetype_table()
#: Floor area of the test dwellings [m²]; the need per m² does not depend on it.
FLOOR_AREA_M2 = 100.0
#: Months that stand for TABULA's heating season (210 days = 7 × 720 h) and the rest of the
#: year (5 × 744 h, together 8760 h).
SEASON_MONTHS, SEASON_HOURS, OFF_SEASON_HOURS = 7, 720.0, 744.0
#: Outdoor temperature of the off-season months [°C]: above every set-point, so they add no
#: need (the core writes 0 for a month with negative losses).
OFF_SEASON_THETA_E_C = 30.0


def _year_in_period(row: pd.Series) -> int:
    """A construction year inside the archetype's period."""
    if row["year_to"] == 9999:
        return int(row["year_from"])
    return int(max(row["year_from"], 1850) + row["year_to"]) // 2


def _archetype_dwellings(rows: pd.DataFrame) -> pd.DataFrame:
    """Dwelling inputs of the archetypes in ``rows`` (production path), 100 m² each."""
    frame = dwelling_inputs(
        list(rows["building_type"]),
        [_year_in_period(r) for _, r in rows.iterrows()],
        np.full(len(rows), FLOOR_AREA_M2),
    )
    assert list(frame["archetype_id"]) == list(rows["archetype_id"])
    return frame


def _need_kwh_m2(
    frame: pd.DataFrame, climate: MonthlyClimate, method: MethodParameters | None = None
) -> np.ndarray:
    """Annual heating need of the core per m² floor [kWh/(m²·a)]."""
    dwellings = DwellingArrays.from_frame(frame.drop(columns=["archetype_id"]))
    result = simulate(dwellings, None, climate, method=method)
    return result.heating_need_kwh[:, 0] / frame["floor_area_m2"].to_numpy()


def _tabula_rows() -> pd.DataFrame:
    """The published Belgian TABULA row of each archetype (the first one of a merged archetype)."""
    be = pd.read_csv(require(TABULA_BE))
    codes = pd.DataFrame(
        {"Code_BuildingType": [a.split("+")[0] for a in ARCHETYPES["archetype_id"]]}
    )
    rows = codes.merge(be, on="Code_BuildingType", how="left", validate="many_to_one")
    assert rows["q_h_nd"].notna().all()
    return rows


def _tabula_climate(row: pd.Series) -> MonthlyClimate:
    """TABULA's heating season as a monthly climate: 7 equal months holding the season's
    degree-days and irradiation, 5 months without need. With equal months the monthly
    balance equals the seasonal one exactly."""
    theta_e = np.r_[
        np.full(SEASON_MONTHS, row["Theta_e"]), np.full(12 - SEASON_MONTHS, OFF_SEASON_THETA_E_C)
    ]
    hours = np.r_[
        np.full(SEASON_MONTHS, SEASON_HOURS), np.full(12 - SEASON_MONTHS, OFF_SEASON_HOURS)
    ]
    assert 24.0 * row["HeatingDays"] == SEASON_MONTHS * SEASON_HOURS
    season = np.array(
        [row[c] for c in ("I_Sol_Hor", "I_Sol_North", "I_Sol_East", "I_Sol_South", "I_Sol_West")]
    )
    irradiation = np.zeros((12, 5))
    irradiation[:SEASON_MONTHS] = season / SEASON_MONTHS
    return MonthlyClimate.from_arrays(theta_e, hours, irradiation, name="TABULA BE season")


def _at_tabula_conditions(rows: pd.DataFrame, tabula: pd.DataFrame) -> np.ndarray:
    """The core's need per m² of each archetype at the conditions of its TABULA row.

    * climate: TABULA's season (:func:`_tabula_climate`);
    * set-point: the effective internal temperature of TABULA,
      theta_e + F_red_temp (theta_i - theta_e), so that H (theta_sp - theta_e) equals
      TABULA's F_red H (theta_i - theta_e) (published ``F_red_temp``);
    * no heat recovery (natural ventilation): TABULA's ``q_h_nd`` leaves ventilation heat
      recovery to the system part of the method, so BE.06's balanced ventilation is off;
    * method: TABULA's window factor F_w, the seasonal utilisation parameters
      a_H,0 = 0.8, tau_H,0 = 30 h (EN ISO 13790 §12.2.1.1), no sky radiation (TABULA
      has none).
    """
    frame = _archetype_dwellings(rows)
    frame["ventilation_system"] = 0
    frame["heat_recovery_eff"] = 0.0
    out = np.empty(len(rows))
    for i in range(len(rows)):
        t = tabula.iloc[i]
        one = frame.iloc[[i]].copy()
        one["setpoint_c"] = t["Theta_e"] + t["F_red_temp"] * (t["theta_i"] - t["Theta_e"])
        method = replace(
            MethodParameters.default(),
            f_w=float(t["F_w"]),
            a_h0=A_H0_SEASONAL,
            tau_h0_h=TAU_H0_SEASONAL_H,
            delta_theta_er_k=0.0,
        )
        out[i] = _need_kwh_m2(one, _tabula_climate(t), method)[0]
    return out


# --------------------------------------------------------------------------------------
# (a) TABULA
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def at_tabula_conditions() -> np.ndarray:
    return _at_tabula_conditions(ARCHETYPES, _tabula_rows())


def test_tabula_conditions_are_those_of_the_belgian_rows() -> None:
    tabula = _tabula_rows()
    # Tolerance: exact -- one climate and one window factor for the whole Belgian typology.
    for c in ("Theta_e", "HeatingDays", "theta_i", "F_w", "F_sh_vert", "phi_int", "c_m"):
        assert tabula[c].nunique() == 1, c
    # The archetypes carry TABULA's shading, gains and capacity (merged archetypes: as means).
    frame = _archetype_dwellings(ARCHETYPES)
    for core, tab in (
        ("shading_factor", "F_sh_vert"),
        ("internal_gains_w_m2", "phi_int"),
        ("heat_capacity_wh_m2k", "c_m"),
    ):
        # Tolerance: 1e-12 relative (a mean of equal values may round in the last bit).
        np.testing.assert_allclose(
            frame[core].to_numpy(), tabula[tab].to_numpy(), rtol=1e-12, err_msg=core
        )
    assert (frame["window_area_h_m2"].to_numpy() == 0).all()  # no roof windows: no F_sh_hor


def test_core_at_tabula_conditions_reproduces_single_row_archetypes(
    at_tabula_conditions: np.ndarray,
) -> None:
    """23 archetypes are one TABULA row each: the core's monthly balance with equal months
    is TABULA's seasonal balance, so the published q_h_nd must come out to rounding."""
    single = (ARCHETYPES["n_tabula_rows"] == 1).to_numpy()
    assert single.sum() == 23
    # Tolerance: 1e-9 relative -- the same balance in a different order of operations.
    np.testing.assert_allclose(
        at_tabula_conditions[single],
        ARCHETYPES["tabula_q_h_nd_kwh_m2"].to_numpy()[single],
        rtol=1e-9,
    )


def test_core_at_tabula_conditions_on_merged_archetypes(at_tabula_conditions: np.ndarray) -> None:
    """The six apartment archetypes merge two TABULA rows (MFH Gen + Small) into one set of
    per-m² parameters, and carry the merged TABULA q_h_nd; the need is not linear in the
    parameters (F_red, eta), so the merge changes it a little: found within 1.3 %."""
    merged = (ARCHETYPES["n_tabula_rows"] == 2).to_numpy()
    assert merged.sum() == 6
    # Tolerance: 2 % relative -- the non-linearity of the merge, not of the method (the
    # single-row archetypes agree to 1e-9).
    np.testing.assert_allclose(
        at_tabula_conditions[merged],
        ARCHETYPES["tabula_q_h_nd_kwh_m2"].to_numpy()[merged],
        rtol=0.02,
    )


def test_core_at_its_own_conditions_ranks_archetypes_like_tabula() -> None:
    """At Uccle 2019 and the EPB set-point of 18 °C the level differs from TABULA (other
    climate, no F_red, monthly utilisation, sky radiation, heat recovery from BE.06), so
    only the ordering is compared: Spearman rank correlation over the 29 archetypes."""
    core = _need_kwh_m2(_archetype_dwellings(ARCHETYPES), uccle_monthly_climate())
    tabula = ARCHETYPES["tabula_q_h_nd_kwh_m2"].to_numpy()
    rho = pd.Series(core).rank().corr(pd.Series(tabula).rank())
    # Tolerance: rho >= 0.95 -- the same envelopes must rank (nearly) alike; found 0.99.
    assert rho >= 0.95
    # And the level stays within a factor that the different conditions can explain:
    # Uccle 2019 (mean 11 °C) at 18 °C against TABULA's 2898 K·d at 20 °C x F_red 0.85-0.96.
    ratio = core / tabula
    assert ((ratio > 0.6) & (ratio < 1.4)).all()


# --------------------------------------------------------------------------------------
# (b) Hourly EN ISO 52016-1 (pybuildingenergy)
# --------------------------------------------------------------------------------------

#: Heating need of the hourly EN ISO 52016-1 method (pybuildingenergy), Uccle 2019 weather,
#: constant 20 °C set-point [kWh/(m²·a) of reference area], for TABULA BE archetypes
#: (figures given in issue 9 of this project).
HOURLY_ISO52016_KWH_M2: dict[str, float] = {
    "BE.N.SFH.02.Gen": 394.8,
    "BE.N.TH.01.Semi": 353.2,
    "BE.N.TH.03.Gen": 199.3,
    "BE.N.AB.03.Gen": 209.8,
}
#: Accepted deviation of the monthly core from the hourly method, relative.
#: The monthly method is a quasi-steady-state balance whose gain-utilisation parameters
#: (a_H,0 = 1, tau_H,0 = 15 h) were fitted to hourly simulations (EN ISO 13790:2008 Annex I,
#: taken over by EN ISO 52016-1), so it agrees with an hourly method only within the spread
#: of that fit: monthly-versus-hourly comparisons for heating-dominated dwellings report
#: per-building deviations of about -8 % ... +7 % (as summarised in issue 9). The hourly
#: runs' own inputs (surface and sky-radiation treatment, ventilation, hourly solar
#: processing) are not all ours either. Hence 10 %: wide enough for the method spread,
#: tight enough to catch a wrong unit, a lost element or a doubled gain (each > 10 %).
HOURLY_TOLERANCE = 0.10
#: Accepted mean (signed) deviation over the four buildings: the fitted parameters should
#: leave no large bias, whatever the scatter of single buildings.
HOURLY_BIAS_TOLERANCE = 0.05


@pytest.fixture(scope="module")
def core_at_20c() -> pd.Series:
    rows = ARCHETYPES[ARCHETYPES["archetype_id"].isin(list(HOURLY_ISO52016_KWH_M2))]
    assert len(rows) == len(HOURLY_ISO52016_KWH_M2)
    frame = _archetype_dwellings(rows)
    frame["setpoint_c"] = 20.0
    need = _need_kwh_m2(frame, uccle_monthly_climate())
    return pd.Series(need, index=list(rows["archetype_id"]))


@pytest.mark.parametrize("archetype", list(HOURLY_ISO52016_KWH_M2))
def test_core_against_hourly_iso52016(archetype: str, core_at_20c: pd.Series) -> None:
    # Tolerance: HOURLY_TOLERANCE relative (see its comment); found -7.8 % ... +6.5 %.
    assert core_at_20c[archetype] == pytest.approx(
        HOURLY_ISO52016_KWH_M2[archetype], rel=HOURLY_TOLERANCE
    )


def test_core_against_hourly_iso52016_has_no_large_bias(core_at_20c: pd.Series) -> None:
    hourly = pd.Series(HOURLY_ISO52016_KWH_M2)
    bias = float((core_at_20c[hourly.index] / hourly - 1.0).mean())
    # Tolerance: HOURLY_BIAS_TOLERANCE absolute on the mean relative deviation; found +1.3 %.
    assert abs(bias) <= HOURLY_BIAS_TOLERANCE


def test_validation_can_fail() -> None:
    """The comparison is sensitive: without the walls' losses the core leaves the band."""
    rows = ARCHETYPES[ARCHETYPES["archetype_id"] == "BE.N.TH.03.Gen"]
    frame = _archetype_dwellings(rows)
    frame["setpoint_c"] = 20.0
    frame["u_wall_w_m2k"] = 0.0
    need = _need_kwh_m2(frame, uccle_monthly_climate())[0]
    assert need < (1 - HOURLY_TOLERANCE) * HOURLY_ISO52016_KWH_M2["BE.N.TH.03.Gen"]
