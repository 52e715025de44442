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
  (:func:`scenarios.trajectory.plan_steps`);
- the optimiser: the cheapest combination reaching the target label
  (:func:`scenarios.candidates.cheapest_to_target`), and with a budget the combination with the
  lowest expected CO2 within it (the first of the budget frontier that fits: the choice of
  :func:`scenarios.candidates.best_within_budget`, for every budget at once).

Without an order the dwelling's own route is used (:func:`scenarios.trajectory.default_order`:
the house or the apartment route). :func:`household_plans` computes the plans of many dwellings
at once (the service does so at start-up); :func:`household_plan` is the same for one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scenarios.candidates import (
    Candidates,
    all_subsets,
    along_tree,
    build_candidates,
    cheapest_to_target,
    last_column,
    with_income,
)
from scenarios.catalogue import Catalogue, Table, table_column, table_rows
from scenarios.policy import DEFAULT_INCOME_CATEGORY, INCOME_CATEGORIES, Policy
from scenarios.trajectory import default_order, plan_steps
from sim.core import HP_MAX_SUPPLY_C, HeatPumpTooHot
from sim.errors import InputError, Problems, at_rows
from sim.labels import LABELS
from sim.stock import CODE_TABLES, DWELLING_FIELDS

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


#: Most measures an order of a household plan may hold: the optimiser tries every combination
#: (2**12 = 4,096, a few milliseconds more than a house's 512), and the tree of combinations
#: grows as 4**M in memory (its reachability table): 20 measures would need a terabyte.
MAX_ORDER_MEASURES = 12


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
    if len(steps) > MAX_ORDER_MEASURES:
        problems.add(
            "order",
            f"hoogstens {MAX_ORDER_MEASURES} maatregelen (elke combinatie wordt doorgerekend); "
            f"kreeg er {len(steps)}",
        )
    if budget_eur is not None and not (math.isfinite(budget_eur) and budget_eur >= 0):
        problems.add("budget_eur", "moet een bedrag van 0 € of meer zijn")
    return problems


def apply_overrides(row: Table, overrides: dict[str, float]) -> Table:
    """The dwelling with a resident's corrections, each checked against its physical range
    (a DataFrame stays a DataFrame, a mapping of arrays a new mapping)."""
    problems = Problems("aanpassingen")
    out = row.copy() if isinstance(row, pd.DataFrame) else dict(row)
    n = table_rows(row)
    for key, value in overrides.items():
        if key not in OVERRIDABLE:
            problems.add(key, f"kan niet aangepast worden; kies uit {sorted(OVERRIDABLE)}")
            continue
        if key == "construction_year":
            if not 1500 <= value <= 2100:  # (NaN fails too)
                problems.add(key, "moet tussen 1500 en 2100 liggen")
                continue
            out[key] = np.full(n, int(value))
            continue
        spec = _SPEC[key]
        if spec.kind == "i":  # a code of its table (sim.stock.CODE_TABLES), a whole number
            codes = CODE_TABLES[key][0]
            if not (math.isfinite(value) and value == int(value) and int(value) in codes):
                allowed = ", ".join(str(c) for c in sorted(set(codes.tolist())))
                problems.add(key, f"moet een van {allowed} zijn")
                continue
            out[key] = np.full(n, int(value))
            continue
        lo = -math.inf if spec.lo is None else spec.lo
        hi = math.inf if spec.hi is None else spec.hi
        if (
            not (lo < value if spec.lo_open else lo <= value)
            or value > hi
            or not math.isfinite(value)
        ):
            problems.add(key, f"moet tussen {spec.lo} en {spec.hi} {spec.unit} liggen")
            continue
        out[key] = np.full(n, float(value))
    problems.raise_if_any()
    return out


def household_candidates(
    row: Table,
    order: Sequence[str],
    catalogue: Catalogue,
    policy: Policy,
    year: int = 2025,
    income_category: str = DEFAULT_INCOME_CATEGORY,
) -> Candidates:
    """Every combination of the measures of ``order`` for the dwellings of ``row``.

    Raises
    ------
    InputError
        In Dutch, where a dwelling's own heat pump cannot deliver the supply temperature its
        emitters need (:func:`heat_pump_too_hot_nl`).
    """
    try:
        return build_candidates(
            row, all_subsets(order), catalogue, policy, year, income_category=income_category
        )
    except HeatPumpTooHot as exc:
        raise heat_pump_too_hot_nl(exc) from None


#: The start of the Dutch message of :func:`heat_pump_too_hot_nl`.
HEAT_PUMP_TOO_HOT_NL = "een warmtepomp krijgt deze afgifte niet warm genoeg"


def heat_pump_too_hot_nl(exc: HeatPumpTooHot) -> InputError:
    """The core's :class:`sim.core.HeatPumpTooHot` for a resident: the dwelling's own heat pump
    (as it is or as corrected) cannot deliver what its emitters need on the design day. (The
    plan never proposes such a heat pump: the catalogue's heat pumps have a stricter rule.)"""
    problems = Problems("woning")
    needed = max(exc.needed_supply_c, default=HP_MAX_SUPPLY_C)
    problems.add(
        "emitter_temp_c",
        f"{HEAT_PUMP_TOO_HOT_NL}: op de ontwerpdag is {needed:.0f} °C aanvoer nodig, een "
        f"warmtepomp levert hoogstens {HP_MAX_SUPPLY_C:g} °C; kies een lagere "
        "ontwerptemperatuur van de afgifte of een ander toestel",
        exc.rows,
    )
    return InputError(problems=problems.items, what=problems.what)


def household_plan(
    row: Table,
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
    row : Table
        One twin row (``docs/twin_schema.md``), with any corrections already applied: a
        DataFrame, or a mapping of column names to arrays of length one.
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
    if table_rows(row) != 1:
        problems.add("row", f"één woning nodig, kreeg er {table_rows(row)}")
    problems.raise_if_any()
    # the one dwelling's plan as household_plans computes each, without its JSON storage
    route = _route(order, table_column(row, "attachment")[0])
    cand = household_candidates(row, route, catalogue, policy, year, income_category)
    return _answer(
        int(year),
        _long_term_goal(policy),
        _names_nl(catalogue),
        route,
        _plan_lists(cand, route)[0],
        str(table_column(row, "dwelling_id")[0]),
        income_category,
        target_label,
        budget_eur,
    )


@dataclass(frozen=True)
class HouseholdPlans:
    """The plans of many dwellings, kept compact: one answer is then a lookup.

    Per dwelling and premium category, as JSON text of plain lists (no keys: a tenth of the
    memory of the answers themselves): the steps of the dwelling's route, the
    cheapest combination for each target label, and the *budget frontier*: the combinations a
    budget can buy, in the optimiser's order (lowest expected CO2, then cheapest, then fewest
    measures), each cheaper than every one before it. The lowest-CO2 combination within a
    budget is the first of the frontier that fits it (:func:`scenarios.candidates.
    best_within_budget` over all combinations gives the same one: an earlier one that fit would
    have been chosen).
    """

    year: int
    long_term_goal: dict[str, Any]
    names_nl: dict[str, str]
    position: dict[str, int]
    routes: list[tuple[str, ...]]
    steps: dict[str, list[str]]
    cheapest: dict[str, list[str]]
    frontier: dict[str, list[str]]

    def answer(
        self,
        dwelling_id: str,
        income_category: str,
        target_label: str = "A",
        budget_eur: float | None = None,
    ) -> dict[str, Any]:
        """The plan of one dwelling (the dict of :func:`household_plan`)."""
        i = self.position[dwelling_id]
        return _answer(
            self.year,
            self.long_term_goal,
            self.names_nl,
            self.routes[i],
            (
                json.loads(self.steps[income_category][i]),
                json.loads(self.cheapest[income_category][i]),
                json.loads(self.frontier[income_category][i]),
            ),
            dwelling_id,
            income_category,
            target_label,
            budget_eur,
        )


#: One dwelling's plan as plain lists (:func:`_plan_lists`): the steps of its route, the
#: cheapest combination per target label and the budget frontier.
PlanLists = tuple[list[list[Any]], list[list[Any] | None], list[list[Any]]]


def _answer(
    year: int,
    long_term_goal: dict[str, Any],
    names_nl: dict[str, str],
    route: tuple[str, ...],
    plan: PlanLists,
    dwelling_id: str,
    income_category: str,
    target_label: str,
    budget_eur: float | None,
) -> dict[str, Any]:
    """The answer of :func:`household_plan` from a dwelling's plan lists."""
    rows, per_label, frontier = plan
    steps = [_step_of(row, names_nl) for row in rows]
    done = {s["measure"] for s in steps}
    options = {"cheapest_to_target": _option_of(per_label[LABELS.index(target_label)], route)}
    if budget_eur is not None:
        limit = float(budget_eur) + 1e-9
        fits = next(o for o in frontier if o[1] <= limit)
        options["best_within_budget"] = _option_of(fits, route)
    return {
        "dwelling_id": dwelling_id,
        "year": year,
        "income_category": income_category,
        "target_label": target_label,
        "long_term_goal": dict(long_term_goal),
        "steps": steps,
        "not_applicable": [m for m in route if m not in done],
        "options": options,
    }


#: Dwellings per candidate build of :func:`household_plans` (bounds its memory: ~0.5 MB of
#: candidates per dwelling of a house route).
PLAN_CHUNK = 1000


def household_plans(
    rows: Table,
    catalogue: Catalogue,
    policy: Policy,
    year: int = 2025,
    order: Sequence[str] | None = None,
    incomes: Sequence[str] = INCOME_CATEGORIES,
) -> HouseholdPlans:
    """The plans of every dwelling of ``rows`` for the premium categories ``incomes``.

    Each dwelling follows ``order``, default its own route (:func:`scenarios.trajectory.
    default_order`); the candidates are built once per group of dwellings with the same route
    (vectorised), and only the premiums are computed again per category
    (:func:`scenarios.candidates.with_income`).
    """
    ids = np.asarray([str(d) for d in table_column(rows, "dwelling_id")], dtype=object)
    n = table_rows(rows)
    routes = [_route(order, a) for a in table_column(rows, "attachment")]
    names_nl = _names_nl(catalogue)
    steps = {inc: [""] * n for inc in incomes}
    cheapest = {inc: [""] * n for inc in incomes}
    frontier = {inc: [""] * n for inc in incomes}
    for route in dict.fromkeys(routes):
        members = np.flatnonzero(np.asarray([r == route for r in routes], dtype=bool))
        for start in range(0, members.size, PLAN_CHUNK):
            at = members[start : start + PLAN_CHUNK]
            part = _take(rows, at)
            try:
                cand = household_candidates(part, route, catalogue, policy, year, incomes[0])
            except InputError as exc:  # rows of this group, as the rows of ``rows``
                raise at_rows(exc, at) from None
            for inc in incomes:
                c = cand if inc == incomes[0] else with_income(cand, part, catalogue, policy, inc)
                _pack(c, ids[at], route, at, steps[inc], cheapest[inc], frontier[inc])
    return HouseholdPlans(
        year=int(year),
        long_term_goal=_long_term_goal(policy),
        names_nl=names_nl,
        position={str(d): i for i, d in enumerate(ids)},
        routes=routes,
        steps=steps,
        cheapest=cheapest,
        frontier=frontier,
    )


def _route(order: Sequence[str] | None, attachment: Any) -> tuple[str, ...]:
    """The measures of a dwelling's plan: ``order``, else its own route."""
    return tuple(order) if order else default_order(str(attachment))


def _long_term_goal(policy: Policy) -> dict[str, Any]:
    """The long-term goal every plan shows (year and label)."""
    return {"year": policy.long_term_goal.year, "label": policy.long_term_goal.label}


def _names_nl(catalogue: Catalogue) -> dict[str, str]:
    """The measures' Dutch names, by id."""
    return {m.id: m.label_nl for m in catalogue.measures}


def _take(rows: Table, at: NDArray[np.intp]) -> Table:
    """Rows ``at`` of a table (the table itself when that is all of it, in order)."""
    if at.size == table_rows(rows) and (at == np.arange(at.size)).all():
        return rows
    if isinstance(rows, pd.DataFrame):
        return rows.iloc[at]
    return {c: np.asarray(v)[at] for c, v in rows.items()}


def _pack(
    cand: Candidates,
    ids: NDArray[np.object_],
    route: tuple[str, ...],
    at: NDArray[np.intp],
    steps: list[str],
    cheapest: list[str],
    frontier: list[str],
) -> None:
    """The plans of the dwellings of ``cand`` as JSON text, at positions ``at``."""
    for j, (rows, per_label, options) in enumerate(_plan_lists(cand, route)):
        steps[at[j]] = json.dumps(rows)
        cheapest[at[j]] = json.dumps(per_label)
        frontier[at[j]] = json.dumps(options)


def _plan_lists(cand: Candidates, route: tuple[str, ...]) -> list[PlanLists]:
    """The plan of each dwelling of ``cand`` as plain lists: the steps of ``route``, the
    cheapest combination per target label (A+ ... F) and the budget frontier."""
    plan = plan_steps(cand, route)
    done = plan["done"]
    columns = [plan[k].tolist() for k in ("step", "measure", *STEP_FIELDS)]
    labels = plan["label"].tolist()
    steps: list[list[list[Any]]] = []
    for j in range(cand.n):
        rows = []
        for s in np.flatnonzero(done[j]).tolist():
            # step, measure, the fields of STEP_FIELDS (NaN as None), label: _step_of
            values = [col[j][s] for col in columns]
            rows.append([*values[:2], *(None if v != v else v for v in values[2:])])
            rows[-1].append(LABELS[labels[j][s]])
        steps.append(rows)
    # the measures each candidate actually does, as a bit mask over the route (a measure that
    # does not apply is skipped): a sum of distinct powers of two along the tree
    bits = np.asarray([1 << j for j in range(len(route))], dtype=np.float64)
    mask = along_tree(
        cand.parent, cand.applied, np.broadcast_to(bits, (cand.n, bits.size)), _last(cand, route)
    ).astype(np.int64)
    net = cand.net_cost()
    # the cheapest combination per target label (A+ ... F)
    labels_each = np.broadcast_to(np.arange(len(LABELS)), (cand.n, len(LABELS)))
    best = cheapest_to_target(cand, labels_each)  # (N, labels)
    every = np.repeat(np.arange(cand.n), len(LABELS))
    options = _options(cand, best.reshape(-1), net, mask, every)
    # the budget frontier: in the optimiser's order, the combinations cheaper than all before
    order = np.lexsort((np.broadcast_to(cand.depth, net.shape), net, cand.expected_co2_kg), axis=1)
    net_sorted = np.take_along_axis(net, order, axis=1)
    before = np.concatenate(
        [np.full((cand.n, 1), np.inf), np.minimum.accumulate(net_sorted, axis=1)[:, :-1]], axis=1
    )
    record = net_sorted < before
    # every (dwelling, rank) of the frontier at once, dwelling by dwelling in rank order
    who, pos = np.nonzero(record)
    t = order[who, pos]
    entries: list[list[Any]] = [[] for _ in range(cand.n)]
    for row, option in zip(who.tolist(), _options_at(cand, who, t, net, mask), strict=True):
        entries[row].append(option)
    n_labels = len(LABELS)
    return [
        (steps[j], options[j * n_labels : (j + 1) * n_labels], entries[j]) for j in range(cand.n)
    ]


def _last(cand: Candidates, route: tuple[str, ...]) -> NDArray[np.int64]:
    """Position in ``route`` of each candidate's last measure (-1 for the current state)."""
    return last_column(cand.last, cand.measures, route)


def _options(
    cand: Candidates,
    index: NDArray[np.int64],
    net: NDArray[np.float64],
    mask: NDArray[np.int64],
    rows: NDArray[np.intp],
) -> list[list[Any] | None]:
    """Candidate ``index[i]`` of dwelling ``rows[i]`` as a plain list (:func:`_option_of`);
    None where it is -1 (none). ``net``: ``cand.net_cost()`` and ``mask``: the measures each
    candidate does as a bit mask over the route, computed once by the caller."""
    found = _options_at(cand, rows, np.maximum(index, 0), net, mask)
    return [None if k < 0 else c for k, c in zip(index.tolist(), found, strict=True)]


def _options_at(
    cand: Candidates,
    rows: NDArray[np.intp],
    t: NDArray[np.int64],
    net: NDArray[np.float64],
    mask: NDArray[np.int64],
) -> list[list[Any]]:
    """Candidate ``t[i]`` of dwelling ``rows[i]`` as a plain list: the measures done (bit
    mask), net cost, label, CO2 and bill (expected actual use); :func:`_option_of`."""
    columns = zip(
        mask[rows, t].tolist(),
        net[rows, t].tolist(),
        cand.label[rows, t].tolist(),
        cand.expected_co2_kg[rows, t].tolist(),
        cand.expected_cost_eur[rows, t].tolist(),
        strict=True,
    )
    return [list(c) for c in columns]


def _step_of(row: list[Any], names_nl: dict[str, str]) -> dict[str, Any]:
    """A step of the answer: the measure (None for the current state), its Dutch name, the
    fields of :data:`STEP_FIELDS` and the label."""
    measure = row[1]
    return {
        "step": row[0],
        "measure": measure or None,
        "measure_nl": names_nl.get(measure, "huidige toestand"),
        **dict(zip(STEP_FIELDS, row[2:-1], strict=True)),
        "label": row[-1],
    }


def _option_of(row: list[Any] | None, route: tuple[str, ...]) -> dict[str, Any] | None:
    """A choice of the optimiser as an answer; None where no combination qualifies."""
    if row is None:
        return None
    mask, net, label, co2, bill = row
    return {
        "measures": [m for j, m in enumerate(route) if mask >> j & 1],
        "net_cost_eur": net,
        "label": LABELS[label],
        # what the household emits and pays: the expected actual use, as in the steps
        "co2_kg": co2,
        "energy_cost_eur": bill,
    }


__all__ = [
    "MAX_ORDER_MEASURES",
    "OVERRIDABLE",
    "PLAN_CHUNK",
    "STEP_FIELDS",
    "HouseholdPlans",
    "apply_overrides",
    "household_candidates",
    "household_plan",
    "household_plans",
    "question_problems",
]
