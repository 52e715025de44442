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

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from sim.carriers import CARRIERS, ELECTRICITY
from sim.core import simulate
from sim.epc import ENVELOPE_U, EpcConventions, apply_unknown_defaults, calibrate_to_scores
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
    sources: dict[str, NDArray[np.object_]]
    columns: dict[str, NDArray[np.generic]]


def _household_electricity_kwh() -> float:
    t = load_table("expected_use.csv").set_index("key")["value"]
    return float(t["household_electricity_kwh"])


def calibrate_dwellings(
    inputs: pd.DataFrame,
    facts: pd.DataFrame,
    sources: dict[str, NDArray[np.object_]],
    construction_year: ArrayLike,
    apartment: ArrayLike,
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
    apartment : ndarray of bool
        Whether the dwelling is an apartment (the defaults are calibrated per class).

    Returns
    -------
    Calibrated
        ``inputs`` with EPC-method U-values and ``use_factor``; ``sources`` with
        ``epc_default`` for the EPC method's default of an unknown element and ``epc`` for
        U-values calibrated to a registered EPC; ``columns``: ``calibration_status``, ``epc_calibration_factor``,
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
    unknown = conv.unknown_elements(known, construction_year)
    out = apply_unknown_defaults(
        inputs, {c: unknown[:, k] for k, c in enumerate(ENVELOPE_U)}, apartment, conv
    )
    out["use_factor"] = 1.0
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
    new_sources = {k: np.asarray(v, dtype=object).copy() for k, v in sources.items()}
    moved = np.isin(cal.status, ["calibrated", "target_below_range", "target_above_range"])
    for k, c in enumerate(ENVELOPE_U):
        src = new_sources.get(c, np.full(n, "archetype", dtype=object))
        src[unknown[:, k]] = "epc_default"
        src[moved & ~known[:, k]] = "epc"
        new_sources[c] = src

    # --- measured use: the household's factor on the expected use of its current state
    res = simulate(arrays)
    expected = res.expected_final_kwh[:, 0, :]
    gas = pd.to_numeric(facts["gas_kwh"], errors="coerce").to_numpy(dtype=float)
    elec = pd.to_numeric(facts["electricity_kwh"], errors="coerce").to_numpy(dtype=float)
    heat_el = expected[:, ELECTRICITY]
    factor = np.ones(n)
    use_source = np.full(n, "none", dtype=object)
    with np.errstate(divide="ignore", invalid="ignore"):
        by_gas = np.isfinite(gas) & (expected[:, GAS] > 0.0)
        f_gas = gas / expected[:, GAS]
        # electricity: only where the heat is electric (the gas meter tells the story otherwise),
        # and after the household's other electricity (appliances, lighting, cooking)
        electric_heat = (expected[:, GAS] <= 0.0) & (expected.sum(axis=1) - heat_el <= 0.0)
        by_el = ~by_gas & np.isfinite(elec) & electric_heat & (heat_el > 0.0)
        f_el = (elec - _household_electricity_kwh()) / heat_el
    raw = np.where(by_gas, f_gas, np.where(by_el, f_el, 1.0))
    clipped = np.clip(raw, xp.use_factor_min, xp.use_factor_max)
    factor = np.where(by_gas | by_el, clipped, 1.0)
    was_clipped = (by_gas | by_el) & (clipped != raw)
    use_source[by_gas] = "measured_gas"
    use_source[by_el] = "measured_electricity"
    use_source[by_gas & was_clipped] = "measured_gas_clipped"
    use_source[by_el & was_clipped] = "measured_electricity_clipped"
    out["use_factor"] = factor
    model_score = res.energy_score_kwh_m2[:, 0]
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
