"""From archetype to the dwelling's EPC-method state, calibrated to what is known of it.

Three steps, in this order, on the core's inputs of every dwelling of the twin:

1. **EPC defaults.** Envelope elements whose state is not known (provenance
   ``archetype``) get the EPC method's pessimistic default
   (:func:`sim.epc.apply_unknown_defaults`); known facts stay as they are.
2. **Registered EPC.** A registered score (or label) is a fact: the unknown
   envelope U-values are scaled within their physical ranges until the core's
   EPC score meets it (:func:`sim.epc.calibrate_to_scores`); the provenance of
   those U-values becomes ``epc``. ``calibration_status`` says per dwelling
   whether the score was reached.
3. **Measured use.** A measured gas use (gas-heated dwellings) or electricity
   use (electrically heated dwellings, after the household's other
   electricity) sets the household's ``use_factor``: measured over the
   expected use the prebound relation gives (:mod:`sim.expected_use`), within
   the range of ``sim/data/expected_use.csv``. Scenarios, trajectories and the
   service then start from that household's real use.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from sim.carriers import CARRIERS, ELECTRICITY, load_carrier_tables
from sim.core import SimulationResult, simulate
from sim.epc import ENVELOPE_U, EpcConventions, calibrate_to_scores, epc_defaults_by_type
from sim.epc import target_scores as epc_target_scores
from sim.expected_use import ExpectedUseParameters
from sim.labels import LABELS, epc_label_index
from sim.reference_data import load_table
from sim.stock import DWELLING_COLUMNS, DwellingArrays

GAS = CARRIERS.index("natural_gas")

#: ``use_factor_source`` values.
USE_SOURCES: tuple[str, ...] = (
    "none",
    "measured_gas",
    "measured_electricity",
    "measured_gas_clipped",
    "measured_electricity_clipped",
)


@dataclass(frozen=True)
class Calibrated:
    """The calibrated inputs and the columns the twin stores beside them."""

    inputs: pd.DataFrame
    sources: dict[str, Any]  # provenance labels per column: arrays or categoricals
    columns: dict[str, NDArray[np.generic]]


@cache
def _household_electricity_kwh() -> float:
    t = load_table("expected_use.csv").set_index("key")["value"]
    return float(t["household_electricity_kwh"])


def household_use_factor(
    arrays: DwellingArrays,
    measured_kwh: NDArray[np.float64],
    params: ExpectedUseParameters | None = None,
) -> tuple[
    SimulationResult,
    tuple[NDArray[np.float64], NDArray[np.object_], NDArray[np.float64], NDArray[np.int64]],
]:
    """The households' ``use_factor`` from their measured use (:func:`measured_use_factor`) on
    the expected use of the current state simulated with a factor of 1: for the twin's
    metered dwellings and for a resident's meter reading in the service.

    Returns the core's result of the current state (``use_factor`` 1) and what
    :func:`measured_use_factor` returns.
    """
    plain = replace(arrays, use_factor=np.ones(arrays.n))
    res = simulate(plain)
    return res, measured_use_factor(res.expected_final_kwh[:, 0, :], measured_kwh, params)


def measured_use_factor(
    expected_final_kwh: NDArray[np.float64],
    measured_kwh: NDArray[np.float64],
    params: ExpectedUseParameters | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.object_], NDArray[np.float64], NDArray[np.int64]]:
    """The household's ``use_factor`` from a measured annual use: the one rule, for the twin
    and the service.

    A measured fuel (gas, oil, pellets, district heat; the first in ``CARRIERS`` order that the
    dwelling heats with) gives measured / expected. Electricity calibrates only where the heat
    is electric (otherwise the fuel meter tells the story), after the household's other
    electricity (appliances, lighting, cooking; ``expected_use.csv``). The factor is clipped
    to the range of ``expected_use.csv``; 1 where nothing applies.

    Parameters
    ----------
    expected_final_kwh : ndarray, shape (N, C)
        Expected actual final energy of the current state with ``use_factor`` 1.
    measured_kwh : ndarray, shape (N, C)
        Measured annual use per carrier, NaN where not measured.
    params : ExpectedUseParameters, optional
        Default the shipped ones.

    Returns
    -------
    factor, source, raw, carrier : ndarray (N,)
        The factor, its source (``USE_SOURCES``; ``measured_<carrier>`` for other fuels), the
        unclipped measured / expected (NaN where nothing applies) and the index in ``CARRIERS``
        of the measured carrier used (-1 where none).
    """
    xp = ExpectedUseParameters.default() if params is None else params
    n = expected_final_kwh.shape[0]
    raw = np.full(n, np.nan)
    source = np.full(n, "none", dtype=object)
    used = np.full(n, -1, dtype=np.int64)
    names = {GAS: "gas", ELECTRICITY: "electricity"}
    with np.errstate(divide="ignore", invalid="ignore"):
        for c in range(len(CARRIERS)):
            if c == ELECTRICITY:
                continue
            use = np.isnan(raw) & np.isfinite(measured_kwh[:, c]) & (expected_final_kwh[:, c] > 0.0)
            raw[use] = measured_kwh[use, c] / expected_final_kwh[use, c]
            used[use] = c
            source[use] = f"measured_{names.get(c, CARRIERS[c])}"
        heat_el = expected_final_kwh[:, ELECTRICITY]
        others = expected_final_kwh.sum(axis=1) - heat_el
        use = np.isnan(raw) & np.isfinite(measured_kwh[:, ELECTRICITY]) & (others <= 0.0)
        use &= heat_el > 0.0
        household = _household_electricity_kwh()
        raw[use] = (measured_kwh[use, ELECTRICITY] - household) / heat_el[use]
        used[use] = ELECTRICITY
        source[use] = "measured_electricity"
    applied = source != "none"
    bounded = np.clip(np.nan_to_num(raw, nan=1.0), xp.use_factor_min, xp.use_factor_max)
    factor = np.where(applied, bounded, 1.0)
    clipped = applied & (factor != raw)
    source[clipped] = source[clipped] + "_clipped"
    return factor, source, raw, used


def certificate_factor(
    target_score: NDArray[np.float64],
    primary_kwh: NDArray[np.float64],
    pv_kwh: NDArray[np.float64],
    floor_area_m2: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The registered EPC's primary energy use over the model's (``epc_primary_factor``).

    With ``f`` this factor, the core's score is ``(f * E_gross - pef_el * PV) / A``, with
    ``E_gross`` the primary energy of what the dwelling uses and ``PV`` its PV output: ``f``
    makes the current score the registered target. 1 where there is no target; kept within
    the field's range (0, 10].
    """
    pef_el = float(load_carrier_tables().primary_energy_factor[ELECTRICITY])
    credit = pef_el * pv_kwh
    gross = primary_kwh + credit
    with np.errstate(divide="ignore", invalid="ignore"):
        f = (target_score * floor_area_m2 + credit) / gross
    ok = np.isfinite(target_score) & np.isfinite(f) & (gross > 0.0)
    return np.where(ok, np.clip(f, 0.01, 10.0), 1.0)


def calibrate_dwellings(
    inputs: pd.DataFrame,
    facts: pd.DataFrame,
    sources: dict[str, NDArray[np.object_]],
    construction_year: ArrayLike,
    archetype_type: ArrayLike,
) -> Calibrated:
    """EPC defaults, registered EPCs and measured use, for every dwelling.

    Parameters
    ----------
    inputs : DataFrame
        The core's inputs (:data:`sim.stock.DWELLING_COLUMNS`) after the known facts.
    facts : DataFrame
        The facts aligned with ``inputs`` (``epc_score_kwh_m2``, ``epc_label``, ``gas_kwh``,
        ``electricity_kwh``; NA where unknown).
    sources : dict
        Provenance per input column (``facts`` or ``archetype``); updated copies are returned.
    construction_year : ndarray
        Construction year of each dwelling [year] (the EPC defaults apply before EPB, 2006).
    archetype_type : ndarray of str
        The dwelling's archetype building type (:data:`sim.archetypes.BUILDING_TYPES`): the
        defaults are calibrated per class (house or apartment) and capped at the type's bare
        element (:func:`sim.archetypes.bare_element_u`).

    Returns
    -------
    Calibrated
        ``inputs`` with EPC-method U-values and ``use_factor``; ``sources`` with
        ``epc_default`` for the EPC method's default of an unknown element and ``epc`` for
        U-values calibrated to a registered EPC (the envelope's as ``pd.Categorical``);
        ``columns``: ``calibration_status``, ``epc_calibration_factor``,
        ``epc_score_model_kwh_m2`` (the core's score after calibration, current state),
        ``epc_score_estimate_kwh_m2`` (the core's score before the registered EPC),
        ``epc_label_registered`` (the registered label, or the label of the registered score;
        None when there is no EPC), ``use_factor_source``, ``hp_supply_temp_c`` (the
        supply temperature the dwelling's emitters need on the design day, current state).
    """
    conv = EpcConventions.default()
    xp = ExpectedUseParameters.default()
    n = len(inputs)
    known = np.stack(
        [np.asarray(sources.get(c, np.full(n, "archetype"))) != "archetype" for c in ENVELOPE_U],
        axis=1,
    )
    unknown = conv.unknown_elements(known, construction_year)  # for the provenance below
    out = epc_defaults_by_type(inputs, known, construction_year, archetype_type, conv)
    out["use_factor"] = 1.0
    out["epc_primary_factor"] = 1.0
    arrays = DwellingArrays.from_frame(out[list(DWELLING_COLUMNS)], what="twin dwellings")

    # what the model says without the certificate (for the validation's confusion matrix)
    estimate = simulate(arrays).energy_score_kwh_m2[:, 0]
    score = pd.to_numeric(facts["epc_score_kwh_m2"], errors="coerce").to_numpy(dtype=float)
    labels = facts["epc_label"].astype(object)
    given = np.asarray(labels.where(labels.notna(), None), dtype=object)
    registered = np.where(
        np.isfinite(score),
        np.asarray(LABELS, dtype=object)[epc_label_index(np.nan_to_num(score))],
        given,
    )
    target = epc_target_scores(
        score, facts["epc_label"].to_numpy(dtype=object), conv.score_tolerance_kwh_m2
    )
    # a registered EPC may move every element that is not a known fact, EPB era or not
    arrays, cal = calibrate_to_scores(arrays, target, ~known, conv)
    for c in (*ENVELOPE_U, "g_window"):
        out[c] = getattr(arrays, c)
    # the caller's arrays are not changed: the envelope's provenance is new, as categoricals
    # (10⁶ short strings cost more to make than the calibration's arithmetic)
    new_sources: dict[str, Any] = dict(sources)
    moved = np.isin(cal.status, ["calibrated", "target_below_range", "target_above_range"])
    kinds = ["archetype", "epc", "epc_default", "facts"]  # sorted, as pd.Categorical sorts them
    for k, c in enumerate(ENVELOPE_U):
        code = np.where(known[:, k], kinds.index("facts"), kinds.index("archetype"))
        code[unknown[:, k]] = kinds.index("epc_default")
        code[moved & ~known[:, k]] = kinds.index("epc")
        new_sources[c] = pd.Categorical.from_codes(
            code.astype(np.int64), categories=pd.Index(kinds)
        ).remove_unused_categories()

    # --- measured use: the household's factor on the expected use of its current state
    measured = np.full((n, len(CARRIERS)), np.nan)
    measured[:, GAS] = pd.to_numeric(facts["gas_kwh"], errors="coerce").to_numpy(dtype=float)
    measured[:, ELECTRICITY] = pd.to_numeric(facts["electricity_kwh"], errors="coerce").to_numpy(
        dtype=float
    )
    res, (factor, use_source, _raw, _used) = household_use_factor(arrays, measured, xp)
    out["use_factor"] = factor
    model_score = res.energy_score_kwh_m2[:, 0]
    # the certificate is the current state: where the calibration could not reach it within the
    # physical ranges (or stopped within its tolerance), the remaining difference scales the
    # primary energy the dwelling uses (its PV credit stays as it is) in every variant, so the
    # current label is the registered one and the difference shrinks with what a measure saves
    # (sim.stock: epc_primary_factor)
    out["epc_primary_factor"] = certificate_factor(
        target, res.primary_kwh[:, 0], res.pv_kwh[:, 0], arrays.floor_area_m2
    )
    return Calibrated(
        inputs=out,
        sources=new_sources,
        columns={
            "calibration_status": cal.status,
            "epc_calibration_factor": np.where(np.isfinite(target), cal.factor, np.nan),
            "epc_score_model_kwh_m2": model_score,
            "epc_score_estimate_kwh_m2": estimate,
            "epc_label_registered": registered,
            "use_factor_source": use_source,
            "hp_supply_temp_c": res.hp_supply_temp_c[:, 0],
        },
    )


__all__ = ["USE_SOURCES", "Calibrated", "calibrate_dwellings"]
