"""Renovation trajectories (stappenplan): ordered steps simulated cumulatively by the core.

For N dwellings and one ordered list of measures, each dwelling follows the
measures that apply to it (:meth:`scenarios.catalogue.Catalogue.applicable`),
in that order, judged on the dwelling as it is after the earlier steps (a heat
pump becomes applicable once the walls are insulated). Every step is simulated
by :func:`sim.core.simulate` on top of the previous ones (interactions, not sums).

Vectorised without a Python loop per dwelling: one pass per measure, each
simulating, in one call, every dwelling the measure applies to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scenarios.candidates import Candidates, build_candidates, prefix_chain
from scenarios.catalogue import Catalogue
from scenarios.policy import DEFAULT_INCOME_CATEGORY, Policy
from sim._jit import jit
from sim.errors import Problems
from sim.labels import LABELS

#: The house route: insulate the envelope first, then airtightness with ventilation, then the heat
#: pump (which then needs a smaller, cheaper unit at a lower supply temperature), then PV -- the
#: "eerst isoleren" order of Flemish renovation advice. Measures that do not apply to a dwelling
#: (catalogue rules, judged after the earlier steps) are skipped: exterior wall insulation only
#: where cavity fill did not apply or did not insulate enough.
HOUSE_ORDER: tuple[str, ...] = (
    "roof_insulation",
    "cavity_wall_fill",
    "exterior_wall_insulation",
    "floor_insulation",
    "glazing_hr",
    "airtightness_ventilation_c",
    "low_temperature_emitters",
    "heat_pump_air_water",
    "pv",
)
#: The apartment route: the shared projects of the building (catalogue basis ``building_share``,
#: cost shared by floor area) with the flat's own steps. First the envelope of the whole building
#: (roof, façades, floor: a top-floor flat does not insulate the roof alone), then a top-floor or
#: ground-floor flat's own roof or floor where the building's walls were already insulated (the
#: envelope project then does not apply), its own glazing and ventilation, the collective heat
#: pump and PV on the shared roof. The house measures left out never apply to a flat once the
#: building project is done (cavity fill and single PV are for houses; the single heat pump and
#: exterior wall insulation have the same rules as the collective heat pump and the envelope).
APARTMENT_ORDER: tuple[str, ...] = (
    "apartment_envelope",
    "roof_insulation",
    "floor_insulation",
    "glazing_hr",
    "airtightness_ventilation_c",
    "low_temperature_emitters",
    "heat_pump_collective",
    "pv_shared",
)
#: Default order of the steps for a table of any dwellings: both routes merged, each in its own
#: order (the apartment measures only apply to apartments, so a house follows ``HOUSE_ORDER``; the
#: collective heat pump comes before the single one, which would otherwise take its place in a
#: flat). The service precomputes its prefixes for every dwelling.
DEFAULT_ORDER: tuple[str, ...] = (
    "apartment_envelope",
    "roof_insulation",
    "cavity_wall_fill",
    "exterior_wall_insulation",
    "floor_insulation",
    "glazing_hr",
    "airtightness_ventilation_c",
    "low_temperature_emitters",
    "heat_pump_collective",
    "heat_pump_air_water",
    "pv",
    "pv_shared",
)


def default_order(attachment: str) -> tuple[str, ...]:
    """The default route of one dwelling: ``APARTMENT_ORDER`` for an apartment, else ``HOUSE_ORDER``.

    For one dwelling the optimiser tries every combination of its route (2**M), so each
    dwelling gets only the measures of its own kind (7 or 8, not the 11 of ``DEFAULT_ORDER``).

    Examples
    --------
    >>> default_order("apartment")[0]
    'apartment_envelope'
    >>> default_order("gesloten") == HOUSE_ORDER
    True
    """
    return APARTMENT_ORDER if str(attachment) == "apartment" else HOUSE_ORDER


#: Columns of the trajectory table, one row per dwelling and step (step 0 = the current state).
TRAJECTORY_COLUMNS: tuple[str, ...] = (
    "dwelling_id",
    "step",
    "measure",
    "measures_done",
    "heating_need_kwh",
    "energy_score_kwh_m2",
    "label",
    "co2_kg",
    "energy_cost_eur",
    "investment_eur",
    "premium_eur",
    "net_cost_eur",
    "saving_eur",
    "saving_kwh",
    "co2_saving_kg",
    "simple_payback_years",
)


def stappenplan(
    dwellings: pd.DataFrame,
    order: Sequence[str],
    catalogue: Catalogue,
    policy: Policy,
    year: int = 2025,
    income_category: str | Sequence[str] = DEFAULT_INCOME_CATEGORY,
    collective: bool = False,
) -> pd.DataFrame:
    """The step-by-step renovation plan of each dwelling for one order of measures.

    Parameters
    ----------
    dwellings : DataFrame
        Twin rows (``docs/twin_schema.md``): ``dwelling_id`` and the core's input columns.
    order : sequence of str
        Measure ids of the catalogue in the order they are done.
    catalogue : Catalogue
        Measures, their effects, costs and applicability.
    policy : Policy
        Prices and CO2 factors of ``year`` and the premiums.
    year : int
        Year of the prices, CO2 factors and premiums [year].
    income_category : str or sequence of str
        Premium category (``scenarios.policy.INCOME_CATEGORIES``: ``cat1`` least to ``cat4``
        most supported), one or one per dwelling.
    collective : bool
        Use the collective (group-purchase) prices of the catalogue.

    Returns
    -------
    DataFrame
        ``TRAJECTORY_COLUMNS``, one row per dwelling and step; step 0 is the current state.
        Per step: the measure done, energy and CO2 after it, its investment, premium and net
        cost [EUR], the annual saving against the previous step [EUR, kWh final energy, kg CO2]
        and the simple payback of the step [years] (NaN when it saves nothing).
    """
    problems = Problems("stappenplan")
    unknown = [m for m in order if m not in catalogue.ids]
    if unknown:
        problems.add("order", f"onbekende maatregel(en) {unknown}; kies uit {catalogue.ids}")
    if len(set(order)) != len(order):
        problems.add("order", "een maatregel staat meer dan eens in de volgorde")
    if "dwelling_id" not in dwellings:
        problems.add("dwelling_id", "kolom ontbreekt; geef rijen uit de tweeling")
    problems.raise_if_any()
    cand = build_candidates(
        dwellings, [list(order)], catalogue, policy, year, income_category=income_category
    )
    scheme = "collective" if collective else "individual"
    return plan_table(cand, dwellings["dwelling_id"].to_numpy(), list(order), scheme)


def plan_table(
    cand: Candidates,
    dwelling_ids: NDArray[Any],
    order: Sequence[str],
    scheme: str = "individual",
) -> pd.DataFrame:
    """The stappenplan of ``order`` read from candidates that hold its prefixes
    (:func:`plan_steps`) as a table; columns as :func:`stappenplan`."""
    steps = plan_steps(cand, order, scheme)
    s = steps["step"].shape[1]
    done_lists = _done_lists(steps["measure_at"], order)
    keep = steps["done"].reshape(-1)
    table = pd.DataFrame(
        {
            "dwelling_id": np.repeat(np.asarray(dwelling_ids), s),
            "step": steps["step"].reshape(-1),
            "measure": steps["measure"].reshape(-1),
            "measures_done": done_lists.reshape(-1),
            "heating_need_kwh": steps["heating_need_kwh"].reshape(-1),
            "energy_score_kwh_m2": steps["energy_score_kwh_m2"].reshape(-1),
            "label": pd.Categorical.from_codes(
                np.maximum(steps["label"].reshape(-1), 0).astype(np.int64),
                categories=pd.Index(list(LABELS)),
            ),
            **{name: steps[name].reshape(-1) for name in TRAJECTORY_COLUMNS[7:]},
        }
    )
    return table.loc[keep].reset_index(drop=True)


def plan_steps(
    cand: Candidates, order: Sequence[str], scheme: str = "individual"
) -> dict[str, NDArray[Any]]:
    """The stappenplan of ``order`` as arrays of shape (N, M + 1), step 0 the current state.

    ``cand`` must contain every prefix of ``order`` (it may hold more, e.g. other orders); the
    plan follows that chain of candidates, leaving out the measures that do not apply: step
    ``s`` of a dwelling is its ``s``-th measure that applies, ``done[i, s]`` says whether the
    dwelling has that step. Besides ``done``, ``step``, ``measure`` (the id, ``""`` at step 0),
    ``measure_at`` (its position in ``order``, -1 at step 0 and where not done) and ``label``
    (index, -1 where not done), the fields of :data:`TRAJECTORY_COLUMNS` from
    ``heating_need_kwh`` on, in their units (NaN where not done).
    """
    chain = np.asarray([0, *prefix_chain(cand, order)], dtype=np.int64)
    n, m = cand.n, len(order)
    shape = (n, m + 1)
    # where a dwelling has no such step: NaN, -1, and no money
    fill = {"done": False, "measure_at": -1, "label": -1}
    fill.update(dict.fromkeys(("investment_eur", "premium_eur", "net_cost_eur"), 0))
    dtypes = {"done": np.bool_, "measure_at": np.int64, "label": np.int8}
    out = _Steps._make(
        np.full(shape, fill.get(f, np.nan), dtype=dtypes.get(f, np.float64)) for f in _Steps._fields
    )
    # what the household burns, pays and emits: the expected actual use (sim.expected_use);
    # the score and the label are the EPC method's
    _steps_kernel(
        chain,
        np.ascontiguousarray(cand.applied),
        _StepSource(
            cand.heating_need_kwh,
            cand.energy_score_kwh_m2,
            cand.expected_co2_kg,
            cand.expected_cost_eur,
            cand.label,
            np.ascontiguousarray(cand.expected_final_kwh.sum(axis=2)),
            cand.investment_eur[scheme],
            cand.premium_eur[scheme],
        ),
        out,
    )
    measure_at = out.measure_at
    has = measure_at >= 0
    names = np.asarray(["", *order], dtype=object)
    measure_names = np.where(has, names[np.where(has, measure_at + 1, 0)], "")
    measure_names[:, 0] = ""
    return {
        "done": out.done,
        "step": np.broadcast_to(np.arange(m + 1), shape),
        "measure": measure_names,
        "measure_at": measure_at,
        "heating_need_kwh": out.heating_need_kwh,
        "energy_score_kwh_m2": out.energy_score_kwh_m2,
        "label": out.label,
        "co2_kg": out.co2_kg,
        "energy_cost_eur": out.energy_cost_eur,
        "investment_eur": out.investment_eur,
        "premium_eur": out.premium_eur,
        "net_cost_eur": out.net_cost_eur,
        "saving_eur": out.saving_eur,
        "saving_kwh": out.saving_kwh,
        "co2_saving_kg": out.co2_saving_kg,
        "simple_payback_years": out.simple_payback_years,
    }


class _StepSource(NamedTuple):
    """What the stappenplan reads of the candidates, shape (N, K)."""

    heating_need_kwh: NDArray[np.float64]
    energy_score_kwh_m2: NDArray[np.float64]
    co2_kg: NDArray[np.float64]
    energy_cost_eur: NDArray[np.float64]
    label: NDArray[np.int8]
    final_kwh: NDArray[np.float64]
    investment_eur: NDArray[np.float64]
    premium_eur: NDArray[np.float64]


class _Steps(NamedTuple):
    """The stappenplan's arrays, shape (N, M + 1) (:func:`plan_steps`); ``final_kwh`` the
    expected final energy of every carrier together."""

    done: NDArray[np.bool_]
    measure_at: NDArray[np.int64]
    heating_need_kwh: NDArray[np.float64]
    energy_score_kwh_m2: NDArray[np.float64]
    co2_kg: NDArray[np.float64]
    energy_cost_eur: NDArray[np.float64]
    label: NDArray[np.int8]
    final_kwh: NDArray[np.float64]
    investment_eur: NDArray[np.float64]
    premium_eur: NDArray[np.float64]
    net_cost_eur: NDArray[np.float64]
    saving_eur: NDArray[np.float64]
    saving_kwh: NDArray[np.float64]
    co2_saving_kg: NDArray[np.float64]
    simple_payback_years: NDArray[np.float64]


@jit
def _steps_kernel(chain: NDArray[np.int64], applied: NDArray[np.bool_], x: Any, out: Any) -> None:
    """Dwelling by dwelling, the candidates of the chain (the current state, then each prefix
    of the order) whose last measure applies, as steps 0, 1, ...: their figures (``x``,
    :class:`_StepSource`) and what each step adds to the one before (``out``, :class:`_Steps`,
    filled in beforehand with NaN, -1 and 0 where a dwelling has no such step). Costs are
    cumulative along the tree, so a step's invoice is the difference from the step before."""
    for i in range(applied.shape[0]):
        s = 0
        prev = 0
        for j in range(chain.shape[0]):
            t = chain[j]
            if j > 0 and not applied[i, t]:
                continue
            out.done[i, s] = True
            out.measure_at[i, s] = j - 1
            out.heating_need_kwh[i, s] = x.heating_need_kwh[i, t]
            out.energy_score_kwh_m2[i, s] = x.energy_score_kwh_m2[i, t]
            out.co2_kg[i, s] = x.co2_kg[i, t]
            out.energy_cost_eur[i, s] = x.energy_cost_eur[i, t]
            out.label[i, s] = x.label[i, t]
            out.final_kwh[i, s] = x.final_kwh[i, t]
            if s == 0:
                out.saving_eur[i, s] = 0.0
                out.saving_kwh[i, s] = 0.0
                out.co2_saving_kg[i, s] = 0.0
            else:
                invoice = x.investment_eur[i, t] - x.investment_eur[i, prev]
                premium = x.premium_eur[i, t] - x.premium_eur[i, prev]
                out.investment_eur[i, s] = invoice
                out.premium_eur[i, s] = premium
                out.net_cost_eur[i, s] = invoice - premium
                saving = out.energy_cost_eur[i, s - 1] - out.energy_cost_eur[i, s]
                out.saving_eur[i, s] = saving
                out.saving_kwh[i, s] = out.final_kwh[i, s - 1] - out.final_kwh[i, s]
                out.co2_saving_kg[i, s] = out.co2_kg[i, s - 1] - out.co2_kg[i, s]
                if saving > 0:
                    out.simple_payback_years[i, s] = (invoice - premium) / saving
            prev = t
            s += 1


def _done_lists(measure_at: NDArray[np.int64], order: Sequence[str]) -> NDArray[np.object_]:
    """``"roof_insulation+glazing_hr"``: the measures done up to each step (``""`` at step 0)."""
    n, s = measure_at.shape
    out = np.full((n, s), "", dtype=object)
    names = np.asarray(order, dtype=object)
    acc = np.full(n, "", dtype=object)
    for k in range(1, s):  # a loop over steps (≤ number of measures), not over dwellings
        has = measure_at[:, k] >= 0
        add = names[np.where(has, measure_at[:, k], 0)]
        acc = np.where(has, np.where(acc == "", add, acc + "+" + add), acc)
        out[:, k] = acc
    return out


__all__ = [
    "APARTMENT_ORDER",
    "DEFAULT_ORDER",
    "HOUSE_ORDER",
    "TRAJECTORY_COLUMNS",
    "default_order",
    "plan_steps",
    "plan_table",
    "stappenplan",
]
