"""Synthetic but physically plausible dwelling arrays, for benchmarks and property tests.

Values are drawn uniformly within ranges typical of the Flemish stock (the
TABULA Belgian typology spans them); they are not a model of any real
neighbourhood -- the digital twin (:mod:`buildings`) is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.stock import DWELLING_COLUMNS, SPACE_HEATING_CODES, DwellingArrays
from sim.variants import VariantArrays


def synthetic_dwellings(n: int, seed: int = 0) -> DwellingArrays:
    """Draw ``n`` dwellings with a fixed ``seed`` (same seed, same dwellings).

    Parameters
    ----------
    n : int
        Number of dwellings.
    seed : int
        Seed of the random generator.

    Returns
    -------
    DwellingArrays
        Validated arrays.
    """
    rng = np.random.default_rng(seed)
    floor = rng.uniform(50.0, 250.0, n)
    storeys = rng.integers(1, 4, n).astype(np.float64)
    footprint = floor / storeys
    perimeter = 4.0 * np.sqrt(footprint)
    attached = rng.integers(0, 3, n)  # 0 open, 1 halfopen, 2 gesloten
    depth = np.sqrt(footprint)
    party = attached * depth * 2.8 * storeys
    gross_wall = perimeter * 2.8 * storeys - party
    window = gross_wall * rng.uniform(0.12, 0.30, n)
    share = rng.dirichlet(np.ones(4), n)
    data = {
        "floor_area_m2": floor,
        "volume_m3": floor * 2.6,
        "roof_area_m2": footprint * rng.uniform(1.0, 1.4, n),
        "wall_area_m2": gross_wall - window,
        "ground_floor_area_m2": footprint,
        "door_area_m2": rng.uniform(2.0, 4.0, n),
        "party_wall_area_m2": party,
        "window_area_h_m2": np.where(rng.random(n) < 0.2, rng.uniform(0.5, 3.0, n), 0.0),
        "window_area_n_m2": window * share[:, 0],
        "window_area_e_m2": window * share[:, 1],
        "window_area_s_m2": window * share[:, 2],
        "window_area_w_m2": window * share[:, 3],
        "u_roof_w_m2k": rng.uniform(0.15, 3.5, n),
        "u_wall_w_m2k": rng.uniform(0.2, 2.2, n),
        "u_floor_w_m2k": rng.uniform(0.2, 2.0, n),
        "u_window_w_m2k": rng.uniform(0.8, 5.0, n),
        "u_door_w_m2k": rng.uniform(1.0, 4.0, n),
        "b_roof": rng.choice([1.0, 0.8], n),
        "b_wall": np.ones(n),
        "b_floor": rng.choice([0.5, 0.7], n),
        "b_party_wall": np.zeros(n),
        "delta_u_tb_w_m2k": rng.choice([0.05, 0.1], n),
        "g_window": rng.uniform(0.5, 0.85, n),
        "frame_fraction": np.full(n, 0.3),
        "shading_factor": rng.uniform(0.5, 0.9, n),
        "infiltration_ach": rng.uniform(0.1, 0.6, n),
        "ventilation_ach": np.full(n, 0.4),
        "ventilation_system": rng.choice([0, 2, 3], n, p=[0.7, 0.2, 0.1]),
        "heat_recovery_eff": np.zeros(n),
        "heat_capacity_wh_m2k": np.full(n, 45.0),
        "internal_gains_w_m2": rng.uniform(2.0, 4.0, n),
        "setpoint_c": np.full(n, 18.0),
        "heating_system": rng.choice(SPACE_HEATING_CODES, n),
        "emitter_temp_c": rng.choice([35.0, 45.0, 55.0, 70.0], n),
        "dhw_system": rng.choice(SPACE_HEATING_CODES, n),
        "dhw_need_kwh": floor * rng.uniform(10.0, 15.0, n),
        "solar_dhw_fraction": np.zeros(n),
        "pv_kwp": np.where(rng.random(n) < 0.3, rng.uniform(2.0, 8.0, n), 0.0),
        "pv_yield_kwh_kwp": rng.uniform(600.0, 950.0, n),
        "emitter_design_load_w": np.zeros(n),
        "use_factor": np.ones(n),
        "epc_primary_factor": np.ones(n),
    }
    # drawn last so the other inputs of a seed stay as they were
    data["use_factor"] = rng.uniform(0.5, 1.5, n)
    data["epc_primary_factor"] = np.where(rng.random(n) < 0.2, rng.uniform(0.6, 1.6, n), 1.0)
    data["heat_recovery_eff"] = np.where(data["ventilation_system"] == 3, 0.8, 0.0)
    hp = np.isin(data["heating_system"], [5, 6])
    data["emitter_temp_c"] = np.where(
        hp, np.minimum(data["emitter_temp_c"], 55.0), data["emitter_temp_c"]
    )
    if tuple(data) != DWELLING_COLUMNS:  # the schema and this generator must stay in step
        raise RuntimeError("synthetic_dwellings is out of step with sim.stock.DWELLING_FIELDS")
    return DwellingArrays.from_mapping(data, what="synthetic dwellings")


def synthetic_variants(p: int, seed: int = 0) -> VariantArrays:
    """``p`` variants: the current state (``current``) first, then random combinations of
    measures drawn from levels typical of Flemish renovation (insulation, glazing,
    airtightness and ventilation, heat pumps or boilers with new emitters, solar water
    heating, PV), so that every branch of the core is exercised. Not the catalogue's
    packages (:meth:`scenarios.catalogue.Catalogue.package_variants`): benchmark input only.
    """
    rng = np.random.default_rng(seed)
    extra = max(p - 1, 0)
    vent = rng.choice([-1, 2, 3], extra)
    frame = pd.DataFrame(
        {
            "name": ["current", *(f"random_{k}" for k in range(extra))],
            "r_add_roof_m2kw": [0.0, *rng.choice([0.0, 2.0, 4.5, 6.0], extra)],
            "r_add_wall_m2kw": [0.0, *rng.choice([0.0, 1.0, 2.0, 3.0], extra)],
            "r_add_floor_m2kw": [0.0, *rng.choice([0.0, 1.5, 2.0], extra)],
            "u_window_w_m2k": [np.nan, *rng.choice([np.nan, 1.5, 0.9], extra)],
            "g_window": [np.nan, *rng.choice([np.nan, 0.55, 0.5], extra)],
            "u_door_w_m2k": [np.nan, *rng.choice([np.nan, 2.0], extra)],
            "delta_u_tb_w_m2k": [np.nan, *rng.choice([np.nan, 0.05], extra)],
            "infiltration_ach": [np.nan, *rng.choice([np.nan, 0.15, 0.10], extra)],
            "ventilation_system": [-1, *vent],
            "heat_recovery_eff": [np.nan, *np.where(vent == 3, 0.8, np.nan)],
            "heating_system": [-1, *rng.choice([-1, 1, 5, 6, 9], extra)],
            "emitter_temp_c": [np.nan, *rng.choice([np.nan, 45.0, 35.0], extra)],
            "dhw_system": [-1, *rng.choice([-1, 5], extra)],
            "solar_dhw_fraction": [np.nan, *rng.choice([np.nan, 0.5], extra)],
            "pv_kwp_add": [0.0, *rng.choice([0.0, 3.0, 5.0], extra)],
        }
    )
    return VariantArrays.from_frame(frame.iloc[: max(p, 1)], what="synthetic variants")
