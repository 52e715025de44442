"""The household plan: one dwelling's stappenplan and the optimiser over every combination.

This module owns the answer to the climate-table question "what do we do, in which order, at
what cost" for one dwelling. The command line (``wijk trajectory``, its tables and ``--json``),
the HTTP API (``POST /api/v1/dwellings/{id}/trajectory``), the web page and the resident report
all get their plan from :func:`household_plan`, so they show the same numbers.

The plan is read from one set of candidates: every combination of the measures of the order
(:func:`scenarios.candidates.all_subsets`, 2**M for M measures), each simulated by the core on
top of the measures before it in the order. The prefixes of the order are combinations too, so
the same candidates give

- the stappenplan: the chain of prefixes, the measures that do not apply left out
  (:func:`scenarios.trajectory.plan_table`);
- the optimiser: the cheapest combination reaching the target label, and with a budget the
  combination with the lowest expected CO2 within it (:func:`scenarios.candidates.
  cheapest_to_target`, :func:`~scenarios.candidates.best_within_budget`).

Without an order the dwelling's own route is used (:func:`scenarios.trajectory.default_order`:
the house or the apartment route).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from scenarios.candidates import (
    Candidates,
    all_subsets,
    best_within_budget,
    build_candidates,
    cheapest_to_target,
)
from scenarios.catalogue import Catalogue
from scenarios.policy import DEFAULT_INCOME_CATEGORY, INCOME_CATEGORIES, Policy
from scenarios.trajectory import default_order, plan_table
from sim.errors import Problems
from sim.labels import LABELS
from sim.stock import DWELLING_FIELDS

#: Core inputs a facilitator may correct, with the resident's words for them: the one list of
#: correctable inputs (the API's request model and the report's query take their keys from it).
OVERRIDABLE: dict[str, str] = {
    "construction_year": "bouwjaar",
    "floor_area_m2": "bewoonbare oppervlakte",
    "u_roof_w_m2k": "U-waarde dak",
    "u_wall_w_m2k": "U-waarde gevel",
    "u_floor_w_m2k": "U-waarde vloer",
    "u_window_w_m2k": "U-waarde ramen",
    "infiltration_ach": "luchtdichtheid (infiltratie)",
    "ventilation_system": "ventilatiesysteem",
    "heating_system": "verwarmingstoestel",
    "emitter_temp_c": "aanvoertemperatuur",
    "dhw_system": "warmwatertoestel",
    "setpoint_c": "binnentemperatuur",
    "pv_kwp": "zonnepanelen",
}
_SPEC = {f.name: f for f in DWELLING_FIELDS}

#: Numeric fields of a step of the plan, in the order of the answer (units as
#: :data:`scenarios.trajectory.TRAJECTORY_COLUMNS`).
STEP_FIELDS: tuple[str, ...] = (
    "investment_eur",
    "premium_eur",
    "net_cost_eur",
    "saving_eur",
    "saving_kwh",
    "co2_kg",
    "co2_saving_kg",
    "energy_cost_eur",
    "heating_need_kwh",
    "energy_score_kwh_m2",
    "simple_payback_years",
)


def question_problems(
    catalogue: Catalogue,
    order: Sequence[str] | None,
    target_label: str,
    income_category: str,
    budget_eur: float | None = None,
) -> Problems:
    """The mistakes of a plan question, each with its field and a Dutch message (not raised)."""
    problems = Problems("trajectvraag")
    if target_label not in LABELS:
        problems.add("target_label", f"onbekend EPC-label; kies uit {', '.join(LABELS)}")
    if income_category not in INCOME_CATEGORIES:
        problems.add(
            "income_category",
            f"onbekende premiecategorie; kies uit {', '.join(INCOME_CATEGORIES)}",
        )
    steps = list(order or [])
    unknown = [m for m in steps if m not in catalogue.ids]
    if unknown:
        problems.add("order", f"onbekende maatregel(en) {unknown}")
    if len(set(steps)) != len(steps):
        problems.add("order", "een maatregel staat meer dan eens in de volgorde")
    if budget_eur is not None and not (math.isfinite(budget_eur) and budget_eur >= 0):
        problems.add("budget_eur", "moet een bedrag van 0 € of meer zijn")
    return problems


def apply_overrides(row: pd.DataFrame, overrides: dict[str, float]) -> pd.DataFrame:
    """The dwelling with a resident's corrections, each checked against its physical range."""
    problems = Problems("aanpassingen")
    out = row.copy()
    for key, value in overrides.items():
        if key not in OVERRIDABLE:
            problems.add(key, f"kan niet aangepast worden; kies uit {sorted(OVERRIDABLE)}")
            continue
        if key == "construction_year":
            if not 1500 <= value <= 2100:
                problems.add(key, "moet tussen 1500 en 2100 liggen")
            out[key] = int(value)
            continue
        spec = _SPEC[key]
        lo = -math.inf if spec.lo is None else spec.lo
        hi = math.inf if spec.hi is None else spec.hi
        if (
            not (lo < value if spec.lo_open else lo <= value)
            or value > hi
            or not math.isfinite(value)
        ):
            problems.add(key, f"moet tussen {spec.lo} en {spec.hi} {spec.unit} liggen")
            continue
        out[key] = int(value) if spec.kind == "i" else float(value)
    problems.raise_if_any()
    return out


def household_candidates(
    row: pd.DataFrame,
    order: Sequence[str],
    catalogue: Catalogue,
    policy: Policy,
    year: int = 2025,
    income_category: str = DEFAULT_INCOME_CATEGORY,
) -> Candidates:
    """Every combination of the measures of ``order`` for the dwellings of ``row``."""
    return build_candidates(
        row, all_subsets(order), catalogue, policy, year, income_category=income_category
    )


def household_plan(
    row: pd.DataFrame,
    catalogue: Catalogue,
    policy: Policy,
    year: int = 2025,
    order: Sequence[str] | None = None,
    income_category: str = DEFAULT_INCOME_CATEGORY,
    target_label: str = "A",
    budget_eur: float | None = None,
) -> dict[str, Any]:
    """The plan of the one dwelling in ``row``: stappenplan, cheapest way to the target label
    and, with a budget, the lowest expected CO2 within it.

    Parameters
    ----------
    row : DataFrame
        One twin row (``docs/twin_schema.md``), with any corrections already applied.
    catalogue, policy : Catalogue, Policy
        Measures; prices, CO2 factors and premiums of ``year``.
    year : int
        Year of prices, CO2 factors and premiums.
    order : sequence of str, optional
        Measures in the order they are done; default the dwelling's route
        (:func:`scenarios.trajectory.default_order`).
    income_category : str
        Premium category of Mijn VerbouwPremie (``cat1`` ... ``cat4``).
    target_label : str
        EPC label the cheapest combination must reach (``A+`` ... ``F``).
    budget_eur : float, optional
        Net budget (after premiums) [EUR] for the lowest-CO2 choice.

    Returns
    -------
    dict
        ``dwelling_id``, ``year``, ``income_category``, ``target_label``, ``long_term_goal``,
        ``steps`` (step 0 the current state; per step the fields of :data:`STEP_FIELDS`, the
        measure, its Dutch name and the label; money in EUR, energy in kWh/a, CO2 in kg/a, the
        bill and CO2 the household's expected use, the score and label the EPC method's),
        ``not_applicable`` (measures of the order skipped for this dwelling) and ``options``
        (``cheapest_to_target`` and, with a budget, ``best_within_budget``: the measures done,
        net cost, label, CO2 and energy cost; None when no combination reaches the target).
        NaN is None (JSON null).

    Raises
    ------
    InputError
        Unknown label, premium category or measures, a measure twice, a negative budget;
        all at once, in Dutch.
    """
    problems = question_problems(catalogue, order, target_label, income_category, budget_eur)
    if len(row) != 1:
        problems.add("row", f"één woning nodig, kreeg er {len(row)}")
    problems.raise_if_any()
    r = row.iloc[0]
    steps_order = tuple(order) if order else default_order(str(r["attachment"]))
    cand = household_candidates(row, steps_order, catalogue, policy, year, income_category)
    names_nl = {m.id: m.label_nl for m in catalogue.measures}
    table = plan_table(cand, np.asarray([r["dwelling_id"]], dtype=object), steps_order)
    steps = [_step(rec, names_nl) for rec in table.to_dict("records")]
    done = {s["measure"] for s in steps}
    choices = {
        "cheapest_to_target": int(cheapest_to_target(cand, LABELS.index(target_label))[0]),
    }
    if budget_eur is not None:
        choices["best_within_budget"] = int(best_within_budget(cand, budget_eur)[0])
    return {
        "dwelling_id": str(r["dwelling_id"]),
        "year": int(year),
        "income_category": income_category,
        "target_label": target_label,
        "long_term_goal": {
            "year": policy.long_term_goal.year,
            "label": policy.long_term_goal.label,
        },
        "steps": steps,
        "not_applicable": [m for m in steps_order if m not in done],
        "options": {name: _option(cand, t) for name, t in choices.items()},
    }


def _number(value: Any) -> float | None:
    """A plain float; NaN is None (JSON null)."""
    x = float(value)
    return None if math.isnan(x) else x


def _step(rec: dict[Any, Any], names_nl: dict[str, str]) -> dict[str, Any]:
    measure = str(rec["measure"])
    return {
        "step": int(rec["step"]),
        "measure": measure or None,
        "measure_nl": names_nl.get(measure, "huidige toestand"),
        **{k: _number(rec[k]) for k in STEP_FIELDS},
        "label": str(rec["label"]),
    }


def _option(cand: Candidates, t: int) -> dict[str, Any] | None:
    """Candidate ``t`` of the one dwelling as an answer; None for ``t < 0`` (not reachable)."""
    if t < 0:
        return None
    done = str(cand.done(np.asarray([t]))[0])
    return {
        "measures": [m for m in done.split("+") if m],
        "net_cost_eur": float(cand.net_cost()[0, t]),
        "label": LABELS[int(cand.label[0, t])],
        # what the household emits and pays: the expected actual use, as in the steps
        "co2_kg": float(cand.expected_co2_kg[0, t]),
        "energy_cost_eur": float(cand.expected_cost_eur[0, t]),
    }


__all__ = [
    "OVERRIDABLE",
    "STEP_FIELDS",
    "apply_overrides",
    "household_candidates",
    "household_plan",
    "question_problems",
]
